/* SPDX-License-Identifier: MIT */
/*
 * Waiting for network links at boot (apply --boot). On the host, an rtnetlink
 * socket subscribed to link events (RTNLGRP_LINK, through libnl-route) wakes
 * the waiter when any link appears, disappears or changes flags: no polling.
 * Under a sysroot there is no netlink for the tree, so the waiter wakes every
 * TN_LINKWATCH_TREE_MS to look at the tree again.
 *
 * Use: open the watch first, then check the links, then wait, then check
 * again: an event between the check and the wait is not lost, it is queued
 * on the socket.
 */
#ifndef TN_LINKS_H
#define TN_LINKS_H

#include <stdbool.h>

#include "diag.h"
#include "sysroot.h"

#define TN_LINKWATCH_TREE_MS 200

struct tn_linkwatch;

int tn_linkwatch_open(const struct tn_sysroot *root, struct tn_linkwatch **out, struct tn_diag *d);
/* Wait at most timeout_ms for link events; drains every queued event. Returns
 * 1 after events (or a tree tick), 0 on timeout, -errno on error. */
int tn_linkwatch_wait(struct tn_linkwatch *w, int timeout_ms);
void tn_linkwatch_close(struct tn_linkwatch *w);

/* Whether interface 'name' is administratively up (IFF_UP in
 * sys/class/net/NAME/flags; without that file, operstate "up"). Drivers
 * request their queue IRQs when the interface is brought up. */
bool tn_link_is_up(const struct tn_sysroot *root, const char *name);

#endif
