/* SPDX-License-Identifier: MIT */
/*
 * The sample and the findings in the Prometheus text exposition format, for
 * node_exporter's textfile collector: node_exporter's own names where a
 * counter has one, tuner_* for the rest.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "diagnose.h"

int tn_prometheus_text(const struct tn_sample *a, const struct tn_sample *b,
		       const struct tn_diagnosis *dg, char **out);

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void softnet(FILE *f, const struct tn_sample *s)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} m[] = {
		{ "node_softnet_processed_total", "Number of processed packets",
		  offsetof(struct tn_softnet_cpu, processed) },
		{ "node_softnet_dropped_total", "Number of dropped packets",
		  offsetof(struct tn_softnet_cpu, dropped) },
		{ "node_softnet_times_squeezed_total",
		  "Number of times processing packets ran out "
		  "of quota",
		  offsetof(struct tn_softnet_cpu, time_squeeze) },
		{ "node_softnet_received_rps_total", "Number of inter-CPU interrupts for RPS",
		  offsetof(struct tn_softnet_cpu, received_rps) },
		{ "node_softnet_flow_limit_count_total", "Number of times flow limit was reached",
		  offsetof(struct tn_softnet_cpu, flow_limit_count) },
	};

	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		fprintf(f, "# HELP %s %s.\n# TYPE %s counter\n", m[k].name, m[k].help, m[k].name);
		for (int i = 0; i < s->n_softnet; i++) {
			const struct tn_softnet_cpu *c = &s->softnet[i];
			uint64_t v;

			memcpy(&v, (const char *)c + m[k].off, sizeof(v));
			fprintf(f, "%s{cpu=\"%d\"} %" PRIu64 "\n", m[k].name, c->cpu, v);
		}
	}
}

static void netstat(FILE *f, const struct tn_sample *s)
{
	for (int i = 0; i < s->net.n; i++) {
		const struct tn_counter *c = &s->net.v[i];

		fprintf(f, "# HELP node_netstat_%s_%s Statistic %s%s.\n", c->group, c->name,
			c->group, c->name);
		fprintf(f, "# TYPE node_netstat_%s_%s untyped\n", c->group, c->name);
		fprintf(f, "node_netstat_%s_%s %" PRIu64 "\n", c->group, c->name, c->value);
	}
}

static void nics(FILE *f, const struct tn_sample *s)
{
	fputs("# HELP tuner_nic_counter_total A NIC's receive statistic (link, driver, qstats).\n"
	      "# TYPE tuner_nic_counter_total counter\n",
	      f);
	for (int i = 0; i < s->n_nics; i++)
		for (int k = 0; k < s->nics[i].stats.n; k++) {
			const struct tn_counter *c = &s->nics[i].stats.v[k];

			fputs("tuner_nic_counter_total{device=\"", f);
			label(f, s->nics[i].name);
			fprintf(f, "\",group=\"%s\",name=\"", c->group);
			label(f, c->name);
			fprintf(f, "\"} %" PRIu64 "\n", c->value);
		}
}

/* Per-CPU rates of the softnet stages, from the two samples. */
static void cpu_rates(FILE *f, const struct tn_sample *a, const struct tn_sample *b,
		      double interval)
{
	for (int i = 0, k = 0; i < a->n_softnet && k < b->n_softnet;) {
		const struct tn_softnet_cpu *x = &a->softnet[i], *y = &b->softnet[k];
		uint64_t v;

		if (x->cpu != y->cpu) {
			x->cpu < y->cpu ? i++ : k++;
			continue;
		}
		if (tn_counter_delta(x->dropped, y->dropped, true, &v) && v)
			fprintf(f,
				"tuner_receive_drops_per_second{stage=\"backlog\",cpu=\"%d\","
				"where=\"\",queue=\"\"} %.3f\n",
				y->cpu, (double)v / interval);
		if (tn_counter_delta(x->flow_limit_count, y->flow_limit_count, true, &v) && v)
			fprintf(f,
				"tuner_receive_drops_per_second{stage=\"flow_limit\",cpu=\"%d\","
				"where=\"\",queue=\"\"} %.3f\n",
				y->cpu, (double)v / interval);
		i++;
		k++;
	}
}

static void findings(FILE *f, const struct tn_sample *a, const struct tn_sample *b,
		     const struct tn_diagnosis *dg)
{
	fputs("# HELP tuner_receive_drops_per_second Packets lost per second by a receive stage "
	      "between tuner's two samples (queue: one rx queue of a NIC's ring loss).\n"
	      "# TYPE tuner_receive_drops_per_second gauge\n",
	      f);
	if (dg->interval > 0)
		cpu_rates(f, a, b, dg->interval);
	for (int i = 0; i < dg->n; i++) {
		const struct tn_finding *x = &dg->findings[i];

		if (x->stage == TN_STAGE_BACKLOG || x->stage == TN_STAGE_FLOW_LIMIT)
			continue;
		fprintf(f, "tuner_receive_drops_per_second{stage=\"%s\",cpu=\"\",where=\"",
			tn_stage_name(x->stage));
		label(f, x->where);
		fprintf(f, "\",queue=\"\"} %.3f\n", x->rate);
		for (int q = 0; q < x->n_queues; q++) {
			fprintf(f, "tuner_receive_drops_per_second{stage=\"%s\",cpu=\"\",where=\"",
				tn_stage_name(x->stage));
			label(f, x->where);
			fprintf(f, "\",queue=\"%d\"} %.3f\n", x->queues[q].queue,
				x->queues[q].rate);
		}
	}
	fputs("# HELP tuner_finding A finding of tuner diagnose and the knob it names (none: no "
	      "host setting helps, or none recommended).\n"
	      "# TYPE tuner_finding gauge\n",
	      f);
	for (int i = 0; i < dg->n; i++) {
		const struct tn_finding *x = &dg->findings[i];

		for (int k = 0; k < (x->n_knobs ? x->n_knobs : 1); k++) {
			fprintf(f, "tuner_finding{stage=\"%s\",where=\"", tn_stage_name(x->stage));
			label(f, x->where);
			fputs("\",knob=\"", f);
			if (!x->n_knobs)
				fputs("none", f);
			else if (x->knobs[k].kind == TN_KNOB_RING)
				fputs("rx_ring", f);
			else
				label(f, x->knobs[k].target);
			fprintf(f, "\",fixable=\"%s\"} 1\n", x->fixable ? "true" : "false");
		}
	}
	fprintf(f,
		"# HELP tuner_diagnose_interval_seconds Seconds between the two samples.\n"
		"# TYPE tuner_diagnose_interval_seconds gauge\n"
		"tuner_diagnose_interval_seconds %.3f\n",
		dg->interval);
}

int tn_prometheus_text(const struct tn_sample *a, const struct tn_sample *b,
		       const struct tn_diagnosis *dg, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	softnet(f, b);
	netstat(f, b);
	nics(f, b);
	findings(f, a, b, dg);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
