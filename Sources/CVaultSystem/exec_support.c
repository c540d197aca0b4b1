#define _GNU_SOURCE
/* What `vobiz-vault exec --proxy` needs of the system: a pidfd for the program, starting it with
 * its signals reset, passing signals on to it, and the loopback port the daemon listens on for
 * it, held by `exec` through a socket handed over on an abstract Unix address. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include "CVaultSystem.h"
#include "vv_internal.h"

int vv_pidfd_open(pid_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : (int)fd;
}

int vv_spawn(const char *const argv[], const char *const envp[], pid_t *pid) {
    posix_spawnattr_t attr;
    int rc = posix_spawnattr_init(&attr);
    if (rc != 0) { return rc; }
    sigset_t defaults, none;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGQUIT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGPIPE);
    sigemptyset(&none);
    rc = posix_spawnattr_setsigdefault(&attr, &defaults);
    if (rc == 0) { rc = posix_spawnattr_setsigmask(&attr, &none); }
    if (rc == 0) { rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK); }
    if (rc == 0) { rc = posix_spawnp(pid, argv[0], NULL, &attr, (char *const *)argv, (char *const *)envp); }
    posix_spawnattr_destroy(&attr);
    return rc;
}

static volatile pid_t vv_forward_pid = 0;
static volatile sig_atomic_t vv_forward_pending = 0;

/* Passes the signal on to the program, or keeps it until the program is known. */
static void vv_forward(int signo) {
    int saved = errno;
    if (vv_forward_pid > 0) {
        kill(vv_forward_pid, signo);
    } else {
        vv_forward_pending = signo;
    }
    errno = saved;
}

int vv_hold_forwarded_signals(void) {
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int rc = vv_catch(SIGTERM, vv_forward);
    return rc != 0 ? rc : vv_catch(SIGHUP, vv_forward);
}

int vv_forward_signals(pid_t pid) {
    vv_forward_pid = pid;
    int pending = vv_forward_pending;
    if (pending != 0 && kill(pid, pending) != 0) { return -errno; }
    return 0;
}

/* A TCP socket with SO_REUSEPORT bound to 127.0.0.1:`*port` (0: the kernel picks, and
 * `*port` says which); listening when `backlog` > 0. */
static int vv_loopback_socket(int *port, int backlog) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { return -errno; }
    int on = 1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)*port);
    socklen_t len = sizeof a;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0
        || (backlog > 0 && listen(fd, backlog) != 0) || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

int vv_loopback_listener(int *port) {
    *port = 0;
    return vv_loopback_socket(port, 128);
}

int vv_port_holder(int port) {
    return vv_loopback_socket(&port, 0);
}

/* The abstract Unix address `name` (no file: it goes with the last socket bound to it). */
static socklen_t vv_abstract(struct sockaddr_un *a, const char *name) {
    size_t n = strlen(name);
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (n + 1 > sizeof a->sun_path) { n = sizeof a->sun_path - 1; }
    memcpy(a->sun_path + 1, name, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

int vv_handoff_listen(const char *name) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) { return -errno; }
    struct sockaddr_un a;
    socklen_t len = vv_abstract(&a, name);
    if (bind(s, (struct sockaddr *)&a, len) != 0 || listen(s, 8) != 0) {
        int e = errno;
        close(s);
        return -e;
    }
    return s;
}

static long vv_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int vv_handoff_serve(int lfd, int fd, pid_t pid, uid_t uid, int timeout_ms) {
    long deadline = vv_now_ms() + timeout_ms;
    for (;;) {
        long left = deadline - vv_now_ms();
        if (left <= 0) { return -ETIMEDOUT; }
        struct pollfd p = { lfd, POLLIN, 0 };
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno != EINTR) { return -errno; }
        if (r <= 0) { continue; }
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) { return -ECANCELED; }
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) { continue; }
            return -errno;
        }
        struct ucred cred;
        socklen_t cl = sizeof cred;
        /* Only the process that opened the session gets the listener's other descriptor. */
        if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.pid != pid || cred.uid != uid) {
            close(c);
            continue;
        }
        char byte = 'L';
        struct iovec iov;
        union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
        memset(&control, 0, sizeof control);
        struct msghdr msg;
        vv_one_byte(&msg, &iov, &byte, control.buf, sizeof control.buf);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        int rc = sendmsg(c, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
        close(c);
        return rc;
    }
}

int vv_handoff_receive(const char *name, uid_t daemon_uid, int *fd) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) { return -errno; }
    struct sockaddr_un a;
    socklen_t len = vv_abstract(&a, name);
    struct timeval tv = { 10, 0 };
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(s, (struct sockaddr *)&a, len) != 0) {
        int e = errno;
        close(s);
        return -e;
    }
    /* Abstract names are listed for everyone to see: only the daemon's answer counts. */
    struct ucred cred;
    socklen_t cl = sizeof cred;
    if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != daemon_uid) {
        close(s);
        return -EPERM;
    }
    char byte;
    struct iovec iov;
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg;
    vv_one_byte(&msg, &iov, &byte, control.buf, sizeof control.buf);
    ssize_t n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
    int e = errno;
    close(s);
    if (n != 1) { return n < 0 ? -e : -EPROTO; }
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int))) {
        return -EPROTO;
    }
    memcpy(fd, CMSG_DATA(cm), sizeof(int));
    return 0;
}
