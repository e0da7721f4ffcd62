/* SPDX-License-Identifier: MIT */
/*
 * ctf/ctf_private.h - the trace writer's internals that tests reach.
 */
#ifndef PROF_CTF_PRIVATE_H
#define PROF_CTF_PRIVATE_H

#include "profile/ctf.h"

/**
 * prof__ctf_writer_no_map() - make @w behave as on a file system that
 * cannot map files (mmap() fails with ENODEV): prof_ctf_writer_put() reads
 * each packet back into a buffer instead of mapping the file.
 * @w: the writer.
 */
void prof__ctf_writer_no_map(struct prof_ctf_writer *w);

#endif
