/* SPDX-License-Identifier: MIT */
/*
 * The printer: one set of calls that writes text for people or JSON for
 * programs, in the spirit of iproute2's print_* helpers, so that a command
 * describes its output once instead of forking on --json at every field.
 *
 *	struct tn_printer pr;
 *
 *	tn_print_init(&pr, cli, cli->json);
 *	tn_print_open_array(&pr, NULL);			// JSON: the document is an array
 *	tn_print_text(&pr, "%-32s %s\n", "ID", "STATUS");	// text only
 *	for (each journal) {
 *		tn_print_open_object(&pr, NULL);
 *		tn_print_string(&pr, "journal", "%-32s ", j->id);
 *		tn_print_string(&pr, "status", "%s\n", state);
 *		tn_print_string(&pr, "boot_id", NULL, j->boot_id);	// JSON only
 *		tn_print_close_object(&pr);
 *	}
 *	tn_print_close_array(&pr);
 *	return tn_print_finish(&pr) < 0 ? TN_EXIT_ERROR : TN_EXIT_OK;
 *
 * writes "ID  STATUS" and a line per journal, or
 * [{"journal": ..., "status": ..., "boot_id": ...}, ...] with --json.
 *
 * The rules:
 * - key: the member's name in JSON; NULL for what is text only (the value is
 *   then not in the JSON). The members of an array have no key: there every
 *   value goes to the JSON, and text alone is written with tn_print_text.
 * - fmt: how the value reads in text; NULL for what is JSON only. A value's
 *   fmt has exactly one conversion and it is %s, with any flags, width and
 *   precision ("%-20s", "%7s  "): numbers, booleans and CPU sets are turned
 *   into their text first (so the same fmt suits every type, and no mismatch
 *   of a conversion and its argument can read the wrong bytes). A fmt with any
 *   other conversion is refused (-EINVAL from tn_print_finish, nothing
 *   printed for it).
 * - Text goes through tn_cli_printf: every string is escaped for a terminal.
 *   JSON is built with cJSON and written whole, indented, by tn_print_finish
 *   (as tn_cli_print_json). The first container opened is the document; a
 *   value outside any container is text only.
 * - Containers nest at most TN_PRINT_DEPTH deep, and open and close in pairs;
 *   they print nothing in text.
 * - Errors (out of memory, a bad fmt, unbalanced containers) are kept: the
 *   calls after the first one do nothing, and tn_print_finish returns it
 *   (-ENOMEM, -EINVAL) without printing the JSON. A command then says "out of
 *   memory" (or the bug) once and exits 1.
 */
#ifndef TN_PRINT_H
#define TN_PRINT_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cpuset.h"

#define TN_PRINT_DEPTH 16

struct tn_printer {
	struct tn_cli *cli;
	bool json;
	int err;		      /* the first error, 0 while none */
	int depth;		      /* containers open */
	cJSON *stack[TN_PRINT_DEPTH]; /* stack[0] is the document */
	cJSON *doc;		      /* a document set whole (tn_print_json at depth 0) */
};

/* Text on cli->out, or JSON there when json is true (usually cli->json). */
void tn_print_init(struct tn_printer *p, struct tn_cli *cli, bool json);
/* Write the JSON document (if any) and free everything; 0 or the first error. */
int tn_print_finish(struct tn_printer *p);
static inline bool tn_print_is_json(const struct tn_printer *p)
{
	return p->json;
}

void tn_print_open_object(struct tn_printer *p, const char *key);
void tn_print_close_object(struct tn_printer *p);
void tn_print_open_array(struct tn_printer *p, const char *key);
void tn_print_close_array(struct tn_printer *p);

/* Values: JSON member 'key', text through 'fmt' (see the rules above; fmt is
 * checked when it is used, not by the compiler: it is no printf format of the
 * value's type). */
void tn_print_string(struct tn_printer *p, const char *key, const char *fmt, const char *value);
void tn_print_int(struct tn_printer *p, const char *key, const char *fmt, int64_t value);
/* JSON true/false; text "true"/"false" (or the caller's own words through
 * tn_print_text). */
void tn_print_bool(struct tn_printer *p, const char *key, const char *fmt, bool value);
/* JSON null; text shows 'text' ("unknown", "?"). */
void tn_print_null(struct tn_printer *p, const char *key, const char *fmt, const char *text);
/* A CPU or node set: JSON its list ("0-3,8", "" when empty), text the list or
 * "none" (tn_util_fmt_cpuset). */
void tn_print_cpuset(struct tn_printer *p, const char *key, const char *fmt,
		     const struct tn_cpuset *value);

/* Text only: a printf of tn_cli_printf (strings escaped). Nothing in JSON. */
void tn_print_text(struct tn_printer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * JSON only: a prebuilt item (tn_change_to_json(), tn_state_to_json()) as
 * member 'key' of the open container, or, outside any container, as the whole
 * document. Takes the item in both modes (text frees it); NULL is out of
 * memory.
 */
void tn_print_json(struct tn_printer *p, const char *key, cJSON *item);

#endif
