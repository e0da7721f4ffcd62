/* SPDX-License-Identifier: MIT */
/* profile/profile.h - libprofile, the mprof trace library: everything. */
#ifndef PROFILE_PROFILE_H
#define PROFILE_PROFILE_H
#include "profile/error.h"
#include "profile/event.h"
#include "profile/format.h"
#include "profile/gc.h"
#include "profile/platform.h"
#include "profile/region.h"
#include "profile/read.h"
#include "profile/ctf.h"
#include "profile/analysis.h"
#include "profile/version.h"
#endif
