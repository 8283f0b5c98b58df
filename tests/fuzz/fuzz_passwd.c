/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: /etc/passwd text (match.user names are looked up in it)
 * through tn_passwd_find, for a user named by the input's first line.
 * Input: "USER\nPASSWD TEXT". A uid found is below 4294967295; the line it
 * names exists; on failure the uid is untouched.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *nl;
	int64_t uid = -77;
	int line = 0, ret, lines = 1;

	buf = fuzz_text(data, size, 1 << 20);
	if (!buf)
		return 0;
	nl = strchr(buf, '\n');
	if (!nl || nl == buf) {
		free(buf);
		return 0;
	}
	*nl = '\0';
	ret = tn_passwd_find(nl + 1, buf, &uid, &line);
	for (const char *p = nl + 1; *p; p++)
		lines += *p == '\n';
	if (ret == 0 && (uid < 0 || uid >= 4294967295LL || line < 1 || line > lines))
		abort();
	if (ret < 0 && uid != -77)
		abort();
	if (ret != 0 && ret != -EINVAL && ret != -ENOENT)
		abort();
	free(buf);
	return 0;
}
