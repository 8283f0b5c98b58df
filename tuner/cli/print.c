/* SPDX-License-Identifier: MIT */
/* The printer: text or JSON from one set of calls (print.h). */
#include "print.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "util.h"

void tn_print_init(struct tn_printer *p, struct tn_cli *cli, bool json)
{
	memset(p, 0, sizeof(*p));
	p->cli = cli;
	p->json = json;
}

static void fail(struct tn_printer *p, int err)
{
	if (!p->err)
		p->err = err;
}

/* Whether fmt has exactly one conversion, a %s with flags, width and
 * precision as digits only ('*' would take an argument we do not pass). */
static bool one_string_conversion(const char *fmt)
{
	int n = 0;

	for (const char *s = fmt; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] == '%') {
			s++;
			continue;
		}
		s++;
		s += strspn(s, "-+ #0");
		s += strspn(s, "0123456789");
		if (*s == '.') {
			s++;
			s += strspn(s, "0123456789");
		}
		if (*s != 's')
			return false;
		n++;
	}
	return n == 1;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* The text of a value through its fmt (checked first). */
static void put_text(struct tn_printer *p, const char *fmt, const char *text)
{
	if (!one_string_conversion(fmt)) {
		fail(p, -EINVAL);
		return;
	}
	tn_cli_printf(p->cli->out, fmt, text);
}
#pragma GCC diagnostic pop

/* The open container, or NULL (outside any: the value is text only). */
static cJSON *container(struct tn_printer *p)
{
	return p->depth ? p->stack[p->depth - 1] : NULL;
}

/* Add item as member 'key' of the open container (an array ignores keys). */
static void add(struct tn_printer *p, const char *key, cJSON *item)
{
	cJSON *c = container(p);

	if (!c) {
		cJSON_Delete(item);
		return;
	}
	if (tn_json_add_item(c, cJSON_IsArray(c) ? NULL : key, item) < 0)
		fail(p, -ENOMEM);
}

/* Whether a value goes to the output at all; fmt NULL: JSON only, key NULL:
 * text only. */
static bool to_json(struct tn_printer *p, const char *key)
{
	return !p->err && p->json && (key || (container(p) && cJSON_IsArray(container(p))));
}

static bool to_text(struct tn_printer *p, const char *fmt)
{
	return !p->err && !p->json && fmt;
}

static void open_container(struct tn_printer *p, const char *key, cJSON *c)
{
	if (p->err || !p->json) {
		cJSON_Delete(c);
		return;
	}
	if (!c) {
		fail(p, -ENOMEM);
		return;
	}
	if (p->depth == TN_PRINT_DEPTH || (p->depth == 0 && (p->stack[0] || p->doc))) {
		cJSON_Delete(c); /* too deep, or a second document */
		fail(p, -EINVAL);
		return;
	}
	if (p->depth > 0) {
		add(p, key, c);
		if (p->err)
			return;
	}
	p->stack[p->depth++] = c;
}

static void close_container(struct tn_printer *p, bool array)
{
	if (p->err || !p->json)
		return;
	if (p->depth == 0 || cJSON_IsArray(p->stack[p->depth - 1]) != array) {
		fail(p, -EINVAL);
		return;
	}
	/* the document (stack[0]) stays for tn_print_finish */
	if (--p->depth > 0)
		p->stack[p->depth] = NULL;
}

void tn_print_open_object(struct tn_printer *p, const char *key)
{
	open_container(p, key, p->json && !p->err ? cJSON_CreateObject() : NULL);
}

void tn_print_open_array(struct tn_printer *p, const char *key)
{
	open_container(p, key, p->json && !p->err ? cJSON_CreateArray() : NULL);
}

void tn_print_close_object(struct tn_printer *p)
{
	close_container(p, false);
}

void tn_print_close_array(struct tn_printer *p)
{
	close_container(p, true);
}

void tn_print_string(struct tn_printer *p, const char *key, const char *fmt, const char *value)
{
	if (to_json(p, key))
		add(p, key, value ? cJSON_CreateString(value) : cJSON_CreateNull());
	else if (to_text(p, fmt))
		put_text(p, fmt, value);
}

void tn_print_int(struct tn_printer *p, const char *key, const char *fmt, int64_t value)
{
	char buf[24];

	if (to_json(p, key)) {
		add(p, key, cJSON_CreateNumber((double)value));
	} else if (to_text(p, fmt)) {
		snprintf(buf, sizeof(buf), "%" PRId64, value);
		put_text(p, fmt, buf);
	}
}

void tn_print_bool(struct tn_printer *p, const char *key, const char *fmt, bool value)
{
	if (to_json(p, key))
		add(p, key, cJSON_CreateBool(value));
	else if (to_text(p, fmt))
		put_text(p, fmt, value ? "true" : "false");
}

void tn_print_null(struct tn_printer *p, const char *key, const char *fmt, const char *text)
{
	if (to_json(p, key))
		add(p, key, cJSON_CreateNull());
	else if (to_text(p, fmt))
		put_text(p, fmt, text);
}

void tn_print_cpuset(struct tn_printer *p, const char *key, const char *fmt,
		     const struct tn_cpuset *value)
{
	char buf[TN_CPULIST_MAX];

	if (to_json(p, key)) {
		tn_cpuset_format_list(value, buf, sizeof(buf));
		add(p, key, cJSON_CreateString(buf));
	} else if (to_text(p, fmt)) {
		put_text(p, fmt, tn_util_fmt_cpuset(value, buf, sizeof(buf)));
	}
}

void tn_print_text(struct tn_printer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err || p->json)
		return;
	va_start(ap, fmt);
	tn_cli_vprintf(p->cli->out, fmt, ap);
	va_end(ap);
}

void tn_print_json(struct tn_printer *p, const char *key, cJSON *item)
{
	if (p->err || !p->json) {
		cJSON_Delete(item);
		return;
	}
	if (!item) {
		fail(p, -ENOMEM);
		return;
	}
	if (p->depth > 0) {
		add(p, key, item);
	} else if (p->stack[0] || p->doc) {
		cJSON_Delete(item); /* a second document */
		fail(p, -EINVAL);
	} else {
		p->doc = item;
	}
}

int tn_print_finish(struct tn_printer *p)
{
	cJSON *doc = p->stack[0] ? p->stack[0] : p->doc;
	int ret = p->err;

	if (!ret && p->depth)
		ret = -EINVAL; /* a container left open */
	if (!ret && doc)
		ret = tn_cli_print_json(p->cli, doc);
	else
		cJSON_Delete(doc);
	memset(p->stack, 0, sizeof(p->stack));
	p->doc = NULL;
	p->depth = 0;
	return ret;
}
