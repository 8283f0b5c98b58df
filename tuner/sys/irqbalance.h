/* SPDX-License-Identifier: MIT */
/*
 * Tell a running irqbalance (1.9.x, as in Debian 12) to leave some IRQs alone,
 * through its control socket, without restarting it.
 *
 * The protocol (irqbalance 1.9.2, irqbalance.c: init_socket(), sock_handle()):
 *  - SOCK_STREAM UNIX socket bound at /run/irqbalance/irqbalance<pid>.sock; when
 *    that bind fails (no /run/irqbalance), an abstract socket: an all-zero
 *    sun_path bound with addrlen sizeof(struct sockaddr_un). That name has no
 *    pid in it and any process of the network namespace may take it.
 *  - One command per connection: the daemon accept()s, reads ONE recvmsg() of
 *    at most 500 bytes, answers (or not) and closes. The sender must be uid 0
 *    according to SCM_CREDENTIALS; otherwise the daemon closes without a word.
 *  - "settings ban irqs 24 25 26" REPLACES the whole list of banned IRQs (the
 *    --banirq ones included); "settings ban irqs NONE" empties it. No reply.
 *    The change takes effect at the next scan: a full rescan, after which
 *    irqbalance never writes those IRQs' smp_affinity again.
 *  - "setup" answers "SLEEP <s> " then "IRQ <n> LOAD <l> DIFF <d> CLASS <c> "
 *    for each banned IRQ, then "BANNED <cpumask>", and closes.
 *
 * Paths go through the sysroot: the socket is ROOT/run/irqbalance/irqbalance<pid>.sock,
 * opened O_PATH with the sysroot's confinement and connected to through
 * /proc/self/fd/<fd> (our own descriptor, so no length limit and no symlink
 * out of the tree). The abstract fallback is in no file tree: it is tried only
 * when the root is the host ("/"), and there the socket's peer must be pid.
 *
 * Every exchange has a 2 s budget (TN_IRQBALANCE_TIMEOUT_MS) for connect,
 * send and reply together, so a hung daemon cannot hang tuner (-ETIMEDOUT).
 * get_banned is one exchange, set_banned up to three.
 *
 * Errors: -ENOENT no control socket (irqbalance not running, or built without
 * it), -ECONNREFUSED a socket file nobody listens on (stale), -ENOTSOCK a file
 * that is no socket, -ESRCH (host only) the socket's peer is another pid, -ETIMEDOUT,
 * -EPROTO a reply that is not irqbalance's (or none, when we are root),
 * -EACCES no reply and we are not uid 0, -EINVAL bad arguments, -E2BIG a list
 * that does not fit in one 500-byte command, -EIO the daemon did not take the
 * list. On failure, d (when not NULL) gets one error line saying what
 * happened, prefixed "irqbalance <pid>: ". Output parameters are written only
 * on success.
 */
#ifndef TN_IRQBALANCE_H
#define TN_IRQBALANCE_H

#include <stddef.h>

#include "diag.h"
#include "plan.h" /* TN_IRQBALANCE_CMD_MAX: the planner checks it too */
#include "sysroot.h"

#define TN_IRQBALANCE_TIMEOUT_MS 2000

/*
 * The banned IRQs irqbalance (pid) currently honours, via its socket ("setup").
 * On success *irqs is a malloc'ed array, sorted ascending without duplicates
 * (NULL when *n == 0); the caller frees it. These are the IRQs banned with
 * --banirq or through the socket; IRQs irqbalance skips for other reasons
 * (--banmod, a policy script, an affinity it could not write) are not listed.
 */
int tn_irqbalance_get_banned(const struct tn_sysroot *root, int pid, int **irqs, int *n,
			     struct tn_diag *d);

/*
 * Replace the set of IRQs irqbalance leaves alone; n == 0 clears it. The order
 * and duplicates of irqs do not matter; negative numbers are -EINVAL. Reads
 * the list first and sends nothing when it is already that set (every change
 * makes irqbalance rescan and re-place all its other IRQs), then reads it back.
 * Returns 1 when the list was changed, 0 when it already was that set.
 * To undo: get_banned() before, set_banned() with that list on rollback.
 */
int tn_irqbalance_set_banned(const struct tn_sysroot *root, int pid, const int *irqs, int n,
			     struct tn_diag *d);

#endif
