/* tz.h - time zones as data: TZif rules, and UTC <-> local conversion.
 *
 * A struct tz_zone is built from the bytes of a TZif file (RFC 8536,
 * versions 1 to 4, including the POSIX-TZ footer that governs instants past
 * the transition table) or from a POSIX TZ string. Conversions are pure
 * functions of the zone and their arguments: no process-global TZ, no
 * files, no clock. Only tzload.c (struct tz_db) opens zoneinfo files.
 *
 * All instants here are whole seconds since the Unix epoch, UTC. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "time.h"

struct tz_zone;

/* Parses TZif bytes. @name (e.g. "Europe/Berlin") is copied. Returns 0 and
 * a new zone in *ret (caller owns; free with tz_zone_free()), -EBADMSG for
 * malformed data, -ENOMEM. *ret untouched on failure. */
int tz_zone_parse(const char *name, const void *data, size_t len, struct tz_zone **ret);

/* Builds a zone from a POSIX TZ string alone ("CET-1CEST,M3.5.0,M10.5.0/3",
 * "UTC0", "<+0330>-3:30"). Same contract as tz_zone_parse(). */
int tz_zone_from_posix(const char *name, const char *posix, struct tz_zone **ret);

/* Accepts NULL. Returns NULL. Never frees tz_utc(). */
struct tz_zone *tz_zone_free(struct tz_zone *z);

/* The UTC zone: a static object, always available. */
const struct tz_zone *tz_utc(void);

/* The name given at parse time. */
const char *tz_zone_name(const struct tz_zone *z);

/* A local time of day and what the zone says about it. */
struct tz_local {
        struct civil civil;     /* usec always 0 */
        int wday;               /* 0 = Sunday .. 6 = Saturday */
        int32_t utcoff;         /* seconds east of UTC */
        bool isdst;
};

/* The UTC offset (seconds east) in force at instant @t. */
int32_t tz_offset_at(const struct tz_zone *z, int64_t t);

/* Local wall-clock time of instant @t. Instants beyond +-2^53 s (some
 * 285 million years) are treated as that bound. */
void tz_to_local(const struct tz_zone *z, int64_t t, struct tz_local *ret);

enum tz_resolution {
        TZ_UNIQUE,              /* ret[0]: the one instant */
        TZ_FOLD,                /* ret[0] < ret[1]: first and second occurrence */
        TZ_GAP,                 /* the clock jumped over it; ret[0]: the instant of
                                 * that jump, i.e. the first instant after it */
};

/* Maps a local wall-clock time (c->usec ignored; c must be valid) to UTC.
 * Fills ret[0], and ret[1] for TZ_FOLD. */
enum tz_resolution tz_from_local(const struct tz_zone *z, const struct civil *c, int64_t ret[2]);

/* The first UTC offset change strictly after @t, or INT64_MAX if none.
 * Lets callers step over stretches with a constant offset. */
int64_t tz_next_transition(const struct tz_zone *z, int64_t t);

/* A cache of zones loaded from a zoneinfo directory (tzload.c, the only
 * code that opens zone files). */
struct tz_db;

/* @zoneinfo_dir NULL means /usr/share/zoneinfo. Returns 0 or -ENOMEM. */
int tz_db_new(const char *zoneinfo_dir, struct tz_db **ret);
struct tz_db *tz_db_free(struct tz_db *db);

/* Returns a zone owned by @db (valid until tz_db_free()). @name NULL or ""
 * means the local zone: $TZ if set (a zone name, optionally with a leading
 * ':', or a POSIX TZ string), else /etc/localtime, else UTC. "UTC", "Z" and
 * "Etc/UTC" always work. Returns -ENOENT for an unknown zone, -EINVAL for a
 * name that is not a zone name ("../x", "/etc/passwd"), -EBADMSG for a
 * corrupt file. *ret untouched on failure. The local zone is resolved on
 * first use and then kept for the life of @db. */
int tz_db_get(struct tz_db *db, const char *name, const struct tz_zone **ret);
