/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdrtest.c: the XDR layer (src/rpc/vgm_xdr.c) and the code
 * scripts/rpcgen.py generates.
 *
 * Covers: every primitive (int, unsigned int, hyper, unsigned hyper,
 * double, bool, char, unsigned char, short, unsigned short, string, fixed
 * and variable opaque data, optional objects, arrays) round trip and
 * encode to exact bytes; decode failures with their messages: truncated
 * input, a string or opaque over its limit, a count over its limit, a
 * count larger than the bytes left (refused before allocating), a NUL in
 * a string, a bool or optional-data flag other than 0/1, a small integer
 * out of range, bytes left over after the data; the first error sticks;
 * encode failures leave the output as it was. Generated code from
 * xdrtestdata/test.x (every construct the generator supports): a full
 * round trip, exact bytes of a struct and of unions, unknown union arms,
 * every truncation of a full object, freeing half-decoded objects (run
 * under valgrind or ASan for leaks), and the dispatch table (sorted,
 * looked up, flags, thunks reaching the typed handlers). From
 * src/rpc/vgm_rpc_protocol.x: the error payload exactly as libvirtd sends
 * it (and with a domain) and the KEEPALIVE numbers.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "rpc/vgm_xdr.h"
#include "rpc/vgm_rpc_protocol.h"
#include "util/vgmerror.h"
#include "test_protocol.h"

/* ---- helpers ---- */

static gboolean
isZero(const void *p, gsize n)
{
    const guint8 *b = p;
    gsize i;

    for (i = 0; i < n; i++) {
        if (b[i])
            return FALSE;
    }
    return TRUE;
}

static void
assertEncodes(VgmXdrFunc fn, void *obj, const guint8 *want, gsize wantLen)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    g_assert_true(vgmXdrEncode(fn, obj, out, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(out->data, out->len, want, wantLen);
}

/* Decodes @in with @fn into the zeroed @obj (of @size bytes), expecting a
 * failure with @msg; the object must be zeroed again afterwards. */
static void
assertDecodeFails(VgmXdrFunc fn, void *obj, gsize size,
                  const guint8 *in, gsize len, const char *msg)
{
    g_autoptr(GError) err = NULL;

    memset(obj, 0, size);
    g_assert_false(vgmXdrDecode(fn, obj, in, len, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    if (msg)
        g_assert_cmpstr(err->message, ==, msg);
    g_assert_true(isZero(obj, size));
}

static void
assertDecodes(VgmXdrFunc fn, void *obj, const guint8 *in, gsize len)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(vgmXdrDecode(fn, obj, in, len, &err));
    g_assert_no_error(err);
}

static gboolean xInt(VgmXdr *x, void *o) { return vgmXdrInt(x, o); }
static gboolean xUInt(VgmXdr *x, void *o) { return vgmXdrUInt(x, o); }
static gboolean xHyper(VgmXdr *x, void *o) { return vgmXdrHyper(x, o); }
static gboolean xUHyper(VgmXdr *x, void *o) { return vgmXdrUHyper(x, o); }
static gboolean xDouble(VgmXdr *x, void *o) { return vgmXdrDouble(x, o); }
static gboolean xBool(VgmXdr *x, void *o) { return vgmXdrBool(x, o); }
static gboolean xChar(VgmXdr *x, void *o) { return vgmXdrChar(x, o); }
static gboolean xUChar(VgmXdr *x, void *o) { return vgmXdrUChar(x, o); }
static gboolean xShort(VgmXdr *x, void *o) { return vgmXdrShort(x, o); }
static gboolean xUShort(VgmXdr *x, void *o) { return vgmXdrUShort(x, o); }
static gboolean xString8(VgmXdr *x, void *o) { return vgmXdrString(x, o, 8); }
static gboolean xFixed5(VgmXdr *x, void *o) { return vgmXdrOpaqueFixed(x, o, 5); }
static gboolean xOptInt(VgmXdr *x, void *o) { return vgmXdrPointer(x, o, sizeof(gint32), xInt); }

static gboolean
xStringMax(VgmXdr *x, void *o)
{
    return vgmXdrString(x, o, VGM_RPC_MESSAGE_STRING_MAX);
}

typedef struct {
    guint8 *buf;
    guint32 len;
} Blob;

static gboolean
xOpaque4(VgmXdr *x, void *o)
{
    Blob *b = o;

    return vgmXdrOpaque(x, &b->buf, &b->len, 4);
}

typedef struct {
    gint32 *val;
    guint32 len;
} IntArray;

static gboolean
xIntArray4(VgmXdr *x, void *o)
{
    IntArray *a = o;

    return vgmXdrArray(x, (void **)&a->val, &a->len, 4, sizeof(gint32), xInt);
}

static gboolean
xIntArrayUnlimited(VgmXdr *x, void *o)
{
    IntArray *a = o;

    return vgmXdrArray(x, (void **)&a->val, &a->len, G_MAXUINT32, sizeof(gint32), xInt);
}

/* ---- primitives ---- */

static void
testInt(void)
{
    static const struct {
        gint32 v;
        guint8 bytes[4];
    } cases[] = {
        { 0, { 0, 0, 0, 0 } },
        { 1, { 0, 0, 0, 1 } },
        { -1, { 0xff, 0xff, 0xff, 0xff } },
        { -2, { 0xff, 0xff, 0xff, 0xfe } },
        { 0x12345678, { 0x12, 0x34, 0x56, 0x78 } },
        { G_MAXINT32, { 0x7f, 0xff, 0xff, 0xff } },
        { G_MININT32, { 0x80, 0, 0, 0 } },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        gint32 v = cases[i].v;
        gint32 back = 0;

        assertEncodes(xInt, &v, cases[i].bytes, 4);
        assertDecodes(xInt, &back, cases[i].bytes, 4);
        g_assert_cmpint(back, ==, cases[i].v);
    }
}

static void
testUInt(void)
{
    static const guint8 bytes[] = { 0xde, 0xad, 0xbe, 0xef };
    guint32 v = 0xdeadbeef;
    guint32 back = 0;

    assertEncodes(xUInt, &v, bytes, sizeof(bytes));
    assertDecodes(xUInt, &back, bytes, sizeof(bytes));
    g_assert_cmpuint(back, ==, 0xdeadbeef);
}

static void
testHyper(void)
{
    static const guint8 b1[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static const guint8 b2[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
    static const guint8 b3[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const guint8 b4[] = { 0x80, 0, 0, 0, 0, 0, 0, 0 };
    gint64 h = 0x0102030405060708;
    gint64 hback = 0;
    guint64 u = G_MAXUINT64;
    guint64 uback = 0;

    assertEncodes(xHyper, &h, b1, 8);
    assertDecodes(xHyper, &hback, b1, 8);
    g_assert_cmpint(hback, ==, h);
    h = -2;
    assertEncodes(xHyper, &h, b2, 8);
    assertDecodes(xHyper, &hback, b2, 8);
    g_assert_cmpint(hback, ==, -2);
    h = G_MININT64;
    assertEncodes(xHyper, &h, b4, 8);
    assertDecodes(xHyper, &hback, b4, 8);
    g_assert_cmpint(hback, ==, G_MININT64);
    assertEncodes(xUHyper, &u, b3, 8);
    assertDecodes(xUHyper, &uback, b3, 8);
    g_assert_cmpuint(uback, ==, G_MAXUINT64);
}

static void
testDouble(void)
{
    static const guint8 one[] = { 0x3f, 0xf0, 0, 0, 0, 0, 0, 0 };
    static const guint8 minus25[] = { 0xc0, 0x04, 0, 0, 0, 0, 0, 0 };
    static const double values[] = { 0.0, -0.0, 1e-300, -1e300, 3.141592653589793,
                                     G_MAXDOUBLE, G_MINDOUBLE, HUGE_VAL, -HUGE_VAL };
    double v = 1.0;
    double back = 0;
    size_t i;

    assertEncodes(xDouble, &v, one, 8);
    v = -2.5;
    assertEncodes(xDouble, &v, minus25, 8);
    assertDecodes(xDouble, &back, minus25, 8);
    g_assert_cmpfloat(back, ==, -2.5);

    for (i = 0; i < G_N_ELEMENTS(values); i++) {
        g_autoptr(GByteArray) out = g_byte_array_new();

        v = values[i];
        g_assert_true(vgmXdrEncode(xDouble, &v, out, NULL));
        g_assert_cmpuint(out->len, ==, 8);
        assertDecodes(xDouble, &back, out->data, out->len);
        g_assert_true(memcmp(&back, &values[i], sizeof(double)) == 0);
    }

    {
        g_autoptr(GByteArray) out = g_byte_array_new();

        v = NAN;
        g_assert_true(vgmXdrEncode(xDouble, &v, out, NULL));
        assertDecodes(xDouble, &back, out->data, out->len);
        g_assert_true(isnan(back));
    }
}

static void
testBool(void)
{
    static const guint8 t[] = { 0, 0, 0, 1 };
    static const guint8 f[] = { 0, 0, 0, 0 };
    static const guint8 two[] = { 0, 0, 0, 2 };
    static const guint8 neg[] = { 0xff, 0xff, 0xff, 0xff };
    gint32 v = TRUE;
    gint32 back = 7;

    assertEncodes(xBool, &v, t, 4);
    v = 5;                          /* any true value travels as 1 */
    assertEncodes(xBool, &v, t, 4);
    v = FALSE;
    assertEncodes(xBool, &v, f, 4);
    assertDecodes(xBool, &back, t, 4);
    g_assert_cmpint(back, ==, 1);
    assertDecodes(xBool, &back, f, 4);
    g_assert_cmpint(back, ==, 0);

    assertDecodeFails(xBool, &back, sizeof(back), two, 4,
                      "XDR boolean 2 is neither 0 nor 1");
    assertDecodeFails(xBool, &back, sizeof(back), neg, 4,
                      "XDR boolean 4294967295 is neither 0 nor 1");
}

static void
testSmallInts(void)
{
    static const guint8 a[] = { 0, 0, 0, 0x41 };
    static const guint8 m1[] = { 0xff, 0xff, 0xff, 0xff };
    static const guint8 b255[] = { 0, 0, 0, 0xff };
    static const guint8 b256[] = { 0, 0, 1, 0 };
    static const guint8 m129[] = { 0xff, 0xff, 0xff, 0x7f };
    static const guint8 m32768[] = { 0xff, 0xff, 0x80, 0 };
    static const guint8 b32768[] = { 0, 0, 0x80, 0 };
    static const guint8 b65535[] = { 0, 0, 0xff, 0xff };
    static const guint8 b65536[] = { 0, 1, 0, 0 };
    char c = 'A';
    char cback = 0;
    guint8 uc = 255;
    guint8 ucback = 0;
    gint16 s = -32768;
    gint16 sback = 0;
    guint16 us = 65535;
    guint16 usback = 0;

    assertEncodes(xChar, &c, a, 4);
    assertDecodes(xChar, &cback, a, 4);
    g_assert_cmpint(cback, ==, 'A');
    c = (char)-1;
    assertEncodes(xChar, &c, m1, 4);        /* sign-extended, as glibc does */
    assertDecodes(xChar, &cback, m1, 4);
    g_assert_cmpint((signed char)cback, ==, -1);
    assertDecodes(xChar, &cback, b255, 4);  /* an unsigned-char peer */
    g_assert_cmpint((unsigned char)cback, ==, 255);
    assertDecodeFails(xChar, &cback, sizeof(cback), b256, 4,
                      "XDR value 256 is out of range for char (-128 to 255)");
    assertDecodeFails(xChar, &cback, sizeof(cback), m129, 4,
                      "XDR value -129 is out of range for char (-128 to 255)");

    assertEncodes(xUChar, &uc, b255, 4);
    assertDecodes(xUChar, &ucback, b255, 4);
    g_assert_cmpuint(ucback, ==, 255);
    assertDecodeFails(xUChar, &ucback, sizeof(ucback), m1, 4,
                      "XDR value -1 is out of range for unsigned char (0 to 255)");

    assertEncodes(xShort, &s, m32768, 4);
    assertDecodes(xShort, &sback, m32768, 4);
    g_assert_cmpint(sback, ==, -32768);
    assertDecodeFails(xShort, &sback, sizeof(sback), b32768, 4,
                      "XDR value 32768 is out of range for short (-32768 to 32767)");

    assertEncodes(xUShort, &us, b65535, 4);
    assertDecodes(xUShort, &usback, b65535, 4);
    g_assert_cmpuint(usback, ==, 65535);
    assertDecodeFails(xUShort, &usback, sizeof(usback), b65536, 4,
                      "XDR value 65536 is out of range for unsigned short (0 to 65535)");
}

static void
testString(void)
{
    static const guint8 empty[] = { 0, 0, 0, 0 };
    static const guint8 abcde[] = { 0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0 };
    static const guint8 abcd[] = { 0, 0, 0, 4, 'a', 'b', 'c', 'd' };
    static const guint8 withNul[] = { 0, 0, 0, 3, 'a', 0, 'b', 0 };
    static const guint8 tooLong[] = { 0, 0x4c, 0x4b, 0x40 };    /* 5000000 */
    static const guint8 nine[] = { 0, 0, 0, 9, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
                                   'i', 0, 0, 0 };
    static const char *const values[] = { "", "a", "ab", "abc", "abcd", "abcde",
                                          "\xc3\xa9t\xc3\xa9" };
    char *s = (char *)"";
    char *back = NULL;
    size_t i;

    assertEncodes(xString8, &s, empty, sizeof(empty));
    s = (char *)"abcde";
    assertEncodes(xString8, &s, abcde, sizeof(abcde));
    s = (char *)"abcd";
    assertEncodes(xString8, &s, abcd, sizeof(abcd));

    for (i = 0; i < G_N_ELEMENTS(values); i++) {
        g_autoptr(GByteArray) out = g_byte_array_new();

        s = (char *)values[i];
        g_assert_true(vgmXdrEncode(xString8, &s, out, NULL));
        g_assert_cmpuint(out->len % 4, ==, 0);
        assertDecodes(xString8, &back, out->data, out->len);
        g_assert_cmpstr(back, ==, values[i]);
        vgmXdrFree(xString8, &back);
        g_assert_null(back);
    }

    assertDecodeFails(xString8, &back, sizeof(back), withNul, sizeof(withNul),
                      "string of 3 bytes has a NUL byte at offset 1");
    /* The limit is checked before the length is compared with the data. */
    assertDecodeFails(xStringMax, &back, sizeof(back), tooLong, sizeof(tooLong),
                      "string of 5000000 bytes is longer than the limit of 4194304");
    assertDecodeFails(xString8, &back, sizeof(back), nine, sizeof(nine),
                      "string of 9 bytes is longer than the limit of 8");
}

static void
testStringEncodeErrors(void)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    char *s = (char *)"123456789";

    g_byte_array_append(out, (const guint8 *)"xyz", 3);
    g_assert_false(vgmXdrEncode(xString8, &s, out, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==, "string of 9 bytes is longer than the limit of 8");
    g_assert_cmpuint(out->len, ==, 3);     /* left as it was */
    g_clear_error(&err);

    s = NULL;
    g_assert_false(vgmXdrEncode(xString8, &s, out, &err));
    g_assert_cmpstr(err->message, ==, "cannot encode a missing (NULL) string");
    g_assert_cmpuint(out->len, ==, 3);
}

static void
testOpaque(void)
{
    static const guint8 fixed[] = { 1, 2, 3, 4, 5, 0, 0, 0 };
    static const guint8 var[] = { 0, 0, 0, 3, 9, 8, 7, 0 };
    static const guint8 varEmpty[] = { 0, 0, 0, 0 };
    static const guint8 over[] = { 0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0 };
    guint8 buf[5] = { 1, 2, 3, 4, 5 };
    guint8 back[5] = { 0 };
    guint8 bytes[3] = { 9, 8, 7 };
    Blob blob = { bytes, 3 };
    Blob bblob = { NULL, 0 };
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    assertEncodes(xFixed5, buf, fixed, sizeof(fixed));
    assertDecodes(xFixed5, back, fixed, sizeof(fixed));
    g_assert_cmpmem(back, 5, buf, 5);
    vgmXdrFree(xFixed5, back);
    g_assert_true(isZero(back, sizeof(back)));

    assertEncodes(xOpaque4, &blob, var, sizeof(var));
    assertDecodes(xOpaque4, &bblob, var, sizeof(var));
    g_assert_cmpmem(bblob.buf, bblob.len, bytes, 3);
    vgmXdrFree(xOpaque4, &bblob);
    g_assert_null(bblob.buf);
    g_assert_cmpuint(bblob.len, ==, 0);

    blob.len = 0;
    blob.buf = NULL;
    assertEncodes(xOpaque4, &blob, varEmpty, sizeof(varEmpty));
    assertDecodes(xOpaque4, &bblob, varEmpty, sizeof(varEmpty));
    g_assert_null(bblob.buf);
    g_assert_cmpuint(bblob.len, ==, 0);

    assertDecodeFails(xOpaque4, &bblob, sizeof(bblob), over, sizeof(over),
                      "opaque data of 5 bytes is longer than the limit of 4");
    blob.len = 5;
    blob.buf = buf;
    g_assert_false(vgmXdrEncode(xOpaque4, &blob, out, &err));
    g_assert_cmpstr(err->message, ==, "opaque data of 5 bytes is longer than the limit of 4");
    g_assert_cmpuint(out->len, ==, 0);
}

static void
testPointer(void)
{
    static const guint8 absent[] = { 0, 0, 0, 0 };
    static const guint8 present[] = { 0, 0, 0, 1, 0, 0, 0, 42 };
    static const guint8 bad[] = { 0, 0, 0, 2, 0, 0, 0, 42 };
    gint32 value = 42;
    gint32 *p = NULL;
    gint32 *back = NULL;

    assertEncodes(xOptInt, &p, absent, sizeof(absent));
    p = &value;
    assertEncodes(xOptInt, &p, present, sizeof(present));
    assertDecodes(xOptInt, &back, absent, sizeof(absent));
    g_assert_null(back);
    assertDecodes(xOptInt, &back, present, sizeof(present));
    g_assert_nonnull(back);
    g_assert_cmpint(*back, ==, 42);
    vgmXdrFree(xOptInt, &back);
    g_assert_null(back);

    assertDecodeFails(xOptInt, &back, sizeof(back), bad, sizeof(bad),
                      "XDR optional-data flag 2 is neither 0 nor 1");
}

static void
testArray(void)
{
    static const guint8 three[] = { 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfd };
    static const guint8 five[] = { 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
                                   0, 0, 0, 4, 0, 0, 0, 5 };
    static const guint8 huge[] = { 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1 };
    static const guint8 short3[] = { 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2 };
    gint32 vals[] = { 1, 2, -3 };
    gint32 five_[] = { 1, 2, 3, 4, 5 };
    IntArray a = { vals, 3 };
    IntArray back = { NULL, 0 };
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    assertEncodes(xIntArray4, &a, three, sizeof(three));
    assertDecodes(xIntArray4, &back, three, sizeof(three));
    g_assert_cmpuint(back.len, ==, 3);
    g_assert_cmpmem(back.val, back.len * sizeof(gint32), vals, sizeof(vals));
    vgmXdrFree(xIntArray4, &back);
    g_assert_null(back.val);
    g_assert_cmpuint(back.len, ==, 0);

    assertDecodeFails(xIntArray4, &back, sizeof(back), five, sizeof(five),
                      "array of 5 elements is longer than the limit of 4");
    /* A count the bytes left cannot hold fails before any allocation. */
    assertDecodeFails(xIntArrayUnlimited, &back, sizeof(back), huge, sizeof(huge),
                      "array of 2147483647 elements cannot fit in the 4 bytes left");
    assertDecodeFails(xIntArray4, &back, sizeof(back), short3, sizeof(short3),
                      "array of 3 elements cannot fit in the 8 bytes left");

    a.val = five_;
    a.len = 5;
    g_assert_false(vgmXdrEncode(xIntArray4, &a, out, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==, "array of 5 elements is longer than the limit of 4");
    g_assert_cmpuint(out->len, ==, 0);
}

static void
testTruncated(void)
{
    static const guint8 bytes[] = { 0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0 };
    gint32 i = 0;
    gint64 h = 0;
    char *s = NULL;
    guint8 fixed[5];

    assertDecodeFails(xInt, &i, sizeof(i), bytes, 3,
                      "XDR data ends too early: 4 bytes needed at offset 0, only 3 left");
    assertDecodeFails(xInt, &i, sizeof(i), bytes, 0,
                      "XDR data ends too early: 4 bytes needed at offset 0, only 0 left");
    assertDecodeFails(xHyper, &h, sizeof(h), bytes, 7,
                      "XDR data ends too early: 8 bytes needed at offset 0, only 7 left");
    assertDecodeFails(xString8, &s, sizeof(s), bytes, 8,
                      "XDR data ends too early: 8 bytes needed at offset 4, only 4 left");
    /* The padding belongs to the string. */
    assertDecodeFails(xString8, &s, sizeof(s), bytes, 11,
                      "XDR data ends too early: 8 bytes needed at offset 4, only 7 left");
    assertDecodeFails(xFixed5, fixed, sizeof(fixed), bytes, 7,
                      "XDR data ends too early: 8 bytes needed at offset 0, only 7 left");
}

static void
testTrailing(void)
{
    static const guint8 bytes[] = { 0, 0, 0, 7, 0, 0, 0, 0 };
    gint32 i = 0;

    assertDecodeFails(xInt, &i, sizeof(i), bytes, sizeof(bytes),
                      "4 bytes left over after the XDR data (of 8)");
}

static void
testSticky(void)
{
    static const guint8 bytes[] = { 0, 0, 0, 1, 0, 0 };
    VgmXdr xdr;
    gint32 i = 0;
    char *s = NULL;

    vgmXdrInitDecode(&xdr, bytes, sizeof(bytes));
    g_assert_true(vgmXdrInt(&xdr, &i));
    g_assert_cmpint(i, ==, 1);
    g_assert_false(vgmXdrAtEnd(&xdr));
    g_assert_false(vgmXdrInt(&xdr, &i));
    g_assert_nonnull(vgmXdrGetError(&xdr));
    g_assert_cmpstr(vgmXdrGetError(&xdr)->message, ==,
                    "XDR data ends too early: 4 bytes needed at offset 4, only 2 left");
    /* Later calls fail at once and keep the first reason. */
    g_assert_false(vgmXdrString(&xdr, &s, 8));
    g_assert_null(s);
    g_assert_cmpstr(vgmXdrGetError(&xdr)->message, ==,
                    "XDR data ends too early: 4 bytes needed at offset 4, only 2 left");
    vgmXdrClear(&xdr);
    g_assert_null(vgmXdrGetError(&xdr));
}

/* ---- generated code (xdrtestdata/test.x) ---- */

static VgmTestNode *
newNode(const char *name, VgmTestNode *next)
{
    VgmTestNode *n = g_new0(VgmTestNode, 1);

    n->name = g_strdup(name);
    n->next = next;
    return n;
}

/* An object using every member, built as a decode would (so
 * vgmXdrFree can free it). */
static void
fillAll(VgmTestAll *all)
{
    static const guint8 uuid[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                                     1, 2, 3, 4, 5, 6, 7, 8 };
    size_t i;

    memset(all, 0, sizeof(*all));
    all->scalars.i = -5;
    all->scalars.ui = 0xfffffffe;
    all->scalars.u = 7;
    all->scalars.h = G_MININT64 + 1;
    all->scalars.uh = G_MAXUINT64 - 1;
    all->scalars.d = -0.125;
    all->scalars.b = TRUE;
    all->scalars.c = 'z';
    all->scalars.uc = 200;
    all->scalars.s = -300;
    all->scalars.us = 60000;
    all->scalars.color = VGM_TEST_BLACK;
    all->scalars.n = 99;
    memcpy(all->model, "x86", 4);
    all->fixed[0] = 1;
    all->fixed[1] = -1;
    all->fixed[2] = 0x7fffffff;
    memcpy(all->uuid, uuid, 16);
    memcpy(all->raw, "\x01\x02\x03\x04\x05", 5);
    all->bytes.len = 3;
    all->bytes.val = g_memdup2("\xaa\xbb\xcc", 3);
    all->str = g_strdup("eight ch");
    all->names.len = 3;
    all->names.val = g_new0(VgmTestName, 3);
    all->names.val[0] = g_strdup("");
    all->names.val[1] = g_strdup("b");
    all->names.val[2] = g_strdup("ccccc");
    all->maybe_name = g_new0(VgmTestName, 1);
    *all->maybe_name = g_strdup("opt");
    all->maybe_uh = g_new0(guint64, 1);
    *all->maybe_uh = 0x1122334455667788;
    all->list = newNode("one", newNode("two", newNode("three", NULL)));
    all->values.len = 4;
    all->values.val = g_new0(VgmTestValue, 4);
    all->values.val[0].color = VGM_TEST_RED;
    all->values.val[0].u.red = -7;
    all->values.val[1].color = VGM_TEST_GREEN;
    all->values.val[1].u.name = g_strdup("green");
    all->values.val[2].color = VGM_TEST_BLUE;
    all->values.val[2].u.name = g_strdup("blue");
    all->values.val[3].color = VGM_TEST_BLACK;
    all->maybe.present = TRUE;
    all->maybe.u.value = -42;
    all->choice.kind = 2;
    all->choice.u.list = newNode("c", NULL);
    all->ints.len = 2;
    all->ints.val = g_new0(gint32, 2);
    all->ints.val[0] = 10;
    all->ints.val[1] = -10;
    all->blob.len = 4;
    all->blob.val = g_memdup2("\x00\x01\x00\x02", 4);
    all->pair[0] = 1;
    all->pair[1] = G_MAXUINT64;
    all->text = g_strnfill(1000, 't');
    all->label.len = 4;
    all->label.val = g_new0(char, 4);
    for (i = 0; i < 4; i++)
        all->label.val[i] = "abcd"[i];
    all->later = g_new0(VgmTestLater, 1);
    all->later->x = 33;
    all->laters.len = 2;
    all->laters.val = g_new0(VgmTestLater, 2);
    all->laters.val[0].x = 1;
    all->laters.val[1].x = 2;
}

static GByteArray *
encodeAll(VgmTestAll *all)
{
    GByteArray *out = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    g_assert_true(vgmXdrEncode(vgmTestXdrAll, all, out, &err));
    g_assert_no_error(err);
    return out;
}

static void
testGeneratedRoundTrip(void)
{
    VgmTestAll all;
    VgmTestAll back;
    g_autoptr(GByteArray) out = NULL;
    g_autoptr(GByteArray) again = NULL;

    fillAll(&all);
    out = encodeAll(&all);
    memset(&back, 0, sizeof(back));
    assertDecodes(vgmTestXdrAll, &back, out->data, out->len);

    g_assert_cmpint(back.scalars.i, ==, -5);
    g_assert_cmpuint(back.scalars.ui, ==, 0xfffffffe);
    g_assert_cmpint(back.scalars.h, ==, G_MININT64 + 1);
    g_assert_cmpuint(back.scalars.uh, ==, G_MAXUINT64 - 1);
    g_assert_cmpfloat(back.scalars.d, ==, -0.125);
    g_assert_cmpint(back.scalars.b, ==, 1);
    g_assert_cmpint(back.scalars.c, ==, 'z');
    g_assert_cmpuint(back.scalars.uc, ==, 200);
    g_assert_cmpint(back.scalars.s, ==, -300);
    g_assert_cmpuint(back.scalars.us, ==, 60000);
    g_assert_cmpint(back.scalars.color, ==, VGM_TEST_BLACK);
    g_assert_cmpstr(back.model, ==, "x86");
    g_assert_cmpint(back.fixed[2], ==, 0x7fffffff);
    g_assert_cmpmem(back.uuid, 16, all.uuid, 16);
    g_assert_cmpmem(back.bytes.val, back.bytes.len, "\xaa\xbb\xcc", 3);
    g_assert_cmpstr(back.str, ==, "eight ch");
    g_assert_cmpuint(back.names.len, ==, 3);
    g_assert_cmpstr(back.names.val[0], ==, "");
    g_assert_cmpstr(back.names.val[2], ==, "ccccc");
    g_assert_cmpstr(*back.maybe_name, ==, "opt");
    g_assert_cmpuint(*back.maybe_uh, ==, 0x1122334455667788);
    g_assert_cmpstr(back.list->name, ==, "one");
    g_assert_cmpstr(back.list->next->next->name, ==, "three");
    g_assert_null(back.list->next->next->next);
    g_assert_cmpuint(back.values.len, ==, 4);
    g_assert_cmpint(back.values.val[0].u.red, ==, -7);
    g_assert_cmpstr(back.values.val[2].u.name, ==, "blue");
    g_assert_cmpint(back.values.val[3].color, ==, VGM_TEST_BLACK);
    g_assert_cmpint(back.maybe.u.value, ==, -42);
    g_assert_cmpstr(back.choice.u.list->name, ==, "c");
    g_assert_cmpint(back.ints.val[1], ==, -10);
    g_assert_cmpmem(back.blob.val, back.blob.len, "\x00\x01\x00\x02", 4);
    g_assert_cmpuint(back.pair[1], ==, G_MAXUINT64);
    g_assert_cmpuint(strlen(back.text), ==, 1000);
    g_assert_cmpmem(back.label.val, back.label.len, "abcd", 4);
    g_assert_cmpint(back.later->x, ==, 33);
    g_assert_cmpint(back.laters.val[1].x, ==, 2);

    /* Whatever was not checked one by one survives: same bytes again. */
    again = encodeAll(&back);
    g_assert_cmpmem(again->data, again->len, out->data, out->len);

    vgmXdrFree(vgmTestXdrAll, &back);
    g_assert_true(isZero(&back, sizeof(back)));
    vgmXdrFree(vgmTestXdrAll, &all);
    g_assert_true(isZero(&all, sizeof(all)));
}

static void
testGeneratedBytes(void)
{
    static const guint8 echo[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0, 3 };
    static const guint8 green[] = { 0, 0, 0, 1, 0, 0, 0, 1, 'x', 0, 0, 0 };
    static const guint8 black[] = { 0xff, 0xff, 0xff, 0xff };
    static const guint8 maybeNo[] = { 0, 0, 0, 0 };
    static const guint8 maybeYes[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 };
    static const guint8 other[] = { 0, 0, 0, 9, 0, 0, 0, 2, 'h', 'i', 0, 0 };
    VgmTestEchoRet ret = { (char *)"abc", 3 };
    VgmTestValue v;
    VgmTestMaybe m;
    VgmTestChoice c;

    assertEncodes(vgmTestXdrEchoRet, &ret, echo, sizeof(echo));

    memset(&v, 0, sizeof(v));
    v.color = VGM_TEST_GREEN;
    v.u.name = (char *)"x";
    assertEncodes(vgmTestXdrValue, &v, green, sizeof(green));
    v.color = VGM_TEST_BLACK;           /* a void arm: the tag alone */
    assertEncodes(vgmTestXdrValue, &v, black, sizeof(black));

    memset(&m, 0, sizeof(m));
    assertEncodes(vgmTestXdrMaybe, &m, maybeNo, sizeof(maybeNo));
    m.present = TRUE;
    m.u.value = 9;
    assertEncodes(vgmTestXdrMaybe, &m, maybeYes, sizeof(maybeYes));

    memset(&c, 0, sizeof(c));
    assertDecodes(vgmTestXdrChoice, &c, other, sizeof(other));   /* default arm */
    g_assert_cmpuint(c.kind, ==, 9);
    g_assert_cmpstr(c.u.other, ==, "hi");
    vgmXdrFree(vgmTestXdrChoice, &c);
    g_assert_true(isZero(&c, sizeof(c)));
}

static void
testGeneratedUnionErrors(void)
{
    static const guint8 unknown[] = { 0, 0, 0, 5, 0, 0, 0, 1 };
    static const guint8 badBool[] = { 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9 };
    static const guint8 greenTruncated[] = { 0, 0, 0, 1, 0, 0, 0, 4, 'a' };
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    VgmTestValue v;
    VgmTestMaybe m;

    assertDecodeFails(vgmTestXdrValue, &v, sizeof(v), unknown, sizeof(unknown),
                      "union test_value has no arm for discriminant 5");
    assertDecodeFails(vgmTestXdrMaybe, &m, sizeof(m), badBool, sizeof(badBool),
                      "XDR boolean 2 is neither 0 nor 1");
    assertDecodeFails(vgmTestXdrValue, &v, sizeof(v), greenTruncated, sizeof(greenTruncated),
                      "XDR data ends too early: 4 bytes needed at offset 8, only 1 left");

    memset(&v, 0, sizeof(v));
    v.color = 42;
    g_assert_false(vgmXdrEncode(vgmTestXdrValue, &v, out, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
    g_assert_cmpstr(err->message, ==, "union test_value has no arm for discriminant 42");
    g_assert_cmpuint(out->len, ==, 0);
    /* Freeing an object with an unknown tag is harmless. */
    vgmXdrFree(vgmTestXdrValue, &v);
    g_assert_true(isZero(&v, sizeof(v)));
}

/* Every proper prefix of a full object fails to decode, and leaves the
 * object zeroed with nothing leaked. */
static void
testGeneratedTruncations(void)
{
    VgmTestAll all;
    g_autoptr(GByteArray) out = NULL;
    gsize len;

    fillAll(&all);
    out = encodeAll(&all);
    vgmXdrFree(vgmTestXdrAll, &all);
    g_assert_cmpuint(out->len, >, 1000);

    for (len = 0; len < out->len; len++) {
        VgmTestAll back;

        assertDecodeFails(vgmTestXdrAll, &back, sizeof(back), out->data, len, NULL);
    }
}

static void
testGeneratedHalfDecoded(void)
{
    /* names<4> of 3 whose third string has a NUL: the first two are
     * allocated when the decode stops. */
    static const guint8 names[] = {
        0, 0, 0, 3,
        0, 0, 0, 1, 'a', 0, 0, 0,
        0, 0, 0, 2, 'b', 'b', 0, 0,
        0, 0, 0, 2, 'c', 0, 0, 0,
    };
    /* A list of three nodes cut inside the third name. */
    static const guint8 list[] = {
        0, 0, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 1,
        0, 0, 0, 1, 'b', 0, 0, 0, 0, 0, 0, 1,
        0, 0, 0, 5, 'c', 'c',
    };
    VgmTestAll all;
    VgmTestNode node;
    VgmXdr xdr;

    memset(&all, 0, sizeof(all));
    vgmXdrInitDecode(&xdr, names, sizeof(names));
    g_assert_false(vgmXdrArray(&xdr, (void **)&all.names.val, &all.names.len, 4,
                               sizeof(VgmTestName), vgmTestXdrName));
    g_assert_cmpstr(vgmXdrGetError(&xdr)->message, ==,
                    "string of 2 bytes has a NUL byte at offset 1");
    vgmXdrClear(&xdr);
    g_assert_cmpuint(all.names.len, ==, 3);
    g_assert_cmpstr(all.names.val[0], ==, "a");
    g_assert_cmpstr(all.names.val[1], ==, "bb");
    g_assert_null(all.names.val[2]);
    vgmXdrFree(vgmTestXdrAll, &all);
    g_assert_true(isZero(&all, sizeof(all)));

    memset(&node, 0, sizeof(node));
    vgmXdrInitDecode(&xdr, list, sizeof(list));
    g_assert_false(vgmTestXdrNode(&xdr, &node));
    vgmXdrClear(&xdr);
    g_assert_nonnull(node.next);
    g_assert_nonnull(node.next->next);
    g_assert_null(node.next->next->name);
    vgmXdrFree(vgmTestXdrNode, &node);
    g_assert_true(isZero(&node, sizeof(node)));
}

static void
testGeneratedLimits(void)
{
    static const guint8 fiveNames[] = { 0, 0, 0, 5 };
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    VgmTestAll all;
    VgmXdr xdr;
    VgmTestName tooMany[5] = { (char *)"a", (char *)"b", (char *)"c", (char *)"d", (char *)"e" };

    memset(&all, 0, sizeof(all));
    vgmXdrInitDecode(&xdr, fiveNames, sizeof(fiveNames));
    g_assert_false(vgmXdrArray(&xdr, (void **)&all.names.val, &all.names.len,
                               VGM_TEST_LIST_MAX, sizeof(VgmTestName), vgmTestXdrName));
    g_assert_cmpstr(vgmXdrGetError(&xdr)->message, ==,
                    "array of 5 elements is longer than the limit of 4");
    vgmXdrClear(&xdr);
    g_assert_null(all.names.val);

    /* An encode over a limit deep inside leaves the output untouched. */
    fillAll(&all);
    {
        VgmTestName *saved = all.names.val;
        guint32 savedLen = all.names.len;

        all.names.val = tooMany;
        all.names.len = 5;
        g_assert_false(vgmXdrEncode(vgmTestXdrAll, &all, out, &err));
        g_assert_error(err, VGM_ERROR, VGM_ERR_OPERATION_FAILED);
        g_assert_cmpstr(err->message, ==, "array of 5 elements is longer than the limit of 4");
        g_assert_cmpuint(out->len, ==, 0);
        all.names.val = saved;
        all.names.len = savedLen;
    }
    vgmXdrFree(vgmTestXdrAll, &all);
}

/* ---- dispatch table (xdrtestdata/test.x) ---- */

struct _VgmTestClient {
    int calls;
    int last;
};

gboolean
vgmTestDispatchEcho(VgmTestClient *client, const VgmTestEchoArgs *args,
                    VgmTestEchoRet *ret, GError **error)
{
    client->calls++;
    client->last = VGM_TEST_PROC_ECHO;
    if (!*args->name) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", "empty name");
        return FALSE;
    }
    ret->name = g_strdup(args->name);
    ret->length = (gint32)strlen(args->name);
    return TRUE;
}

gboolean
vgmTestDispatchNothing(VgmTestClient *client, GError **error G_GNUC_UNUSED)
{
    client->calls++;
    client->last = VGM_TEST_PROC_NOTHING;
    return TRUE;
}

gboolean
vgmTestDispatchStatus(VgmTestClient *client, VgmTestStatusRet *ret,
                      GError **error G_GNUC_UNUSED)
{
    client->calls++;
    client->last = VGM_TEST_PROC_STATUS;
    ret->status = 77;
    return TRUE;
}

gboolean
vgmTestDispatchPing(VgmTestClient *client, const VgmTestPingArgs *args,
                    GError **error G_GNUC_UNUSED)
{
    client->calls++;
    client->last = VGM_TEST_PROC_PING;
    return args->n >= 0;
}

/* What a server does with one call: decode the args into a zeroed
 * buffer, dispatch, encode the ret, free both. */
static gboolean
serveCall(VgmTestClient *client, gint32 proc, const guint8 *in, gsize len,
          GByteArray *reply, GError **error)
{
    const VgmTestProcInfo *info = vgmTestProcFind(proc);
    g_autofree void *args = NULL;
    g_autofree void *ret = NULL;
    gboolean ok;

    g_assert_nonnull(info);
    g_assert_nonnull(info->dispatch);
    args = info->argsSize ? g_malloc0(info->argsSize) : NULL;
    ret = info->retSize ? g_malloc0(info->retSize) : NULL;
    if (info->argsFn) {
        if (!vgmXdrDecode(info->argsFn, args, in, len, error))
            return FALSE;
    } else {
        g_assert_cmpuint(len, ==, 0);
    }
    ok = info->dispatch(client, args, ret, error);
    if (ok && info->retFn)
        ok = vgmXdrEncode(info->retFn, ret, reply, error);
    if (info->argsFn)
        vgmXdrFree(info->argsFn, args);
    if (info->retFn)
        vgmXdrFree(info->retFn, ret);
    return ok;
}

static void
testDispatchTable(void)
{
    static const gint32 sorted[] = { 1, 2, 3, 5, 100 };
    const VgmTestProcInfo *p;
    size_t i;

    g_assert_cmpuint(vgmTestNProcs, ==, G_N_ELEMENTS(sorted));
    for (i = 0; i < vgmTestNProcs; i++) {
        g_assert_cmpint(vgmTestProcs[i].proc, ==, sorted[i]);
        g_assert_true(vgmTestProcFind(sorted[i]) == &vgmTestProcs[i]);
    }
    g_assert_null(vgmTestProcFind(0));
    g_assert_null(vgmTestProcFind(4));
    g_assert_null(vgmTestProcFind(-1));
    g_assert_null(vgmTestProcFind(101));
    g_assert_null(vgmTestProcFind(G_MAXINT32));

    p = vgmTestProcFind(VGM_TEST_PROC_ECHO);
    g_assert_cmpstr(p->name, ==, "TEST_PROC_ECHO");
    g_assert_true(p->argsFn == vgmTestXdrEchoArgs);
    g_assert_cmpuint(p->argsSize, ==, sizeof(VgmTestEchoArgs));
    g_assert_true(p->retFn == vgmTestXdrEchoRet);
    g_assert_cmpuint(p->retSize, ==, sizeof(VgmTestEchoRet));
    g_assert_cmpuint(p->flags, ==, VGM_TEST_PROC_READONLY | VGM_TEST_PROC_PREOPEN);

    p = vgmTestProcFind(VGM_TEST_PROC_NOTHING);
    g_assert_null(p->argsFn);
    g_assert_cmpuint(p->argsSize, ==, 0);
    g_assert_null(p->retFn);
    g_assert_cmpuint(p->retSize, ==, 0);
    g_assert_cmpuint(p->flags, ==, 0);

    p = vgmTestProcFind(VGM_TEST_PROC_PING);
    g_assert_cmpuint(p->flags, ==, VGM_TEST_PROC_READONLY);
    g_assert_null(p->retFn);

    p = vgmTestProcFind(VGM_TEST_PROC_EVENT);
    g_assert_null(p->dispatch);
    g_assert_cmpuint(p->flags, ==, VGM_TEST_PROC_MESSAGE);
    g_assert_true(p->argsFn == vgmTestXdrEventMsg);
    g_assert_cmpuint(p->argsSize, ==, sizeof(VgmTestEventMsg));
}

static void
testDispatchCalls(void)
{
    static const guint8 echoArgs[] = { 0, 0, 0, 2, 'h', 'i', 0, 0 };
    static const guint8 echoReply[] = { 0, 0, 0, 2, 'h', 'i', 0, 0, 0, 0, 0, 2 };
    static const guint8 emptyArgs[] = { 0, 0, 0, 0 };
    static const guint8 tooLong[] = { 0, 0, 0, 9, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
                                      'i', 0, 0, 0 };
    static const guint8 statusReply[] = { 0, 0, 0, 77 };
    static const guint8 ping[] = { 0, 0, 0, 1 };
    VgmTestClient client = { 0, 0 };
    g_autoptr(GByteArray) reply = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    g_assert_true(serveCall(&client, VGM_TEST_PROC_ECHO, echoArgs, sizeof(echoArgs),
                            reply, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(reply->data, reply->len, echoReply, sizeof(echoReply));
    g_assert_cmpint(client.last, ==, VGM_TEST_PROC_ECHO);

    g_byte_array_set_size(reply, 0);
    g_assert_false(serveCall(&client, VGM_TEST_PROC_ECHO, emptyArgs, sizeof(emptyArgs),
                             reply, &err));
    g_assert_cmpstr(err->message, ==, "empty name");
    g_clear_error(&err);

    g_assert_false(serveCall(&client, VGM_TEST_PROC_ECHO, tooLong, sizeof(tooLong),
                             reply, &err));
    g_assert_cmpstr(err->message, ==, "string of 9 bytes is longer than the limit of 8");
    g_clear_error(&err);
    g_assert_cmpint(client.calls, ==, 2);  /* a bad payload never reaches the handler */

    g_assert_true(serveCall(&client, VGM_TEST_PROC_NOTHING, NULL, 0, reply, &err));
    g_assert_cmpint(client.last, ==, VGM_TEST_PROC_NOTHING);
    g_assert_cmpuint(reply->len, ==, 0);

    g_assert_true(serveCall(&client, VGM_TEST_PROC_STATUS, NULL, 0, reply, &err));
    g_assert_cmpmem(reply->data, reply->len, statusReply, sizeof(statusReply));

    g_byte_array_set_size(reply, 0);
    g_assert_true(serveCall(&client, VGM_TEST_PROC_PING, ping, sizeof(ping), reply, &err));
    g_assert_cmpint(client.last, ==, VGM_TEST_PROC_PING);
    g_assert_cmpuint(reply->len, ==, 0);
    g_assert_cmpint(client.calls, ==, 5);
}

/* ---- the RPC layer's own types (src/rpc/vgm_rpc_protocol.x) ---- */

static void
testRpcError(void)
{
    /* What libvirtd sends for a procedure it does not know. */
    static const guint8 want[] = {
        0, 0, 0, 39,                                    /* code: RPC */
        0, 0, 0, 7,                                     /* domain: RPC */
        0, 0, 0, 1, 0, 0, 0, 22,                        /* message */
        'u', 'n', 'k', 'n', 'o', 'w', 'n', ' ', 'p', 'r', 'o', 'c', 'e', 'd', 'u', 'r',
        'e', ':', ' ', '9', '9', '9', 0, 0,
        0, 0, 0, 2,                                     /* level: error */
        0, 0, 0, 0,                                     /* dom: none */
        0, 0, 0, 1, 0, 0, 0, 2, '%', 's', 0, 0,         /* str1 */
        0, 0, 0, 1, 0, 0, 0, 22,                        /* str2 */
        'u', 'n', 'k', 'n', 'o', 'w', 'n', ' ', 'p', 'r', 'o', 'c', 'e', 'd', 'u', 'r',
        'e', ':', ' ', '9', '9', '9', 0, 0,
        0, 0, 0, 0,                                     /* str3: none */
        0xff, 0xff, 0xff, 0xff,                         /* int1 */
        0xff, 0xff, 0xff, 0xff,                         /* int2 */
        0, 0, 0, 0,                                     /* net: none */
    };
    char *msg = (char *)"unknown procedure: 999";
    char *fmt = (char *)"%s";
    VgmRpcError e;
    VgmRpcError back;

    memset(&e, 0, sizeof(e));
    e.code = 39;
    e.domain = 7;
    e.message = &msg;
    e.level = 2;
    e.str1 = &fmt;
    e.str2 = &msg;
    e.int1 = -1;
    e.int2 = -1;
    assertEncodes(vgmRpcXdrError, &e, want, sizeof(want));

    memset(&back, 0, sizeof(back));
    assertDecodes(vgmRpcXdrError, &back, want, sizeof(want));
    g_assert_cmpint(back.code, ==, 39);
    g_assert_cmpstr(*back.message, ==, "unknown procedure: 999");
    g_assert_null(back.dom);
    g_assert_cmpstr(*back.str1, ==, "%s");
    g_assert_null(back.str3);
    g_assert_cmpint(back.int2, ==, -1);
    g_assert_null(back.net);
    vgmXdrFree(vgmRpcXdrError, &back);
    g_assert_true(isZero(&back, sizeof(back)));
}

static void
testRpcErrorWithDomain(void)
{
    VgmRpcError e;
    VgmRpcError back;
    VgmRpcNonnullDomain dom;
    g_autoptr(GByteArray) out = g_byte_array_new();
    char *name = (char *)"vm1";

    memset(&e, 0, sizeof(e));
    memset(&dom, 0, sizeof(dom));
    dom.name = name;
    memset(dom.uuid, 0xab, sizeof(dom.uuid));
    dom.id = -1;
    e.code = 42;
    e.domain = 10;
    e.dom = &dom;
    g_assert_true(vgmXdrEncode(vgmRpcXdrError, &e, out, NULL));
    memset(&back, 0, sizeof(back));
    assertDecodes(vgmRpcXdrError, &back, out->data, out->len);
    g_assert_nonnull(back.dom);
    g_assert_cmpstr(back.dom->name, ==, "vm1");
    g_assert_cmpmem(back.dom->uuid, 16, dom.uuid, 16);
    g_assert_cmpint(back.dom->id, ==, -1);
    vgmXdrFree(vgmRpcXdrError, &back);
}

static void
testKeepaliveConstants(void)
{
    g_assert_cmpuint(VGM_RPC_KEEPALIVE_PROGRAM, ==, 0x6b656570);    /* "keep" */
    g_assert_cmpuint(VGM_RPC_KEEPALIVE_PROTOCOL_VERSION, ==, 1);
    g_assert_cmpint(VGM_RPC_KEEPALIVE_PROC_PING, ==, 1);
    g_assert_cmpint(VGM_RPC_KEEPALIVE_PROC_PONG, ==, 2);
    g_assert_cmpuint(VGM_RPC_MESSAGE_STRING_MAX, ==, 4194304);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/xdr/int", testInt);
    g_test_add_func("/xdr/uint", testUInt);
    g_test_add_func("/xdr/hyper", testHyper);
    g_test_add_func("/xdr/double", testDouble);
    g_test_add_func("/xdr/bool", testBool);
    g_test_add_func("/xdr/small-ints", testSmallInts);
    g_test_add_func("/xdr/string", testString);
    g_test_add_func("/xdr/string-encode-errors", testStringEncodeErrors);
    g_test_add_func("/xdr/opaque", testOpaque);
    g_test_add_func("/xdr/pointer", testPointer);
    g_test_add_func("/xdr/array", testArray);
    g_test_add_func("/xdr/truncated", testTruncated);
    g_test_add_func("/xdr/trailing", testTrailing);
    g_test_add_func("/xdr/sticky-error", testSticky);
    g_test_add_func("/xdr/generated/round-trip", testGeneratedRoundTrip);
    g_test_add_func("/xdr/generated/bytes", testGeneratedBytes);
    g_test_add_func("/xdr/generated/union-errors", testGeneratedUnionErrors);
    g_test_add_func("/xdr/generated/truncations", testGeneratedTruncations);
    g_test_add_func("/xdr/generated/half-decoded", testGeneratedHalfDecoded);
    g_test_add_func("/xdr/generated/limits", testGeneratedLimits);
    g_test_add_func("/xdr/dispatch/table", testDispatchTable);
    g_test_add_func("/xdr/dispatch/calls", testDispatchCalls);
    g_test_add_func("/xdr/rpc/error", testRpcError);
    g_test_add_func("/xdr/rpc/error-with-domain", testRpcErrorWithDomain);
    g_test_add_func("/xdr/rpc/keepalive", testKeepaliveConstants);

    return g_test_run();
}
