/* rcstr.c - reference-counted strings: the count sits just before the text. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rcstr.h"

struct rcstr {
        size_t n_ref;
        char s[];
};

static struct rcstr *
header(char *s)
{
        return (struct rcstr *) (s - offsetof(struct rcstr, s));
}

char *
rcstr_new(const char *s)
{
        size_t len = strlen(s);
        struct rcstr *r = malloc(sizeof *r + len + 1);

        if (!r)
                return NULL;
        r->n_ref = 1;
        memcpy(r->s, s, len + 1);
        return r->s;
}

char *
rcstr_ref(char *s)
{
        if (s)
                header(s)->n_ref++;
        return s;
}

char *
rcstr_unref(char *s)
{
        if (s && --header(s)->n_ref == 0)
                free(header(s));
        return NULL;
}
