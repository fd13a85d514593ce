/* tzload.c - struct tz_db: zones loaded from a zoneinfo directory, cached.
 *
 * The only code that opens zone files or looks at $TZ and /etc/localtime;
 * everything it reads is handed to the pure parsers in tz.c. Each distinct
 * name is read once and kept until tz_db_free(). Names are checked before
 * they reach the file system, so a job file cannot make us read
 * "/etc/shadow" or "../../x". */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tz.h"

#define TZ_FILE_MAX (1024 * 1024)       /* real TZif files are under 10 KiB */
#define TZ_NAME_MAX 255

struct tz_db_entry {
        char *name;
        struct tz_zone *zone;
};

struct tz_db {
        char *dir;
        struct tz_db_entry *entries;
        size_t n, cap;
        const struct tz_zone *local;    /* once resolved; owned by `local_owned` or static */
        struct tz_zone *local_owned;
};

int
tz_db_new(const char *zoneinfo_dir, struct tz_db **ret)
{
        _cleanup_free_ struct tz_db *db = NULL;

        db = calloc(1, sizeof *db);
        if (!db)
                return -ENOMEM;
        db->dir = strdup(zoneinfo_dir ? zoneinfo_dir : "/usr/share/zoneinfo");
        if (!db->dir)
                return -ENOMEM;
        *ret = TAKE_PTR(db);
        return 0;
}

struct tz_db *
tz_db_free(struct tz_db *db)
{
        if (!db)
                return NULL;
        for (size_t i = 0; i < db->n; i++) {
                free(db->entries[i].name);
                tz_zone_free(db->entries[i].zone);
        }
        free(db->entries);
        tz_zone_free(db->local_owned);
        free(db->dir);
        free(db);
        return NULL;
}

/* A relative path of components made of [A-Za-z0-9_+-.], none of them
 * empty, "." or "..". */
static bool
name_valid(const char *name)
{
        size_t len = strlen(name);

        if (len == 0 || len > TZ_NAME_MAX)
                return false;
        for (const char *p = name; *p; p++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-.", *p))
                        return false;
        for (const char *c = name;;) {
                size_t n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                if (!c[n])
                        return true;
                c += n + 1;
        }
}

static bool
is_utc_name(const char *name)
{
        return strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0 || strcmp(name, "Etc/UTC") == 0;
}

/* Reads the regular file at @path (at most TZ_FILE_MAX bytes) and parses
 * it as a zone called @name. -ENOENT if it is missing or not a file. */
static int
zone_load(const char *path, const char *name, struct tz_zone **ret)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOTDIR || errno == ENAMETOOLONG || errno == ELOOP ? -ENOENT : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -ENOENT;
        if (st.st_size > TZ_FILE_MAX)
                return -EBADMSG;

        /* Read up to one byte more than allowed, in case the file grew. */
        buf = malloc(TZ_FILE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + len, TZ_FILE_MAX + 1 - len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > TZ_FILE_MAX)
                        return -EBADMSG;
        }
        return tz_zone_parse(name, buf, len, ret);
}

static int
path_join(const char *dir, const char *name, char **ret)
{
        char *p;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* The zone name of a path inside a zoneinfo tree ("/usr/share/zoneinfo/
 * Europe/Berlin" -> "Europe/Berlin"), or NULL. */
static const char *
name_from_path(const char *path)
{
        const char *p = NULL;

        for (const char *q = strstr(path, "zoneinfo/"); q; q = strstr(q + 1, "zoneinfo/"))
                p = q + strlen("zoneinfo/");
        /* posix/Europe/Berlin is Europe/Berlin; right/ zones differ (leap
         * seconds) and keep their prefix. */
        if (p && strncmp(p, "posix/", 6) == 0)
                p += 6;
        return p && name_valid(p) ? p : NULL;
}

/* The zone $TZ names: a file name (":Europe/Berlin", "Europe/Berlin", or an
 * absolute path), else a POSIX TZ string. "" is UTC, as for glibc. */
static int
local_from_env(struct tz_db *db, const char *tz, const struct tz_zone **ret)
{
        _cleanup_free_ char *path = NULL;
        struct tz_zone *z;
        int r;

        if (tz[0] == ':')
                tz++;
        if (tz[0] == 0 || is_utc_name(tz)) {
                *ret = tz_utc();
                return 0;
        }

        if (tz[0] == '/') {
                const char *name = name_from_path(tz);
                r = zone_load(tz, name ? name : tz, &z);
        } else if (name_valid(tz)) {
                r = path_join(db->dir, tz, &path);
                if (r < 0)
                        return r;
                r = zone_load(path, tz, &z);
        } else
                r = -ENOENT;

        if (r == -ENOENT && tz_zone_from_posix(tz, tz, &z) >= 0)
                r = 0;
        if (r < 0)
                return r;
        db->local_owned = z;
        *ret = z;
        return 0;
}

static int
local_resolve(struct tz_db *db, const struct tz_zone **ret)
{
        char target[PATH_MAX];
        const char *tz = getenv("TZ"), *name = NULL;
        struct tz_zone *z;
        ssize_t k;
        int r;

        if (tz)
                return local_from_env(db, tz, ret);

        k = readlink("/etc/localtime", target, sizeof target - 1);
        if (k > 0) {
                target[k] = 0;
                name = name_from_path(target);
        }
        r = zone_load("/etc/localtime", name ? name : "localtime", &z);
        if (r == -ENOENT) {
                *ret = tz_utc();
                return 0;
        }
        if (r < 0)
                return r;
        db->local_owned = z;
        *ret = z;
        return 0;
}

int
tz_db_get(struct tz_db *db, const char *name, const struct tz_zone **ret)
{
        _cleanup_free_ char *path = NULL, *copy = NULL;
        struct tz_zone *z;
        int r;

        if (!name || !name[0]) {
                if (!db->local) {
                        r = local_resolve(db, &db->local);
                        if (r < 0)
                                return r;
                }
                *ret = db->local;
                return 0;
        }
        if (is_utc_name(name)) {
                *ret = tz_utc();
                return 0;
        }
        if (!name_valid(name))
                return -EINVAL;

        /* A linear search: a daemon uses a handful of zones, and looks them
         * up when it loads jobs, not per computation. */
        for (size_t i = 0; i < db->n; i++)
                if (strcmp(db->entries[i].name, name) == 0) {
                        *ret = db->entries[i].zone;
                        return 0;
                }

        if (db->n == db->cap) {
                size_t cap = db->cap ? db->cap * 2 : 8;
                struct tz_db_entry *e = reallocarray(db->entries, cap, sizeof *e);
                if (!e)
                        return -ENOMEM;
                db->entries = e;
                db->cap = cap;
        }
        copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        r = path_join(db->dir, name, &path);
        if (r < 0)
                return r;
        r = zone_load(path, name, &z);
        if (r < 0)
                return r;

        db->entries[db->n++] = (struct tz_db_entry) { TAKE_PTR(copy), z };
        *ret = z;
        return 0;
}
