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
#include "CVaultSystem.h"

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
    struct rlimit none = { 0, 0 };
    if (setrlimit(RLIMIT_CORE, &none) != 0) {
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

int vv_signal_to_pipe(int signo, int fd) {
    vv_signal_fd = fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = vv_signal_write;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(signo, &sa, NULL) != 0) { return -errno; }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    int rc = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return rc == 0 ? 0 : -rc;
}
