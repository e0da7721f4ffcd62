/* SPDX-License-Identifier: MIT */
/*
 * CTF 1.8 metadata: generate the TSDL text that describes an mprof trace,
 * and parse that text back into the struct prof_trace_desc it came from.
 *
 * The generated text always has this shape, in this order:
 *
 *   / * CTF 1.8 * /                      signature, byte 0
 *   typealias integer {...} := T;        one per integer type (table below)
 *   trace  { major; minor; uuid; byte_order; packet.header := struct {...}; };
 *   env    { domain; tracer_*; hostname; procname; vpid; mprof_version;
 *            mprof_cmdline (struct prof_trace_origin, each left out when
 *            unknown); clock_* (the whole
 *            struct prof_clock_desc); mprof_<count> (struct
 *            prof_region_counts) };
 *   clock  { name; description; freq; precision; offset_s; offset; absolute; };
 *   stream { id = 0; packet.context := struct {...}; event.header := ...; };
 *   event  { name; id; stream_id; model.emf.uri = "mprof:kind=K;bounds=..";
 *            fields := struct { ... }; }     one per schema event, id order
 *
 * Every integer alias has align = 8: producers pack event fields with no
 * padding, so nothing after the (naturally aligned) packet context is
 * aligned.  The header and context offsets happen to be natural anyway.
 *
 * What TSDL cannot say directly travels in strings babeltrace2 ignores or
 * shows verbatim: the event kind and the string bounds in the event's
 * model.emf.uri ("mprof:kind=1;bounds=0,64", one bound per field), the
 * clock calibration and the region counts in env integers (babeltrace2
 * 2.0.4 stores env integers as int64 and prints values above INT64_MAX as
 * negative, but it accepts them; our parser reads them back as uint64
 * exactly).  tracer_minor 1 added the origin and the counts; metadata of
 * tracer_minor 0 is still read.
 *
 * Names.  Event names go in string literals: '"' and '\\' are escaped and
 * every byte outside printable ASCII is written as a three-digit octal
 * escape, which babeltrace2 decodes back to the byte.  Field names are
 * TSDL identifiers; a name that is a TSDL keyword or one of our type
 * aliases, or that starts with '_', is written with one extra leading '_',
 * which CTF readers strip (the convention LTTng relies on).  A field name
 * that is not a C identifier cannot be expressed and is rejected.
 *
 * The parser is the inverse of the generator and nothing more: a tokenizer
 * (whitespace and comments are free) and a recursive descent that expects
 * exactly the constructs above, in the generator's order, with the values
 * the generator would have written (e.g. the clock offset must match the
 * calibration in env).  Anything else is an error naming the file, the
 * byte offset and what was expected; but if the text is CTF that does not
 * say `tracer_name = "mprof"` (LTTng's, barectf's...), the error says so
 * and names babeltrace2, which reads foreign CTF.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "profile/ctf.h"
#include "profile/read.h"

#define TRACER_MAJOR 1u
/* 1: env has the origin and the region counts; 2: compact event headers
 * (format 2, profile/format.h).  Format 1 traces are refused by name. */
#define TRACER_MINOR 2u
#define CLOCK_NAME "mprof_clock"
#define CLOCK_PRECISION 1u
#define NS_PER_S 1000000000u
#define SIGNATURE "/* CTF 1.8 */"
#define URI_PREFIX "mprof:kind="
#define MAX_STRING_TOKEN PROF_ORIGIN_CMDLINE_MAX
#define PACKETIZED_MAGIC 0x75d11d57u /* LTTng's packetized metadata */

/* ---- Shared tables: the generator walks them, the parser expects them ---- */

struct int_alias {
	const char *name;
	unsigned int bits;
	bool is_signed;
	bool clock_mapped;
	unsigned int align; /* bits */
};

/* Indexed by enum prof_field_type - 1 for the eight integer types. */
static const struct int_alias int_aliases[] = {
	{ "uint8_t", 8, false, false, 8 },
	{ "uint16_t", 16, false, false, 8 },
	{ "uint32_t", 32, false, false, 8 },
	{ "uint64_t", 64, false, false, 8 },
	{ "int8_t", 8, true, false, 8 },
	{ "int16_t", 16, true, false, 8 },
	{ "int32_t", 32, true, false, 8 },
	{ "int64_t", 64, true, false, 8 },
	{ "uint64_clock_t", 64, false, true, 8 },
	/* Format 2 (tracer_minor 2): the event header's 24-bit fields. */
	{ "uint24_t", 24, false, false, 8 },
	{ "uint24_clock_t", 24, false, true, 8 },
};
#define N_FORMAT1_INT_ALIASES 9u
#define N_INT_ALIASES (sizeof(int_aliases) / sizeof(int_aliases[0]))
#define N_PAYLOAD_INT_ALIASES 8u

struct fixed_field {
	const char *type;
	const char *name;
	unsigned int array; /* 0: not an array */
};

static const struct fixed_field packet_header_fields[] = {
	{ "uint32_t", "magic", 0 },
	{ "uint8_t", "uuid", 16 },
	{ "uint32_t", "stream_id", 0 },
	{ "uint64_t", "stream_instance_id", 0 },
};

static const struct fixed_field packet_context_fields[] = {
	{ "uint64_clock_t", "timestamp_begin", 0 },
	{ "uint64_clock_t", "timestamp_end", 0 },
	{ "uint64_t", "content_size", 0 },
	{ "uint64_t", "packet_size", 0 },
	{ "uint64_t", "events_discarded", 0 },
	{ "uint64_t", "packet_seq_num", 0 },
	{ "uint32_t", "tid", 0 },
	{ "uint32_t", "content_bytes", 0 },
};

/*
 * The event header (profile/format.h): an 8-bit id whose value 255 selects
 * the extended form, as LTTng-UST's compact header does with 5 bits.  A
 * 24-bit field mapped to the clock holds the timestamp's low 24 bits and
 * the reader infers the rest (CTF 1.8); babeltrace2 takes the event id
 * from `id` or, when the variant's extended option is selected, `v.id`.
 * Written as below; parsed token by token (expect_tokens()).
 */
static const char event_header_tsdl[] =
	"struct {\n"
	"\t\tenum : uint8_t { compact = 0 ... 254, extended = 255 } id;\n"
	"\t\tvariant <id> {\n"
	"\t\t\tstruct {\n\t\t\t\tuint24_clock_t timestamp;\n\t\t\t} compact;\n"
	"\t\t\tstruct {\n\t\t\t\tuint24_t id;\n\t\t\t\tuint64_clock_t timestamp;\n\t\t\t} extended;\n"
	"\t\t} v;\n"
	"\t}";

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The clock description as env integers, in the order written. */
struct env_entry {
	const char *name;
	size_t offset; /* in struct prof_clock_desc */
	size_t size;   /* 4 or 8 */
};

#define ENV_ENTRY(n, f) { n, offsetof(struct prof_clock_desc, f), sizeof(((struct prof_clock_desc *)0)->f) }
static const struct env_entry clock_env[] = {
	ENV_ENTRY("clock_source", source),
	ENV_ENTRY("clock_calibrated", calibrated),
	ENV_ENTRY("clock_freq", freq_hz),
	ENV_ENTRY("clock_ref_ticks", ref_ticks),
	ENV_ENTRY("clock_ref_monotonic_ns", ref_monotonic_ns),
	ENV_ENTRY("clock_ref_realtime_ns", ref_realtime_ns),
	ENV_ENTRY("clock_calib_window_ns", calib_window_ns),
};

/* The region counts as env integers, after the clock's. */
#define COUNT_ENTRY(f) { "mprof_" #f, offsetof(struct prof_region_counts, f) }
static const struct count_entry {
	const char *name;
	size_t offset; /* of a uint64_t in struct prof_region_counts */
} counts_env[] = {
	COUNT_ENTRY(dropped_no_slot),
	COUNT_ENTRY(refused_events),
	COUNT_ENTRY(refused_invalid),
	COUNT_ENTRY(schema_errors),
	COUNT_ENTRY(strings_truncated),
};

/* Words a TSDL reader will not take as a field name (babeltrace2 2.0.4). */
static const char *const reserved_words[] = {
	"align", "callsite", "const", "char", "clock", "double", "enum", "env", "event",
	"floating_point", "float", "integer", "int", "long", "short", "signed", "stream",
	"string", "struct", "trace", "typealias", "typedef", "unsigned", "variant", "void",
	"_Bool", "_Complex", "_Imaginary",
};

static bool is_reserved(const char *name)
{
	size_t i;

	for (i = 0; i < N_OF(reserved_words); i++)
		if (strcmp(name, reserved_words[i]) == 0)
			return true;
	for (i = 0; i < N_INT_ALIASES; i++)
		if (strcmp(name, int_aliases[i].name) == 0)
			return true;
	return false;
}

static bool is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Whether @name (NUL-terminated) is a C identifier. */
/* Whether a field name is written with an extra leading '_'. */
static bool field_needs_prefix(const char *name)
{
	return name[0] == '_' || is_reserved(name);
}

static const char *clock_description(const struct prof_clock_desc *c)
{
	switch (c->source) {
	case PROF_CLOCK_TSC:
		return c->calibrated ? "TSC, calibrated against CLOCK_MONOTONIC" : "TSC, nominal frequency";
	case PROF_CLOCK_MONOTONIC:
		return "CLOCK_MONOTONIC";
	default:
		return c->calibrated ? "platform clock, calibrated against CLOCK_MONOTONIC" : "platform clock";
	}
}

/*
 * clock_offset() - the CTF clock offset that maps cycle 0 to wall time.
 *
 * CTF reads cycle c as offset_s seconds plus (offset + c) / freq seconds
 * after the clock's origin.  The calibration says ref_ticks was
 * ref_realtime_ns after the Unix epoch, so cycle 0 was at
 * ref_realtime_ns - ref_ticks / freq.  Both terms are split into whole
 * seconds and a cycle remainder in [0, freq) and subtracted, in 128-bit
 * arithmetic: ref_ticks may be near 2^64 and freq a few GHz.  The
 * nanosecond remainder is converted to cycles rounding down.  If cycle 0
 * would fall before the epoch (a clock that started long before the
 * reference, or no wall-clock reference at all), CTF cannot say so with
 * babeltrace2's unsigned offsets: the offset is clamped to 0.
 */
static void clock_offset(const struct prof_clock_desc *c, uint64_t *offset_s, uint64_t *offset_cyc)
{
	__int128 freq = c->freq_hz;
	__int128 s, cyc;

	*offset_s = 0;
	*offset_cyc = 0;
	if (freq == 0)
		return;
	s = (__int128)(c->ref_realtime_ns / NS_PER_S) - (__int128)(c->ref_ticks / c->freq_hz);
	cyc = (__int128)(c->ref_realtime_ns % NS_PER_S) * freq / NS_PER_S - (__int128)(c->ref_ticks % c->freq_hz);
	if (cyc < 0) {
		cyc += freq;
		s -= 1;
	}
	if (s < 0)
		return;
	*offset_s = (uint64_t)s;
	*offset_cyc = (uint64_t)cyc;
}

/* ---- Generator ---- */

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL, o->len < o->size ? o->size - o->len : 0,
		      fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* Writes @s as a TSDL string literal that decodes back to exactly @s. */
static void emit_string(struct out *o, const char *s)
{
	const unsigned char *p;

	emit(o, "\"");
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			emit(o, "\\%c", *p);
		else if (*p < 0x20 || *p > 0x7e)
			emit(o, "\\%03o", *p);
		else
			emit(o, "%c", *p);
	}
	emit(o, "\"");
}

static void emit_fixed_struct(struct out *o, const struct fixed_field *f, size_t n, const char *indent)
{
	size_t i;

	emit(o, "struct {\n");
	for (i = 0; i < n; i++) {
		if (f[i].array)
			emit(o, "%s\t%s %s[%u];\n", indent, f[i].type, f[i].name, f[i].array);
		else
			emit(o, "%s\t%s %s;\n", indent, f[i].type, f[i].name);
	}
	emit(o, "%s}", indent);
}

/* A schema entry with no event: what a reader leaves for a record it
 * could not use. */
static bool is_hole(const struct prof_schema_event *ev)
{
	return ev->name[0] == '\0' && ev->nfields == 0 && ev->kind == 0;
}

/* Validates what the generator relies on, each event with libprofile's
 * one event check (core/validate.c); the parser enforces the same. */
static int check_desc(const struct prof_trace_desc *desc)
{
	const struct prof_clock_desc *c;
	uint32_t i;

	if (!desc)
		return -EINVAL;
	c = &desc->clock;
	if (desc->byte_order != PROF_BYTE_ORDER_LE && desc->byte_order != PROF_BYTE_ORDER_BE)
		return -EINVAL;
	if (c->source < PROF_CLOCK_TSC || c->source > PROF_CLOCK_PLATFORM || c->calibrated > 1 || c->freq_hz == 0)
		return -EINVAL;
	if (desc->schema.count > PROF_MAX_EVENTS || (desc->schema.count && !desc->schema.events))
		return -EINVAL;
	for (i = 0; i < desc->schema.count; i++) {
		const struct prof_schema_event *ev = &desc->schema.events[i];

		if (ev->id != i)
			return -EINVAL;
		/* A hole (a schema record the reader skipped) has no event;
		 * it is written as an event class with an empty name and no
		 * fields, which the parser reads back as a hole. */
		if (is_hole(ev))
			continue;
		if (prof__event_schema_validate(ev->name, sizeof(ev->name), ev->kind, ev->nfields, ev->fields,
						NULL) != 0)
			return -EINVAL;
	}
	return 0;
}

static bool string_terminated(const char *s, size_t max)
{
	return memchr(s, '\0', max) != NULL;
}

static int check_origin(const struct prof_trace_origin *o)
{
	if (!string_terminated(o->hostname, sizeof(o->hostname)) ||
	    !string_terminated(o->procname, sizeof(o->procname)) ||
	    !string_terminated(o->version, sizeof(o->version)) || !string_terminated(o->cmdline, sizeof(o->cmdline)))
		return -EINVAL;
	return 0;
}

static void emit_env_string(struct out *o, const char *key, const char *value)
{
	if (!value[0])
		return;
	emit(o, "\t%s = ", key);
	emit_string(o, value);
	emit(o, ";\n");
}

/*
 * What is unknown (an empty string, pid 0) is left out: babeltrace2 would
 * print an empty "::(0)" before every event.
 */
static void emit_origin(struct out *o, const struct prof_trace_origin *origin)
{
	emit_env_string(o, "hostname", origin->hostname);
	emit_env_string(o, "procname", origin->procname);
	if (origin->pid)
		emit(o, "\tvpid = %llu;\n", (unsigned long long)origin->pid);
	emit_env_string(o, "mprof_version", origin->version);
	emit_env_string(o, "mprof_cmdline", origin->cmdline);
}

static void emit_event(struct out *o, const struct prof_schema_event *ev)
{
	uint32_t j;

	emit(o, "event {\n\tname = ");
	emit_string(o, ev->name);
	emit(o, ";\n\tid = %u;\n\tstream_id = 0;\n", ev->id);
	emit(o, "\tmodel.emf.uri = \"" URI_PREFIX "%u;bounds=", ev->kind);
	for (j = 0; j < ev->nfields; j++)
		emit(o, "%s%u", j ? "," : "", ev->fields[j].bound);
	emit(o, "\";\n\tfields := struct {\n");
	for (j = 0; j < ev->nfields; j++) {
		const struct prof_schema_field *f = &ev->fields[j];
		const char *prefix = field_needs_prefix(f->name) ? "_" : "";

		if (f->type == PROF_TYPE_F64)
			emit(o, "\t\tfloating_point { exp_dig = 11; mant_dig = 53; align = 8; } %s%s;\n", prefix,
			     f->name);
		else if (f->type == PROF_TYPE_STRING)
			emit(o, "\t\tstring { encoding = UTF8; } %s%s;\n", prefix, f->name);
		else
			emit(o, "\t\t%s %s%s;\n", int_aliases[f->type - 1].name, prefix, f->name);
	}
	emit(o, "\t};\n};\n\n");
}

PROF_EXPORT int prof_ctf_metadata(const struct prof_trace_desc *desc, char *buf, size_t size)
{
	const struct prof_clock_desc *c;
	struct out o = { buf, buf ? size : 0, 0 };
	uint64_t offset_s, offset_cyc;
	const uint8_t *u;
	size_t i;
	int ret;

	ret = check_desc(desc);
	if (!ret)
		ret = check_origin(&desc->origin);
	if (ret)
		return ret;
	c = &desc->clock;
	u = desc->uuid;

	emit(&o, SIGNATURE "\n\n");
	for (i = 0; i < N_INT_ALIASES; i++) {
		emit(&o, "typealias integer { size = %u; align = %u; signed = %s;%s } := %s;\n", int_aliases[i].bits,
		     int_aliases[i].align, int_aliases[i].is_signed ? "true" : "false",
		     int_aliases[i].clock_mapped ? " map = clock." CLOCK_NAME ".value;" : "", int_aliases[i].name);
	}

	emit(&o, "\ntrace {\n\tmajor = 1;\n\tminor = 8;\n");
	emit(&o, "\tuuid = \"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\";\n", u[0],
	     u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	emit(&o, "\tbyte_order = %s;\n", desc->byte_order == PROF_BYTE_ORDER_LE ? "le" : "be");
	emit(&o, "\tpacket.header := ");
	emit_fixed_struct(&o, packet_header_fields, N_OF(packet_header_fields), "\t");
	emit(&o, ";\n};\n\n");

	emit(&o, "env {\n\tdomain = \"mprof\";\n\ttracer_name = \"mprof\";\n");
	emit(&o, "\ttracer_major = %u;\n\ttracer_minor = %u;\n", TRACER_MAJOR, TRACER_MINOR);
	emit_origin(&o, &desc->origin);
	for (i = 0; i < N_OF(clock_env); i++) {
		const unsigned char *field = (const unsigned char *)c + clock_env[i].offset;
		uint64_t v;

		if (clock_env[i].size == 4) {
			uint32_t v32;

			memcpy(&v32, field, 4);
			v = v32;
		} else {
			memcpy(&v, field, 8);
		}
		emit(&o, "\t%s = %llu;\n", clock_env[i].name, (unsigned long long)v);
	}
	for (i = 0; i < N_OF(counts_env); i++) {
		uint64_t v;

		memcpy(&v, (const unsigned char *)&desc->counts + counts_env[i].offset, sizeof(v));
		emit(&o, "\t%s = %llu;\n", counts_env[i].name, (unsigned long long)v);
	}
	emit(&o, "};\n\n");

	clock_offset(c, &offset_s, &offset_cyc);
	emit(&o, "clock {\n\tname = \"" CLOCK_NAME "\";\n\tdescription = ");
	emit_string(&o, clock_description(c));
	emit(&o, ";\n\tfreq = %llu;\n\tprecision = %u;\n", (unsigned long long)c->freq_hz, CLOCK_PRECISION);
	emit(&o, "\toffset_s = %llu;\n\toffset = %llu;\n\tabsolute = true;\n};\n\n",
	     (unsigned long long)offset_s, (unsigned long long)offset_cyc);

	emit(&o, "stream {\n\tid = 0;\n\tpacket.context := ");
	emit_fixed_struct(&o, packet_context_fields, N_OF(packet_context_fields), "\t");
	emit(&o, ";\n\tevent.header := %s;\n};\n\n", event_header_tsdl);

	for (i = 0; i < desc->schema.count; i++)
		emit_event(&o, &desc->schema.events[i]);

	if (o.len > INT_MAX)
		return -EINVAL;
	return (int)o.len;
}

/* ---- Parser ---- */

enum tok_type {
	TOK_EOF,
	TOK_IDENT,
	TOK_INT,
	TOK_STRING,
	TOK_PUNCT,
};

struct parser {
	const char *text;
	size_t len;
	size_t pos;          /* next byte to tokenize */
	const char *file;
	struct prof_error *err;
	/* The current token. */
	enum tok_type type;
	size_t start;        /* its byte offset */
	size_t tlen;         /* its length in the text */
	uint64_t num;        /* TOK_INT */
	char str[MAX_STRING_TOKEN]; /* TOK_STRING, decoded, NUL-terminated */
	size_t slen;         /* its decoded length */
};

static int fail(struct parser *p, size_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, size_t offset, const char *fmt, ...)
{
	char text[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return prof_error_set(p->err, -EINVAL, p->file, offset, "%s", text);
}

/* Describes the current token for "expected X, found Y" messages. */
static const char *describe(const struct parser *p, char *buf, size_t size)
{
	int n = p->tlen > 40 ? 40 : (int)p->tlen;

	switch (p->type) {
	case TOK_EOF:
		return "end of file";
	case TOK_INT:
		snprintf(buf, size, "integer %llu", (unsigned long long)p->num);
		break;
	case TOK_STRING:
		snprintf(buf, size, "a string literal");
		break;
	default:
		snprintf(buf, size, "'%.*s'%s", n, p->text + p->start, p->tlen > 40 ? "..." : "");
		break;
	}
	return buf;
}

static int fail_expected(struct parser *p, const char *what)
{
	char found[64];

	return fail(p, p->start, "expected %s, found %s", what, describe(p, found, sizeof(found)));
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->text[p->pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			p->pos++;
		} else if (c == '/' && p->pos + 1 < p->len && p->text[p->pos + 1] == '*') {
			const char *end = NULL;
			size_t i;

			for (i = p->pos + 2; i + 1 < p->len; i++) {
				if (p->text[i] == '*' && p->text[i + 1] == '/') {
					end = p->text + i;
					break;
				}
			}
			if (!end)
				return; /* next() reports the unterminated comment */
			p->pos = (size_t)(end - p->text) + 2;
		} else if (c == '/' && p->pos + 1 < p->len && p->text[p->pos + 1] == '/') {
			while (p->pos < p->len && p->text[p->pos] != '\n')
				p->pos++;
		} else {
			return;
		}
	}
}

static int lex_string(struct parser *p)
{
	size_t i = p->pos + 1;

	p->slen = 0;
	for (;;) {
		unsigned char c;

		if (i >= p->len)
			return fail(p, p->start, "unterminated string literal");
		c = (unsigned char)p->text[i];
		if (c == '"')
			break;
		if (p->slen + 1 >= sizeof(p->str))
			return fail(p, p->start, "string literal longer than %u bytes", MAX_STRING_TOKEN - 1);
		if (c == '\\') {
			unsigned char e = i + 1 < p->len ? (unsigned char)p->text[i + 1] : 0;

			if (e == '"' || e == '\\') {
				p->str[p->slen++] = (char)e;
				i += 2;
			} else if (e >= '0' && e <= '3' && i + 3 < p->len && p->text[i + 2] >= '0' &&
				   p->text[i + 2] <= '7' && p->text[i + 3] >= '0' && p->text[i + 3] <= '7') {
				p->str[p->slen++] = (char)((e - '0') * 64 + (p->text[i + 2] - '0') * 8 +
							   (p->text[i + 3] - '0'));
				i += 4;
			} else {
				return fail(p, i, "expected an escape: \\\", \\\\ or three octal digits");
			}
		} else if (c < 0x20 || c > 0x7e) {
			return fail(p, i, "byte 0x%02x in a string literal must be written as an octal escape", c);
		} else {
			p->str[p->slen++] = (char)c;
			i++;
		}
	}
	p->str[p->slen] = '\0';
	p->pos = i + 1;
	return 0;
}

static int lex_int(struct parser *p)
{
	size_t i = p->pos;
	uint64_t v = 0;

	if (p->text[i] == '0' && i + 1 < p->len && p->text[i + 1] >= '0' && p->text[i + 1] <= '9')
		return fail(p, i, "expected a decimal integer without leading zeros");
	for (; i < p->len && p->text[i] >= '0' && p->text[i] <= '9'; i++) {
		unsigned d = (unsigned)(p->text[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return fail(p, p->start, "integer does not fit 64 bits");
		v = v * 10 + d;
	}
	if (i < p->len && is_ident_char((unsigned char)p->text[i]))
		return fail(p, i, "expected a decimal integer");
	p->num = v;
	p->pos = i;
	return 0;
}

/* Reads the next token into p. */
static int next(struct parser *p)
{
	unsigned char c;
	int ret = 0;

	skip_space(p);
	p->start = p->pos;
	p->tlen = 0;
	if (p->pos >= p->len) {
		p->type = TOK_EOF;
		return 0;
	}
	c = (unsigned char)p->text[p->pos];
	if (c == '/' && p->pos + 1 < p->len && p->text[p->pos + 1] == '*')
		return fail(p, p->pos, "unterminated comment");
	if (is_ident_start(c)) {
		p->type = TOK_IDENT;
		while (p->pos < p->len && is_ident_char((unsigned char)p->text[p->pos]))
			p->pos++;
	} else if (c >= '0' && c <= '9') {
		p->type = TOK_INT;
		ret = lex_int(p);
	} else if (c == '"') {
		p->type = TOK_STRING;
		ret = lex_string(p);
	} else if (c == ':' && p->pos + 1 < p->len && p->text[p->pos + 1] == '=') {
		p->type = TOK_PUNCT;
		p->pos += 2;
	} else if (c && strchr("{};=[].:<>,", c)) {
		p->type = TOK_PUNCT;
		p->pos++;
	} else {
		return fail(p, p->pos, "unexpected byte 0x%02x", c);
	}
	p->tlen = p->pos - p->start;
	return ret;
}

static bool tok_is(const struct parser *p, enum tok_type type, const char *s)
{
	size_t n = strlen(s);

	return p->type == type && p->tlen == n && memcmp(p->text + p->start, s, n) == 0;
}

/* Expects identifier/keyword @word (or punctuation, if it is one). */
static int expect(struct parser *p, const char *word)
{
	char what[64];
	enum tok_type type = is_ident_start((unsigned char)word[0]) ? TOK_IDENT : TOK_PUNCT;

	if (!tok_is(p, type, word)) {
		snprintf(what, sizeof(what), "'%s'", word);
		return fail_expected(p, what);
	}
	return next(p);
}

/* Expects a space-separated sequence of words and punctuation. */
static int expect_seq(struct parser *p, const char *seq)
{
	char word[40];
	const char *s = seq;
	int ret;

	while (*s) {
		size_t n = strcspn(s, " ");

		if (n >= sizeof(word))
			return -EINVAL;
		memcpy(word, s, n);
		word[n] = '\0';
		ret = expect(p, word);
		if (ret)
			return ret;
		s += n;
		while (*s == ' ')
			s++;
	}
	return 0;
}

static int expect_uint(struct parser *p, uint64_t *v)
{
	if (p->type != TOK_INT)
		return fail_expected(p, "an integer");
	*v = p->num;
	return next(p);
}

static int expect_uint_eq(struct parser *p, uint64_t want)
{
	char what[48];

	if (p->type != TOK_INT || p->num != want) {
		snprintf(what, sizeof(what), "%llu", (unsigned long long)want);
		return fail_expected(p, what);
	}
	return next(p);
}

/* Expects a string literal; copies its decoded text (NUL-free) to @buf. */
static int expect_string(struct parser *p, char *buf, size_t size, size_t *offset)
{
	if (p->type != TOK_STRING)
		return fail_expected(p, "a string literal");
	if (memchr(p->str, '\0', p->slen))
		return fail(p, p->start, "string literal contains a NUL byte");
	if (p->slen >= size)
		return fail(p, p->start, "string literal longer than %zu bytes", size - 1);
	memcpy(buf, p->str, p->slen + 1);
	if (offset)
		*offset = p->start;
	return next(p);
}

static int expect_string_eq(struct parser *p, const char *want)
{
	char what[96];

	if (p->type != TOK_STRING || p->slen != strlen(want) || memcmp(p->str, want, p->slen) != 0) {
		snprintf(what, sizeof(what), "the string \"%s\"", want);
		return fail_expected(p, what);
	}
	return next(p);
}

/* `NAME = <want>;` */
static int expect_attr_eq(struct parser *p, const char *name, uint64_t want)
{
	int ret = expect(p, name);

	if (!ret)
		ret = expect(p, "=");
	if (!ret)
		ret = expect_uint_eq(p, want);
	if (!ret)
		ret = expect(p, ";");
	return ret;
}

static int parse_typealiases(struct parser *p)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < N_INT_ALIASES && !ret; i++) {
		const struct int_alias *a = &int_aliases[i];

		/* A format 1 trace ends its aliases here. */
		if (i == N_FORMAT1_INT_ALIASES && tok_is(p, TOK_IDENT, "trace"))
			return fail(p, p->start,
				    "an mprof trace of format 1 (12-byte event headers, tracer_minor 1 or 0): "
				    "this mprof reads format 2 only; read it with the mprof that wrote it");

		ret = expect_seq(p, "typealias integer {");
		if (!ret)
			ret = expect_attr_eq(p, "size", a->bits);
		if (!ret)
			ret = expect_attr_eq(p, "align", a->align);
		if (!ret)
			ret = expect_seq(p, a->is_signed ? "signed = true ;" : "signed = false ;");
		if (!ret && a->clock_mapped)
			ret = expect_seq(p, "map = clock . " CLOCK_NAME " . value ;");
		if (!ret)
			ret = expect_seq(p, "} :=");
		if (!ret)
			ret = expect(p, a->name);
		if (!ret)
			ret = expect(p, ";");
	}
	return ret;
}

/* Expects the tokens of @text (TSDL as we write it): words, punctuation
 * and decimal integers. */
static int expect_tokens(struct parser *p, const char *text)
{
	const char *s = text;
	int ret = 0;

	while (*s && !ret) {
		char word[40];
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (is_ident_start((unsigned char)*s) || (*s >= '0' && *s <= '9'))
			for (n = 0; is_ident_char((unsigned char)s[n]); n++)
				;
		else
			n = 1;
		if (n >= sizeof(word))
			return -EINVAL;
		memcpy(word, s, n);
		word[n] = '\0';
		s += n;
		if (word[0] >= '0' && word[0] <= '9')
			ret = expect_uint_eq(p, strtoull(word, NULL, 10));
		else
			ret = expect(p, word);
	}
	return ret;
}

static int parse_fixed_struct(struct parser *p, const struct fixed_field *f, size_t n)
{
	size_t i;
	int ret = expect_seq(p, "struct {");

	for (i = 0; i < n && !ret; i++) {
		ret = expect(p, f[i].type);
		if (!ret)
			ret = expect(p, f[i].name);
		if (!ret && f[i].array) {
			ret = expect(p, "[");
			if (!ret)
				ret = expect_uint_eq(p, f[i].array);
			if (!ret)
				ret = expect(p, "]");
		}
		if (!ret)
			ret = expect(p, ";");
	}
	if (!ret)
		ret = expect(p, "}");
	return ret;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The canonical 8-4-4-4-12 lower-case form the generator writes. */
static int parse_uuid(struct parser *p, const char *s, size_t offset, uint8_t uuid[16])
{
	size_t i, n = 0;

	if (strlen(s) != 36)
		goto bad;
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				goto bad;
			continue;
		}
		hi = hex_digit((unsigned char)s[i]);
		lo = hex_digit((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		uuid[n++] = (uint8_t)(hi * 16 + lo);
		i++;
	}
	return 0;
bad:
	return fail(p, offset, "expected a UUID string \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\" (lower-case hex)");
}

static int parse_trace(struct parser *p, struct prof_trace_desc *out)
{
	char uuid[40];
	size_t uuid_off = 0;
	int ret;

	ret = expect_seq(p, "trace {");
	if (!ret)
		ret = expect_attr_eq(p, "major", 1);
	if (!ret)
		ret = expect_attr_eq(p, "minor", 8);
	if (!ret)
		ret = expect_seq(p, "uuid =");
	if (!ret)
		ret = expect_string(p, uuid, sizeof(uuid), &uuid_off);
	if (!ret)
		ret = parse_uuid(p, uuid, uuid_off, out->uuid);
	if (!ret)
		ret = expect_seq(p, "; byte_order =");
	if (ret)
		return ret;
	if (tok_is(p, TOK_IDENT, "le"))
		out->byte_order = PROF_BYTE_ORDER_LE;
	else if (tok_is(p, TOK_IDENT, "be"))
		out->byte_order = PROF_BYTE_ORDER_BE;
	else
		return fail_expected(p, "'le' or 'be'");
	ret = next(p);
	if (!ret)
		ret = expect_seq(p, "; packet . header :=");
	if (!ret)
		ret = parse_fixed_struct(p, packet_header_fields, N_OF(packet_header_fields));
	if (!ret)
		ret = expect_seq(p, "; } ;");
	return ret;
}

/*
 * `NAME = "..." ;` into @buf (NUL-terminated, shorter than @size), if the
 * current token is NAME: the origin's keys are each optional (absent when
 * unknown), in the generator's order.  An empty value is refused: the
 * generator leaves such a key out, so the text has one form.
 */
static int optional_env_string(struct parser *p, const char *name, char *buf, size_t size)
{
	size_t start = 0;
	int ret;

	if (!tok_is(p, TOK_IDENT, name))
		return 0;
	ret = next(p);
	if (!ret)
		ret = expect(p, "=");
	if (!ret)
		ret = expect_string(p, buf, size, &start);
	if (!ret && !buf[0])
		return fail(p, start, "expected a non-empty %s (an unknown one is left out)", name);
	if (!ret)
		ret = expect(p, ";");
	return ret;
}

static int parse_origin(struct parser *p, struct prof_trace_origin *o)
{
	size_t start;
	int ret = optional_env_string(p, "hostname", o->hostname, sizeof(o->hostname));

	if (!ret)
		ret = optional_env_string(p, "procname", o->procname, sizeof(o->procname));
	if (!ret && tok_is(p, TOK_IDENT, "vpid")) {
		ret = expect_seq(p, "vpid =");
		start = p->start;
		if (!ret)
			ret = expect_uint(p, &o->pid);
		if (!ret && o->pid == 0)
			return fail(p, start, "expected a non-zero vpid (an unknown one is left out)");
		if (!ret)
			ret = expect(p, ";");
	}
	if (!ret)
		ret = optional_env_string(p, "mprof_version", o->version, sizeof(o->version));
	if (!ret)
		ret = optional_env_string(p, "mprof_cmdline", o->cmdline, sizeof(o->cmdline));
	return ret;
}

static int parse_counts(struct parser *p, struct prof_region_counts *counts)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < N_OF(counts_env) && !ret; i++) {
		uint64_t v = 0;

		ret = expect(p, counts_env[i].name);
		if (!ret)
			ret = expect(p, "=");
		if (!ret)
			ret = expect_uint(p, &v);
		if (!ret)
			ret = expect(p, ";");
		if (!ret)
			memcpy((unsigned char *)counts + counts_env[i].offset, &v, sizeof(v));
	}
	return ret;
}

static int parse_env(struct parser *p, struct prof_trace_desc *out)
{
	struct prof_clock_desc *c = &out->clock;
	uint64_t minor = 0;
	size_t i, start;
	int ret;

	ret = expect_seq(p, "env { domain =");
	if (!ret)
		ret = expect_string_eq(p, "mprof");
	if (!ret)
		ret = expect_seq(p, "; tracer_name =");
	if (!ret)
		ret = expect_string_eq(p, "mprof");
	if (!ret)
		ret = expect(p, ";");
	if (!ret)
		ret = expect_attr_eq(p, "tracer_major", TRACER_MAJOR);
	if (!ret)
		ret = expect_seq(p, "tracer_minor =");
	if (!ret) {
		start = p->start;
		ret = expect_uint(p, &minor);
		if (!ret && minor > TRACER_MINOR)
			return fail(p, start, "tracer_minor %llu is newer than this reader's %u: update mprof",
				    (unsigned long long)minor, TRACER_MINOR);
	}
	if (!ret)
		ret = expect(p, ";");
	if (!ret && minor >= 1)
		ret = parse_origin(p, &out->origin);
	for (i = 0; i < N_OF(clock_env) && !ret; i++) {
		unsigned char *field = (unsigned char *)c + clock_env[i].offset;
		uint64_t v = 0;

		start = 0;
		ret = expect(p, clock_env[i].name);
		if (!ret)
			ret = expect(p, "=");
		if (!ret) {
			start = p->start;
			ret = expect_uint(p, &v);
		}
		if (!ret)
			ret = expect(p, ";");
		if (ret)
			break;
		if (clock_env[i].size == 4) {
			uint32_t v32 = (uint32_t)v;

			if (v > UINT32_MAX)
				return fail(p, start, "%s does not fit 32 bits", clock_env[i].name);
			memcpy(field, &v32, 4);
		} else {
			memcpy(field, &v, 8);
		}
		if (clock_env[i].offset == offsetof(struct prof_clock_desc, source) &&
		    (v < PROF_CLOCK_TSC || v > PROF_CLOCK_PLATFORM))
			return fail(p, start, "expected a clock source 1 (TSC), 2 (monotonic) or 3 (platform)");
		if (clock_env[i].offset == offsetof(struct prof_clock_desc, calibrated) && v > 1)
			return fail(p, start, "expected clock_calibrated 0 or 1");
		if (clock_env[i].offset == offsetof(struct prof_clock_desc, freq_hz) && v == 0)
			return fail(p, start, "expected a non-zero clock frequency");
	}
	if (!ret && minor >= 1)
		ret = parse_counts(p, &out->counts);
	if (!ret)
		ret = expect_seq(p, "} ;");
	return ret;
}

static int parse_clock(struct parser *p, const struct prof_clock_desc *c)
{
	uint64_t offset_s, offset_cyc;
	int ret;

	clock_offset(c, &offset_s, &offset_cyc);
	ret = expect_seq(p, "clock { name =");
	if (!ret)
		ret = expect_string_eq(p, CLOCK_NAME);
	if (!ret)
		ret = expect_seq(p, "; description =");
	if (!ret)
		ret = expect_string_eq(p, clock_description(c));
	if (!ret)
		ret = expect(p, ";");
	/* The clock's values are derived from env: they must agree with it. */
	if (!ret)
		ret = expect_attr_eq(p, "freq", c->freq_hz);
	if (!ret)
		ret = expect_attr_eq(p, "precision", CLOCK_PRECISION);
	if (!ret)
		ret = expect_attr_eq(p, "offset_s", offset_s);
	if (!ret)
		ret = expect_attr_eq(p, "offset", offset_cyc);
	if (!ret)
		ret = expect_seq(p, "absolute = true ; } ;");
	return ret;
}

static int parse_stream(struct parser *p)
{
	int ret;

	ret = expect_seq(p, "stream {");
	if (!ret)
		ret = expect_attr_eq(p, "id", 0);
	if (!ret)
		ret = expect_seq(p, "packet . context :=");
	if (!ret)
		ret = parse_fixed_struct(p, packet_context_fields, N_OF(packet_context_fields));
	if (!ret)
		ret = expect_seq(p, "; event . header :=");
	if (!ret)
		ret = expect_tokens(p, event_header_tsdl);
	if (!ret)
		ret = expect_seq(p, "; } ;");
	return ret;
}

static int parse_uint_at(const char **s, uint64_t max, uint64_t *v)
{
	const char *c = *s;
	uint64_t x = 0;

	if (*c < '0' || *c > '9' || (c[0] == '0' && c[1] >= '0' && c[1] <= '9'))
		return -1;
	for (; *c >= '0' && *c <= '9'; c++) {
		x = x * 10 + (uint64_t)(*c - '0');
		if (x > max)
			return -1;
	}
	*v = x;
	*s = c;
	return 0;
}

/* "mprof:kind=K;bounds=B0,B1,..." with one bound per field. */
static int parse_uri(struct parser *p, const char *uri, size_t offset, struct prof_schema_event *ev)
{
	const char *s = uri;
	uint64_t v;
	uint32_t j;

	if (strncmp(s, URI_PREFIX, strlen(URI_PREFIX)) != 0)
		return fail(p, offset, "expected model.emf.uri \"" URI_PREFIX "K;bounds=...\"");
	s += strlen(URI_PREFIX);
	if (parse_uint_at(&s, PROF_KIND_INSTANT, &v))
		return fail(p, offset, "expected an event kind 0..%u after 'kind=' in model.emf.uri", PROF_KIND_INSTANT);
	ev->kind = (uint16_t)v;
	if (strncmp(s, ";bounds=", 8) != 0)
		return fail(p, offset, "expected ';bounds=' after the kind in model.emf.uri");
	s += 8;
	for (j = 0; j < ev->nfields; j++) {
		uint64_t max = ev->fields[j].type == PROF_TYPE_STRING ? PROF_MAX_STRING_BOUND : UINT16_MAX;

		if (j && *s++ != ',')
			return fail(p, offset, "expected %u comma-separated bounds in model.emf.uri", ev->nfields);
		if (parse_uint_at(&s, max, &v))
			return fail(p, offset, "expected bound %u of model.emf.uri to be an integer <= %llu", j,
				    (unsigned long long)max);
		ev->fields[j].bound = (uint16_t)v;
	}
	if (*s)
		return fail(p, offset, "expected model.emf.uri to end after %u bounds", ev->nfields);
	return 0;
}

/* One payload field: its type, then its (possibly '_'-escaped) name. */
static int parse_field(struct parser *p, struct prof_schema_event *ev)
{
	struct prof_schema_field *f = &ev->fields[ev->nfields];
	const char *name;
	size_t i, n, start;
	int ret = 0;

	if (ev->nfields >= PROF_MAX_FIELDS)
		return fail(p, p->start, "expected '}': an event has at most %u fields", PROF_MAX_FIELDS);
	memset(f, 0, sizeof(*f));
	if (tok_is(p, TOK_IDENT, "floating_point")) {
		f->type = PROF_TYPE_F64;
		ret = expect_seq(p, "floating_point {");
		if (!ret)
			ret = expect_attr_eq(p, "exp_dig", 11);
		if (!ret)
			ret = expect_attr_eq(p, "mant_dig", 53);
		if (!ret)
			ret = expect_attr_eq(p, "align", 8);
		if (!ret)
			ret = expect(p, "}");
	} else if (tok_is(p, TOK_IDENT, "string")) {
		f->type = PROF_TYPE_STRING;
		ret = expect_seq(p, "string { encoding = UTF8 ; }");
	} else {
		for (i = 0; i < N_PAYLOAD_INT_ALIASES; i++)
			if (tok_is(p, TOK_IDENT, int_aliases[i].name))
				break;
		if (i == N_PAYLOAD_INT_ALIASES)
			return fail_expected(p, "a field type (uint8_t..int64_t, floating_point, string) or '}'");
		f->type = (uint8_t)(PROF_TYPE_U8 + i);
		ret = next(p);
	}
	if (ret)
		return ret;

	if (p->type != TOK_IDENT)
		return fail_expected(p, "a field name");
	start = p->start;
	name = p->text + p->start;
	n = p->tlen;
	if (n >= 2 && name[0] == '_') {
		name++;
		n--;
	}
	if (n >= PROF_FIELD_NAME_MAX)
		return fail(p, start, "field name longer than %u bytes", PROF_FIELD_NAME_MAX - 1);
	memcpy(f->name, name, n);
	f->name[n] = '\0';
	/* Only the generator's spelling is accepted, so names round-trip. */
	if ((name != p->text + p->start) != field_needs_prefix(f->name))
		return fail(p, start, "field name '%s' is not in the generator's form (%s'_' prefix expected)",
			    f->name, field_needs_prefix(f->name) ? "a " : "no ");
	for (i = 0; i < ev->nfields; i++)
		if (strcmp(ev->fields[i].name, f->name) == 0)
			return fail(p, start, "duplicate field name '%s'", f->name);
	ret = next(p);
	if (!ret)
		ret = expect(p, ";");
	if (!ret)
		ev->nfields++;
	return ret;
}

/* Checks a parsed event with the one event check (a hole passes: it has
 * no event) and sets its sizes. */
static int event_sizes(struct parser *p, size_t offset, struct prof_schema_event *ev)
{
	struct prof__event_fault fault;

	if (!is_hole(ev) &&
	    prof__event_schema_validate(ev->name, sizeof(ev->name), ev->kind, ev->nfields, ev->fields, &fault) != 0) {
		if (fault.field < 0)
			return fail(p, offset, "event %u: %s", ev->id, prof__event_problem_text(fault.problem));
		return fail(p, offset, "event %u: field %d ('%s'): %s", ev->id, fault.field, ev->fields[fault.field].name,
			    prof__event_problem_text(fault.problem));
	}
	prof_schema_event_sizes(ev);
	return 0;
}

static int parse_event(struct parser *p, uint32_t index, struct prof_schema_event *ev)
{
	char uri[MAX_STRING_TOKEN];
	size_t uri_off = 0, event_off;
	int ret;

	memset(ev, 0, sizeof(*ev));
	ev->id = index;
	event_off = p->start;
	ret = expect_seq(p, "event { name =");
	if (!ret)
		ret = expect_string(p, ev->name, sizeof(ev->name), NULL);
	if (!ret)
		ret = expect(p, ";");
	if (!ret)
		ret = expect_attr_eq(p, "id", index);
	if (!ret)
		ret = expect_attr_eq(p, "stream_id", 0);
	if (!ret)
		ret = expect_seq(p, "model . emf . uri =");
	if (!ret)
		ret = expect_string(p, uri, sizeof(uri), &uri_off);
	if (!ret)
		ret = expect_seq(p, "; fields := struct {");
	while (!ret && !tok_is(p, TOK_PUNCT, "}"))
		ret = parse_field(p, ev);
	if (!ret)
		ret = expect_seq(p, "} ; } ;");
	if (!ret)
		ret = parse_uri(p, uri, uri_off, ev);
	if (!ret)
		ret = event_sizes(p, event_off, ev);
	return ret;
}

static int parse_events(struct parser *p, struct prof_schema *schema)
{
	uint32_t cap = 0;
	int ret = 0;

	while (!ret && p->type != TOK_EOF) {
		if (schema->count == PROF_MAX_EVENTS)
			return fail(p, p->start, "expected end of file: at most %u events", PROF_MAX_EVENTS);
		if (schema->count == cap) {
			uint32_t ncap = cap ? cap * 2 : 16;
			struct prof_schema_event *n;

			if (ncap > PROF_MAX_EVENTS)
				ncap = PROF_MAX_EVENTS;
			n = realloc(schema->events, ncap * sizeof(*n));
			if (!n)
				return prof_error_set(p->err, -ENOMEM, p->file, p->start, "out of memory");
			schema->events = n;
			cap = ncap;
		}
		if (!tok_is(p, TOK_IDENT, "event"))
			return fail_expected(p, "'event' or end of file");
		ret = parse_event(p, schema->count, &schema->events[schema->count]);
		if (!ret)
			schema->count++;
	}
	return ret;
}

/* Finds `tracer_name = "X"` in @text (comments and all); copies X to @name. */
static bool find_tracer_name(const char *text, size_t len, char *name, size_t size)
{
	static const char key[] = "tracer_name";
	size_t i = 0, j, n;

	while (i + sizeof(key) - 1 <= len) {
		const char *hit = memmem(text + i, len - i, key, sizeof(key) - 1);

		if (!hit)
			return false;
		j = (size_t)(hit - text) + sizeof(key) - 1;
		i = j;
		while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'))
			j++;
		if (j >= len || text[j] != '=')
			continue;
		for (j++; j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'); j++)
			;
		if (j >= len || text[j] != '"')
			continue;
		for (n = 0, j++; j < len && text[j] != '"' && n + 1 < size; j++)
			name[n++] = (unsigned char)text[j] >= 0x20 && (unsigned char)text[j] < 0x7f ? text[j] : '?';
		name[n] = '\0';
		if (j < len && text[j] == '"')
			return true; /* a cut text may end inside the name */
	}
	return false;
}

/*
 * refuse_foreign() - after a parse error, say plainly whether the text is
 * CTF that mprof did not write: LTTng's packetized metadata (binary, it
 * starts with the packet magic), or TSDL whose env names another tracer.  Such a trace is refused with -ENOTSUP and a pointer to
 * babeltrace2 instead of a parser offset.  Metadata that says it is
 * mprof's keeps the precise error: it is a damaged mprof trace.
 */
static int refuse_foreign(struct parser *p, int ret)
{
	char tracer[64];
	uint32_t magic;

	if (p->len >= 4) {
		memcpy(&magic, p->text, 4);
		if (magic == PACKETIZED_MAGIC || __builtin_bswap32(magic) == PACKETIZED_MAGIC)
			return prof_error_set(p->err, -ENOTSUP, p->file, UINT64_MAX,
					      "not an mprof trace: CTF metadata in packetized form (LTTng's); "
					      "mprof reads only the traces it writes: read this one with babeltrace2");
	}
	if (p->len < 9 || memcmp(p->text, "/* CTF 1.", 9) != 0)
		return ret; /* not CTF text at all: the parser's error says why */
	if (find_tracer_name(p->text, p->len, tracer, sizeof(tracer))) {
		if (strcmp(tracer, "mprof") == 0)
			return ret;
		return prof_error_set(p->err, -ENOTSUP, p->file, UINT64_MAX,
				      "not an mprof trace: CTF written by tracer \"%s\"; mprof reads only the traces "
				      "it writes: read this one with babeltrace2", tracer);
	}
	/* No tracer named (yet): a cut or damaged mprof text looks the same. */
	return ret;
}

PROF_EXPORT int prof_ctf_metadata_parse(const char *text, size_t len, const char *file,
					struct prof_trace_desc *out, struct prof_error *err)
{
	struct parser p;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!text)
		return prof_error_set(err, -EINVAL, file, UINT64_MAX, "no metadata text");
	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = len;
	p.file = file;
	p.err = err;

	if (len < strlen(SIGNATURE) || memcmp(text, SIGNATURE, strlen(SIGNATURE)) != 0) {
		ret = fail(&p, 0, "expected the TSDL signature '" SIGNATURE "' at the start");
		goto out;
	}
	ret = next(&p);
	if (!ret)
		ret = parse_typealiases(&p);
	if (!ret)
		ret = parse_trace(&p, out);
	if (!ret)
		ret = parse_env(&p, out);
	if (!ret)
		ret = parse_clock(&p, &out->clock);
	if (!ret)
		ret = parse_stream(&p);
	if (!ret)
		ret = parse_events(&p, &out->schema);
out:
	if (ret == -EINVAL)
		ret = refuse_foreign(&p, ret);
	if (ret)
		prof_trace_desc_free(out);
	return ret;
}

PROF_EXPORT void prof_trace_desc_free(struct prof_trace_desc *desc)
{
	if (!desc)
		return;
	free(desc->schema.events);
	memset(desc, 0, sizeof(*desc));
}
