/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_xdr.h: XDR (RFC 4506) encoding and decoding, the way libvirt's wire
 * protocol uses it.
 *
 * One stream type serves three operations, like SunRPC's: the same
 * per-type function encodes an object into a growing buffer, decodes one
 * from a byte range (checking every length, count and limit against what
 * is left and what the protocol allows), or frees what a decode
 * allocated. The functions for the protocol's own types are generated
 * from the protocol description (scripts/rpcgen.py); these are the
 * primitives they are made of.
 *
 * A decode never reads past its range and never allocates more than the
 * bytes it has seen justify: a count is checked against both its limit and
 * the bytes left before anything is allocated. The first failure is kept
 * in the stream (vgmXdrGetError) and every later call fails at once.
 */
#pragma once

#include <glib.h>

typedef enum {
    VGM_XDR_ENCODE,
    VGM_XDR_DECODE,
    VGM_XDR_FREE,
} VgmXdrOp;

typedef struct {
    VgmXdrOp op;
    GByteArray *out;        /* ENCODE: appended to */
    const guint8 *in;       /* DECODE: the bytes */
    gsize len;              /* DECODE: how many */
    gsize pos;              /* DECODE: how many were read */
    GError *error;          /* the first failure */
} VgmXdr;

/* The function of one type: encodes, decodes or frees *@obj. */
typedef gboolean (*VgmXdrFunc)(VgmXdr *xdr, void *obj);

void vgmXdrInitEncode(VgmXdr *xdr, GByteArray *out);
void vgmXdrInitDecode(VgmXdr *xdr, const guint8 *in, gsize len);
void vgmXdrInitFree(VgmXdr *xdr);
void vgmXdrClear(VgmXdr *xdr);             /* drops the error */
/* The first failure, or NULL; stays owned by @xdr. */
const GError *vgmXdrGetError(const VgmXdr *xdr);
/* DECODE: whether every byte was read (a trailing payload is an error to
 * the caller). */
gboolean vgmXdrAtEnd(const VgmXdr *xdr);

/* Frees what a decode of @fn put into @obj (not @obj itself) and zeroes
 * it. Safe on a zeroed object and on a half-decoded one. */
void vgmXdrFree(VgmXdrFunc fn, void *obj);
/* Encodes @obj with @fn, appending to @out. */
gboolean vgmXdrEncode(VgmXdrFunc fn, void *obj, GByteArray *out, GError **error);
/* Decodes all of @in into the zeroed @obj with @fn: bytes left over are an
 * error. On failure @obj is freed again and zeroed. */
gboolean vgmXdrDecode(VgmXdrFunc fn, void *obj, const guint8 *in, gsize len,
                      GError **error);

/* ---- primitives (each TRUE on success) ---- */
gboolean vgmXdrInt(VgmXdr *xdr, gint32 *v);
gboolean vgmXdrUInt(VgmXdr *xdr, guint32 *v);
gboolean vgmXdrHyper(VgmXdr *xdr, gint64 *v);
gboolean vgmXdrUHyper(VgmXdr *xdr, guint64 *v);
gboolean vgmXdrDouble(VgmXdr *xdr, double *v);
/* char, unsigned char, short and unsigned short members travel as a full
 * 4-byte int; a decoded value outside the C type's range fails (char
 * accepts -128..255, as either signedness may have sent it). */
gboolean vgmXdrChar(VgmXdr *xdr, char *v);
gboolean vgmXdrUChar(VgmXdr *xdr, guint8 *v);
gboolean vgmXdrShort(VgmXdr *xdr, gint16 *v);
gboolean vgmXdrUShort(VgmXdr *xdr, guint16 *v);
/* XDR bool: 0 or 1 on the wire; anything else fails a decode. */
gboolean vgmXdrBool(VgmXdr *xdr, gint32 *v);
/* A string of at most @max bytes: length, bytes, zero padding. A decoded
 * string with a NUL byte in it fails (C strings cannot hold one). *@s
 * must not be NULL on encode. */
gboolean vgmXdrString(VgmXdr *xdr, char **s, guint32 max);
/* Fixed-length opaque data (a uuid is 16 bytes), padded to 4. */
gboolean vgmXdrOpaqueFixed(VgmXdr *xdr, guint8 *buf, guint32 len);
/* Variable-length opaque data of at most @max bytes. */
gboolean vgmXdrOpaque(VgmXdr *xdr, guint8 **buf, guint32 *len, guint32 max);
/* An optional object (XDR's "T *x"): a 0/1 word, then the object when 1.
 * *@ptr is NULL when absent; on decode it is allocated (@size bytes,
 * zeroed) and filled by @fn. */
gboolean vgmXdrPointer(VgmXdr *xdr, void **ptr, gsize size, VgmXdrFunc fn);
/* A variable-length array of at most @max elements of @size bytes each:
 * a count, then each element by @fn. */
gboolean vgmXdrArray(VgmXdr *xdr, void **val, guint32 *len, guint32 max,
                     gsize size, VgmXdrFunc fn);
/* For generated union code: the discriminant @value of union @type has no
 * arm. Fails an encode or decode (naming both); TRUE when freeing, since a
 * failed decode may leave such a value behind. */
gboolean vgmXdrBadDiscriminant(VgmXdr *xdr, const char *type, gint64 value);
