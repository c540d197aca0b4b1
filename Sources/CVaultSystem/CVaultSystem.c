#define _GNU_SOURCE
#include <signal.h>
#include <errno.h>
#include <stddef.h>
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
