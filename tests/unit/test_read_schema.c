/* SPDX-License-Identifier: MIT */
/*
 * test_read_schema - prof_schema_record_check(): a good record decodes with
 * exact min/max payload sizes; every kind of bad record is rejected with
 * -EINVAL, the offset of the bad field and its name and value in the text.
 */
#include <errno.h>
#include <stddef.h>

#include "lib/check.h"
#include "lib/read_builder.h"
#include "profile/read.h"

#define FIELD_OFF(i, member) \
	(offsetof(struct prof_schema_record, fields) + (i) * sizeof(struct prof_schema_field) + \
	 offsetof(struct prof_schema_field, member))

static void expect_bad(const struct prof_schema_record *rec, uint32_t index, uint64_t offset,
		       const char *needle, int line)
{
	struct prof_schema_event ev;
	struct prof_error err;

	memset(&ev, 0x5a, sizeof(ev));
	memset(&err, 0, sizeof(err));
	if (prof_schema_record_check(rec, index, &ev, &err) != -EINVAL)
		CHECK_FAIL("line %d: record accepted, expected -EINVAL", line);
	CHECK_EQ(err.code, -EINVAL);
	if (err.offset != offset)
		CHECK_FAIL("line %d: error offset %llu, expected %llu (%s)", line,
			   (unsigned long long)err.offset, (unsigned long long)offset, err.text);
	if (!strstr(err.text, needle))
		CHECK_FAIL("line %d: error text \"%s\" lacks \"%s\"", line, err.text, needle);
}

#define EXPECT_BAD(rec, index, offset, needle) expect_bad(rec, index, offset, needle, __LINE__)

static void test_good(void)
{
	struct prof_schema_record rec;
	struct prof_schema_event ev;
	struct prof_error err;

	rb_std_record(&rec, RB_EV_ALL);
	rec.reserved[0] = 0xdeadbeef;           /* reserved words are ignored */
	rec.fields[0].bound = 77;                /* a non-string's bound is ignored */
	CHECK_EQ(prof_schema_record_check(&rec, RB_EV_ALL, &ev, &err), 0);
	CHECK_STREQ(ev.name, "all.types");
	CHECK_EQ(ev.id, RB_EV_ALL);
	CHECK_EQ(ev.kind, PROF_KIND_PLAIN);
	CHECK_EQ(ev.nfields, 10);
	CHECK_STREQ(ev.fields[9].name, "s");
	CHECK_EQ(ev.fields[9].type, PROF_TYPE_STRING);
	CHECK_EQ(ev.fields[9].bound, 8);
	CHECK_EQ(ev.fields[0].bound, 0);
	/* 1+2+4+8 + 1+2+4+8 + 8 + (1 .. 9) */
	CHECK_EQ(ev.min_size, 39);
	CHECK_EQ(ev.max_size, 47);

	rb_std_record(&rec, RB_EV_TICK);
	CHECK_EQ(prof_schema_record_check(&rec, RB_EV_TICK, &ev, NULL), 0);
	CHECK_EQ(ev.nfields, 0);
	CHECK_EQ(ev.min_size, 0);
	CHECK_EQ(ev.max_size, 0);
	CHECK_EQ(ev.kind, PROF_KIND_INSTANT);

	rb_std_record(&rec, RB_EV_MSG);
	CHECK_EQ(prof_schema_record_check(&rec, RB_EV_MSG, &ev, NULL), 0);
	CHECK_EQ(ev.min_size, 5);
	CHECK_EQ(ev.max_size, 9);

	/* The limits themselves are accepted. */
	{
		struct rb_field f[PROF_MAX_FIELDS];
		int i;

		static char names[PROF_MAX_FIELDS][PROF_FIELD_NAME_MAX];

		for (i = 0; i < (int)PROF_MAX_FIELDS; i++) {
			/* 27 bytes + NUL, each different (names are unique). */
			memcpy(names[i], "abcdefghijklmnopqrstuvwxy00", sizeof(names[i]));
			names[i][25] = (char)('0' + i / 10);
			names[i][26] = (char)('0' + i % 10);
			f[i].name = names[i];
			f[i].type = PROF_TYPE_STRING;
			f[i].bound = PROF_MAX_STRING_BOUND;
		}
		rb_record(&rec, 7, "", PROF_KIND_INSTANT, PROF_MAX_FIELDS, f);
		memset(rec.name, 'n', sizeof(rec.name) - 1);  /* 63 bytes + NUL */
		CHECK_EQ(prof_schema_record_check(&rec, 7, &ev, &err), 0);
		CHECK_EQ(ev.min_size, PROF_MAX_FIELDS);
		CHECK_EQ(ev.max_size, PROF_MAX_FIELDS * (PROF_MAX_STRING_BOUND + 1));
		CHECK_EQ(strlen(ev.name), 63);
	}
}

static void test_bad(void)
{
	struct prof_schema_record rec, good;
	struct prof_schema_event ev;

	rb_std_record(&good, RB_EV_MSG);

	rec = good;
	EXPECT_BAD(&rec, 3, offsetof(struct prof_schema_record, id), "id 2, expected 3");

	rec = good;
	memset(rec.name, 'x', sizeof(rec.name));
	EXPECT_BAD(&rec, RB_EV_MSG, 0, "name is longer than 63 bytes");

	rec = good;
	rec.name[0] = 0;
	EXPECT_BAD(&rec, RB_EV_MSG, 0, "name is empty");

	rec = good;
	rec.kind = 5;
	EXPECT_BAD(&rec, RB_EV_MSG, offsetof(struct prof_schema_record, kind), "unknown event kind (kind 5)");

	rec = good;
	rec.nfields = 15;
	EXPECT_BAD(&rec, RB_EV_MSG, offsetof(struct prof_schema_record, nfields), "more than 14 fields (nfields 15)");
	rec.nfields = 0xffff;
	EXPECT_BAD(&rec, RB_EV_MSG, offsetof(struct prof_schema_record, nfields), "(nfields 65535)");

	rec = good;
	memset(rec.fields[1].name, 'f', sizeof(rec.fields[1].name));
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(1, name), "field 1 ('fffffffffffffffffffffffffff'): the field name is longer than 27 bytes");

	rec = good;
	rec.fields[1].name[0] = 0;
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(1, name), "field 1 (''): the field name is empty");

	rec = good;
	rec.fields[1].type = 0;
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(1, type), "field 1 ('n'): unknown field type (type 0)");
	rec.fields[1].type = 11;
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(1, type), "(type 11)");

	rec = good;
	rec.fields[0].bound = 0;
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(0, bound), "field 0 ('m'): the string bound is not 1 to 4095 (bound 0)");
	rec.fields[0].bound = PROF_MAX_STRING_BOUND + 1;
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(0, bound), "(bound 4096)");

	/* What the old checks let through: not an identifier, a repeat. */
	rec = good;
	strcpy(rec.fields[1].name, "a-b");
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(1, name), "field 1 ('a-b'): the field name is not a C identifier");
	strcpy(rec.fields[1].name, "m");
	EXPECT_BAD(&rec, RB_EV_MSG, FIELD_OFF(1, name), "field 1 ('m'): the field name repeats");

	/* Fields past nfields are not looked at. */
	rec = good;
	rec.fields[5].type = 99;
	memset(rec.fields[5].name, 'z', sizeof(rec.fields[5].name));
	CHECK_EQ(prof_schema_record_check(&rec, RB_EV_MSG, &ev, NULL), 0);

	/* NULL arguments. */
	CHECK_EQ(prof_schema_record_check(NULL, 0, &ev, NULL), -EINVAL);
	CHECK_EQ(prof_schema_record_check(&good, RB_EV_MSG, NULL, NULL), -EINVAL);
}

/* Every single-byte corruption of a record is either accepted with sane
 * sizes or rejected: never anything in between. */
static void test_all_bytes(void)
{
	struct prof_schema_record good, rec;
	size_t i;
	int v;

	rb_std_record(&good, RB_EV_ALL);
	for (i = 0; i < sizeof(rec); i++) {
		for (v = 0; v < 256; v += 85) {
			struct prof_schema_event ev;
			int rc;

			rec = good;
			((uint8_t *)&rec)[i] = (uint8_t)v;
			rc = prof_schema_record_check(&rec, RB_EV_ALL, &ev, NULL);
			if (rc == 0) {
				CHECK_LE(ev.nfields, PROF_MAX_FIELDS);
				CHECK_LE(ev.min_size, ev.max_size);
				CHECK_LE(ev.max_size, PROF_MAX_FIELDS * (PROF_MAX_STRING_BOUND + 1));
			} else if (rc != -ECANCELED || rec.kind != PROF_KIND_REFUSED) {
				CHECK_EQ(rc, -EINVAL);
			}
		}
	}
}

int main(void)
{
	test_good();
	test_bad();
	test_all_bytes();
	printf("test_read_schema: ok\n");
	return 0;
}
