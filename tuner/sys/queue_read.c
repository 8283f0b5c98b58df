/* SPDX-License-Identifier: MIT */
/* Discovery of a NIC's queue files: queues/rx-N/rps_cpus and rps_flow_cnt,
 * queues/tx-N/xps_cpus (issue 15). */
#include "discover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexmask.h"

/* One queue's mask file: 0 with *out malloc'ed, NULL when the file is absent. */
static int read_mask(const struct tn_sysroot *root, const char *rel, char **out)
{
	char buf[TN_HEXMASK_MAX + 2];
	int ret = tn_sysroot_read_line(root, rel, buf, sizeof(buf));

	*out = NULL;
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (!tn_hexmask_valid(buf))
		return -EBADMSG;
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

/* Why a queue file was left alone. */
static const char *why(int ret, const char *what)
{
	if (ret == -EBADMSG || ret == -ERANGE)
		return what;
	if (ret == -EINVAL)
		return "not a regular file or not text";
	if (ret == -EOVERFLOW)
		return "a line longer than any value of it";
	return strerror(-ret);
}

static int read_queue(const struct tn_sysroot *root, const struct tn_nic *n, bool rx, int idx,
		      struct tn_qfiles *q, struct tn_diag *d)
{
	char rel[256];
	const char *file = rx ? "rps_cpus" : "xps_cpus";
	int ret;

	q->index = idx;
	q->flow_cnt = TN_UNKNOWN;
	if (tn_pathf(rel, sizeof(rel), "sys/class/net/%s/queues/%s-%d/%s", n->name,
		     rx ? "rx" : "tx", idx, file) < 0)
		return -ENAMETOOLONG;
	ret = read_mask(root, rel, &q->mask);
	if (ret == -ENOMEM)
		return tn_diag_error(d, ret, "out of memory");
	if (ret < 0)
		tn_diag_warn(d, "%s: %s: %s; left alone", n->name, rel, why(ret, "not a CPU mask"));
	if (!rx)
		return 0;
	if (tn_pathf(rel, sizeof(rel), "sys/class/net/%s/queues/rx-%d/rps_flow_cnt", n->name, idx) <
	    0)
		return -ENAMETOOLONG;
	ret = tn_sysroot_read_int64(root, rel, &q->flow_cnt);
	if (ret == 0 && (q->flow_cnt < 0 || q->flow_cnt > INT32_MAX)) {
		ret = -ERANGE;
		q->flow_cnt = TN_UNKNOWN;
	}
	if (ret < 0 && ret != -ENOENT)
		tn_diag_warn(d, "%s: %s: %s; left alone", n->name, rel,
			     why(ret, "not a flow count (0 to 2147483647)"));
	if (ret < 0)
		q->flow_cnt = TN_UNKNOWN;
	return 0;
}

static int read_dir(const struct tn_sysroot *root, const struct tn_nic *n, bool rx, int count,
		    struct tn_qfiles **out, int *n_out, struct tn_diag *d)
{
	struct tn_qfiles *v;
	int k = 0, ret = 0;

	*out = NULL;
	*n_out = 0;
	if (count <= 0)
		return 0;
	if (count > TN_NIC_QUEUES_MAX) {
		tn_diag_warn(d, "%s: %d %s queues, more than %d: their RPS/XPS files are not read",
			     n->name, count, rx ? "rx" : "tx", TN_NIC_QUEUES_MAX);
		return 0;
	}
	v = calloc((size_t)count, sizeof(*v));
	if (!v)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	for (int i = 0; i < count && ret == 0; i++) {
		ret = read_queue(root, n, rx, i, &v[k], d);
		if (ret == 0 && (v[k].mask || v[k].flow_cnt != TN_UNKNOWN))
			k++;
	}
	if (ret < 0 || k == 0) {
		for (int i = 0; i < k; i++)
			free(v[i].mask);
		free(v);
		return ret;
	}
	*out = v;
	*n_out = k;
	return 0;
}

int tn_discover_queues(const struct tn_sysroot *root, struct tn_nic *n, struct tn_diag *d)
{
	int ret;

	ret = read_dir(root, n, true, n->rx_queues, &n->rxq, &n->n_rxq, d);
	if (ret == 0)
		ret = read_dir(root, n, false, n->tx_queues, &n->txq, &n->n_txq, d);
	return ret;
}
