/* SPDX-License-Identifier: MIT */
#include "counters_read.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "discover.h"
#include "qstats.h"

#define TN_MAX_IFACES 65536 /* entries of /sys/class/net looked at */
#define TN_MAX_RXQ 4096	    /* rx queues of one NIC looked at */

/* Why a counter file could not be read: a FIFO, socket or device in a tree
 * is -EINVAL, a line longer than a counter -EOVERFLOW. */
static const char *read_error(int ret)
{
	return ret == -EINVAL	   ? "not a regular file; refused"
	       : ret == -EOVERFLOW ? "longer than a counter; refused"
				   : strerror(-ret);
}

/* A whole counter file, at most TN_COUNTER_FILE_MAX bytes. */
static int read_bounded(const struct tn_sysroot *r, const char *rel, char **out, struct tn_diag *d,
			bool optional)
{
	char *text = NULL;
	size_t len = 0;
	int ret = tn_sysroot_read(r, rel, &text, &len);

	if (ret == -ENOENT && optional)
		return 1;
	if (ret < 0)
		return tn_diag_error(d, ret, "/%s: %s", rel, read_error(ret));
	if (len > TN_COUNTER_FILE_MAX || strlen(text) != len) {
		free(text);
		return tn_diag_error(d, -EINVAL, "/%s: %s", rel,
				     len > TN_COUNTER_FILE_MAX ? "larger than 4 MiB"
							       : "contains a NUL byte");
	}
	*out = text;
	return 0;
}

static int read_softnet(const struct tn_sysroot *r, const struct tn_state *s, struct tn_sample *o,
			struct tn_diag *d)
{
	struct tn_diag pd; /* the parser's words, put after the path */
	char *text = NULL;
	int ret = read_bounded(r, "proc/net/softnet_stat", &text, d, false);

	if (ret < 0)
		return ret;
	tn_diag_init(&pd);
	ret = tn_softnet_parse(text, &o->softnet, &o->n_softnet, &o->softnet_columns, &pd);
	free(text);
	if (ret == 0 && o->softnet_columns < 13)
		ret = tn_softnet_assign_cpus(o->softnet, o->n_softnet, &s->topo.online, &pd);
	if (ret < 0)
		ret = tn_diag_error(d, ret, "/proc/net/softnet_stat: %s",
				    ret == -ENOMEM ? "out of memory" : pd.error);
	tn_diag_free(&pd);
	return ret < 0 ? ret : 0;
}

static int read_netstat(const struct tn_sysroot *r, const char *dir, const char *file,
			struct tn_sample *o, struct tn_diag *d)
{
	char rel[128], *text = NULL;
	bool v6 = strcmp(file, "snmp6") == 0;
	struct tn_diag pd;
	int ret;

	snprintf(rel, sizeof(rel), "%s/%s", dir, file);
	ret = read_bounded(r, rel, &text, d, v6);
	if (ret != 0)
		return ret > 0 ? 0 : ret; /* no snmp6: IPv6 disabled */
	tn_diag_init(&pd);
	ret = v6 ? tn_snmp6_parse(text, &o->net, &pd) : tn_netstat_parse(text, &o->net, &pd);
	free(text);
	if (ret < 0)
		ret = tn_diag_error(d, ret, "/%s: %s", rel,
				    ret == -ENOMEM ? "out of memory" : pd.error);
	tn_diag_free(&pd);
	return ret < 0 ? ret : 0;
}

/* The standard link statistics (the kernel's rtnl_link_stats64) diagnose
 * reads, with their libnl ids. */
static const struct {
	const char *name;
	rtnl_link_stat_id_t id;
} link_stats[] = {
	{ "rx_missed_errors", RTNL_LINK_RX_MISSED_ERR },
	{ "rx_fifo_errors", RTNL_LINK_RX_FIFO_ERR },
	{ "rx_over_errors", RTNL_LINK_RX_OVER_ERR },
	{ "rx_dropped", RTNL_LINK_RX_DROPPED },
	{ "rx_packets", RTNL_LINK_RX_PACKETS },
};
#define N_LINK_STATS (sizeof(link_stats) / sizeof(link_stats[0]))

/* Under a sysroot: the same statistics as sysfs shows them. */
static int read_link_stats(const struct tn_sysroot *r, const char *ifname,
			   struct tn_counter_list *l, struct tn_diag *d)
{
	char rel[TN_PATH_MAX];

	for (size_t i = 0; i < N_LINK_STATS; i++) {
		char line[32], *end;
		unsigned long long v;
		int ret;

		if (tn_pathf(rel, sizeof(rel), "sys/class/net/%s/statistics/%s", ifname,
			     link_stats[i].name))
			return tn_diag_error(d, -ENAMETOOLONG, "%s: path too long", ifname);
		ret = tn_sysroot_read_line(r, rel, line, sizeof(line));
		if (ret == -ENOENT)
			continue;
		if (ret < 0)
			return tn_diag_error(d, ret, "/%s: %s", rel, read_error(ret));
		errno = 0;
		v = strtoull(line, &end, 10);
		if (end == line || *end || errno || line[0] == '-')
			return tn_diag_error(d, -EINVAL, "/%s: \"%.20s\" is not a counter", rel,
					     line);
		if ((ret = tn_counter_list_add(l, "link", link_stats[i].name, v)) < 0)
			return tn_diag_error(d, ret, "out of memory");
	}
	return 0;
}

/* On the live host: one RTM_GETLINK dump over rtnetlink (libnl-route) for
 * every link's statistics at once, and netdev-genl qstats. */
struct link_dump {
	struct nl_sock *sk;
	struct nl_cache *cache;
	struct tn_qstats_sock *qsk; /* NULL: no qstats (kernel, or failed) */
	struct tn_qstats *qs;	    /* netdev-genl per-device totals, by ifindex */
	int n_qs;
};

static void link_dump_close(struct link_dump *ld)
{
	nl_cache_free(ld->cache);
	nl_socket_free(ld->sk);
	tn_qstats_close(ld->qsk);
	free(ld->qs);
	memset(ld, 0, sizeof(*ld));
}

static int link_dump_open(struct link_dump *ld, struct tn_diag *d)
{
	int ret;

	ld->sk = nl_socket_alloc();
	if (!ld->sk)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	ret = nl_connect(ld->sk, NETLINK_ROUTE);
	if (ret == 0)
		ret = rtnl_link_alloc_cache(ld->sk, AF_UNSPEC, &ld->cache);
	if (ret < 0) {
		link_dump_close(ld);
		return tn_diag_error(d, -EIO, "link statistics over rtnetlink: %s",
				     nl_geterror(ret));
	}
	return 0;
}

/* A qstats failure costs those counters only, said as a warning. */
static int qstats_failed(int ret, const char *what, const char *err, struct tn_diag *d)
{
	if (ret == -ENOMEM)
		return tn_diag_error(d, ret, "out of memory");
	tn_diag_warn(d, "queue statistics (netdev-genl qstats)%s: %s%s%s", what, strerror(-ret),
		     err[0] ? ": " : "", err);
	return 0;
}

/* netdev-genl qstats where the kernel (6.9+) and the drivers have them: every
 * device's totals now, each NIC's queues in rtnl_link_stats. */
static int qstats_open(struct link_dump *ld, struct tn_diag *d)
{
	struct tn_diag qd; /* netlink's words, in the warning */
	int ret;

	tn_diag_init(&qd);
	ret = tn_qstats_open(&ld->qsk, &qd);
	if (ret == 0)
		ret = tn_qstats_get(ld->qsk, 0, &ld->qs, &ld->n_qs, &qd);
	if (ret < 0) {
		tn_qstats_close(ld->qsk);
		ld->qsk = NULL;
		ret = qstats_failed(ret, "", qd.error, d);
	}
	tn_diag_free(&qd);
	return ret < 0 ? ret : 0;
}

/* The rx queues of a NIC whose driver reports qstats. */
static int qstats_queues(struct link_dump *ld, int ifindex, struct tn_nic_counters *n,
			 struct tn_diag *d)
{
	struct tn_qstats *v = NULL;
	char what[TN_IFNAME_MAX + 16];
	struct tn_diag qd;
	int nv = 0, ret;

	tn_diag_init(&qd);
	ret = tn_qstats_get(ld->qsk, ifindex, &v, &nv, &qd);
	if (ret < 0) {
		snprintf(what, sizeof(what), " of %s's queues", n->name);
		ret = qstats_failed(ret, what, qd.error, d);
		tn_diag_free(&qd);
		return ret;
	}
	tn_diag_free(&qd);
	if (nv > 0 && !(n->queues = calloc((size_t)nv, sizeof(*n->queues)))) {
		free(v);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < nv; i++) {
		struct tn_queue_counters *q = &n->queues[n->n_queues];

		q->queue = v[i].queue;
		q->has[TN_QCTR_RX_HW_DROPS] = v[i].has[TN_QSTAT_RX_HW_DROPS];
		q->v[TN_QCTR_RX_HW_DROPS] = v[i].v[TN_QSTAT_RX_HW_DROPS];
		q->has[TN_QCTR_RX_ALLOC_FAIL] = v[i].has[TN_QSTAT_RX_ALLOC_FAIL];
		q->v[TN_QCTR_RX_ALLOC_FAIL] = v[i].v[TN_QSTAT_RX_ALLOC_FAIL];
		if (q->has[TN_QCTR_RX_HW_DROPS] || q->has[TN_QCTR_RX_ALLOC_FAIL])
			n->n_queues++;
	}
	free(v);
	return 0;
}

/* A link gone since the snapshot has no statistics: 0, nothing added. */
static int rtnl_link_stats(struct link_dump *ld, struct tn_nic_counters *n, struct tn_diag *d)
{
	struct rtnl_link *link = rtnl_link_get_by_name(ld->cache, n->name);
	const struct tn_qstats *q;
	int ret = 0, ifindex;

	if (!link)
		return 0;
	for (size_t i = 0; i < N_LINK_STATS && ret == 0; i++)
		ret = tn_counter_list_add(&n->stats, "link", link_stats[i].name,
					  rtnl_link_get_stat(link, link_stats[i].id));
	ifindex = rtnl_link_get_ifindex(link);
	q = tn_qstats_find(ld->qs, ld->n_qs, ifindex);
	for (int i = 0; q && i < TN_QSTAT_N && ret == 0; i++)
		if (q->has[i])
			ret = tn_counter_list_add(&n->stats, "qstats", tn_qstat_names[i], q->v[i]);
	rtnl_link_put(link);
	if (ret < 0)
		return tn_diag_error(d, ret, "out of memory");
	return q && ld->qsk ? qstats_queues(ld, ifindex, n, d) : 0;
}

/* ethtool -S, as ethtool does it: ETHTOOL_GSSET_INFO, GSTRINGS, GSTATS. */
static int driver_stats(int fd, const char *ifname, struct tn_counter_list *l)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t len;
	} info = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_STATS } };
	struct ethtool_gstrings *gs = NULL;
	struct ethtool_stats *st = NULL;
	struct ifreq ifr;
	uint32_t n;
	int ret = 0;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	n = info.hdr.sset_mask ? info.len : 0;
	if (n == 0)
		return 0;
	if (n > TN_COUNTERS_MAX)
		return -E2BIG;
	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	st = calloc(1, sizeof(*st) + (size_t)n * sizeof(uint64_t));
	if (!gs || !st) {
		ret = -ENOMEM;
		goto out;
	}
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = n;
	ifr.ifr_data = (void *)gs;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		ret = -errno;
		goto out;
	}
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = n;
	ifr.ifr_data = (void *)st;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		ret = -errno;
		goto out;
	}
	for (uint32_t i = 0; i < n && i < gs->len && i < st->n_stats; i++) {
		char name[ETH_GSTRING_LEN + 1];

		memcpy(name, gs->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		name[ETH_GSTRING_LEN] = '\0';
		if (!name[0])
			continue;
		if ((ret = tn_counter_list_add(l, "driver", name, st->data[i])) < 0)
			goto out;
	}
out:
	free(gs);
	free(st);
	return ret;
}

static void dedupe(struct tn_counter_list *l)
{
	int k = 0;

	for (int i = 0; i < l->n; i++)
		if (k == 0 || strcmp(l->v[k - 1].group, l->v[i].group) != 0 ||
		    strcmp(l->v[k - 1].name, l->v[i].name) != 0)
			l->v[k++] = l->v[i];
	l->n = k;
}

static int read_nics(const struct tn_sysroot *r, const struct tn_state *s,
		     const struct tn_counters_opts *o, struct tn_sample *out, struct tn_diag *d)
{
	struct link_dump ld = { 0 };
	int fd = -1, ret = 0;

	if (s->n_nics > TN_COUNTERS_MAX_NICS)
		return tn_diag_error(d, -E2BIG, "more than %d NICs", TN_COUNTERS_MAX_NICS);
	out->nics = calloc((size_t)s->n_nics + 1, sizeof(*out->nics));
	if (!out->nics)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	if (r->is_host && s->n_nics > 0 &&
	    ((ret = link_dump_open(&ld, d)) < 0 || (ret = qstats_open(&ld, d)) < 0)) {
		link_dump_close(&ld);
		return ret;
	}
	if (o->driver_stats)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (int i = 0; i < s->n_nics && ret == 0; i++) {
		struct tn_nic_counters *n = &out->nics[out->n_nics++];
		const struct tn_counter *dup;

		snprintf(n->name, sizeof(n->name), "%s", s->nics[i].name);
		snprintf(n->driver, sizeof(n->driver), "%s", s->nics[i].driver);
		ret = ld.cache ? rtnl_link_stats(&ld, n, d)
			       : read_link_stats(r, n->name, &n->stats, d);
		if (ret < 0)
			break;
		if (fd >= 0) {
			int k = driver_stats(fd, n->name, &n->stats);

			if (k == -ENOMEM)
				ret = tn_diag_error(d, k, "out of memory");
			else if (k < 0 && k != -EOPNOTSUPP && k != -ENODEV)
				tn_diag_warn(d, "%s: driver statistics (ethtool -S): %s", n->name,
					     strerror(-k));
		}
		if (ret == 0 && tn_counter_list_sort(&n->stats, &dup) < 0)
			dedupe(&n->stats); /* some drivers repeat a name: one is kept */
	}
	if (fd >= 0)
		close(fd);
	link_dump_close(&ld);
	return ret;
}

/* Why backlogs are used: RPS masks, bridge ports, virtual interfaces. */
static void read_backlog_users(const struct tn_sysroot *r, const struct tn_state *s,
			       struct tn_sample *o)
{
	char rel[TN_PATH_MAX], line[TN_CPULIST_MAX];
	struct dirent *de;
	DIR *dir;
	int seen = 0;

	for (int i = 0; i < s->n_nics; i++)
		for (int q = 0; q < TN_MAX_RXQ; q++) {
			struct tn_cpuset mask;

			if (tn_pathf(rel, sizeof(rel), "sys/class/net/%s/queues/rx-%d/rps_cpus",
				     s->nics[i].name, q) ||
			    tn_sysroot_read_line(r, rel, line, sizeof(line)) < 0)
				break;
			if (tn_cpuset_parse_mask(line, &mask) == 0 && !tn_cpuset_empty(&mask))
				o->rps_queues++;
		}
	if (tn_sysroot_opendir(r, "sys/class/net", &dir) < 0)
		return;
	while ((de = readdir(dir)) && seen++ < TN_MAX_IFACES) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "lo") == 0 ||
		    strlen(de->d_name) >= TN_IFNAME_MAX)
			continue;
		if (tn_pathf(rel, sizeof(rel), "sys/class/net/%s/brport", de->d_name) == 0 &&
		    tn_sysroot_exists(r, rel))
			o->bridge_ports++;
		if (tn_pathf(rel, sizeof(rel), "sys/class/net/%s/device", de->d_name) == 0 &&
		    !tn_sysroot_exists(r, rel) &&
		    tn_pathf(rel, sizeof(rel), "sys/class/net/%s/bridge", de->d_name) == 0 &&
		    !tn_sysroot_exists(r, rel))
			o->virtual_ifaces++;
	}
	closedir(dir);
}

/* The values a namespace has of the snapshot's "net." sysctls, and which. */
struct ns_sysctls {
	int n;
	int idx[TN_NETNS_SYSCTLS_MAX]; /* into s->sysctls */
	char *value[TN_NETNS_SYSCTLS_MAX];
};

static void ns_sysctls_free(struct ns_sysctls *v)
{
	for (int i = 0; i < v->n; i++)
		free(v->value[i]);
	v->n = 0;
}

/* In the namespace: a sysctl it has is its own (a namespace other than the
 * host's first one shows only the per-namespace sysctls). */
static int read_ns_sysctls(const struct tn_sysroot *r, const struct tn_state *s,
			   struct ns_sysctls *v, struct tn_diag *d)
{
	for (int i = 0; i < s->n_sysctls; i++) {
		struct tn_sysctl sc;
		char rel[256];
		int ret;

		if (strncmp(s->sysctls[i].name, "net.", 4) != 0)
			continue;
		if ((ret = tn_sysctl_read(r, s->sysctls[i].name, &sc)) < 0) {
			tn_sysctl_path(s->sysctls[i].name, rel, sizeof(rel));
			return tn_diag_error(d, ret, "/%s (in the namespace): %s", rel,
					     strerror(-ret));
		}
		if (!sc.present)
			continue;
		if (v->n == TN_NETNS_SYSCTLS_MAX) {
			tn_sysctl_free(&sc);
			return tn_diag_error(d, -E2BIG, "more than %d per-namespace sysctls",
					     TN_NETNS_SYSCTLS_MAX);
		}
		v->idx[v->n] = i;
		v->value[v->n++] = sc.value;
	}
	return 0;
}

/* Enter the namespace, read its netstat, snmp, snmp6 and sysctls, come back. */
static int read_in_netns(const struct tn_sysroot *r, const struct tn_state *s,
			 const struct tn_netns *ns, struct tn_sample *o, struct ns_sysctls *v,
			 struct tn_diag *d)
{
	static const char dir[] = "proc/thread-self/net";
	int saved, ret, back;

	if ((ret = tn_netns_enter(ns, &saved, d)) < 0)
		return ret;
	if ((ret = read_netstat(r, dir, "netstat", o, d)) == 0 &&
	    (ret = read_netstat(r, dir, "snmp", o, d)) == 0 &&
	    (ret = read_netstat(r, dir, "snmp6", o, d)) == 0)
		ret = read_ns_sysctls(r, s, v, d);
	back = tn_netns_leave(saved, d);
	return ret < 0 ? ret : back;
}

/* The namespace's values replace the host's in the snapshot. */
static void apply_ns_sysctls(struct tn_state *s, struct ns_sysctls *v, struct tn_sample *o)
{
	for (int i = 0; i < v->n; i++) {
		struct tn_sysctl *sc = &s->sysctls[v->idx[i]];

		free(sc->value);
		sc->value = v->value[i];
		sc->present = true;
		snprintf(o->netns_sysctls[i], sizeof(o->netns_sysctls[i]), "%s", sc->name);
	}
	o->n_netns_sysctls = v->n;
	v->n = 0;
}

static int read_net(const struct tn_sysroot *r, const struct tn_state *s,
		    const struct tn_counters_opts *o, struct tn_sample *smp, struct ns_sysctls *v,
		    struct tn_diag *d)
{
	char dir[64] = "proc/net";
	int ret;

	if (o->netns) {
		snprintf(smp->netns, sizeof(smp->netns), "%s", o->netns->label);
		if (!o->netns->is_own)
			return read_in_netns(r, s, o->netns, smp, v, d);
	} else if (o->netns_pid > 0) {
		snprintf(dir, sizeof(dir), "proc/%d/net", o->netns_pid);
		snprintf(smp->netns, sizeof(smp->netns), "pid:%d", o->netns_pid);
	}
	if ((ret = read_netstat(r, dir, "netstat", smp, d)) < 0 ||
	    (ret = read_netstat(r, dir, "snmp", smp, d)) < 0 ||
	    (ret = read_netstat(r, dir, "snmp6", smp, d)) < 0)
		return ret;
	return 0;
}

int tn_counters_read(const struct tn_sysroot *r, struct tn_state *s,
		     const struct tn_counters_opts *o, struct tn_sample *out, struct tn_diag *d)
{
	struct ns_sysctls v = { 0 };
	struct tn_sample smp;
	struct timespec ts;
	char line[64];
	const struct tn_counter *dup;
	int ret;

	tn_sample_init(&smp);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	smp.time_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	smp.wall_time = (int64_t)time(NULL);
	snprintf(smp.hostname, sizeof(smp.hostname), "%s", s->hostname);
	ret = tn_sysroot_read_line(r, "proc/sys/kernel/random/boot_id", line, sizeof(line));
	if (ret == 0 && strlen(line) < sizeof(smp.boot_id))
		memcpy(smp.boot_id, line, strlen(line) + 1);
	else if (ret == 0 || ret == -EOVERFLOW) /* never cut: two boots would look one */
		tn_diag_warn(d,
			     "/proc/sys/kernel/random/boot_id: longer than %zu characters; "
			     "the sample's boot is left unknown",
			     sizeof(smp.boot_id) - 1);
	if ((ret = read_softnet(r, s, &smp, d)) < 0 || (ret = read_net(r, s, o, &smp, &v, d)) < 0)
		goto fail;
	if (tn_counter_list_sort(&smp.net, &dup) < 0) {
		ret = tn_diag_error(d, -EINVAL, "/proc/net (%s): %s %s is listed twice",
				    smp.netns[0] ? smp.netns : "own namespace", dup->group,
				    dup->name);
		goto fail;
	}
	if ((ret = read_nics(r, s, o, &smp, d)) < 0)
		goto fail;
	read_backlog_users(r, s, &smp);
	apply_ns_sysctls(s, &v, &smp);
	*out = smp;
	return 0;
fail:
	ns_sysctls_free(&v);
	tn_sample_free(&smp);
	return ret;
}
