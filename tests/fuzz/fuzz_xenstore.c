/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xenstore - libFuzzer target for dom0's parser of a guest's XenStore
 * advertisement (prof_xen_advert_parse(), src/xen/advert.c).
 *
 * Input: the values of the keys, separated by NUL bytes, in this order:
 * layout, pages, rw-pages, refs, poll-ms, evtchn, name, state, ring-ref,
 * refs/0, refs/1, refs/2.  A value that starts with 0xff is absent.
 *
 * Properties: no crash, no read past a value; on success every invariant
 * the collector relies on holds (page count bounded, rw pages inside the
 * region, refs >= 8 and distinct, printable name); on failure the message
 * names the domain and says something, and the result is zeroed.
 * Seeds: corpus/fuzz_xenstore/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/xen.h"
#include "fuzz.h"

static const char *const keys[] = {
	"data/mprof/layout", "data/mprof/pages", "data/mprof/rw-pages", "data/mprof/refs",
	"data/mprof/poll-ms", "data/mprof/evtchn", "data/mprof/name", "data/mprof/state",
	"data/mprof/ring-ref", "data/mprof/refs/0", "data/mprof/refs/1", "data/mprof/refs/2",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct input {
	const uint8_t *val[NKEYS];
	size_t len[NKEYS];
};

static int read_key(void *ctx, const char *key, char *buf, size_t size)
{
	struct input *in = ctx;
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i], key)) {
			if (!in->val[i])
				return -2; /* -ENOENT */
			if (in->len[i] > size)
				return -7; /* -E2BIG */
			memcpy(buf, in->val[i], in->len[i]);
			return (int)in->len[i];
		}
	return -2;
}

static struct prof_xen_advert adv;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	struct prof_error err;
	size_t i, k = 0, start = 0;
	uint32_t j;
	int ret;

	memset(&in, 0, sizeof(in));
	for (i = 0; i <= size && k < NKEYS; i++) {
		if (i == size || data[i] == 0) {
			if (!(i > start && data[start] == 0xff)) {
				in.val[k] = data + start;
				in.len[k] = i - start;
			}
			k++;
			start = i + 1;
		}
	}
	memset(&err, 0, sizeof(err));
	ret = prof_xen_advert_parse(read_key, &in, "domain 5 (fuzz)", &adv, &err);
	if (ret) {
		FUZZ_ASSERT(ret < 0);
		FUZZ_ASSERT(!strcmp(err.file, "domain 5 (fuzz)"));
		FUZZ_ASSERT(err.text[0] != 0);
		FUZZ_ASSERT(adv.npages == 0);
		return 0;
	}
	FUZZ_ASSERT(adv.npages >= 1 && adv.npages <= PROF_XEN_MAX_PAGES);
	if (!adv.legacy) {
		FUZZ_ASSERT(adv.layout == PROF_XEN_LAYOUT_VERSION);
		FUZZ_ASSERT(adv.rw_first >= 1 && adv.rw_count >= 1 && adv.rw_first < adv.npages &&
			    adv.rw_count <= adv.npages - adv.rw_first);
		FUZZ_ASSERT(adv.has_evtchn || (adv.poll_ms >= 1 && adv.poll_ms <= 60000));
	}
	for (j = 0; j < adv.npages; j++)
		FUZZ_ASSERT(adv.refs[j] >= 8);
	for (j = 0; j < sizeof(adv.name) && adv.name[j]; j++)
		FUZZ_ASSERT((unsigned char)adv.name[j] >= 0x20 && (unsigned char)adv.name[j] < 0x7f);
	FUZZ_ASSERT(j < sizeof(adv.name));
	return 0;
}
