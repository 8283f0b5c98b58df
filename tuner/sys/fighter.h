/* SPDX-License-Identifier: MIT */
/* tuner watch: what on this host may undo tuner's work (watch.h's facts). */
#ifndef TN_FIGHTER_H
#define TN_FIGHTER_H

#include "state.h"
#include "sysroot.h"
#include "watch.h"

/* The systemd .link directories, in systemd's order of precedence. */
#define TN_LINKFILE_DIRS                                                                 \
	{                                                                                \
		"etc/systemd/network", "run/systemd/network", "usr/lib/systemd/network", \
			"lib/systemd/network"                                            \
	}
#define TN_LINKFILE_MAX_BYTES 65536 /* a larger .link file is skipped */
#define TN_LINKFILE_MAX_FILES 256   /* per directory */

/*
 * Fill f for the NIC ifname (driver may be ""; ifname "" for a process): is
 * irqbalance running (s->irqbalance), is the tuned daemon, and the first
 * .link file that sets this NIC's channels or rings. Files that are not
 * regular, not trusted (tn_safefile_check_trusted) or too large are skipped.
 */
void tn_fighter_facts_read(const struct tn_sysroot *root, const struct tn_state *s,
			   const char *ifname, const char *driver, struct tn_fighter_facts *f);

#endif
