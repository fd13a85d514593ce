/* cases.h - reading table-driven test data (tests/unit/data/NAME.cases).
 *
 * One case a line; '#' starts a comment line; columns are separated by
 * '|' and trimmed. A column past the expected ones is a free-text note. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASES_MAX_COLS 8

struct case_row {
        const char *file;
        unsigned line;
        char *col[CASES_MAX_COLS];
        unsigned n_cols;
};

static inline char *
cases_trim(char *s)
{
        char *e;

        while (*s == ' ' || *s == '\t')
                s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
                *--e = 0;
        return s;
}

/* Calls @fn for each row of TEST_DATA_DIR/@name. Returns the number of
 * rows, or -1 if the file cannot be opened. */
static inline int
cases_foreach(const char *name, void (*fn)(const struct case_row *row, void *userdata), void *userdata)
{
        char path[4096], buf[4096];
        unsigned line = 0;
        int rows = 0;
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, name);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(buf, sizeof buf, f)) {
                struct case_row row = { .file = name, .line = ++line };
                char *s = cases_trim(buf), *save = NULL;

                if (*s == 0 || *s == '#')
                        continue;
                for (char *tok = strtok_r(s, "|", &save); tok && row.n_cols < CASES_MAX_COLS;
                     tok = strtok_r(NULL, "|", &save))
                        row.col[row.n_cols++] = cases_trim(tok);
                fn(&row, userdata);
                rows++;
        }
        fclose(f);
        return rows;
}
