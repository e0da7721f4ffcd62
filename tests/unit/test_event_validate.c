/* SPDX-License-Identifier: MIT */
/*
 * One validator, three paths: a table of good and bad event definitions,
 * each put through
 *   1. the registry (a static descriptor registered with a region
 *      attached: refused or not, and the record it publishes),
 *   2. the reader's schema record check (the definition as a record),
 *   3. the CTF metadata generator (the definition in a trace description)
 *      and, for the good ones, its parser (a round trip),
 * which must all agree, and must name the event and the field at fault.
 * Then the parser's own use of the check: a metadata text whose event has a
 * string bound of 0 is refused with the validator's words.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lib/check.h"
#include "profile/profile.h"
#include "test_ctf_util.h"

#define F(n, t, b) { n, t, b }

static const struct prof_field f_ok[] = { F("a", PROF_TYPE_U64, 0), F("s", PROF_TYPE_STRING, 16) };
static const struct prof_field f_max[] = {
	F("f00", PROF_TYPE_STRING, 4095), F("f01", PROF_TYPE_U8, 0), F("f02", PROF_TYPE_U16, 0),
	F("f03", PROF_TYPE_U32, 0), F("f04", PROF_TYPE_U64, 0), F("f05", PROF_TYPE_S8, 0),
	F("f06", PROF_TYPE_S16, 0), F("f07", PROF_TYPE_S32, 0), F("f08", PROF_TYPE_S64, 0),
	F("f09", PROF_TYPE_F64, 0), F("abcdefghijklmnopqrstuvwxyz0", PROF_TYPE_STRING, 1),
	F("_x", PROF_TYPE_U8, 0), F("struct", PROF_TYPE_U8, 0), F("Z9", PROF_TYPE_U8, 0),
	F("extra", PROF_TYPE_U8, 0),
};
static const struct prof_field f_dash[] = { F("ok", PROF_TYPE_U8, 0), F("a-b", PROF_TYPE_U8, 0) };
static const struct prof_field f_digit[] = { F("1x", PROF_TYPE_U8, 0) };
static const struct prof_field f_dollar[] = { F("a$b", PROF_TYPE_U8, 0) };
static const struct prof_field f_empty[] = { F("", PROF_TYPE_U8, 0) };
static const struct prof_field f_long[] = { F("abcdefghijklmnopqrstuvwxyz01", PROF_TYPE_U8, 0) };
static const struct prof_field f_dup[] = { F("x", PROF_TYPE_U8, 0), F("x", PROF_TYPE_U32, 0) };
static const struct prof_field f_type0[] = { F("t", 0, 0) };
static const struct prof_field f_type11[] = { F("t", 11, 0) };
static const struct prof_field f_str0[] = { F("s", PROF_TYPE_STRING, 0) };
static const struct prof_field f_str4096[] = { F("s", PROF_TYPE_STRING, 4096) };
static const struct prof_field f_str65537[] = { F("s", PROF_TYPE_STRING, 65537) };

static const char name63[] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk";
static const char name64[] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl";

struct vcase {
	struct prof_event_desc desc;
	int valid;
	const char *needle; /* in the reader's message when invalid */
};

static const struct vcase cases[] = {
	{ { "v.ok", PROF_KIND_PLAIN, 2, f_ok }, 1, NULL },
	{ { "v.nofields", PROF_KIND_INSTANT, 0, NULL }, 1, NULL },
	{ { name63, PROF_KIND_COUNTER, 1, f_ok }, 1, NULL },
	{ { "v.max", PROF_KIND_SPAN_BEGIN, 14, f_max }, 1, NULL },
	{ { "v.\"odd\\ name\t", PROF_KIND_SPAN_END, 0, NULL }, 1, NULL },
	/* (Kind 0 with no name and no fields is how a schema writes a hole:
	 * test_holes() below.) */
	{ { "", PROF_KIND_INSTANT, 0, NULL }, 0, "the event name is empty" },
	{ { "", PROF_KIND_PLAIN, 1, f_ok }, 0, "the event name is empty" },
	{ { name64, PROF_KIND_PLAIN, 0, NULL }, 0, "longer than 63 bytes" },
	{ { "v.kind", 5, 0, NULL }, 0, "unknown event kind" },
	{ { "v.too_many", PROF_KIND_PLAIN, 15, f_max }, 0, "more than 14 fields" },
	{ { "v.dash", PROF_KIND_PLAIN, 2, f_dash }, 0, "event 'v.dash' (id 0): field 1 ('a-b'): the field name is not a C identifier" },
	{ { "v.digit", PROF_KIND_PLAIN, 1, f_digit }, 0, "field 0 ('1x'): the field name is not a C identifier" },
	{ { "v.dollar", PROF_KIND_PLAIN, 1, f_dollar }, 0, "('a$b'): the field name is not a C identifier" },
	{ { "v.fempty", PROF_KIND_PLAIN, 1, f_empty }, 0, "field 0 (''): the field name is empty" },
	{ { "v.flong", PROF_KIND_PLAIN, 1, f_long }, 0, "the field name is longer than 27 bytes" },
	{ { "v.dup", PROF_KIND_PLAIN, 2, f_dup }, 0, "field 1 ('x'): the field name repeats" },
	{ { "v.type0", PROF_KIND_PLAIN, 1, f_type0 }, 0, "field 0 ('t'): unknown field type" },
	{ { "v.type11", PROF_KIND_PLAIN, 1, f_type11 }, 0, "unknown field type (type 11)" },
	{ { "v.str0", PROF_KIND_PLAIN, 1, f_str0 }, 0, "field 0 ('s'): the string bound is not 1 to 4095 (bound 0)" },
	{ { "v.str4096", PROF_KIND_PLAIN, 1, f_str4096 }, 0, "the string bound is not 1 to 4095 (bound 4096)" },
	{ { "v.str65537", PROF_KIND_PLAIN, 1, f_str65537 }, 0, "the string bound is not 1 to 4095" },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* The definition as a region record, byte for byte what it says (a name of
 * 64 bytes fills the array with no NUL, a bound of 65537 does not fit in
 * 16 bits and is kept out of range as 0xffff). */
static void to_record(const struct prof_event_desc *d, uint32_t id, struct prof_schema_record *rec)
{
	size_t n = strlen(d->name);
	uint16_t i;

	memset(rec, 0, sizeof(*rec));
	memcpy(rec->name, d->name, n < sizeof(rec->name) ? n + 1 : sizeof(rec->name));
	rec->id = id;
	rec->kind = d->kind;
	rec->nfields = d->nfields;
	for (i = 0; i < d->nfields && i < PROF_MAX_FIELDS; i++) {
		size_t m = strlen(d->fields[i].name);

		memcpy(rec->fields[i].name, d->fields[i].name,
		       m < sizeof(rec->fields[i].name) ? m + 1 : sizeof(rec->fields[i].name));
		rec->fields[i].type = d->fields[i].type;
		rec->fields[i].bound = d->fields[i].bound > UINT16_MAX ? UINT16_MAX : (uint16_t)d->fields[i].bound;
	}
}

static void to_event(const struct prof_schema_record *rec, struct prof_schema_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	memcpy(ev->name, rec->name, sizeof(ev->name));
	ev->id = rec->id;
	ev->kind = rec->kind;
	ev->nfields = rec->nfields;
	memcpy(ev->fields, rec->fields, sizeof(ev->fields));
}

static void test_three_paths_agree(void)
{
	struct prof_region_config cfg;
	struct prof_region *r;
	struct prof_error err;
	struct prof_region_header *hdr;
	struct prof_schema_record *schema;
	size_t i;

	prof_region_config_init(&cfg);
	cfg.attach = 1;
	cfg.max_events = 64;
	CHECK_OK(prof_region_open(&r, &cfg, &err));
	hdr = prof_region_memory(r);
	schema = (struct prof_schema_record *)(void *)((uint8_t *)hdr + hdr->schema_offset);

	for (i = 0; i < NCASES; i++) {
		const struct vcase *c = &cases[i];
		/* Sites outlive the loop: the registry keeps valid ones listed. */
		static struct prof_event sites[NCASES];
		struct prof_schema_record rec;
		struct prof_schema_event ev, out;
		struct prof_trace_desc d;
		uint32_t before = hdr->schema_count, st;
		int reg_ok, rec_ok, gen_ok, rc;

		/* 1. The registry. */
		sites[i].state = PROF__UNREGISTERED;
		sites[i].desc = &c->desc;
		st = prof__event_first_use(&sites[i]);
		reg_ok = (st & PROF__REFUSED) == 0;
		CHECK_EQ(hdr->schema_count, before + 1);
		if (!reg_ok) {
			CHECK_EQ(schema[before].kind, PROF_KIND_REFUSED);
			CHECK_NE(schema[before].reserved[0], 0);
		}

		/* 2. The reader's record check. */
		to_record(&c->desc, 0, &rec);
		memset(&err, 0, sizeof(err));
		rc = prof_schema_record_check(&rec, 0, &out, &err);
		rec_ok = rc == 0;
		if (!rec_ok) {
			CHECK_EQ(rc, -EINVAL);
			if (!strstr(err.text, c->needle))
				CHECK_FAIL("case %zu: message \"%s\" lacks \"%s\"", i, err.text, c->needle);
		}
		/* The registry's published record reads back as the same event,
		 * or as the producer's refusal. */
		rc = prof_schema_record_check(&schema[before], before, &out, &err);
		CHECK_EQ(rc, reg_ok ? 0 : -ECANCELED);
		if (reg_ok)
			CHECK_STREQ(out.name, c->desc.name);
		else if (!strstr(err.text, "refused by the producer"))
			CHECK_FAIL("case %zu: refusal \"%s\"", i, err.text);

		/* 3. The TSDL generator, and for a valid event the parser. */
		to_event(&rec, &ev);
		test_desc(&d, &ev, 1);
		gen_ok = prof_ctf_metadata(&d, NULL, 0) > 0;
		if (gen_ok) {
			struct prof_trace_desc back;
			size_t len;
			char *text = metadata_text(&d, &len);

			CHECK_OK(prof_ctf_metadata_parse(text, len, "metadata", &back, &err));
			CHECK_EQ(back.schema.count, 1);
			CHECK_STREQ(back.schema.events[0].name, ev.name);
			prof_trace_desc_free(&back);
			free(text);
		}
		/* And the public check on a decoded event. */
		CHECK_EQ(prof_schema_event_check(&ev, NULL) == 0, c->valid);

		if (reg_ok != c->valid || rec_ok != c->valid || gen_ok != c->valid)
			CHECK_FAIL("case %zu (%s): expected %s; registry %d, reader %d, metadata %d", i,
				   c->desc.name, c->valid ? "valid" : "invalid", reg_ok, rec_ok, gen_ok);
	}
	prof_region_close(r);
}

/* The parser refuses what the generator would: a string bound of 0 in an
 * event's model.emf.uri, with the validator's words. */
static void test_parser_uses_the_check(void)
{
	struct prof_schema_event ev;
	struct prof_trace_desc d, back;
	struct prof_error err;
	char *text, *at;
	size_t len;

	test_event(&ev, 0, "p.ev", PROF_KIND_PLAIN);
	test_field(&ev, "s", PROF_TYPE_STRING, 7);
	test_desc(&d, &ev, 1);
	text = metadata_text(&d, &len);
	at = strstr(text, "bounds=7");
	CHECK(at != NULL);
	at[7] = '0';
	memset(&err, 0, sizeof(err));
	CHECK_EQ(prof_ctf_metadata_parse(text, len, "metadata", &back, &err), -EINVAL);
	if (!strstr(err.text, "field 0 ('s'): the string bound is not 1 to 4095"))
		CHECK_FAIL("parser message \"%s\"", err.text);
	free(text);
}

/* A hole (a record a reader skipped) is no event: the generator writes
 * it so that ids stay in place, and the parser reads it back as a hole. */
static void test_holes(void)
{
	struct prof_schema_event ev[3];
	struct prof_trace_desc d, back;
	struct prof_error err;
	size_t len;
	char *text;

	test_event(&ev[0], 0, "h.a", PROF_KIND_PLAIN);
	test_field(&ev[0], "x", PROF_TYPE_U32, 0);
	test_event(&ev[1], 1, "", PROF_KIND_PLAIN);
	test_event(&ev[2], 2, "h.c", PROF_KIND_INSTANT);
	test_desc(&d, ev, 3);
	text = metadata_text(&d, &len);
	CHECK_OK(prof_ctf_metadata_parse(text, len, "metadata", &back, &err));
	CHECK_EQ(back.schema.count, 3);
	CHECK_STREQ(back.schema.events[0].name, "h.a");
	CHECK_STREQ(back.schema.events[1].name, "");
	CHECK_EQ(back.schema.events[1].nfields, 0);
	CHECK_STREQ(back.schema.events[2].name, "h.c");
	prof_trace_desc_free(&back);
	free(text);
}

int main(void)
{
	test_three_paths_agree();
	test_holes();
	test_parser_uses_the_check();
	printf("test_event_validate: ok\n");
	return 0;
}
