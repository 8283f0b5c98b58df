/* SPDX-License-Identifier: MIT */
/*
 * Network namespaces named by the user (--netns NAME|PID): opened and checked
 * before tuner enters them, entered and left by the calling thread only.
 */
#ifndef TN_NETNS_H
#define TN_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define TN_NETNS_DIR "/run/netns" /* where 'ip netns add NAME' binds its namespace */
#define TN_NETNS_NAME_MAX 64	  /* bytes of a NAME given to --netns */

struct tn_netns {
	int fd;		/* an nsfs descriptor of a network namespace, -1 when none */
	bool is_own;	/* the namespace tuner already runs in */
	char label[80]; /* "NAME" or "pid:N", for messages and the sample */
};

/* Whether spec is a process id (digits only) rather than a name. */
bool tn_netns_spec_is_pid(const char *spec);

/*
 * Open the network namespace a user named: a process id (its /proc/PID/ns/net)
 * or an 'ip netns' NAME (/run/netns/NAME: one path component, not followed
 * if it is a symlink; /run/netns and the file must be owned by root or the
 * caller and not writable by others). The file must be a network namespace
 * (NS_GET_NSTYPE). Returns 0 or -errno with the path and the reason in d;
 * out untouched on failure.
 */
int tn_netns_open(const char *spec, struct tn_netns *out, struct tn_diag *d);
void tn_netns_close(struct tn_netns *ns); /* accepts a closed one */

/*
 * Move the calling thread into ns; *saved receives a descriptor of the
 * namespace it left, for tn_netns_leave. Returns 0 or -errno (-EPERM without
 * CAP_SYS_ADMIN) with the reason in d.
 */
int tn_netns_enter(const struct tn_netns *ns, int *saved, struct tn_diag *d);
/* Back into the namespace *saved names, which is closed. 0 or -errno. */
int tn_netns_leave(int saved, struct tn_diag *d);

#endif
