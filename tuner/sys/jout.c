/* SPDX-License-Identifier: MIT */
/* A journal's lines, gathered and written in batches (struct tn_jout). */
#include "txn.h"
#include "txn_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The journal's lines are gathered and written in batches of about 64 KiB:
 * one write per change (thousands of IRQs) cost more than the change. Each
 * sync writes what is gathered first, so what the durability of a
 * transaction rests on is unchanged: the change records are on disk before
 * the first value is written, and the end record after the last. A status
 * not yet written when tuner is killed leaves its change "pending", which
 * rollback handles as it does the changes a crash left unrecorded: it looks
 * at the value (the new one is restored, the old one left).
 */
enum { JOUT_CHUNK = 64 << 10 };

/*
 * A write that failed part way (a full disk, RLIMIT_FSIZE) may have left the
 * first part of a line at the end of the journal: the loader refuses a
 * journal whose last line is cut, so the journal is cut back to the end of
 * the last whole line written. The lines lost leave their changes pending
 * (or as before), which rollback handles by looking at the value.
 */
static void cut_partial_line(const struct tn_jout *o, off_t start, size_t written)
{
	size_t whole = written;

	while (whole > 0 && o->buf[whole - 1] != '\n')
		whole--;
	/* when this fails too, the loader names the cut line */
	if (start >= 0 && whole < written && ftruncate(o->fd, start + (off_t)whole) < 0)
		return;
}

int tn_jout_flush(struct tn_jout *o, struct tn_diag *d)
{
	off_t start = o->len ? lseek(o->fd, 0, SEEK_END) : 0; /* O_APPEND: where it goes */
	size_t off = 0;

	while (off < o->len) {
		ssize_t k = write(o->fd, o->buf + off, o->len - off);

		if (k < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			cut_partial_line(o, start, off);
			o->len = 0;
			return tn_diag_error(d, -err, "journal: write: %s", strerror(err));
		}
		off += (size_t)k;
	}
	o->len = 0;
	return 0;
}

int tn_jout_sync(struct tn_jout *o, struct tn_diag *d)
{
	int ret = tn_jout_flush(o, d);

	if (ret < 0)
		return ret;
	if (fdatasync(o->fd) < 0)
		return tn_diag_error(d, -errno, "journal: fsync: %s", strerror(errno));
	return 0;
}

/* Add line (freed here) to what o writes; written now, and synced, when sync. */
int tn_jout_append(struct tn_jout *o, char *line, bool sync, struct tn_diag *d)
{
	size_t n;

	if (!line)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	n = strlen(line);
	if (o->len + n > o->cap) {
		size_t ncap = o->len + n > JOUT_CHUNK ? o->len + n : JOUT_CHUNK;
		char *nb = realloc(o->buf, ncap);

		if (!nb) {
			/* no room to gather it: what is gathered, then the line itself */
			int ret = tn_jout_flush(o, d);
			struct tn_jout one = { .fd = o->fd, .buf = line, .len = n };

			if (ret == 0)
				ret = tn_jout_flush(&one, d);
			free(line);
			return ret == 0 && sync ? tn_jout_sync(o, d) : ret;
		}
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, line, n);
	o->len += n;
	free(line);
	if (sync)
		return tn_jout_sync(o, d);
	return o->len >= JOUT_CHUNK ? tn_jout_flush(o, d) : 0;
}

void tn_jout_free(struct tn_jout *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}
