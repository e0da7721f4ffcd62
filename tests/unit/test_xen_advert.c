/* SPDX-License-Identifier: MIT */
/*
 * The XenStore advertisement: what the guest side writes, the dom0 parser
 * reads back exactly (one key of refs, chunked refs, the seed's ring-ref);
 * every malformed value is refused with a message naming the domain and
 * the key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"
#include "profile/platform.h"
#include "profile/xen.h"


/* A toy XenStore: up to 64 keys. */
struct kv {
	char key[64][80];
	char val[64][PROF_XEN_VALUE_MAX + 8];
	int n;
};

static int kv_write(void *ctx, const char *key, const char *value)
{
	struct kv *s = ctx;
	int i;

	for (i = 0; i < s->n && strcmp(s->key[i], key); i++)
		;
	if (i == 64)
		return -ENOSPC;
	if (i == s->n)
		s->n++;
	snprintf(s->key[i], sizeof(s->key[i]), "%s", key);
	snprintf(s->val[i], sizeof(s->val[i]), "%s", value);
	return 0;
}

static void kv_del(struct kv *s, const char *key)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->key[i], key)) {
			s->key[i][0] = 0;
			return;
		}
}

static int kv_read(void *ctx, const char *key, char *buf, size_t size)
{
	struct kv *s = ctx;
	size_t len;
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->key[i], key)) {
			len = strlen(s->val[i]);
			if (len > size)
				return -E2BIG;
			memcpy(buf, s->val[i], len);
			return (int)len;
		}
	return -ENOENT;
}

static struct prof_xen_advert adv;

/* Advertise a region of the given geometry, parse it back, compare. */
static void round_trip(uint32_t packet_size, uint32_t packets, uint32_t streams)
{
	static struct kv s;
	struct prof_xen_guest_ops ops = { kv_write, &s };
	struct prof_region_header hdr;
	struct prof_error err;
	uint32_t *refs, n, i, f, c;
	int ret;

	memset(&s, 0, sizeof(s));
	CHECK_MSG(prof_region_layout(PROF_MODE_DISCARD, packet_size, packets, streams, 16, &hdr) == 0, "layout");
	n = (uint32_t)(hdr.region_size / PROF_PAGE_SIZE);
	refs = malloc(n * sizeof(*refs));
	for (i = 0; i < n; i++)
		refs[i] = 1000000 + 3 * i;
	ret = prof_xen_advertise(&ops, &hdr, refs, n, 50, 0, "prog\x01name");
	CHECK_MSG(ret == 0, "advertise %u pages: %d", n, ret);
	ret = prof_xen_advert_parse(kv_read, &s, "domain 7 (g)", &adv, &err);
	CHECK_MSG(ret == 0, "parse %u pages: %d %s", n, ret, err.text);
	CHECK_MSG(adv.npages == n, "pages %u, expected %u", adv.npages, n);
	prof_xen_rw_pages(&hdr, &f, &c);
	CHECK_MSG(adv.rw_first == f && adv.rw_count == c, "rw %u,%u expected %u,%u", adv.rw_first, adv.rw_count, f, c);
	CHECK_MSG(adv.poll_ms == 50 && !adv.has_evtchn && !adv.done && !adv.legacy, "poll %u", adv.poll_ms);
	CHECK_MSG(!strcmp(adv.name, "prog?name"), "name '%s'", adv.name);
	for (i = 0; i < n; i++)
		if (adv.refs[i] != refs[i]) {
			CHECK_MSG(0, "ref %u: %u, expected %u", i, adv.refs[i], refs[i]);
			break;
		}
	CHECK_MSG((n <= PROF_XEN_REFS_PER_KEY) == (kv_read(&s, "data/mprof/refs", (char[8]){ 0 }, 0) != -ENOENT),
	      "one refs key iff %u <= %u pages", n, PROF_XEN_REFS_PER_KEY);
	CHECK_MSG(prof_xen_withdraw(&ops) == 0, "withdraw");
	CHECK_MSG(prof_xen_advert_parse(kv_read, &s, "domain 7 (g)", &adv, &err) == 0 && adv.done == 1, "done");

	/* The seed's key alone (a small region): legacy. */
	if (n <= PROF_XEN_REFS_PER_KEY) {
		kv_del(&s, "data/mprof/state");
		ret = prof_xen_advert_parse(kv_read, &s, "domain 7 (g)", &adv, &err);
		CHECK_MSG(ret == 0 && adv.legacy && adv.npages == n && adv.refs[n - 1] == refs[n - 1],
		      "legacy ring-ref: %d %s", ret, err.text);
	}
	free(refs);
}

struct bad {
	const char *key;   /* key to set (after a good advertisement) */
	const char *value; /* NULL: delete it */
	const char *want;  /* the message must contain this */
};

static const struct bad bads[] = {
	{ "data/mprof/layout", "2", "data/mprof/layout: layout 2" },
	{ "data/mprof/layout", "01", "data/mprof/layout: '01' is not a decimal" },
	{ "data/mprof/pages", "0", "data/mprof/pages: '0' is not a decimal number from 1" },
	{ "data/mprof/pages", "99999999999", "data/mprof/pages: '99999999999'" },
	{ "data/mprof/pages", "-4", "data/mprof/pages: '-4'" },
	{ "data/mprof/pages", " 4", "data/mprof/pages: ' 4'" },
	{ "data/mprof/pages", "3", "data/mprof/rw-pages: '3,1' is not FIRST,COUNT of pages inside the region's 3" },
	{ "data/mprof/pages", NULL, "data/mprof/pages: missing" },
	{ "data/mprof/rw-pages", "3", "data/mprof/rw-pages: '3' is not FIRST,COUNT" },
	{ "data/mprof/rw-pages", "0,1", "data/mprof/rw-pages: '0,1'" },
	{ "data/mprof/rw-pages", "3,0", "data/mprof/rw-pages: '3,0'" },
	{ "data/mprof/rw-pages", "3,1,", "data/mprof/rw-pages: '3,1,'" },
	{ "data/mprof/refs", "8,9,10", "data/mprof/refs: 3 refs for 6 pages" },
	{ "data/mprof/refs", "8,9,10,11,12,13,14", "data/mprof/refs: more than the 6 refs expected" },
	{ "data/mprof/refs", "8,9,10,11,12,", "data/mprof/refs: ref 5: '' is not a grant ref" },
	{ "data/mprof/refs", "8,9,10,11,12,x", "data/mprof/refs: ref 5: 'x' is not a grant ref" },
	{ "data/mprof/refs", "8,9,10,11,12,7", "data/mprof/refs: ref 5: '7' is not a grant ref" },
	{ "data/mprof/refs", "8,9,10,11,12,9", "data/mprof/refs: ref 9 given twice" },
	{ "data/mprof/refs", "8,9,10,11,12,+13", "data/mprof/refs: ref 5: '+13'" },
	{ "data/mprof/refs", "", "data/mprof/refs: missing" }, /* XenStore's empty parent of refs/0 */
	{ "data/mprof/refs", NULL, "data/mprof/refs: missing" },
	{ "data/mprof/poll-ms", "0", "data/mprof/poll-ms: '0' is not a decimal number from 1 to 60000" },
	{ "data/mprof/poll-ms", NULL, "neither data/mprof/poll-ms nor data/mprof/evtchn" },
	{ "data/mprof/state", "runnin", "data/mprof/state: 'runnin' is not" },
	{ "data/mprof/name", "a\nb", "data/mprof/name: byte 1 is not printable" },
};

static void bad_values(void)
{
	static struct kv s;
	struct prof_xen_guest_ops ops = { kv_write, &s };
	struct prof_region_header hdr;
	struct prof_error err;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		memset(&s, 0, sizeof(s));
		/* A good advertisement of 6 pages, rw-pages 3,1, refs 8..13. */
		kv_write(&s, "data/mprof/layout", "1");
		kv_write(&s, "data/mprof/pages", "6");
		kv_write(&s, "data/mprof/rw-pages", "3,1");
		kv_write(&s, "data/mprof/refs", "8,9,10,11,12,13");
		kv_write(&s, "data/mprof/poll-ms", "100");
		kv_write(&s, "data/mprof/state", "running");
		CHECK_MSG(prof_xen_advert_parse(kv_read, &s, "domain 12 (web)", &adv, &err) == 0, "good: %s", err.text);
		if (bads[i].value)
			kv_write(&s, bads[i].key, bads[i].value);
		else
			kv_del(&s, bads[i].key);
		memset(&err, 0, sizeof(err));
		ret = prof_xen_advert_parse(kv_read, &s, "domain 12 (web)", &adv, &err);
		CHECK_MSG(ret < 0, "%s='%s' accepted", bads[i].key, bads[i].value ? bads[i].value : "(none)");
		CHECK_MSG(!strcmp(err.file, "domain 12 (web)"), "%s: error names '%s', expected the domain", bads[i].key,
		      err.file);
		CHECK_MSG(strstr(err.text, bads[i].want) != NULL, "%s='%s': message\n    got:  %s\n    want: ...%s...",
		      bads[i].key, bads[i].value ? bads[i].value : "(none)", err.text, bads[i].want);
		CHECK_MSG(adv.npages == 0, "advert not cleared on failure");
	}
	/* No advertisement at all. */
	memset(&s, 0, sizeof(s));
	CHECK_MSG(prof_xen_advert_parse(kv_read, &s, "domain 12 (web)", &adv, &err) == -ENOENT, "empty store");
	/* The guest side refuses a geometry it cannot describe. */
	CHECK_MSG(prof_region_layout(PROF_MODE_DISCARD, 4096, 4, 2, 16, &hdr) == 0, "layout");
	CHECK_MSG(prof_xen_advertise(&ops, &hdr, (uint32_t[1]){ 8 }, 1, 100, 0, NULL) == -EINVAL, "wrong page count");
	CHECK_MSG(prof_xen_advertise(&ops, &hdr, (uint32_t[1]){ 8 }, 1, 60001, 0, NULL) == -EINVAL, "poll-ms too big");
}

int main(void)
{
	round_trip(4096, 4, 2);        /* a few pages: one refs key */
	round_trip(16384, 16, 16);     /* over 512 pages: chunked refs */
	round_trip(65536, 64, 15);     /* near the 16384-page bound */
	bad_values();
	printf("test_xen_advert: ok\n");
	return 0;
}
