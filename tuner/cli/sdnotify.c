/* SPDX-License-Identifier: MIT */
#include "sdnotify.h"

#include <dlfcn.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

/* the prototypes come from libsystemd's own header: a changed one fails to build */
static __typeof__(sd_notify) *notify_fn;
static __typeof__(sd_watchdog_enabled) *watchdog_fn;

bool tn_sd_load(char *why, size_t len)
{
	static bool tried;
	void *h;

	if (notify_fn)
		return true;
	if (tried) {
		snprintf(why, len, "libsystemd.so.0 could not be loaded");
		return false;
	}
	tried = true;
	h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();

		snprintf(why, len, "%s", e ? e : "libsystemd.so.0: not found");
		return false;
	}
	notify_fn = (__typeof__(notify_fn))dlsym(h, "sd_notify");
	watchdog_fn = (__typeof__(watchdog_fn))dlsym(h, "sd_watchdog_enabled");
	if (!notify_fn || !watchdog_fn) {
		snprintf(why, len, "libsystemd.so.0 has no sd_notify or sd_watchdog_enabled");
		notify_fn = NULL;
		watchdog_fn = NULL;
		dlclose(h);
		return false;
	}
	return true; /* kept loaded for the life of the process */
}

int tn_sd_notify(const char *state)
{
	return notify_fn ? notify_fn(0, state) : 0;
}

int tn_sd_watchdog_enabled(uint64_t *usec)
{
	return watchdog_fn ? watchdog_fn(0, usec) : 0;
}
