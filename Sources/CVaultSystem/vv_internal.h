#ifndef VOBIZ_VAULT_VV_INTERNAL_H
#define VOBIZ_VAULT_VV_INTERNAL_H
/* Shared by the C files of CVaultSystem; not part of its interface. */
#include <sys/socket.h>
#include <sys/uio.h>

/* Catches `signo` with `handler` (restarting interrupted calls) and unblocks it in this thread. */
int vv_catch(int signo, void (*handler)(int));

/* A message of one byte (`*byte`) with room for ancillary data in `control`. */
void vv_one_byte(struct msghdr *msg, struct iovec *iov, char *byte, void *control, size_t size);

#endif
