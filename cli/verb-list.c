/* verb-list.c - the read-only views: list, show, history and logs.
 *
 *   list                  one job a line: ID SCHEDULE NEXT LAST STATE
 *   show JOB              the definition, the state and the newest runs
 *   history [JOB] [-n N]  past runs, newest first
 *   logs JOB [RUN]        the kept output tail of a run (default: the last)
 *
 * With --json each prints the parameters of the daemon's reply (List,
 * Show, History, Logs in lib/proto.h) as they came. "logs" writes the
 * output as it was kept, byte for byte as far as UTF-8 allows (the daemon
 * replaces what is not UTF-8 with U+FFFD). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "proto.h"

/* Refuses options on verbs that take none (but accepts --help). */
static int
no_options(int argc, char *argv[], const char *usage_text, int min_args, int max_args)
{
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (c == 'h') {
                        printf("Usage: %s\n", usage_text);
                        return EXIT_OK;
                }
                fprintf(stderr, "Usage: %s\n", usage_text);
                return EXIT_USAGE;
        }
        if (argc - optind < min_args || argc - optind > max_args) {
                fprintf(stderr, "Usage: %s\n", usage_text);
                return EXIT_USAGE;
        }
        return -1;
}

static const char *
or_dash(const char *s)
{
        return s && *s ? s : "-";
}

/* A JobSummary from a parsed reply (show), as a list row. */
static struct job_row
row_from_json(const json_t *job)
{
        struct job_row r = {
                .id = json_str(job, "id"),
                .schedule = json_str(job, "schedule"),
                .state = json_str(job, "state"),
                .last_state = json_str(job, "last_state"),
                .running = json_int_or(job, "running", 0),
        };

        r.has_next = json_int(job, "next_usec", &r.next_usec);
        r.has_last_end = json_int(job, "last_end_usec", &r.last_end_usec);
        return r;
}

/* @a, @b and @c one after another in @buf of @n bytes, cut at its end.
 * Not snprintf(): schedctl list makes 100,000 of these. */
static char *
concat3(char *buf, size_t n, const char *a, const char *b, const char *c)
{
        const char *parts[] = { a, b, c };
        size_t o = 0;

        for (size_t i = 0; i < ELEMENTSOF(parts) && o + 1 < n; i++) {
                size_t len = strlen(parts[i]);
                if (len > n - 1 - o)
                        len = n - 1 - o;
                memcpy(buf + o, parts[i], len);
                o += len;
        }
        buf[o] = 0;
        return buf;
}

/* A job's state, with its runs going on: "active", "paused, 1 running".
 * Returns @buf. */
static char *
job_state(const struct job_row *job, char *buf, size_t n)
{
        const char *state = or_dash(job->state);

        if (job->running == 0)
                return concat3(buf, n, state, "", "");
        if (strcmp(state, "active") == 0)
                snprintf(buf, n, "running");
        else
                snprintf(buf, n, "%s, running", state);
        if (job->running > 1)
                snprintf(buf + strlen(buf), n - strlen(buf), " (%lld)", (long long) job->running);
        return buf;
}

/* The LAST column: "succeeded 5m ago", "running", "-". Returns @buf. */
static char *
job_last(const struct job_row *job, usec_t now, char *buf, size_t n)
{
        char rel[48];

        if (!job->last_state)
                return concat3(buf, n, "-", "", "");
        if (!job->has_last_end)
                return concat3(buf, n, job->last_state, "", "");
        format_relative(job->last_end_usec, now, rel, sizeof rel);
        return concat3(buf, n, job->last_state, " ", strcmp(rel, "now") == 0 ? "just now" : rel);
}

struct list_table {
        struct table *t;
        usec_t now;
};

static int
add_row(const struct job_row *job, void *userdata)
{
        struct list_table *lt = userdata;
        char next[96] = "-", last[96], st[64];
        int r;

        if (job->has_next)
                format_when(job->next_usec, lt->now, next, sizeof next);
        r = table_add_text(lt->t, NULL, or_dash(job->id));
        r |= table_add_text(lt->t, NULL, or_dash(job->schedule));
        r |= table_add_text(lt->t, NULL, next);
        r |= table_add_text(lt->t, state_color(job->last_state), job_last(job, lt->now, last, sizeof last));
        r |= table_add_text(lt->t, state_color(job->state), job_state(job, st, sizeof st));
        return r < 0 ? -ENOMEM : 0;
}

/* The reply's text, read row by row into the table (list-rows.c). */
static int
list_text(const char *text, size_t len, void *userdata)
{
        const char *why = NULL;
        int r = list_rows_read(text, len, add_row, userdata, &why);

        if (r == -ENOMEM)
                return log_oom();
        if (r == 0 || r == -EBADMSG)
                return CLIENT_TEXT_NOT_PARAMETERS;      /* an error reply, or garbage: said there */
        return EXIT_OK;
}

int
verb_list(const struct cli_options *o, int argc, char *argv[])
{
        _cleanup_(table_freep) struct table *t = NULL;
        _cleanup_(json_decrefp) json_t *p = NULL;
        struct list_table lt = { .now = now_usec() };
        int r;

        r = no_options(argc, argv, "schedctl list", 0, 0);
        if (r >= 0)
                return r;
        if (o->json) {
                r = client_call1(o, PROTO_M_LIST, NULL, &p);
                return r != EXIT_OK ? r : json_print(p);
        }
        t = table_new(5, "ID", "SCHEDULE", "NEXT", "LAST", "STATE");
        if (!t)
                return log_oom();
        lt.t = t;
        r = client_call_text(o, PROTO_M_LIST, NULL, list_text, &lt);
        if (r != EXIT_OK)
                return r;
        if (table_rows(t) == 0)
                printf("No jobs.\n");
        else
                table_print(t, stdout);
        return EXIT_OK;
}

/* Prints @arg, quoted for a POSIX shell if it needs quoting. */
static void
print_quoted(const char *arg)
{
        if (*arg && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "@%+=:,./-_") == strlen(arg)) {
                fputs(arg, stdout);
                return;
        }
        putchar('\'');
        for (; *arg; arg++)
                if (*arg == '\'')
                        fputs("'\\''", stdout);
                else
                        putchar(*arg);
        putchar('\'');
}

static void
field(const char *name, const char *value)
{
        printf("  %-15s %s\n", name, or_dash(value));
}

static void
print_detail(const json_t *d)
{
        const json_t *s = json_object_get(d, "summary"), *cmd = json_object_get(d, "command");
        const struct job_row row = row_from_json(s);
        const char *desc = json_str(d, "description"), *err = json_str(d, "error");
        const char *origin = or_dash(json_str(s, "origin"));
        usec_t now = now_usec();
        char buf[256], when[96];
        json_t *v;
        const char *key;
        size_t i, n_env = 0;
        int64_t t;

        printf("%s", or_dash(json_str(s, "id")));
        if (desc)
                printf(" - %s", desc);
        printf("\n");
        snprintf(buf, sizeof buf, "%s (%s)", or_dash(json_str(s, "schedule")), or_dash(json_str(s, "timezone")));
        field("Schedule:", buf);
        printf("  %-15s ", "Command:");
        if (json_is_true(json_object_get(d, "shell"))) {
                /* The daemon shows the script alone; it runs under /bin/sh -c. */
                printf("/bin/sh -c ");
                json_array_foreach(cmd, i, v)
                        print_quoted(or_dash(json_string_value(v)));
        } else
                json_array_foreach(cmd, i, v) {
                        if (i)
                                putchar(' ');
                        print_quoted(json_string_value(v) ? json_string_value(v) : "");
                }
        printf("\n");
        if (strcmp(origin, "file") == 0)
                field("File:", json_str(d, "file"));
        else
                field("Origin:", strcmp(origin, "transient") == 0 ? "schedctl add --transient (memory only)"
                                 : strcmp(origin, "api") == 0 ? "schedctl add (persistent)" : origin);
        field("User:", json_str(s, "user"));
        if (json_str(d, "group"))
                field("Group:", json_str(d, "group"));
        field("Directory:", json_str(d, "directory"));
        json_object_foreach((json_t *) json_object_get(d, "environment"), key, v) {
                snprintf(buf, sizeof buf, "%s=%s", key, json_string_value(v) ? json_string_value(v) : "");
                field(n_env++ == 0 ? "Environment:" : "", buf);
        }
        field("Timeout:", json_str(d, "timeout") ? json_str(d, "timeout") : "none");
        field("Kill grace:", json_str(d, "kill_grace"));
        snprintf(buf, sizeof buf, "%lld", (long long) json_int_or(d, "max_instances", 1));
        field("Max instances:", buf);
        field("On overlap:", json_str(d, "on_overlap"));
        field("Misfire grace:", json_str(d, "misfire_grace"));
        field("Coalesce:", json_is_true(json_object_get(d, "coalesce")) ? "yes" : "no");
        snprintf(buf, sizeof buf, "%lld", (long long) json_int_or(d, "retry_attempts", 0));
        field("Retry attempts:", buf);
        if (json_str(d, "jitter"))
                field("Jitter:", json_str(d, "jitter"));
        field("Output:", json_str(d, "output"));
        printf("  %-15s ", "State:");
        print_colored(stdout, state_color(row.state), job_state(&row, buf, sizeof buf));
        printf("\n");
        field("Next:", json_int(s, "next_usec", &t) ? format_when(t, now, when, sizeof when) : NULL);
        printf("  %-15s ", "Last:");
        print_colored(stdout, state_color(row.last_state), job_last(&row, now, buf, sizeof buf));
        printf("\n");
        if (err) {
                printf("  %-15s ", "Error:");
                print_colored(stdout, state_color("failed"), err);
                printf("\n");
        }
}

int
verb_show(const struct cli_options *o, int argc, char *argv[])
{
        _cleanup_(json_decrefp) json_t *p = NULL;
        int r;

        r = no_options(argc, argv, "schedctl show JOB", 1, 1);
        if (r >= 0)
                return r;
        r = client_call1(o, PROTO_M_SHOW, json_pack("{s:s}", "id", argv[optind]), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        print_detail(json_object_get(p, "job"));
        printf("\nRecent runs:\n");
        return print_runs(json_object_get(p, "runs"), false);
}

int
verb_history(const struct cli_options *o, int argc, char *argv[])
{
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        static const char usage_text[] = "Usage: schedctl history [JOB] [-n N]\n";
        _cleanup_(json_decrefp) json_t *p = NULL, *params = NULL;
        unsigned n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "hn:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(usage_text, stdout);
                        return EXIT_OK;
                case 'n':
                        if (parse_count(optarg, &n) < 0) {
                                fprintf(stderr, "schedctl history: -n expects a positive number, got '%s'\n",
                                        optarg);
                                return EXIT_USAGE;
                        }
                        break;
                default:
                        fputs(usage_text, stderr);
                        return EXIT_USAGE;
                }
        }
        if (argc - optind > 1) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
        params = json_object();
        if (!params ||
            (argc - optind == 1 && json_object_set_new(params, "job", json_string(argv[optind])) < 0) ||
            (n > 0 && json_object_set_new(params, "limit", json_integer(n)) < 0))
                return log_oom();
        r = client_call1(o, PROTO_M_HISTORY, TAKE_PTR(params), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        return print_runs(json_object_get(p, "runs"), argc - optind == 0);
}

int
verb_logs(const struct cli_options *o, int argc, char *argv[])
{
        _cleanup_(json_decrefp) json_t *p = NULL, *params = NULL;
        const char *out;
        size_t len;
        int r;

        r = no_options(argc, argv, "schedctl logs JOB [RUN]", 1, 2);
        if (r >= 0)
                return r;
        params = json_pack("{s:s}", "job", argv[optind]);
        if (!params)
                return log_oom();
        if (argc - optind == 2) {
                char *end;
                long long id;

                errno = 0;
                id = strtoll(argv[optind + 1], &end, 10);
                if (errno || end == argv[optind + 1] || *end || id < 1) {
                        fprintf(stderr, "schedctl logs: RUN is a run id (a positive number), got '%s'\n",
                                argv[optind + 1]);
                        return EXIT_USAGE;
                }
                if (json_object_set_new(params, "run", json_integer(id)) < 0)
                        return log_oom();
        }
        r = client_call1(o, PROTO_M_LOGS, TAKE_PTR(params), &p);
        if (r != EXIT_OK)
                return r;
        if (o->json)
                return json_print(p);
        out = json_str(p, "output");
        len = json_string_length(json_object_get(p, "output"));
        if (out && len > 0) {
                fwrite(out, 1, len, stdout);
                /* Keep a terminal's prompt on a line of its own. */
                if (out[len - 1] != '\n' && isatty(STDOUT_FILENO))
                        putchar('\n');
        }
        return EXIT_OK;
}
