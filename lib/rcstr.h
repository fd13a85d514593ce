/* rcstr.h - reference-counted strings, for text that many objects share
 * (the path of a job file, named by each of its thousands of jobs).
 *
 * An rcstr is a plain NUL-terminated char * to its readers; only its
 * holders know it is counted. Each holder owns one reference and gives it
 * back with rcstr_unref(), never free(). */
#pragma once

/* A new string equal to @s with one reference, or NULL (out of memory). */
char *rcstr_new(const char *s);

/* Takes another reference to @s (may be NULL); returns @s. */
char *rcstr_ref(char *s);

/* Gives back one reference to @s (may be NULL), freeing it with the last;
 * returns NULL. */
char *rcstr_unref(char *s);

static inline void
rcstr_unrefp(char **s)
{
        rcstr_unref(*s);
}
