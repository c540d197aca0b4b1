#ifndef VOBIZ_VAULT_CVAULTSYSTEM_H
#define VOBIZ_VAULT_CVAULTSYSTEM_H

#include <sys/types.h>

/// Mirror of Linux `struct ucred`, which Glibc only declares under _GNU_SOURCE.
/// The layout is checked against the real struct at compile time in CVaultSystem.c.
typedef struct vv_ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} vv_ucred;

/// Makes the process non-dumpable and sets RLIMIT_CORE to 0, so a crash or a
/// same-uid debugger cannot copy secrets out of memory. Returns 0 or -errno.
int vv_harden_process(void);

/// Puts the default action back on the fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
/// SIGTRAP): Swift's runtime installs a backtracer that prints registers and the memory they
/// point at — possibly a secret — and, in a process that is not dumpable, can hang instead of
/// exiting. A crash then ends the process at once, without output and without a core.
void vv_quiet_crashes(void);

/// Whether the process is currently marked non-dumpable (1), dumpable (0), or -errno.
int vv_is_dumpable(void);

/// A pipe for `vv_signal_to_pipe`: both ends close-on-exec from the start (no window in which
/// a forked child could inherit the write end), the write end non-blocking. Returns 0 or -errno.
int vv_signal_pipe(int fds[2]);

/// Routes `signo` to a handler that writes its number (one byte) to `fd` (a non-blocking pipe),
/// and unblocks it in the calling thread, so the signal is caught by whichever thread the
/// kernel picks and never dropped for an inherited mask. Returns 0 or -errno.
int vv_signal_to_pipe(int signo, int fd);

/// The sender of the next bytes queued on a connected Unix stream socket that has SO_PASSCRED
/// set, without consuming them (`recvmsg` with MSG_PEEK | MSG_DONTWAIT and SCM_CREDENTIALS).
/// Returns 1 with `*pid`/`*uid` set (pid 0: the bytes carry no sender), 0 when nothing is queued
/// (or the peer shut down its side), or -errno.
int vv_peek_writer(int fd, pid_t *pid, uid_t *uid);

/// The uid owning the other end of an accepted loopback TCP connection `fd`, asked of the
/// kernel's socket diagnostics (NETLINK_SOCK_DIAG, an exact lookup of the peer's socket).
/// Returns 0 with `*uid` set, or -errno (-ENOENT: no such socket on this host).
int vv_tcp_peer_uid(int fd, uid_t *uid);

/// A pidfd for process `pid` (`pidfd_open`): it becomes readable once the process has exited,
/// and it keeps meaning that process even after its pid is reused. Returns the fd or -errno.
int vv_pidfd_open(pid_t pid);

/// Starts `argv[0]` (looked up in PATH as `execvp` does) with environment `envp`, the default
/// action on SIGINT, SIGQUIT, SIGTERM and SIGHUP and no signal blocked, whatever the caller
/// set. Returns 0 with `*pid` set, or an errno value (the program could not be started).
int vv_spawn(const char *const argv[], const char *const envp[], pid_t *pid);

/// Before a child is started: SIGTERM and SIGHUP sent to this process (whichever thread gets
/// them) are kept for the child, and SIGINT and SIGQUIT, which a terminal sends the child too,
/// are ignored here (the child starts with their default action). Returns 0 or -errno.
int vv_hold_forwarded_signals(void);

/// From now on SIGTERM and SIGHUP are passed on to `pid`; one kept since
/// `vv_hold_forwarded_signals` is passed on now. Returns 0 or -errno.
int vv_forward_signals(pid_t pid);

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks (`*port`), close-on-exec,
/// with SO_REUSEPORT so that `vv_port_holder` can hold the port too. Returns the descriptor or
/// -errno.
int vv_loopback_listener(int *port);

/// A second TCP socket bound to 127.0.0.1:`port` (SO_REUSEPORT, the same user), not listening:
/// while it is open no other user can bind the port, and once the listener is gone connections
/// to it are refused at once. Returns the descriptor or -errno.
int vv_port_holder(int port);

/// A Unix socket listening at the abstract address `name` (the kernel's namespace of the
/// network namespace; no file). Returns the descriptor or -errno.
int vv_handoff_listen(const char *name);

/// Waits up to `timeout_ms` on `lfd` for a connection from process `pid` running as `uid`
/// (`SO_PEERCRED`; others are closed unanswered) and sends it descriptor `fd` (`SCM_RIGHTS`).
/// Returns 0 or -errno (-ETIMEDOUT: nobody came; -ECANCELED: `lfd` was shut down).
int vv_handoff_serve(int lfd, int fd, pid_t pid, uid_t uid, int timeout_ms);

/// Connects to the abstract address `name`, checks that it is served by `daemon_uid`
/// (-EPERM otherwise), and receives one descriptor, close-on-exec, into `*fd`. Returns 0 or
/// -errno.
int vv_handoff_receive(const char *name, uid_t daemon_uid, int *fd);

/// The bytes of the build stamp section (`.vobiz_vault_build`).
#define VV_BUILD_STAMP_SIZE 128

/// The git revision `scripts/stamp-build.sh` wrote into this binary, NUL-padded to
/// VV_BUILD_STAMP_SIZE bytes (read at most that many), or "" in a binary never stamped.
const char *vv_build_stamp(void);

#endif
