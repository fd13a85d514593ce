/* runproto.h - the messages between schedd and its runner (DESIGN.md 1).
 *
 * The runner is a small long-lived process that is the parent of every
 * run. schedd sends it spawn and stop requests; it reports starts and
 * exits, and keeps each report until schedd acknowledges it, so a
 * restarted schedd collects what happened while it was away.
 *
 * Transport: a SOCK_STREAM UNIX socket carrying frames. A frame is
 *   u32 length (of the whole frame, header included, little-endian)
 *   u16 type (enum rp_type), u16 reserved (0)
 *   payload: fields in a fixed order per type, each
 *     integers: little-endian u8/u32/u64/i32
 *     strings:  u32 byte count, the bytes, a NUL (counted)
 *     string vectors: u32 count, then that many strings
 *     u32 vectors: u32 count, then the values
 *     bytes: u32 count, the bytes
 * Frames are at most RP_FRAME_MAX bytes. Several frames may be written in
 * one write(): that batching is what keeps the runner cheap.
 *
 * Versioning: each side's first frame is RP_HELLO with RP_VERSION. A side
 * that meets another version must not send anything else; schedd then
 * asks the old runner to drain (RP_BYE) and starts a new one.
 *
 * This file and runproto.c are pure: encoding and decoding of bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "time.h"

/* 2: RP_SPAWN carries start_at_usec. */
#define RP_VERSION 2
#define RP_FRAME_MAX (4u * 1024 * 1024)
#define RP_HEADER_SIZE 8

enum rp_type {
        /* both ways */
        RP_HELLO = 1,
        /* schedd -> runner */
        RP_SPAWN = 2,
        RP_STOP = 3,            /* SIGTERM to one run's group, SIGKILL after its kill_grace */
        RP_STOP_ALL = 4,        /* the same for every run, with the grace given */
        RP_ACK = 5,             /* every report with seq <= the one given was recorded */
        RP_BYE = 6,             /* schedd leaves; runs go on; exit once idle */
        /* runner -> schedd */
        RP_STARTED = 7,
        RP_SPAWN_FAILED = 8,
        RP_EXITED = 9,
        RP_SYNC_DONE = 10,      /* after HELLO: every live run and unacked report was sent */
        _RP_TYPE_MAX,
};

enum rp_output {
        RP_OUTPUT_JOURNAL,
        RP_OUTPUT_DISCARD,
        RP_OUTPUT_FILE,
};

/* Where a run failed to start (the child reports it through a CLOEXEC pipe). */
enum rp_stage {
        RP_STAGE_NONE,
        RP_STAGE_PIPE,          /* in the runner, before the child */
        RP_STAGE_OUTPUT,        /* opening the output file */
        RP_STAGE_FORK,
        RP_STAGE_SETSID,
        RP_STAGE_SIGNALS,
        RP_STAGE_GROUPS,
        RP_STAGE_GID,
        RP_STAGE_UID,
        RP_STAGE_NO_NEW_PRIVS,
        RP_STAGE_CHDIR,
        RP_STAGE_FDS,
        RP_STAGE_EXEC,
        _RP_STAGE_MAX,
};

/* "change directory", "execute", ... for messages like
 * "failed to change directory to '/srv': No such file or directory". */
const char *rp_stage_to_string(enum rp_stage s);

struct rp_hello {
        uint32_t version;
        uint32_t pid;
        const char *software;           /* "schedd 0.1.0", "schedd-runner 0.1.0" */
};

struct rp_spawn {
        uint64_t run_id;
        const char *job_id;
        char **argv;                    /* NULL-terminated */
        char **envp;                    /* NULL-terminated, complete: nothing is inherited */
        bool path_search;               /* list commands: execvpe-style PATH search */
        uint32_t uid, gid;
        uint32_t *groups;               /* supplementary groups, resolved by schedd */
        uint32_t n_groups;
        const char *directory;
        uint8_t output;                 /* enum rp_output */
        const char *output_path;        /* RP_OUTPUT_FILE: opened O_APPEND by the runner */
        uint64_t timeout_usec;          /* 0: none */
        uint64_t kill_grace_usec;
        uint32_t output_limit;          /* bytes of output tail kept for the report */
        bool no_new_privs;
        /* CLOCK_REALTIME; 0: at once. The runner holds the request until
         * then, so that schedd can record and send a firing ahead of its
         * instant and the run still starts on it (sched.c FIRE_EARLY).
         * A runner that loses its daemon starts what it holds at once. */
        uint64_t start_at_usec;
};

struct rp_stop {
        uint64_t run_id;
};

struct rp_stop_all {
        uint64_t grace_usec;
};

struct rp_ack {
        uint64_t seq;
};

struct rp_started {
        uint64_t seq;
        uint64_t run_id;
        uint32_t pid;
        uint64_t start_usec;            /* CLOCK_REALTIME */
};

struct rp_spawn_failed {
        uint64_t seq;
        uint64_t run_id;
        uint8_t stage;                  /* enum rp_stage */
        int32_t error;                  /* errno */
        uint64_t time_usec;
};

/* How a run ended, from waitid()'s siginfo_t. */
struct rp_exited {
        uint64_t seq;
        uint64_t run_id;
        uint64_t end_usec;              /* CLOCK_REALTIME */
        int32_t code;                   /* si_code: CLD_EXITED, CLD_KILLED or CLD_DUMPED */
        int32_t status;                 /* exit status, or the signal number */
        bool timed_out;                 /* the runner killed it for its timeout */
        bool stopped;                   /* the runner killed it on RP_STOP / RP_STOP_ALL */
        uint64_t utime_usec, stime_usec;
        uint64_t maxrss_kib;
        uint64_t output_bytes;          /* all output seen, kept or not */
        const uint8_t *output;          /* the last output_limit bytes */
        uint32_t output_len;
};

/* A decoded frame. Strings and byte arrays point into the frame buffer
 * given to rp_decode(), which must outlive the message; vectors (argv,
 * envp, groups) are allocated and freed by rp_msg_done(). */
struct rp_msg {
        enum rp_type type;
        union {
                struct rp_hello hello;
                struct rp_spawn spawn;
                struct rp_stop stop;
                struct rp_stop_all stop_all;
                struct rp_ack ack;
                struct rp_started started;
                struct rp_spawn_failed spawn_failed;
                struct rp_exited exited;
        };
};
void rp_msg_done(struct rp_msg *m);

/* A growable output buffer. */
struct rp_buf {
        uint8_t *data;
        size_t len, cap;
};
void rp_buf_done(struct rp_buf *b);
/* Drops the first @n bytes (after a partial write). */
void rp_buf_consume(struct rp_buf *b, size_t n);

/* Appends one frame to @b. Return 0, -ENOMEM, or -EMSGSIZE if the frame
 * would exceed RP_FRAME_MAX (nothing is appended then). For types with
 * no payload (RP_BYE, RP_SYNC_DONE) use rp_encode_empty(). */
int rp_encode_hello(struct rp_buf *b, const struct rp_hello *m);
int rp_encode_spawn(struct rp_buf *b, const struct rp_spawn *m);
int rp_encode_stop(struct rp_buf *b, const struct rp_stop *m);
int rp_encode_stop_all(struct rp_buf *b, const struct rp_stop_all *m);
int rp_encode_ack(struct rp_buf *b, const struct rp_ack *m);
int rp_encode_started(struct rp_buf *b, const struct rp_started *m);
int rp_encode_spawn_failed(struct rp_buf *b, const struct rp_spawn_failed *m);
int rp_encode_exited(struct rp_buf *b, const struct rp_exited *m);
int rp_encode_empty(struct rp_buf *b, enum rp_type type);

/* Looks at the start of @data: returns the length of the first complete
 * frame, 0 if more bytes are needed, -EBADMSG if the header is invalid
 * (length below RP_HEADER_SIZE or above RP_FRAME_MAX). */
ssize_t rp_frame_length(const uint8_t *data, size_t len);

/* Decodes one complete frame (as delimited by rp_frame_length()).
 * Returns 0, -EBADMSG for a malformed frame or unknown type, -ENOMEM.
 * *ret is untouched on failure. */
int rp_decode(const uint8_t *frame, size_t len, struct rp_msg *ret);
