/* SPDX-License-Identifier: MIT */
/*
 * systemd's notification API for tuner watch, from libsystemd loaded when the
 * watch starts (dlopen), not linked into every tuner: libsystemd and the six
 * libraries it needs cost every other command (a boot-time apply, a plan)
 * about a millisecond of dynamic linking for three calls that only the watch
 * makes. Where libsystemd cannot be loaded, these do nothing.
 */
#ifndef TN_CLI_SDNOTIFY_H
#define TN_CLI_SDNOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Load libsystemd.so.0 (once). false, with the reason in why, when it cannot be. */
bool tn_sd_load(char *why, size_t len);
/* sd_notify(0, state); 0 when not loaded */
int tn_sd_notify(const char *state);
/* sd_watchdog_enabled(0, usec); 0 when not loaded */
int tn_sd_watchdog_enabled(uint64_t *usec);

#endif
