/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_xdr.c: the XDR primitives (RFC 4506) of libvirt's wire protocol:
 * big-endian 4-byte units, zero padding to 4, and every length, count and
 * limit checked on decode before anything is read or allocated.
 *
 * Each primitive serves the three operations of a stream. FREE releases
 * what DECODE allocated and zeroes every value it passes over, so freeing
 * a half-decoded object is safe and leaves it zeroed. The first failure is
 * kept in the stream and makes every later call fail at once, so the
 * generated code can stop at the first FALSE without losing the reason.
 *
 * Decode failures are VGM_ERR_INVALID_ARG (the peer sent bad data);
 * encode failures are VGM_ERR_OPERATION_FAILED (the value cannot travel,
 * for example a string over the protocol's limit).
 */
#include "config.h"

#include <string.h>

#include "vgm_xdr.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* Every XDR item takes at least one unit on the wire: the smallest array
 * element is an int, an empty string or an absent optional object. */
#define XDR_UNIT 4

static gsize
xdrPad(guint64 n)
{
    return (XDR_UNIT - (n % XDR_UNIT)) % XDR_UNIT;
}

static gboolean xdrFail(VgmXdr *xdr, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
xdrFail(VgmXdr *xdr, const char *fmt, ...)
{
    va_list ap;
    VgmErrorCode code = xdr->op == VGM_XDR_ENCODE ? VGM_ERR_OPERATION_FAILED
                                                  : VGM_ERR_INVALID_ARG;

    if (xdr->error)
        return FALSE;
    va_start(ap, fmt);
    xdr->error = g_error_new_valist(VGM_ERROR, code, fmt, ap);
    va_end(ap);
    return FALSE;
}

static gsize
xdrLeft(const VgmXdr *xdr)
{
    return xdr->len - xdr->pos;
}

/* DECODE: whether @n more bytes are there; fails naming the shortfall. */
static gboolean
xdrNeed(VgmXdr *xdr, guint64 n)
{
    if (n <= xdrLeft(xdr))
        return TRUE;
    return xdrFail(xdr, _("XDR data ends too early: %1$llu bytes needed at offset %2$llu, only %3$llu left"),
                   (unsigned long long)n, (unsigned long long)xdr->pos,
                   (unsigned long long)xdrLeft(xdr));
}

static void
xdrPutU32(VgmXdr *xdr, guint32 v)
{
    guint32 be = GUINT32_TO_BE(v);

    g_byte_array_append(xdr->out, (const guint8 *)&be, sizeof(be));
}

static guint32
xdrGetU32(VgmXdr *xdr)
{
    guint32 be;

    memcpy(&be, xdr->in + xdr->pos, sizeof(be));
    xdr->pos += sizeof(be);
    return GUINT32_FROM_BE(be);
}

static void
xdrPutBytes(VgmXdr *xdr, const guint8 *buf, guint32 len)
{
    static const guint8 zeros[XDR_UNIT] = { 0 };

    if (len > 0)
        g_byte_array_append(xdr->out, buf, len);
    g_byte_array_append(xdr->out, zeros, (guint)xdrPad(len));
}

void
vgmXdrInitEncode(VgmXdr *xdr, GByteArray *out)
{
    memset(xdr, 0, sizeof(*xdr));
    xdr->op = VGM_XDR_ENCODE;
    xdr->out = out;
}

void
vgmXdrInitDecode(VgmXdr *xdr, const guint8 *in, gsize len)
{
    memset(xdr, 0, sizeof(*xdr));
    xdr->op = VGM_XDR_DECODE;
    xdr->in = in;
    xdr->len = len;
}

void
vgmXdrInitFree(VgmXdr *xdr)
{
    memset(xdr, 0, sizeof(*xdr));
    xdr->op = VGM_XDR_FREE;
}

void
vgmXdrClear(VgmXdr *xdr)
{
    g_clear_error(&xdr->error);
}

const GError *
vgmXdrGetError(const VgmXdr *xdr)
{
    return xdr->error;
}

gboolean
vgmXdrAtEnd(const VgmXdr *xdr)
{
    return xdr->pos == xdr->len;
}

void
vgmXdrFree(VgmXdrFunc fn, void *obj)
{
    VgmXdr xdr;

    vgmXdrInitFree(&xdr);
    fn(&xdr, obj);
    vgmXdrClear(&xdr);
}

/* Moves the stream's error (or, if a type function failed without one,
 * a generic one) into @error. */
static void
xdrTakeError(VgmXdr *xdr, GError **error)
{
    if (!xdr->error)
        xdr->error = g_error_new_literal(VGM_ERROR, VGM_ERR_INTERNAL,
                                         _("XDR conversion failed without a reason"));
    g_propagate_error(error, g_steal_pointer(&xdr->error));
}

gboolean
vgmXdrEncode(VgmXdrFunc fn, void *obj, GByteArray *out, GError **error)
{
    VgmXdr xdr;
    guint origLen = out->len;

    vgmXdrInitEncode(&xdr, out);
    if (!fn(&xdr, obj)) {
        g_byte_array_set_size(out, origLen);
        xdrTakeError(&xdr, error);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmXdrDecode(VgmXdrFunc fn, void *obj, const guint8 *in, gsize len,
             GError **error)
{
    VgmXdr xdr;
    gboolean ok;

    vgmXdrInitDecode(&xdr, in, len);
    ok = fn(&xdr, obj);
    if (ok && !vgmXdrAtEnd(&xdr))
        ok = xdrFail(&xdr, _("%1$llu bytes left over after the XDR data (of %2$llu)"),
                     (unsigned long long)xdrLeft(&xdr), (unsigned long long)len);
    if (!ok) {
        vgmXdrFree(fn, obj);
        xdrTakeError(&xdr, error);
        return FALSE;
    }
    return TRUE;
}

/* ---- integers ---- */

static gboolean
xdrU32(VgmXdr *xdr, guint32 *v)
{
    if (xdr->error)
        return FALSE;
    switch (xdr->op) {
    case VGM_XDR_ENCODE:
        xdrPutU32(xdr, *v);
        return TRUE;
    case VGM_XDR_DECODE:
        if (!xdrNeed(xdr, 4))
            return FALSE;
        *v = xdrGetU32(xdr);
        return TRUE;
    case VGM_XDR_FREE:
        *v = 0;
        return TRUE;
    }
    return FALSE;
}

static gboolean
xdrU64(VgmXdr *xdr, guint64 *v)
{
    guint32 hi = (guint32)(*v >> 32);
    guint32 lo = (guint32)*v;

    if (xdr->op == VGM_XDR_DECODE && !xdrNeed(xdr, 8))
        return FALSE;
    if (!xdrU32(xdr, &hi) || !xdrU32(xdr, &lo))
        return FALSE;
    *v = ((guint64)hi << 32) | lo;
    return TRUE;
}

gboolean
vgmXdrUInt(VgmXdr *xdr, guint32 *v)
{
    return xdrU32(xdr, v);
}

gboolean
vgmXdrInt(VgmXdr *xdr, gint32 *v)
{
    guint32 u = (guint32)*v;

    if (!xdrU32(xdr, &u))
        return FALSE;
    *v = (gint32)u;
    return TRUE;
}

gboolean
vgmXdrUHyper(VgmXdr *xdr, guint64 *v)
{
    return xdrU64(xdr, v);
}

gboolean
vgmXdrHyper(VgmXdr *xdr, gint64 *v)
{
    guint64 u = (guint64)*v;

    if (!xdrU64(xdr, &u))
        return FALSE;
    *v = (gint64)u;
    return TRUE;
}

gboolean
vgmXdrDouble(VgmXdr *xdr, double *v)
{
    guint64 u;

    G_STATIC_ASSERT(sizeof(double) == sizeof(guint64));
    memcpy(&u, v, sizeof(u));
    if (!xdrU64(xdr, &u))
        return FALSE;
    memcpy(v, &u, sizeof(u));
    return TRUE;
}

/* An int on the wire that must lie in [@min, @max] when decoded. */
static gboolean
xdrIntRange(VgmXdr *xdr, gint32 *v, gint32 min, gint32 max, const char *ctype)
{
    if (!vgmXdrInt(xdr, v))
        return FALSE;
    if (xdr->op == VGM_XDR_DECODE && (*v < min || *v > max))
        return xdrFail(xdr, _("XDR value %1$d is out of range for %2$s (%3$d to %4$d)"),
                       *v, ctype, min, max);
    return TRUE;
}

gboolean
vgmXdrChar(VgmXdr *xdr, char *v)
{
    gint32 i = (signed char)*v;

    if (!xdrIntRange(xdr, &i, G_MININT8, G_MAXUINT8, "char"))
        return FALSE;
    *v = (char)i;
    return TRUE;
}

gboolean
vgmXdrUChar(VgmXdr *xdr, guint8 *v)
{
    gint32 i = *v;

    if (!xdrIntRange(xdr, &i, 0, G_MAXUINT8, "unsigned char"))
        return FALSE;
    *v = (guint8)i;
    return TRUE;
}

gboolean
vgmXdrShort(VgmXdr *xdr, gint16 *v)
{
    gint32 i = *v;

    if (!xdrIntRange(xdr, &i, G_MININT16, G_MAXINT16, "short"))
        return FALSE;
    *v = (gint16)i;
    return TRUE;
}

gboolean
vgmXdrUShort(VgmXdr *xdr, guint16 *v)
{
    gint32 i = *v;

    if (!xdrIntRange(xdr, &i, 0, G_MAXUINT16, "unsigned short"))
        return FALSE;
    *v = (guint16)i;
    return TRUE;
}

gboolean
vgmXdrBool(VgmXdr *xdr, gint32 *v)
{
    guint32 u = *v ? 1 : 0;

    if (!xdrU32(xdr, &u))
        return FALSE;
    if (xdr->op == VGM_XDR_DECODE && u > 1)
        return xdrFail(xdr, _("XDR boolean %1$u is neither 0 nor 1"), u);
    *v = (gint32)u;
    return TRUE;
}

/* ---- bytes ---- */

gboolean
vgmXdrString(VgmXdr *xdr, char **s, guint32 max)
{
    guint32 len;
    const guint8 *nul;

    if (xdr->error)
        return FALSE;
    switch (xdr->op) {
    case VGM_XDR_ENCODE: {
        gsize slen;

        if (!*s)
            return xdrFail(xdr, _("cannot encode a missing (NULL) string"));
        slen = strlen(*s);
        if (slen > max)
            return xdrFail(xdr, _("string of %1$llu bytes is longer than the limit of %2$u"),
                           (unsigned long long)slen, max);
        xdrPutU32(xdr, (guint32)slen);
        xdrPutBytes(xdr, (const guint8 *)*s, (guint32)slen);
        return TRUE;
    }
    case VGM_XDR_DECODE:
        if (!xdrNeed(xdr, 4))
            return FALSE;
        len = xdrGetU32(xdr);
        if (len > max)
            return xdrFail(xdr, _("string of %1$llu bytes is longer than the limit of %2$u"),
                           (unsigned long long)len, max);
        if (!xdrNeed(xdr, (guint64)len + xdrPad(len)))
            return FALSE;
        if (len > 0 && (nul = memchr(xdr->in + xdr->pos, '\0', len)))
            return xdrFail(xdr, _("string of %1$u bytes has a NUL byte at offset %2$llu"),
                           len, (unsigned long long)(nul - (xdr->in + xdr->pos)));
        *s = g_malloc((gsize)len + 1);
        if (len > 0)
            memcpy(*s, xdr->in + xdr->pos, len);
        (*s)[len] = '\0';
        xdr->pos += len + xdrPad(len);
        return TRUE;
    case VGM_XDR_FREE:
        g_clear_pointer(s, g_free);
        return TRUE;
    }
    return FALSE;
}

gboolean
vgmXdrOpaqueFixed(VgmXdr *xdr, guint8 *buf, guint32 len)
{
    if (xdr->error)
        return FALSE;
    switch (xdr->op) {
    case VGM_XDR_ENCODE:
        xdrPutBytes(xdr, buf, len);
        return TRUE;
    case VGM_XDR_DECODE:
        if (!xdrNeed(xdr, (guint64)len + xdrPad(len)))
            return FALSE;
        if (len > 0)
            memcpy(buf, xdr->in + xdr->pos, len);
        xdr->pos += len + xdrPad(len);
        return TRUE;
    case VGM_XDR_FREE:
        if (len > 0)
            memset(buf, 0, len);
        return TRUE;
    }
    return FALSE;
}

gboolean
vgmXdrOpaque(VgmXdr *xdr, guint8 **buf, guint32 *len, guint32 max)
{
    guint32 n;

    if (xdr->error)
        return FALSE;
    switch (xdr->op) {
    case VGM_XDR_ENCODE:
        if (*len > max)
            return xdrFail(xdr, _("opaque data of %1$u bytes is longer than the limit of %2$u"),
                           *len, max);
        if (*len > 0 && !*buf)
            return xdrFail(xdr, _("cannot encode %1$u bytes of opaque data without a buffer"),
                           *len);
        xdrPutU32(xdr, *len);
        xdrPutBytes(xdr, *buf, *len);
        return TRUE;
    case VGM_XDR_DECODE:
        if (!xdrNeed(xdr, 4))
            return FALSE;
        n = xdrGetU32(xdr);
        if (n > max)
            return xdrFail(xdr, _("opaque data of %1$u bytes is longer than the limit of %2$u"),
                           n, max);
        if (!xdrNeed(xdr, (guint64)n + xdrPad(n)))
            return FALSE;
        *buf = n > 0 ? g_memdup2(xdr->in + xdr->pos, n) : NULL;
        *len = n;
        xdr->pos += n + xdrPad(n);
        return TRUE;
    case VGM_XDR_FREE:
        g_clear_pointer(buf, g_free);
        *len = 0;
        return TRUE;
    }
    return FALSE;
}

/* ---- composites ---- */

gboolean
vgmXdrPointer(VgmXdr *xdr, void **ptr, gsize size, VgmXdrFunc fn)
{
    guint32 present;

    if (xdr->error)
        return FALSE;
    switch (xdr->op) {
    case VGM_XDR_ENCODE:
        present = *ptr ? 1 : 0;
        xdrPutU32(xdr, present);
        return !present || fn(xdr, *ptr);
    case VGM_XDR_DECODE:
        if (!xdrNeed(xdr, 4))
            return FALSE;
        present = xdrGetU32(xdr);
        if (present > 1)
            return xdrFail(xdr, _("XDR optional-data flag %1$u is neither 0 nor 1"),
                           present);
        if (!present)
            return TRUE;
        /* Attached before it is filled, so a failed decode frees it. */
        *ptr = g_malloc0(size);
        return fn(xdr, *ptr);
    case VGM_XDR_FREE:
        if (*ptr) {
            fn(xdr, *ptr);
            g_clear_pointer(ptr, g_free);
        }
        return TRUE;
    }
    return FALSE;
}

gboolean
vgmXdrArray(VgmXdr *xdr, void **val, guint32 *len, guint32 max,
            gsize size, VgmXdrFunc fn)
{
    guint32 n;
    guint32 i;

    if (xdr->error)
        return FALSE;
    switch (xdr->op) {
    case VGM_XDR_ENCODE:
        if (*len > max)
            return xdrFail(xdr, _("array of %1$u elements is longer than the limit of %2$u"),
                           *len, max);
        if (*len > 0 && !*val)
            return xdrFail(xdr, _("cannot encode an array of %1$u elements without storage"),
                           *len);
        xdrPutU32(xdr, *len);
        for (i = 0; i < *len; i++) {
            if (!fn(xdr, (guint8 *)*val + (gsize)i * size))
                return FALSE;
        }
        return TRUE;
    case VGM_XDR_DECODE:
        if (!xdrNeed(xdr, 4))
            return FALSE;
        n = xdrGetU32(xdr);
        if (n > max)
            return xdrFail(xdr, _("array of %1$u elements is longer than the limit of %2$u"),
                           n, max);
        if ((guint64)n * XDR_UNIT > xdrLeft(xdr))
            return xdrFail(xdr, _("array of %1$u elements cannot fit in the %2$llu bytes left"),
                           n, (unsigned long long)xdrLeft(xdr));
        if (n == 0) {
            *len = 0;
            return TRUE;
        }
        /* Count set first: a failed decode frees the zeroed rest too. */
        *val = g_malloc0_n(n, size);
        *len = n;
        for (i = 0; i < n; i++) {
            if (!fn(xdr, (guint8 *)*val + (gsize)i * size))
                return FALSE;
        }
        return TRUE;
    case VGM_XDR_FREE:
        if (*val) {
            for (i = 0; i < *len; i++)
                fn(xdr, (guint8 *)*val + (gsize)i * size);
            g_clear_pointer(val, g_free);
        }
        *len = 0;
        return TRUE;
    }
    return FALSE;
}

gboolean
vgmXdrBadDiscriminant(VgmXdr *xdr, const char *type, gint64 value)
{
    if (xdr->op == VGM_XDR_FREE)
        return TRUE;
    return xdrFail(xdr, _("union %1$s has no arm for discriminant %2$lld"),
                   type, (long long)value);
}
