/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the CTF tests (test_ctf_*.c): build schemas and trace
 * descriptions, build packets by hand exactly as format.h lays them out
 * (88-byte header, then packed { header; payload } events, the header
 * extended or compact as profile/format.h describes), and
 * manage temporary directories.
 */
#ifndef MPROF_TEST_CTF_UTIL_H
#define MPROF_TEST_CTF_UTIL_H

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/check.h"
#include "profile/profile.h"

static const uint8_t test_uuid[16] = {
	0x6d, 0x70, 0x72, 0x6f, 0x66, 0x2d, 0x43, 0x54, 0x46, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x00, 0x01,
};

static inline uint32_t test_host_order(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return PROF_BYTE_ORDER_LE;
#else
	return PROF_BYTE_ORDER_BE;
#endif
}

/* A calibrated-TSC clock: 3 GHz, reference in the billions of ticks. */
static inline void test_clock(struct prof_clock_desc *c)
{
	memset(c, 0, sizeof(*c));
	c->source = PROF_CLOCK_TSC;
	c->calibrated = 1;
	c->freq_hz = 3000000000ull;
	c->ref_ticks = 5000000000000ull;          /* ~1667 s of uptime */
	c->ref_monotonic_ns = 1666666666666ull;
	c->ref_realtime_ns = 1700000000123456789ull;
	c->calib_window_ns = 10000000ull;
}

static inline void test_event(struct prof_schema_event *e, uint32_t id, const char *name, uint16_t kind)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->id = id;
	e->kind = kind;
}

/* Adds a field and keeps min_size/max_size as the schema checker does. */
static inline void test_field(struct prof_schema_event *e, const char *name, uint8_t type, uint16_t bound)
{
	static const uint8_t size[] = { 0, 1, 2, 4, 8, 1, 2, 4, 8, 8, 0 };
	struct prof_schema_field *f = &e->fields[e->nfields++];

	CHECK(e->nfields <= PROF_MAX_FIELDS);
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->type = type;
	f->bound = type == PROF_TYPE_STRING ? bound : 0;
	if (type == PROF_TYPE_STRING) {
		e->min_size += 1;
		e->max_size += (uint32_t)bound + 1;
	} else {
		e->min_size += size[type];
		e->max_size += size[type];
	}
}

static inline void test_desc(struct prof_trace_desc *d, struct prof_schema_event *events, uint32_t count)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->uuid, test_uuid, 16);
	d->byte_order = test_host_order();
	test_clock(&d->clock);
	d->schema.count = count;
	d->schema.events = events;
	/* Counts and origin as `mprof record` fills them: every count a
	 * distinct value, one above INT64_MAX; strings that need escapes. */
	d->counts.dropped_no_slot = 141;
	d->counts.refused_events = 44;
	d->counts.refused_invalid = 3;
	d->counts.schema_errors = 1;
	d->counts.strings_truncated = 18446744073709551615ull;
	snprintf(d->origin.hostname, sizeof(d->origin.hostname), "build-host");
	snprintf(d->origin.procname, sizeof(d->origin.procname), "demo_app");
	d->origin.pid = 4242;
	snprintf(d->origin.version, sizeof(d->origin.version), "0.2.0");
	snprintf(d->origin.cmdline, sizeof(d->origin.cmdline), "./demo_app --label \"a b\" C:\\tmp caf\xc3\xa9");
}

/*
 * The schema most tests use:
 *   0 all.types   u8 u16 u32 u64 s8 s16 s32 s64 f64 str(16), and a field
 *                 named "event" (a TSDL keyword) of type u32
 *   1 work.begin  kind span begin, str(64) what
 *   2 tick        no fields
 *   3 q"b\s       a name needing escapes, u8 v
 */
#define TEST_NEVENTS 4
static inline void test_schema(struct prof_schema_event ev[TEST_NEVENTS])
{
	test_event(&ev[0], 0, "all.types", PROF_KIND_PLAIN);
	test_field(&ev[0], "a_u8", PROF_TYPE_U8, 0);
	test_field(&ev[0], "a_u16", PROF_TYPE_U16, 0);
	test_field(&ev[0], "a_u32", PROF_TYPE_U32, 0);
	test_field(&ev[0], "a_u64", PROF_TYPE_U64, 0);
	test_field(&ev[0], "a_s8", PROF_TYPE_S8, 0);
	test_field(&ev[0], "a_s16", PROF_TYPE_S16, 0);
	test_field(&ev[0], "a_s32", PROF_TYPE_S32, 0);
	test_field(&ev[0], "a_s64", PROF_TYPE_S64, 0);
	test_field(&ev[0], "a_f64", PROF_TYPE_F64, 0);
	test_field(&ev[0], "a_str", PROF_TYPE_STRING, 16);
	test_field(&ev[0], "event", PROF_TYPE_U32, 0);
	test_event(&ev[1], 1, "work.begin", PROF_KIND_SPAN_BEGIN);
	test_field(&ev[1], "what", PROF_TYPE_STRING, 64);
	test_event(&ev[2], 2, "tick", PROF_KIND_INSTANT);
	test_event(&ev[3], 3, "q\"b\\s", PROF_KIND_COUNTER);
	test_field(&ev[3], "v", PROF_TYPE_U8, 0);
}

/* ---- Packets ---- */

struct test_pkt {
	uint8_t buf[16384];
	size_t len;
	uint64_t nev, first, last;
	bool swap;          /* write big-endian on a little-endian host, or back */
};

static inline void pkt_raw(struct test_pkt *p, const void *v, size_t n)
{
	CHECK(p->len + n <= sizeof(p->buf));
	memcpy(p->buf + p->len, v, n);
	p->len += n;
}

static inline void pkt_put(struct test_pkt *p, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;
	bool le = (test_host_order() == PROF_BYTE_ORDER_LE) != p->swap;

	for (i = 0; i < n; i++)
		b[le ? i : n - 1 - i] = (uint8_t)(v >> (8 * i));
	pkt_raw(p, b, n);
}

static inline void pkt_set(struct test_pkt *p, size_t off, uint64_t v, size_t n)
{
	size_t save = p->len;

	p->len = off;
	pkt_put(p, v, n);
	p->len = save;
}

static inline void pkt_begin(struct test_pkt *p, uint64_t slot, uint64_t seq, uint64_t discarded, uint32_t tid)
{
	bool swap = p->swap;

	memset(p, 0, sizeof(*p));
	p->swap = swap;
	pkt_put(p, PROF_CTF_MAGIC, 4);
	pkt_raw(p, test_uuid, 16);
	pkt_put(p, 0, 4);             /* stream_id */
	pkt_put(p, slot, 8);          /* stream_instance_id */
	pkt_put(p, 0, 8);             /* timestamp_begin, set by pkt_end */
	pkt_put(p, 0, 8);             /* timestamp_end */
	pkt_put(p, 0, 8);             /* content_size */
	pkt_put(p, 0, 8);             /* packet_size */
	pkt_put(p, discarded, 8);
	pkt_put(p, seq, 8);
	pkt_put(p, tid, 4);
	pkt_put(p, 0, 4);
	CHECK_EQ(p->len, PROF_PACKET_HEADER_SIZE);
}

/* An event header in the extended form: 255, id u24, timestamp u64. */
static inline void pkt_event(struct test_pkt *p, uint64_t ts, uint32_t id)
{
	if (!p->nev)
		p->first = ts;
	p->last = ts;
	p->nev++;
	pkt_put(p, PROF_EVENT_EXTENDED, 1);
	pkt_put(p, id, 3);
	pkt_put(p, ts, 8);
}

/* An event header in the compact form: id (< 255), then the low 24 bits
 * of @ts (the reader infers the rest from the previous timestamp). */
static inline void pkt_event_compact(struct test_pkt *p, uint64_t ts, uint32_t id)
{
	CHECK(id < PROF_EVENT_COMPACT_IDS);
	if (!p->nev)
		p->first = ts;
	p->last = ts;
	p->nev++;
	pkt_put(p, id, 1);
	pkt_put(p, ts & 0xffffff, 3);
}

static inline void pkt_f64(struct test_pkt *p, double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	pkt_put(p, u, 8);
}

static inline void pkt_str(struct test_pkt *p, const char *s)
{
	pkt_raw(p, s, strlen(s) + 1);
}

/* Normalised as the region reader delivers packets: sizes == 8 * len. */
static inline void pkt_end(struct test_pkt *p)
{
	pkt_set(p, 32, p->first, 8);
	pkt_set(p, 40, p->last, 8);
	pkt_set(p, 48, 8 * (uint64_t)p->len, 8);
	pkt_set(p, 56, 8 * (uint64_t)p->len, 8);
}

/* ---- Files ---- */

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under $TMPDIR (or /tmp); the caller frees the name. */
static inline char *test_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !base[0])
		base = "/tmp";
	CHECK(asprintf(&dir, "%s/mprof-%s-XXXXXX", base, tag) > 0);
	CHECK(mkdtemp(dir) != NULL);
	return dir;
}

static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	CHECK(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	CHECK(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	CHECK(buf != NULL);
	CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static inline void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	CHECK(fwrite(buf, 1, len, f) == len);
	CHECK(fclose(f) == 0);
}

/* @desc's metadata text, malloc'd. */
static inline char *metadata_text(const struct prof_trace_desc *desc, size_t *len)
{
	int n = prof_ctf_metadata(desc, NULL, 0);
	char *text;

	CHECK_OK(n);
	text = malloc((size_t)n + 1);
	CHECK(text != NULL);
	CHECK_EQ(prof_ctf_metadata(desc, text, (size_t)n + 1), n);
	if (len)
		*len = (size_t)n;
	return text;
}

#endif
