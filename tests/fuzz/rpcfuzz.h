/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcfuzz.h: the entry point of the RPC frame decoder fuzz target
 * (rpcfuzz.c) and what it saw on its last input, for rpcfuzz-replay.c,
 * the plain program that runs it over the seeds in normal builds.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* libFuzzer's entry point: one input, a stream of frames. Aborts when an
 * oracle fails; returns 0 otherwise. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    guint frames;       /* headers vgmRpcHeaderDecode accepted */
    guint directed;     /* of those, payloads that decoded as what their
                         * header says (call args, reply, error, message) */
    guint canonical;    /* of those, payloads whose re-encoding is the very
                         * bytes received */
    guint others;       /* undirected decodes (as every reply type and as
                         * the error payload) that succeeded */
    gsize consumed;     /* input bytes covered by accepted frames */
    gboolean whole;     /* the input was also handled as one frame, its
                         * length word set to its size (not counted above) */
} RpcFuzzStats;

/* What the last LLVMFuzzerTestOneInput call saw. */
extern RpcFuzzStats rpcFuzzStats;
