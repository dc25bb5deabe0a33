/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcfuzz.c: libFuzzer target for the daemon's RPC message decoder.
 *
 * Covers: the framing (vgmRpcHeaderDecode on a stream of frames, each
 * length word deciding where the next frame starts), the XDR primitives
 * of src/rpc/vgm_xdr.c and every type function scripts/rpcgen.py
 * generates for the REMOTE procedures (build/src/remote/remote_protocol.c)
 * and for the error payload (build/src/rpc/vgm_rpc_protocol.c). Never
 * calls a handler: nothing of the driver runs.
 *
 * For each frame of the input:
 *   - the header is decoded, and must re-encode (vgmRpcFrameEncode) to
 *     the same 24 bytes after the length word;
 *   - the payload is decoded as what the header says, the way the daemon
 *     reads it (vgmRemoteDispatchCall, vgmRpcClientHandle): a REMOTE call
 *     as its procedure's arguments (found with vgmRemoteProcFind; a
 *     procedure without arguments must have an empty payload), a REMOTE
 *     message as its event, a REMOTE reply as its procedure's return
 *     value or, with status ERROR, as the error payload (rpc_error), a
 *     keepalive message as empty;
 *   - whatever the header says, the payload is also decoded as every
 *     reply type of the procedure table and as the error payload.
 * Then, unless the first length word already said so, the whole input is
 * handled once more as a single frame, its length word set to the input's
 * size: most mutations change a payload's size, and would otherwise only
 * ever reach the framing checks.
 *
 * Oracles (each failure aborts, which libFuzzer reports as a crash with
 * the input): a failed decode sets an error and leaves the object zeroed
 * (vgm_xdr.h promises both); a decoded object encodes again, to as many
 * bytes as were decoded; that encoding decodes, and encodes to the same
 * bytes again; vgmXdrFree leaves the object zeroed; the frame a directed
 * decode re-encodes to (vgmRpcFrameEncode) has the same header and length
 * and decodes with vgmRpcHeaderDecode. ASan and UBSan (in the fuzzing
 * build) and LeakSanitizer catch the rest. Whether a payload re-encodes
 * to the very bytes received is counted (rpcFuzzStats.canonical), not
 * checked: the decoder accepts non-zero XDR padding and chars 128..255,
 * which come back as zero padding and negative chars.
 *
 * Build and run (see tests/fuzz/README.md):
 *   CC=clang meson setup build-fuzz -Dfuzzing=true -Dwerror=false
 *   ninja -C build-fuzz
 *   mkdir -p corpus
 *   ./build-fuzz/tests/fuzz/rpcfuzz -dict=tests/fuzz/rpc.dict \
 *       -max_total_time=60 corpus/ build-fuzz/tests/fuzz/rpc-seeds/
 * or, the same bounded run as CI: meson test -C build-fuzz --suite fuzz
 * A normal build runs this entry point over the seeds instead
 * (rpcfuzz-replay.c, `meson test rpcfuzz-replay`).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcfuzz.h"
#include "rpc/vgm_rpc_server.h"
#include "rpc/vgm_xdr.h"
#include "rpc/vgm_rpc_protocol.h"
#include "remote/remote_protocol.h"

RpcFuzzStats rpcFuzzStats;

static void rpcFuzzFail(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

static void
rpcFuzzFail(const char *fmt, ...)
{
    va_list ap;

    fputs("rpcfuzz: oracle failed: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

static gboolean
rpcFuzzIsZero(const void *p, gsize n)
{
    const guint8 *b = p;
    gsize i;

    for (i = 0; i < n; i++) {
        if (b[i])
            return FALSE;
    }
    return TRUE;
}

/* Frees what a decode put into @obj and checks that it is zeroed. */
static void
rpcFuzzFree(const char *what, VgmXdrFunc fn, void *obj, gsize size)
{
    vgmXdrFree(fn, obj);
    if (!rpcFuzzIsZero(obj, size))
        rpcFuzzFail("%s: vgmXdrFree left the object non-zero", what);
}

/*
 * Decodes @payload as @what with @fn into a new zeroed object of @size
 * bytes and runs the oracles on it. Returns the object (the caller frees
 * it with rpcFuzzFree and g_free), or NULL when the payload is not one.
 * *@canonical: whether the object encodes to @payload itself.
 */
static void *
rpcFuzzDecode(const char *what, VgmXdrFunc fn, gsize size, const guint8 *payload,
              gsize len, gboolean *canonical)
{
    g_autofree void *obj = g_malloc0(size);
    g_autofree void *again = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) enc1 = g_byte_array_new();
    g_autoptr(GByteArray) enc2 = g_byte_array_new();

    if (!vgmXdrDecode(fn, obj, payload, len, &err)) {
        if (!err)
            rpcFuzzFail("%s: a failed decode set no error", what);
        if (!rpcFuzzIsZero(obj, size))
            rpcFuzzFail("%s: a failed decode left the object non-zero (%s)",
                        what, err->message);
        return NULL;
    }
    if (err)
        rpcFuzzFail("%s: a decode succeeded and set an error: %s", what, err->message);

    if (!vgmXdrEncode(fn, obj, enc1, &err))
        rpcFuzzFail("%s: a decoded object does not encode: %s", what, err->message);
    if (enc1->len != len)
        rpcFuzzFail("%s: %zu bytes decoded re-encode to %u bytes", what, len, enc1->len);

    again = g_malloc0(size);
    if (!vgmXdrDecode(fn, again, enc1->data, enc1->len, &err))
        rpcFuzzFail("%s: the re-encoding does not decode: %s", what, err->message);
    if (!vgmXdrEncode(fn, again, enc2, &err))
        rpcFuzzFail("%s: the decoded re-encoding does not encode: %s", what, err->message);
    if (enc2->len != enc1->len || memcmp(enc1->data, enc2->data, enc1->len) != 0)
        rpcFuzzFail("%s: decoding and encoding the re-encoding gives other bytes "
                    "(%u, then %u bytes)", what, enc1->len, enc2->len);
    rpcFuzzFree(what, fn, again, size);

    *canonical = len == 0 || memcmp(enc1->data, payload, len) == 0;
    return g_steal_pointer(&obj);
}

/* The frame of @hdr with @obj as payload, as the daemon would send it:
 * same header and length as the frame read, and it decodes. */
static void
rpcFuzzCheckFrame(const char *what, const VgmRpcHeader *hdr, guint32 frameLen,
                  VgmXdrFunc fn, void *obj)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) frame = vgmRpcFrameEncode(hdr, fn, obj, &err);
    VgmRpcHeader back;
    guint32 backLen = 0;

    if (!frame)
        rpcFuzzFail("%s: vgmRpcFrameEncode failed: %s", what, err->message);
    if (frame->len != frameLen)
        rpcFuzzFail("%s: a frame of %u bytes re-encodes to %u", what, frameLen, frame->len);
    if (!vgmRpcHeaderDecode(frame->data, frame->len, &backLen, &back, &err))
        rpcFuzzFail("%s: a re-encoded frame does not decode: %s", what, err->message);
    if (backLen != frameLen || back.prog != hdr->prog || back.vers != hdr->vers ||
        back.proc != hdr->proc || back.type != hdr->type || back.serial != hdr->serial ||
        back.status != hdr->status)
        rpcFuzzFail("%s: a re-encoded frame has another header", what);
}

/* The header bytes of @frame are what vgmRpcFrameEncode makes of @hdr. */
static void
rpcFuzzCheckHeader(const VgmRpcHeader *hdr, const guint8 *frame)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) head = vgmRpcFrameEncode(hdr, NULL, NULL, &err);

    if (!head)
        rpcFuzzFail("vgmRpcFrameEncode of a bare header failed: %s", err->message);
    if (head->len != VGM_RPC_HEADER_SIZE ||
        memcmp(head->data + 4, frame + 4, VGM_RPC_HEADER_SIZE - 4) != 0)
        rpcFuzzFail("a decoded header re-encodes to other bytes");
}

/* The payload as @what with @fn (NULL: an empty payload), the header
 * saying so. TRUE when it is one. */
static gboolean
rpcFuzzDirected(const char *what, const VgmRpcHeader *hdr, guint32 frameLen,
                VgmXdrFunc fn, gsize size, const guint8 *payload, gsize len)
{
    gboolean canonical = FALSE;
    void *obj;

    if (!fn) {
        if (len > 0)
            return FALSE;
        rpcFuzzCheckFrame(what, hdr, frameLen, NULL, NULL);
        rpcFuzzStats.directed++;
        rpcFuzzStats.canonical++;
        return TRUE;
    }
    obj = rpcFuzzDecode(what, fn, size, payload, len, &canonical);
    if (!obj)
        return FALSE;
    rpcFuzzCheckFrame(what, hdr, frameLen, fn, obj);
    rpcFuzzFree(what, fn, obj, size);
    g_free(obj);
    rpcFuzzStats.directed++;
    if (canonical)
        rpcFuzzStats.canonical++;
    return TRUE;
}

static void
rpcFuzzUndirected(const char *what, VgmXdrFunc fn, gsize size, const guint8 *payload,
                  gsize len)
{
    gboolean canonical;
    void *obj = rpcFuzzDecode(what, fn, size, payload, len, &canonical);

    if (!obj)
        return;
    rpcFuzzFree(what, fn, obj, size);
    g_free(obj);
    rpcFuzzStats.others++;
}

static void
rpcFuzzFrame(const VgmRpcHeader *hdr, guint32 frameLen, const guint8 *payload, gsize len)
{
    const VgmRemoteProcInfo *info = NULL;
    gsize i;

    if (hdr->prog == VGM_REMOTE_PROGRAM && hdr->vers == VGM_REMOTE_PROTOCOL_VERSION)
        info = vgmRemoteProcFind(hdr->proc);
    if (info && info->proc != hdr->proc)
        rpcFuzzFail("vgmRemoteProcFind(%d) found procedure %d", hdr->proc, info->proc);

    if (hdr->prog == VGM_RPC_KEEPALIVE_PROGRAM) {
        if (hdr->vers == VGM_RPC_KEEPALIVE_PROTOCOL_VERSION &&
            hdr->type == VGM_RPC_TYPE_MESSAGE &&
            (hdr->proc == VGM_RPC_KEEPALIVE_PROC_PING ||
             hdr->proc == VGM_RPC_KEEPALIVE_PROC_PONG))
            rpcFuzzDirected("keepalive", hdr, frameLen, NULL, 0, payload, len);
    } else if (info && hdr->type == VGM_RPC_TYPE_CALL && hdr->status == VGM_RPC_STATUS_OK &&
               info->dispatch) {
        rpcFuzzDirected(info->name, hdr, frameLen, info->argsFn, info->argsSize,
                        payload, len);
    } else if (info && hdr->type == VGM_RPC_TYPE_MESSAGE &&
               (info->flags & VGM_REMOTE_PROC_MESSAGE)) {
        rpcFuzzDirected(info->name, hdr, frameLen, info->argsFn, info->argsSize,
                        payload, len);
    } else if (info && hdr->type == VGM_RPC_TYPE_REPLY && hdr->status == VGM_RPC_STATUS_OK &&
               !(info->flags & VGM_REMOTE_PROC_MESSAGE)) {
        rpcFuzzDirected(info->name, hdr, frameLen, info->retFn, info->retSize,
                        payload, len);
    } else if (hdr->prog == VGM_REMOTE_PROGRAM && hdr->type == VGM_RPC_TYPE_REPLY &&
               hdr->status == VGM_RPC_STATUS_ERROR) {
        rpcFuzzDirected("rpc_error", hdr, frameLen, vgmRpcXdrError, sizeof(VgmRpcError),
                        payload, len);
    }

    /* whatever the header says */
    for (i = 0; i < vgmRemoteNProcs; i++) {
        const VgmRemoteProcInfo *p = &vgmRemoteProcs[i];

        if (p->retFn)
            rpcFuzzUndirected(p->name, p->retFn, p->retSize, payload, len);
    }
    rpcFuzzUndirected("rpc_error", vgmRpcXdrError, sizeof(VgmRpcError), payload, len);
}

/*
 * The whole input as one frame, its length word set to the input's size:
 * lets a mutation that grows or shrinks a payload reach the decoder
 * without also having to fix the length word. Counted apart.
 */
static void
rpcFuzzWhole(const uint8_t *data, size_t size)
{
    g_autofree guint8 *copy = NULL;
    g_autoptr(GError) err = NULL;
    RpcFuzzStats saved = rpcFuzzStats;
    VgmRpcHeader hdr;
    guint32 frameLen = 0;
    guint32 be = GUINT32_TO_BE((guint32)size);

    if (size < VGM_RPC_HEADER_SIZE || size > VGM_RPC_MESSAGE_MAX)
        return;
    copy = g_memdup2(data, size);
    memcpy(copy, &be, sizeof(be));
    if (!vgmRpcHeaderDecode(copy, size, &frameLen, &hdr, &err))
        rpcFuzzFail("vgmRpcHeaderDecode refused a frame of %zu bytes: %s", size, err->message);
    if (frameLen != size)
        rpcFuzzFail("vgmRpcHeaderDecode read a length of %u from a frame of %zu bytes",
                    frameLen, size);
    rpcFuzzCheckHeader(&hdr, copy);
    rpcFuzzFrame(&hdr, frameLen, copy + VGM_RPC_HEADER_SIZE, size - VGM_RPC_HEADER_SIZE);
    rpcFuzzStats = saved;
    rpcFuzzStats.whole = TRUE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gsize pos = 0;
    guint32 firstLen = 0;

    memset(&rpcFuzzStats, 0, sizeof(rpcFuzzStats));
    if (size >= 4) {
        memcpy(&firstLen, data, sizeof(firstLen));
        firstLen = GUINT32_FROM_BE(firstLen);
    }
    while (pos < size) {
        g_autoptr(GError) err = NULL;
        VgmRpcHeader hdr;
        guint32 frameLen = 0;

        if (!vgmRpcHeaderDecode(data + pos, size - pos, &frameLen, &hdr, &err)) {
            if (!err)
                rpcFuzzFail("vgmRpcHeaderDecode failed without an error");
            break;
        }
        if (frameLen < VGM_RPC_HEADER_SIZE || frameLen > VGM_RPC_MESSAGE_MAX ||
            frameLen > size - pos)
            rpcFuzzFail("vgmRpcHeaderDecode accepted a frame length of %u "
                        "with %zu bytes left", frameLen, size - pos);
        rpcFuzzCheckHeader(&hdr, data + pos);
        rpcFuzzStats.frames++;
        rpcFuzzFrame(&hdr, frameLen, data + pos + VGM_RPC_HEADER_SIZE,
                     frameLen - VGM_RPC_HEADER_SIZE);
        pos += frameLen;
        rpcFuzzStats.consumed = pos;
    }
    if (firstLen != size)
        rpcFuzzWhole(data, size);
    return 0;
}
