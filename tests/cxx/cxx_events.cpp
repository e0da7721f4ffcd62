// SPDX-License-Identifier: MIT
//
// libprofile used from C++17: every public header included, and
// PROF_EVENT, PROF_INSTANT, PROF_COUNTER, PROF_SPAN and PROF_EMIT used
// (built with g++ -std=c++17 -Wall -Wextra -Werror -pedantic by
// tests/cxx/module.mk).  tests/t_cxx_record.sh records it with
// `mprof record` and checks the trace with babeltrace2.
#include <cstdint>
#include <cstdio>
#include <string>

#include "profile/profile.h"
#include "profile/ctf.h"
#include "profile/error.h"
#include "profile/event.h"
#include "profile/export.h"
#include "profile/format.h"
#include "profile/gc.h"
#include "profile/platform.h"
#include "profile/read.h"
#include "profile/region.h"

PROF_EVENT(cxx_value, "cxx.value", (u64, n), (s32, neg), (f64, half), (str(16), label));
PROF_INSTANT(cxx_mark, "cxx.mark");
PROF_COUNTER(cxx_count, "cxx.count", u32);
PROF_SPAN(cxx_work, "cxx.work", (u32, item));

namespace {

class Worker {
public:
	explicit Worker(std::string name) : name_(std::move(name)) {}
	void run(uint32_t items)
	{
		for (uint32_t i = 0; i < items; i++) {
			PROF_SPAN_BEGIN(cxx_work, i);
			PROF_EMIT(cxx_value, static_cast<uint64_t>(i), -static_cast<int32_t>(i), i / 2.0, name_.c_str());
			PROF_EMIT(cxx_count, i * 10);
			PROF_SPAN_END(cxx_work);
		}
		PROF_EMIT(cxx_mark);
	}

private:
	std::string name_;
};

} // namespace

int main()
{
	Worker w("from-c++");

	w.run(5);
	std::printf("cxx_events: 5 items\n");
	return 0;
}
