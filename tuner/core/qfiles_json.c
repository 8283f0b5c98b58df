/* SPDX-License-Identifier: MIT */
#include "qfiles_json.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hexmask.h"

static cJSON *qfile_to_json(const struct tn_qfiles *q, bool rx)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || tn_json_add_int(o, "queue", q->index) < 0 ||
	    (q->mask ? tn_json_add_str(o, rx ? "rps_cpus" : "xps_cpus", q->mask)
		     : tn_json_add_null(o, rx ? "rps_cpus" : "xps_cpus")) < 0 ||
	    (rx && tn_json_add_int_or_null(o, "rps_flow_cnt", q->flow_cnt, TN_UNKNOWN) < 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int add_array(cJSON *o, const char *key, const struct tn_qfiles *v, int n, bool rx)
{
	cJSON *arr;

	if (n == 0)
		return 0;
	if (tn_json_add_item(o, key, arr = cJSON_CreateArray()) < 0)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		if (tn_json_add_item(arr, NULL, qfile_to_json(&v[i], rx)) < 0)
			return -ENOMEM;
	return 0;
}

int tn_qfiles_to_json(cJSON *o, const struct tn_nic *n)
{
	int ret = add_array(o, "rps", n->rxq, n->n_rxq, true);

	return ret < 0 ? ret : add_array(o, "xps", n->txq, n->n_txq, false);
}

static int load_one(struct tn_jreader *r, const cJSON *it, bool rx, int below, int prev,
		    struct tn_qfiles *q)
{
	static const char *const rkeys[] = { "queue", "rps_cpus", "rps_flow_cnt", NULL };
	static const char *const tkeys[] = { "queue", "xps_cpus", NULL };
	const char *mkey = rx ? "rps_cpus" : "xps_cpus";
	const cJSON *mask;
	int64_t idx = 0;
	size_t m;
	int ret;

	q->flow_cnt = TN_UNKNOWN;
	if (!cJSON_IsObject(it))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, it, rx ? rkeys : tkeys)) < 0 ||
	    (ret = tn_jr_int(r, it, "queue", true, 0, TN_NIC_QUEUES_MAX - 1, &idx)) < 0 ||
	    (rx && (ret = tn_jr_int_or_null(r, it, "rps_flow_cnt", 0, INT32_MAX, TN_UNKNOWN,
					    &q->flow_cnt)) < 0))
		return ret;
	q->index = (int)idx;
	m = tn_jr_push_key(r, "queue");
	if (idx >= below)
		return tn_jr_error(r, "queue %d, but the NIC has %d %s queues", q->index, below,
				   rx ? "rx" : "tx");
	if (idx <= prev)
		return tn_jr_error(r, "queues must be in ascending order, each once");
	tn_jr_pop(r, m);
	mask = cJSON_GetObjectItemCaseSensitive(it, mkey);
	if (!mask || cJSON_IsNull(mask))
		return 0;
	m = tn_jr_push_key(r, mkey);
	if (!cJSON_IsString(mask) || !tn_hexmask_valid(mask->valuestring))
		return tn_jr_error(
			r, "expected a CPU mask as sysfs prints it (\"00000000,000000ff\")");
	q->mask = strdup(mask->valuestring);
	if (!q->mask)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	tn_jr_pop(r, m);
	return 0;
}

static int load_array(struct tn_jreader *r, const cJSON *o, bool rx, int below, int *total,
		      struct tn_qfiles **out, int *n_out)
{
	const char *key = rx ? "rps" : "xps";
	const cJSON *arr, *it;
	int ret, n, i = 0;
	size_t m;

	if ((ret = tn_jr_array(r, o, key, false, &arr)) < 0 || !arr)
		return ret;
	n = cJSON_GetArraySize(arr);
	m = tn_jr_push_key(r, key);
	if (n > TN_QUEUE_FILES_MAX - *total)
		return tn_jr_error(r, "more than %d queue files in all: more than tuner accepts",
				   TN_QUEUE_FILES_MAX);
	*total += n;
	*out = calloc((size_t)(n ? n : 1), sizeof(**out));
	if (!*out)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	cJSON_ArrayForEach (it, arr) {
		size_t m2 = tn_jr_push_index(r, i);

		ret = load_one(r, it, rx, below, i ? (*out)[i - 1].index : -1, &(*out)[i]);
		(*n_out)++; /* freed with the NIC, whatever happened */
		if (ret < 0)
			return ret;
		tn_jr_pop(r, m2);
		i++;
	}
	tn_jr_pop(r, m);
	return 0;
}

int tn_qfiles_load(struct tn_jreader *r, const cJSON *o, struct tn_nic *n, int *total)
{
	int ret = load_array(r, o, true, n->rx_queues, total, &n->rxq, &n->n_rxq);

	return ret < 0 ? ret : load_array(r, o, false, n->tx_queues, total, &n->txq, &n->n_txq);
}
