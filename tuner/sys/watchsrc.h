/* SPDX-License-Identifier: MIT */
/*
 * The event sources of tuner watch, with no polling: an rtnetlink socket on
 * the link group (links appear, go, change flags), the ethtool generic
 * netlink family's "monitor" group (channels and rings changed), and the proc
 * connector (NETLINK_CONNECTOR, CN_IDX_PROC: a process ran a program or
 * renamed itself). Where the proc connector is not available (no
 * CAP_NET_ADMIN in the initial namespace, a kernel without it), a rescan
 * event every TN_WATCHSRC_RESCAN_MS instead, and only when processes are
 * watched. Under --sysroot the sockets still listen to this network
 * namespace (tests run in a private one whose links are named as the tree's).
 *
 * The messages are parsed by tn_watch_parse_*() (hostile-safe: bounded by the
 * datagram's length, fuzzed by fuzz_watch). Events of links without a device
 * in the sysroot (virtual links, which discovery skips) are dropped.
 */
#ifndef TN_WATCHSRC_H
#define TN_WATCHSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sysroot.h"
#include "watch.h"

#define TN_WATCHSRC_RESCAN_MS 5000
/* Datagrams read per socket per wake-up, at most (the rest stay queued). */
#define TN_WATCHSRC_BURST 64
/* Longest datagram read; a longer one is dropped and counted as lost events. */
#define TN_WATCHSRC_MSG_MAX 32768

struct tn_watchsrc;

struct tn_watchsrc_opts {
	bool procs; /* the profile has process rules */
};

/* Open the sources. The proc connector's absence is a warning in d (the
 * rescan is used); rtnetlink's is an error. */
int tn_watchsrc_open(const struct tn_sysroot *root, const struct tn_watchsrc_opts *o,
		     struct tn_watchsrc **out, struct tn_diag *d);
void tn_watchsrc_close(struct tn_watchsrc *w);
/* Whether processes are seen by the proc connector (else by rescans). */
bool tn_watchsrc_proc_connector(const struct tn_watchsrc *w);
/* Whether the ethtool monitor group is listened to. */
bool tn_watchsrc_ethtool(const struct tn_watchsrc *w);

/*
 * Wait at most timeout_ms (-1: no limit) for events or for extra_fd (a
 * signalfd; -1: none) to be readable, in one poll(2). Events read go to
 * ev[0..max), their count to *n. Returns 1 when extra_fd is readable, 0
 * otherwise, -errno on error. now_ms is the caller's monotonic clock (for the
 * rescan).
 */
int tn_watchsrc_wait(struct tn_watchsrc *w, int extra_fd, int timeout_ms, int64_t now_ms,
		     struct tn_wevent *ev, int max, int *n);

/*
 * The parsers, on one datagram of buf[0..len): the events found go to
 * ev[0..max), their count is returned (a message that does not parse is
 * skipped; never more than max).
 */
int tn_watch_parse_rtnl(const void *buf, size_t len, struct tn_wevent *ev, int max);
/* family: the ethtool family id */
int tn_watch_parse_ethtool(const void *buf, size_t len, uint16_t family, struct tn_wevent *ev,
			   int max);
int tn_watch_parse_cn(const void *buf, size_t len, struct tn_wevent *ev, int max);

#endif
