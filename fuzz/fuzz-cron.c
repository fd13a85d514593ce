/* fuzz-cron.c - libFuzzer target for lib/cron.c.
 *
 * The first byte chooses the notation: even, the Unix string form
 * (cron_parse); odd, APScheduler's field form (cron_parse_fields), the
 * rest split at newlines into up to eight fields, an empty line meaning
 * "not given". A schedule that parses is walked a few firings forward
 * with cron_next() in UTC and in zones with DST and half-hour changes,
 * from an instant taken from the input. Nothing may crash, hang, read
 * out of bounds, or return a firing that is not after its start. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "tz.h"

#define MAX_INPUT 4096

static struct tz_db *db;

static void
walk(const struct cron_spec *spec, const struct tz_zone *zone, usec_t after)
{
        for (int i = 0; i < 4; i++) {
                usec_t next;
                if (cron_next(spec, zone, after, &next) < 0)
                        return;
                assert(next > after);
                after = next;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *zones[] = { "Europe/Berlin", "Australia/Lord_Howe", "America/New_York" };
        struct cron_spec spec;
        struct cron_error err;
        char *text;
        uint64_t start = 0;
        int r;

        if (size < 1 || size > MAX_INPUT)
                return 0;
        if (!db && tz_db_new(NULL, &db) < 0)
                abort();
        text = malloc(size);
        if (!text)
                return 0;
        memcpy(text, data + 1, size - 1);
        text[size - 1] = 0;

        if (data[0] % 2 == 0)
                r = cron_parse(text, &spec, &err);
        else {
                const char *fields[_CRON_FIELD_MAX] = {};
                enum cron_field ef;
                char *p = text;

                for (int f = 0; f < _CRON_FIELD_MAX && p; f++) {
                        char *nl = strchr(p, '\n');
                        if (nl)
                                *nl = 0;
                        fields[f] = *p ? p : NULL;
                        p = nl ? nl + 1 : NULL;
                }
                r = cron_parse_fields(fields, &spec, &ef, &err);
        }
        if (r == 0) {
                const struct tz_zone *z;

                /* Any instant from 1970 to about 2230, from the input's first bytes. */
                memcpy(&start, data, size < sizeof start ? size : sizeof start);
                start %= UINT64_C(8200000000);
                walk(&spec, tz_utc(), (usec_t) start * USEC_PER_SEC);
                if (tz_db_get(db, zones[data[0] / 2 % 3], &z) >= 0)
                        walk(&spec, z, (usec_t) start * USEC_PER_SEC);
        } else
                assert(strlen(err.message) < sizeof err.message);
        free(text);
        return 0;
}
