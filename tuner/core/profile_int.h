/* SPDX-License-Identifier: MIT */
/* Between the files of the profile parser (profile*.c); not for other users. */
#ifndef TN_PROFILE_INT_H
#define TN_PROFILE_INT_H

#include <cjson/cJSON.h>

#include "jsonutil.h"
#include "profile.h"

/* Check one document (no "extends" resolved) and fill p; errors through r. */
int tn_profile_build(struct tn_jreader *r, const cJSON *doc, struct tn_profile *p);

/* "allow_sysctls": *out is the checked array, or NULL when absent. */
int tn_profile_parse_allow(struct tn_jreader *r, const cJSON *doc, const cJSON **out);

/* One member of "sysctl" (item->string is its name); allow may be NULL. */
int tn_profile_parse_sysctl(struct tn_jreader *r, const cJSON *item, const cJSON *allow,
			    struct tn_sysctl_rule *s);

/* profile_rps.c: "rps" and "xps" of an interface rule (absent: left unset). */
int tn_profile_parse_rps(struct tn_jreader *r, const cJSON *iface, struct tn_iface_rule *f);
/* profile_rps.c: the top-level "flow_limit" (absent: not set). */
int tn_profile_parse_flow_limit(struct tn_jreader *r, const cJSON *doc, struct tn_profile *p);
/* An interface rule's "coalesce" object o (profile_coalesce.c). */
int tn_profile_parse_coalesce(struct tn_jreader *r, const cJSON *o, struct tn_coalesce_rule *c);

#endif
