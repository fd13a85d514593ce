/* journal.c - journald's native protocol: one datagram per entry on
 * /run/systemd/journal/socket. A field is "NAME=value\n", or, for a value
 * that holds a newline, "NAME\n", its length as 64-bit little endian, the
 * value, "\n". An entry too big for a datagram goes in a sealed memfd whose
 * descriptor is passed instead, as libsystemd does. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "journal.h"
#include "macro.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Opened on first use and kept, as libsystemd keeps its own. */
static int journal_fd = -1;

static int
journal_socket(void)
{
        if (journal_fd < 0) {
                journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (journal_fd < 0)
                        return -errno;
                /* As libsystemd: room for big entries before the memfd path. */
                int size = 8 * 1024 * 1024;
                (void) setsockopt(journal_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        }
        return journal_fd;
}

/* Sends the entry in @iov as a memfd (for entries over the datagram limit). */
static int
send_memfd(int fd, const struct sockaddr_un *sa, socklen_t salen, struct iovec *iov, size_t n)
{
        union {
                struct cmsghdr cmsg;
                uint8_t buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = { .msg_name = (void *) sa, .msg_namelen = salen };
        _cleanup_close_ int mfd = -1;

        mfd = memfd_create("journal-data", MFD_ALLOW_SEALING | MFD_CLOEXEC);
        if (mfd < 0)
                return -errno;
        for (size_t i = 0; i < n; i++)
                for (size_t done = 0; done < iov[i].iov_len;) {
                        ssize_t k = write(mfd, (uint8_t *) iov[i].iov_base + done, iov[i].iov_len - done);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0)
                                return -errno;
                        done += (size_t) k;
                }
        /* journald only accepts a memfd that can no longer change. */
        if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        mh.msg_control = &control;
        mh.msg_controllen = sizeof control;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &mfd, sizeof(int));
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

static bool
has_field(const struct journal_field *fields, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(fields[i].name, name) == 0)
                        return true;
        return false;
}

int
journal_send_with_location(const char *file, int line, const char *func,
                           const struct journal_field *fields, size_t n)
{
        static const struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
        socklen_t salen = offsetof(struct sockaddr_un, sun_path) + sizeof JOURNAL_SOCKET;
        char code_line[32];
        struct journal_field code[4] = {
                { "CODE_FILE", file, strlen(file) },
                { "CODE_LINE", code_line, 0 },
                { "CODE_FUNC", func, strlen(func) },
                /* As libsystemd, which names the program when the caller does not. */
                { "SYSLOG_IDENTIFIER", program_invocation_short_name, strlen(program_invocation_short_name) },
        };
        size_t total = n + ELEMENTSOF(code) - 1;
        /* Five pieces per field at most: name, "\n", length, value, "\n". */
        _cleanup_free_ struct iovec *iov = calloc(total * 5, sizeof *iov);
        _cleanup_free_ uint64_t *lens = calloc(total, sizeof *lens);
        size_t k = 0;
        int fd;

        if (!iov || !lens)
                return -ENOMEM;
        code[1].len = (size_t) snprintf(code_line, sizeof code_line, "%d", line);
        if (!has_field(fields, n, "SYSLOG_IDENTIFIER"))
                total++;
        for (size_t i = 0; i < total; i++) {
                const struct journal_field *f = i < n ? &fields[i] : &code[i - n];

                iov[k++] = (struct iovec) { (void *) f->name, strlen(f->name) };
                if (memchr(f->value, '\n', f->len)) {
                        uint64_t len = f->len;
                        uint8_t *le = (uint8_t *) &lens[i];
                        for (int b = 0; b < 8; b++)
                                le[b] = (uint8_t) (len >> (8 * b));
                        iov[k++] = (struct iovec) { "\n", 1 };
                        iov[k++] = (struct iovec) { le, 8 };
                } else
                        iov[k++] = (struct iovec) { "=", 1 };
                iov[k++] = (struct iovec) { (void *) f->value, f->len };
                iov[k++] = (struct iovec) { "\n", 1 };
        }

        fd = journal_socket();
        if (fd < 0)
                return fd;
        struct msghdr mh = { .msg_name = (void *) &sa, .msg_namelen = salen, .msg_iov = iov, .msg_iovlen = k };
        while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
                if (errno == EINTR)
                        continue;
                if (errno == EMSGSIZE || errno == ENOBUFS)
                        return send_memfd(fd, &sa, salen, iov, k);
                return -errno;
        }
        return 0;
}

bool
stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}
