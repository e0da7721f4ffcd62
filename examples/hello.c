/* SPDX-License-Identifier: MIT */
#include <profile/profile.h>
PROF_EVENT(hello_ev, "hello", (u64, n), (u32, k), (f64, x), (str(16), s), (s32, neg));
PROF_SPAN(work, "work", (u32, item));
int main(void)
{
	for (unsigned i = 0; i < 1000; i++) {
		PROF_SPAN_BEGIN(work, i);
		PROF_EMIT(hello_ev, i, i * 2, i / 4.0, "hi", -(int)i);
		PROF_SPAN_END(work);
	}
	return 0;
}
