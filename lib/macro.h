/* macro.h - the few macros schedd allows itself (STYLE.md section 4).
 *
 * Cleanup on scope exit, explicit ownership transfer, array sizes.
 * Nothing here allocates or does I/O. */
#pragma once

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((__cleanup__(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _unused_ __attribute__((__unused__))
#define _printf_(a, b) __attribute__((__format__(printf, a, b)))

#define TAKE_PTR(p) ({ typeof(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* free() that returns NULL: p = mfree(p); */
static inline void *
mfree(void *p)
{
        free(p);
        return NULL;
}

static inline void
freep(void *p)
{
        free(*(void **) p);
}

static inline void
closep(int *fd)
{
        if (*fd >= 0)
                (void) close(*fd);
}

/* Frees a NULL-terminated vector of strings and the vector itself. */
static inline void
strv_free(char **v)
{
        if (!v)
                return;
        for (char **s = v; *s; s++)
                free(*s);
        free(v);
}

static inline void
strv_freep(char ***v)
{
        strv_free(*v);
}

/* Equal strings, or both NULL. */
static inline bool
streq_ptr(const char *a, const char *b)
{
        return a == b || (a && b && strcmp(a, b) == 0);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
