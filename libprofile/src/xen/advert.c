/* SPDX-License-Identifier: MIT */
/*
 * src/xen/advert.c - dom0's strict parser of a guest's advertisement.
 *
 * Contract (as src/read/drain.c's for region bytes): every value comes
 * from the guest and is hostile.  Each is read into a private buffer of
 * bounded size, parsed completely (a value is accepted only if every byte
 * of it is understood), and bounded against what the collector is willing
 * to map (PROF_XEN_MAX_PAGES) before anything is mapped.  An error names
 * the domain and the key.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/xen.h"

/* A strict decimal u32: digits only, no leading zero (but "0"), no overflow. */
static int parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* A printable excerpt of a bad value for a message. */
static const char *excerpt(const char *s, size_t len, char *buf, size_t size)
{
	size_t i, n = len < size - 4 ? len : size - 4;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	if (n < len)
		buf[n++] = '.', buf[n++] = '.', buf[n++] = '.';
	buf[n] = 0;
	return buf;
}

struct parse {
	prof_xen_read_fn read;
	void *ctx;
	const char *domain;
	struct prof_error *err;
	char buf[PROF_XEN_VALUE_MAX];
	size_t len;
};

/* Read @key into p->buf; 1 if present, 0 if absent, or a negative errno. */
static int get(struct parse *p, const char *key)
{
	int n = p->read(p->ctx, key, p->buf, sizeof(p->buf));

	if (n == -ENOENT)
		return 0;
	if (n == -E2BIG || n > (int)sizeof(p->buf))
		return prof_error_set(p->err, -EINVAL, p->domain, UINT64_MAX, "%s: longer than %u bytes", key,
				      PROF_XEN_VALUE_MAX);
	if (n < 0)
		return prof_error_set(p->err, n, p->domain, UINT64_MAX, "%s: cannot read it: %s", key,
				      strerror(-n));
	p->len = (size_t)n;
	return 1;
}

static int get_u32(struct parse *p, unsigned k, uint32_t lo, uint32_t hi, uint32_t *out, int required)
{
	const char *key = prof_xen_key_name(k);
	char ex[40];
	int ret = get(p, key);

	if (ret < 0)
		return ret;
	if (ret == 0)
		return required ? prof_error_set(p->err, -EINVAL, p->domain, UINT64_MAX, "%s: missing", key) : 0;
	if (parse_u32(p->buf, p->len, out) || *out < lo || *out > hi)
		return prof_error_set(p->err, -EINVAL, p->domain, UINT64_MAX,
				      "%s: '%s' is not a decimal number from %u to %u", key,
				      excerpt(p->buf, p->len, ex, sizeof(ex)), lo, hi);
	return 1;
}

/* Parse the comma-separated refs in p->buf into out->refs[*n...]. */
static int parse_refs(struct parse *p, const char *key, struct prof_xen_advert *out, uint32_t *n, uint32_t max)
{
	size_t i = 0, start;
	char ex[40];

	if (p->len == 0)
		return prof_error_set(p->err, -EINVAL, p->domain, UINT64_MAX, "%s: empty", key);
	while (i <= p->len) {
		start = i;
		while (i < p->len && p->buf[i] != ',')
			i++;
		if (*n >= max)
			return prof_error_set(p->err, -EINVAL, p->domain, UINT64_MAX,
					      "%s: more than the %u refs expected", key, max);
		if (parse_u32(p->buf + start, i - start, &out->refs[*n]) || out->refs[*n] < 8)
			return prof_error_set(p->err, -EINVAL, p->domain, UINT64_MAX,
					      "%s: ref %u: '%s' is not a grant ref (a decimal number from 8)", key, *n,
					      excerpt(p->buf + start, i - start, ex, sizeof(ex)));
		(*n)++;
		i++; /* past the comma, or past the end */
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Refuse a ref given twice (two pages aliased). */
static int check_unique(struct parse *p, const char *key, const struct prof_xen_advert *out)
{
	uint32_t *copy = malloc(out->npages * sizeof(*copy));
	uint32_t i;
	int ret = 0;

	if (!copy)
		return prof_error_set(p->err, -ENOMEM, p->domain, UINT64_MAX, "out of memory");
	memcpy(copy, out->refs, out->npages * sizeof(*copy));
	qsort(copy, out->npages, sizeof(*copy), cmp_u32);
	for (i = 1; i < out->npages && !ret; i++)
		if (copy[i] == copy[i - 1])
			ret = prof_error_set(p->err, -EINVAL, p->domain, UINT64_MAX, "%s: ref %u given twice", key,
					     copy[i]);
	free(copy);
	copy = NULL;
	return ret;
}

PROF_EXPORT int prof_xen_advert_parse(prof_xen_read_fn read, void *ctx, const char *domain,
				      struct prof_xen_advert *out, struct prof_error *err)
{
	struct parse *p = calloc(1, sizeof(*p));
	const char *key = NULL;
	char chunk_key[80], ex[40];
	uint32_t n = 0, i, chunks;
	size_t comma;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!p)
		return prof_error_set(err, -ENOMEM, domain, UINT64_MAX, "out of memory");
	p->read = read;
	p->ctx = ctx;
	p->domain = domain;
	p->err = err;

	/* The state key is the commit point; without it only the seed's key counts. */
	key = prof_xen_key_name(PROF_XEN_KEY_STATE);
	ret = get(p, key);
	if (ret < 0)
		goto out;
	if (ret == 0) {
		key = prof_xen_key_name(PROF_XEN_KEY_RING_REF);
		ret = get(p, key);
		if (ret <= 0) {
			ret = ret ? ret : prof_error_set(err, -ENOENT, domain, UINT64_MAX, "no %s/ advertisement",
							 PROF_XEN_DIR);
			goto out;
		}
		ret = parse_refs(p, key, out, &n, PROF_XEN_MAX_PAGES);
		if (ret)
			goto out;
		out->legacy = 1;
		out->npages = n;
		out->poll_ms = 100;
		ret = check_unique(p, key, out);
		goto out;
	}
	if (p->len == 7 && !memcmp(p->buf, "running", 7))
		out->done = 0;
	else if (p->len == 4 && !memcmp(p->buf, "done", 4))
		out->done = 1;
	else if (p->len == 9 && !memcmp(p->buf, "collected", 9))
		out->done = 2;
	else {
		ret = prof_error_set(err, -EINVAL, domain, UINT64_MAX, "%s: '%s' is not 'running', 'done' or 'collected'", key,
				     excerpt(p->buf, p->len, ex, sizeof(ex)));
		goto out;
	}
	ret = get_u32(p, PROF_XEN_KEY_LAYOUT, 0, UINT32_MAX, &out->layout, 1);
	if (ret < 0)
		goto out;
	if (out->layout != PROF_XEN_LAYOUT_VERSION) {
		ret = prof_error_set(err, -ENOTSUP, domain, UINT64_MAX, "%s: layout %u (this collector reads %u)",
				     prof_xen_key_name(PROF_XEN_KEY_LAYOUT), out->layout, PROF_XEN_LAYOUT_VERSION);
		goto out;
	}
	ret = get_u32(p, PROF_XEN_KEY_PAGES, 1, PROF_XEN_MAX_PAGES, &out->npages, 1);
	if (ret < 0)
		goto out;

	key = prof_xen_key_name(PROF_XEN_KEY_RW_PAGES);
	ret = get(p, key);
	if (ret <= 0) {
		ret = ret ? ret : prof_error_set(err, -EINVAL, domain, UINT64_MAX, "%s: missing", key);
		goto out;
	}
	for (comma = 0; comma < p->len && p->buf[comma] != ','; comma++)
		;
	if (comma == p->len || parse_u32(p->buf, comma, &out->rw_first) ||
	    parse_u32(p->buf + comma + 1, p->len - comma - 1, &out->rw_count) || out->rw_first == 0 ||
	    out->rw_count == 0 || out->rw_first >= out->npages || out->rw_count > out->npages - out->rw_first) {
		ret = prof_error_set(err, -EINVAL, domain, UINT64_MAX,
				     "%s: '%s' is not FIRST,COUNT of pages inside the region's %u", key,
				     excerpt(p->buf, p->len, ex, sizeof(ex)), out->npages);
		goto out;
	}

	key = prof_xen_key_name(PROF_XEN_KEY_REFS);
	ret = get(p, key);
	if (ret < 0)
		goto out;
	/* XenStore gives refs/0's parent an empty value: chunks follow. */
	if (ret == 1 && p->len > 0) {
		ret = parse_refs(p, key, out, &n, out->npages);
		if (ret)
			goto out;
	} else {
		chunks = (out->npages + PROF_XEN_REFS_PER_KEY - 1) / PROF_XEN_REFS_PER_KEY;
		for (i = 0; i < chunks; i++) {
			uint32_t want = i + 1 < chunks ? PROF_XEN_REFS_PER_KEY * (i + 1) : out->npages;

			snprintf(chunk_key, sizeof(chunk_key), "%s/%u", key, i);
			ret = get(p, chunk_key);
			if (ret <= 0) {
				ret = ret ? ret : prof_error_set(err, -EINVAL, domain, UINT64_MAX, "%s: missing",
								 i ? chunk_key : key);
				goto out;
			}
			ret = parse_refs(p, chunk_key, out, &n, want);
			if (ret)
				goto out;
			if (n != want) {
				ret = prof_error_set(err, -EINVAL, domain, UINT64_MAX, "%s: %u refs, expected %u",
						     chunk_key, n - i * PROF_XEN_REFS_PER_KEY,
						     want - i * PROF_XEN_REFS_PER_KEY);
				goto out;
			}
		}
	}
	if (n != out->npages) {
		ret = prof_error_set(err, -EINVAL, domain, UINT64_MAX, "%s: %u refs for %u pages", key, n, out->npages);
		goto out;
	}
	ret = check_unique(p, key, out);
	if (ret)
		goto out;

	ret = get_u32(p, PROF_XEN_KEY_POLL_MS, 1, 60000, &out->poll_ms, 0);
	if (ret < 0)
		goto out;
	if (ret == 0) {
		out->poll_ms = 0;
		ret = get_u32(p, PROF_XEN_KEY_EVTCHN, 0, UINT32_MAX, &out->evtchn, 0);
		if (ret < 0)
			goto out;
		if (ret == 0) {
			ret = prof_error_set(err, -EINVAL, domain, UINT64_MAX, "neither %s nor %s is given",
					     prof_xen_key_name(PROF_XEN_KEY_POLL_MS), prof_xen_key_name(PROF_XEN_KEY_EVTCHN));
			goto out;
		}
		out->has_evtchn = 1;
	}

	key = prof_xen_key_name(PROF_XEN_KEY_NAME);
	ret = get(p, key);
	if (ret < 0)
		goto out;
	if (ret == 1) {
		if (p->len >= sizeof(out->name)) {
			ret = prof_error_set(err, -EINVAL, domain, UINT64_MAX, "%s: longer than %zu bytes", key,
					     sizeof(out->name) - 1);
			goto out;
		}
		for (i = 0; i < p->len; i++)
			if ((unsigned char)p->buf[i] < 0x20 || (unsigned char)p->buf[i] >= 0x7f) {
				ret = prof_error_set(err, -EINVAL, domain, UINT64_MAX,
						     "%s: byte %u is not printable ASCII", key, i);
				goto out;
			}
		memcpy(out->name, p->buf, p->len);
		out->name[p->len] = 0;
	}
	ret = 0;
out:
	free(p);
	p = NULL;
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
