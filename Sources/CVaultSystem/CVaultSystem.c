#define _GNU_SOURCE
#include <signal.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include "CVaultSystem.h"
#include "vv_internal.h"

int vv_tcp_peer_uid(int fd, uid_t *uid) {
    struct sockaddr_storage local, peer;
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0 || getpeername(fd, (struct sockaddr *)&peer, &pl) != 0) {
        return -errno;
    }
    if (local.ss_family != peer.ss_family || (local.ss_family != AF_INET && local.ss_family != AF_INET6)) {
        return -EAFNOSUPPORT;
    }
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST;
    msg.req.sdiag_family = (unsigned char)local.ss_family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0U;
    msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    /* The peer's socket: its source is our peer address, its destination our local one. */
    if (local.ss_family == AF_INET) {
        struct sockaddr_in *l = (struct sockaddr_in *)&local, *p = (struct sockaddr_in *)&peer;
        msg.req.id.idiag_sport = p->sin_port;
        msg.req.id.idiag_dport = l->sin_port;
        memcpy(msg.req.id.idiag_src, &p->sin_addr, 4);
        memcpy(msg.req.id.idiag_dst, &l->sin_addr, 4);
    } else {
        struct sockaddr_in6 *l = (struct sockaddr_in6 *)&local, *p = (struct sockaddr_in6 *)&peer;
        msg.req.id.idiag_sport = p->sin6_port;
        msg.req.id.idiag_dport = l->sin6_port;
        memcpy(msg.req.id.idiag_src, &p->sin6_addr, 16);
        memcpy(msg.req.id.idiag_dst, &l->sin6_addr, 16);
    }
    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) {
        return -errno;
    }
    int result = -ENOENT;
    if (send(nl, &msg, sizeof msg, 0) != (ssize_t)sizeof msg) {
        result = -errno;
    } else {
        union { struct nlmsghdr align; char buf[8192]; } reply;
        ssize_t n = recv(nl, reply.buf, sizeof reply.buf, 0);
        if (n < 0) {
            result = -errno;
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply.buf; n > 0 && NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                result = e->error < 0 ? e->error : -ENOENT;
                break;
            }
            if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
                struct inet_diag_msg *d = NLMSG_DATA(h);
                /* A socket its process has let go of (closed: TIME_WAIT, an orphan in FIN_WAIT)
                 * has no inode and reads as uid 0: it has no owner to name. */
                if (d->idiag_inode == 0) {
                    result = -ENOENT;
                    break;
                }
                *uid = d->idiag_uid;
                result = 0;
                break;
            }
        }
    }
    close(nl);
    return result;
}

void vv_one_byte(struct msghdr *msg, struct iovec *iov, char *byte, void *control, size_t size) {
    iov->iov_base = byte;
    iov->iov_len = 1;
    memset(msg, 0, sizeof *msg);
    msg->msg_iov = iov;
    msg->msg_iovlen = 1;
    msg->msg_control = control;
    msg->msg_controllen = size;
}

int vv_peek_writer(int fd, pid_t *pid, uid_t *uid) {
    char byte;
    struct iovec iov;
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(struct ucred))]; } control;
    struct msghdr msg;
    vv_one_byte(&msg, &iov, &byte, control.buf, sizeof control.buf);
    ssize_t n = recvmsg(fd, &msg, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    }
    if (n == 0) {
        return 0;
    }
    *pid = 0;
    *uid = (uid_t)-1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            *pid = cred.pid;
            *uid = cred.uid;
        }
    }
    return 1;
}

_Static_assert(sizeof(struct ucred) == sizeof(vv_ucred), "vv_ucred size differs from struct ucred");
_Static_assert(offsetof(struct ucred, pid) == offsetof(vv_ucred, pid), "pid offset");
_Static_assert(offsetof(struct ucred, uid) == offsetof(vv_ucred, uid), "uid offset");
_Static_assert(offsetof(struct ucred, gid) == offsetof(vv_ucred, gid), "gid offset");

void vv_quiet_crashes(void) {
    const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        signal(fatal[i], SIG_DFL);
    }
}

int vv_harden_process(void) {
    vv_quiet_crashes();
    struct rlimit none = { 0, 0 }, now;
    /* Already none (LimitCORE=0 in the unit, whose filter may then refuse setrlimit). */
    int already = getrlimit(RLIMIT_CORE, &now) == 0 && now.rlim_cur == 0 && now.rlim_max == 0;
    if (!already && setrlimit(RLIMIT_CORE, &none) != 0) {
        return -errno;
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        return -errno;
    }
    return 0;
}

int vv_is_dumpable(void) {
    int r = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    return r < 0 ? -errno : r;
}

static volatile int vv_signal_fd = -1;

static void vv_signal_write(int signo) {
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (vv_signal_fd >= 0) { (void)!write(vv_signal_fd, &b, 1); }
    errno = saved;
}

int vv_signal_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) { return -errno; }
    int flags = fcntl(fds[1], F_GETFL);
    if (flags < 0 || fcntl(fds[1], F_SETFL, flags | O_NONBLOCK) != 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    return 0;
}

int vv_catch(int signo, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(signo, &sa, NULL) != 0) { return -errno; }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    int rc = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return rc == 0 ? 0 : -rc;
}

int vv_signal_to_pipe(int signo, int fd) {
    vv_signal_fd = fd;
    return vv_catch(signo, vv_signal_write);
}
