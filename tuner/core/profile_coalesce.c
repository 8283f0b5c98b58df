/* SPDX-License-Identifier: MIT */
/* An interface rule's "coalesce" object (issue 15 part B): interrupt
 * coalescing parameters, each checked and bounded, errors at their JSON path. */
#include <errno.h>
#include <string.h>

#include "profile_int.h"

/* One number parameter: an integer 0 to TN_COALESCE_VALUE_MAX. */
static int number(struct tn_jreader *r, const cJSON *o, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t m;
	int ret;

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v)) {
		m = tn_jr_push_key(r, key);
		ret = tn_jr_error(r, "expected an integer 0 to %d", TN_COALESCE_VALUE_MAX);
		tn_jr_pop(r, m);
		return ret;
	}
	return tn_jr_int(r, o, key, true, 0, TN_COALESCE_VALUE_MAX, out);
}

int tn_profile_parse_coalesce(struct tn_jreader *r, const cJSON *o, struct tn_coalesce_rule *c)
{
	static const char *const keys[] = { "rx_usecs", "rx_frames", "adaptive_rx", "tx_usecs",
					    NULL };
	size_t m = tn_jr_push_key(r, "coalesce");
	bool adaptive = false;
	int ret;

	c->rx_usecs = c->rx_frames = c->tx_usecs = c->adaptive_rx = TN_VAL_UNSET;
	if (!cJSON_IsObject(o) || !o->child)
		return tn_jr_error(r, "expected an object with rx_usecs, rx_frames, adaptive_rx "
				      "and/or tx_usecs");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = number(r, o, "rx_usecs", &c->rx_usecs)) < 0 ||
	    (ret = number(r, o, "rx_frames", &c->rx_frames)) < 0 ||
	    (ret = number(r, o, "tx_usecs", &c->tx_usecs)) < 0)
		return ret;
	if (cJSON_GetObjectItemCaseSensitive(o, "adaptive_rx")) {
		if ((ret = tn_jr_bool(r, o, "adaptive_rx", true, &adaptive)) < 0)
			return ret;
		c->adaptive_rx = adaptive;
	}
	tn_jr_pop(r, m);
	return 0;
}
