/* SPDX-License-Identifier: MIT */
/*
 * core/region.c - region geometry, formatting, attach and detach.
 *
 * The layout (see profile/format.h for the diagram) is a pure function of
 * five numbers: mode, packet_size, packets_per_stream, stream_slots and
 * max_events.  Both sides compute it with prof_region_layout(), so a reader
 * can check every offset a header claims instead of trusting it.
 *
 *   header page | schema pages | slot pages | consumer pages | rings
 *
 * The consumer pages hold the only words a collector writes; every other
 * page is written by the producer alone and can be shared read-only.
 */
#include "profile/errno.h"

#include "core/internal.h"

struct prof__attached prof__region;

static uint64_t round_to_page(uint64_t n)
{
	return (n + PROF_PAGE_SIZE - 1) & ~(uint64_t)(PROF_PAGE_SIZE - 1);
}

PROF_EXPORT int prof_region_layout(uint32_t cfg_mode, uint32_t packet_size, uint32_t packets_per_stream,
				   uint32_t stream_slots, uint32_t max_events, struct prof_region_header *hdr)
{
	uint64_t off, ring_bytes;

	if (cfg_mode > PROF_MODE_OVERWRITE || packet_size < PROF_MIN_PACKET_SIZE ||
	    packet_size > PROF_MAX_PACKET_SIZE || (packet_size & (packet_size - 1)) != 0 ||
	    packets_per_stream < 2 || packets_per_stream > (1u << 20) || stream_slots < 1 ||
	    stream_slots > PROF_MAX_STREAMS || max_events < 1 || max_events > PROF_MAX_EVENTS)
		return -PROF_EINVAL;
	/* Bounded above: 4096 streams x 2^20 packets x 64 MiB fits in 64 bits. */
	ring_bytes = (uint64_t)stream_slots * packets_per_stream * packet_size;

	prof__bytes_zero(hdr, sizeof(*hdr));
	prof__bytes_copy(hdr->magic, PROF_REGION_MAGIC, sizeof(PROF_REGION_MAGIC));
	hdr->version = PROF_REGION_VERSION;
	hdr->header_size = sizeof(*hdr);
	hdr->byte_order = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? PROF_BYTE_ORDER_LE : PROF_BYTE_ORDER_BE;
	hdr->page_size = PROF_PAGE_SIZE;
	hdr->mode = cfg_mode;
	hdr->packet_size = packet_size;
	hdr->packets_per_stream = packets_per_stream;
	hdr->stream_slots = stream_slots;
	hdr->max_events = max_events;
	hdr->schema_record_size = sizeof(struct prof_schema_record);
	off = PROF_PAGE_SIZE;
	hdr->schema_offset = off;
	off += round_to_page((uint64_t)max_events * sizeof(struct prof_schema_record));
	hdr->slots_offset = off;
	off += round_to_page((uint64_t)stream_slots * sizeof(struct prof_slot));
	hdr->consumer_offset = off;
	off += round_to_page((uint64_t)stream_slots * sizeof(struct prof_consumer_pos));
	hdr->rings_offset = off;
	hdr->region_size = off + ring_bytes;
	return 0;
}

int prof__region_header_check(const struct prof_region_header *hdr, uint64_t size)
{
	struct prof_region_header want;

	if (!prof__str_eq(hdr->magic, PROF_REGION_MAGIC) || hdr->version != PROF_REGION_VERSION ||
	    hdr->header_size != sizeof(*hdr) || hdr->page_size != PROF_PAGE_SIZE)
		return -PROF_EINVAL;
	if (prof_region_layout(hdr->mode, hdr->packet_size, hdr->packets_per_stream, hdr->stream_slots,
			       hdr->max_events, &want) != 0)
		return -PROF_EINVAL;
	if (hdr->byte_order != want.byte_order || hdr->schema_record_size != want.schema_record_size ||
	    hdr->schema_offset != want.schema_offset || hdr->slots_offset != want.slots_offset ||
	    hdr->consumer_offset != want.consumer_offset || hdr->rings_offset != want.rings_offset ||
	    hdr->region_size != want.region_size || hdr->region_size > size)
		return -PROF_EINVAL;
	return 0;
}

PROF_EXPORT int prof_region_format(void *mem, uint64_t size, const struct prof_region_header *hdr)
{
	struct prof_region_header *dst = mem;

	if (!mem || !hdr || ((uintptr_t)mem & (PROF_PAGE_SIZE - 1)) != 0)
		return -PROF_EINVAL;
	if (prof__region_header_check(hdr, size) != 0)
		return -PROF_EINVAL;
	/* The caller hands over zeroed memory: slots free, heads and tails 0. */
	prof__bytes_copy(dst, hdr, sizeof(*hdr));
	__atomic_store_n(&dst->schema_count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->dropped_no_slot, 0, __ATOMIC_RELAXED);
	return 0;
}

PROF_EXPORT int prof_region_attach(void *mem, uint64_t size, const struct prof_platform *platform)
{
	struct prof_region_header h;
	int ret = 0;

	if (!mem || !platform || !platform->thread_id)
		return -PROF_EINVAL;
	/* Copy, then validate, then use only the copy: the header is shared
	 * memory, and the geometry taken from it bounds every write the
	 * producer makes from now on. */
	prof__bytes_copy(&h, mem, sizeof(h));
	if (prof__region_header_check(&h, size) != 0)
		return -PROF_EINVAL;
	if (h.clock.source != PROF_CLOCK_TSC && !platform->now)
		return -PROF_EINVAL;

	if (prof__lock() != 0)
		return -PROF_EDEADLK;
	if (prof__region.base) {
		ret = -PROF_EBUSY;
		goto out;
	}
	/* Forget the private stream state: each slot's is taken over, once
	 * and bounded, at its first claim (core/stream.c). */
	prof__writers_reset();
	prof__region.base = mem;
	prof__region.size = size;
	prof__region.hdr = mem;
	prof__region.schema = (struct prof_schema_record *)(void *)((uint8_t *)mem + h.schema_offset);
	prof__region.slots = (struct prof_slot *)(void *)((uint8_t *)mem + h.slots_offset);
	prof__region.consumer = (struct prof_consumer_pos *)(void *)((uint8_t *)mem + h.consumer_offset);
	prof__region.rings = (uint8_t *)mem + h.rings_offset;
	prof__region.mode = h.mode;
	prof__region.packet_size = h.packet_size;
	prof__region.packets_per_stream = h.packets_per_stream;
	prof__region.stream_slots = h.stream_slots;
	prof__region.max_events = h.max_events;
	prof__bytes_copy(prof__region.uuid, h.uuid, 16);
	prof__region.platform = *platform;
	prof__clock_is_tsc = h.clock.source == PROF_CLOCK_TSC;
	prof__schema_publish_all();
	prof__events_refresh_enabled();
out:
	prof__unlock();
	return ret;
}

PROF_EXPORT int prof_region_detach(void)
{
	int ret = 0;

	if (prof__lock() != 0)
		return -PROF_EDEADLK;
	if (!prof__region.base) {
		ret = -PROF_ENOENT;
		goto out;
	}
	prof__region.base = NULL;
	prof__events_refresh_enabled();
	prof__writers_reset();
	prof__bytes_zero(&prof__region, sizeof(prof__region));
out:
	prof__unlock();
	return ret;
}

/* The host's attach hook.  Set by the host before threads emit (the posix
 * host does it in a constructor); read at each first use. */
static void (*host_attach_hook)(void);

PROF_EXPORT void prof_host_set_attach_hook(void (*hook)(void))
{
	/* Pairs with the acquire load in prof__host_first_use(). */
	__atomic_store_n(&host_attach_hook, hook, __ATOMIC_RELEASE);
}

void prof__host_first_use(void)
{
	/* Pairs with the release store in prof_host_set_attach_hook(). */
	void (*hook)(void) = __atomic_load_n(&host_attach_hook, __ATOMIC_ACQUIRE);

	if (hook)
		hook();
}
