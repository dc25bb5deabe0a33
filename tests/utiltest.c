/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * utiltest.c: the util layer.
 *
 * Covers: scaled sizes (every unit, defaults, overflow as an error, the
 * memory limit in KiB after rounding in every unit, checked rounding and
 * KiB to bytes at their edges),
 * strict integer parsing, CPU/node sets (parse, canonical format, errors),
 * enum tables, the typed XML property readers and their messages, the
 * element/attribute allow-lists, and safe parsing (no DOCTYPE or entities,
 * so billion-laughs input fails at once; no external entities or network;
 * size and depth limits; NUL bytes), plus XML escaping in VgmBuf and the
 * log tail reader (offset, byte bound, valid UTF-8, a missing file), and
 * the tree removal (nested directories go, a symbolic link goes without
 * what it points to, a missing path is fine), whether a unix socket
 * listens (bound is not yet, listening is, closed is no more; a path with
 * a space; a missing one), and key codes in every code
 * set of virDomainSendKey turned into QEMU's key numbers (a plain and an
 * extended key in each, passing QEMU's numbers through, codes of no key).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "util/vgmbitmap.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmkeycode.h"
#include "util/vgmsize.h"
#include "util/vgmxml.h"

static void
testScale(void)
{
    static const struct {
        unsigned long long in;
        const char *unit;
        unsigned long long out;
    } cases[] = {
        { 1, NULL, 1024 }, { 1, "", 1024 }, { 5, "b", 5 }, { 5, "bytes", 5 },
        { 1, "k", 1024 }, { 1, "KiB", 1024 }, { 1, "KB", 1000 },
        { 1, "M", 1048576 }, { 1, "MiB", 1048576 }, { 1, "MB", 1000000 },
        { 1, "G", 1073741824ULL }, { 1, "GiB", 1073741824ULL }, { 1, "GB", 1000000000ULL },
        { 1, "T", 1099511627776ULL }, { 1, "TiB", 1099511627776ULL },
        { 2, "mib", 2097152 }, { 1, "P", 1125899906842624ULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        unsigned long long v = cases[i].in;
        g_autoptr(GError) err = NULL;
        g_assert_true(vgmScaleInteger(&v, cases[i].unit, 1024, G_MAXUINT64, "x", &err));
        g_assert_no_error(err);
        g_assert_cmpuint(v, ==, cases[i].out);
    }
}

static void
testScaleErrors(void)
{
    unsigned long long v = 17179869184ULL; /* 16 GiB in KiB: overflows in EiB */
    g_autoptr(GError) err = NULL;

    g_assert_false(vgmScaleInteger(&v, "EiB", 1024, G_MAXUINT64, "<memory>", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
    g_assert_cmpstr(err->message, ==,
                    "value 17179869184 EiB for <memory> is too large (the limit is 18446744073709551615 bytes)");
    g_assert_cmpuint(v, ==, 17179869184ULL); /* untouched */
    g_clear_error(&err);

    v = 1;
    g_assert_false(vgmScaleInteger(&v, "furlongs", 1024, G_MAXUINT64, "<memory>", &err));
    g_assert_cmpstr(err->message, ==, "unknown unit 'furlongs' for <memory>");
    g_clear_error(&err);

    v = 5;
    g_assert_false(vgmScaleInteger(&v, "KiB", 1, 4096, "<size>", &err));
    g_assert_nonnull(err);
}

/* The largest value of each unit that fits the limit after rounding up to
 * whole KiB, and the next one that does not (issue 11: the limit used to
 * be checked on the bytes, before rounding). */
static void
testScaleToKiBEdges(void)
{
    static const struct {
        const char *unit;
        unsigned long long largest;  /* accepted */
        unsigned long long kib;      /* what it becomes */
    } cases[] = {
        { NULL, 9007199254738944ULL, 9007199254738944ULL },
        { "k", 9007199254738944ULL, 9007199254738944ULL },
        { "KiB", 9007199254738944ULL, 9007199254738944ULL },
        { "b", 9223372036852678656ULL, 9007199254738944ULL },
        { "bytes", 9223372036852678656ULL, 9007199254738944ULL },
        { "KB", 9223372036852678ULL, 9007199254738944ULL },      /* 368 bytes past a KiB, rounded up */
        { "MB", 9223372036852ULL, 9007199254738282ULL },         /* 256 bytes past a KiB, rounded up */
        { "MiB", 8796093022206ULL, 9007199254738944ULL },
        { "GiB", 8589934591ULL, 9007199253692416ULL },
        { "EiB", 7ULL, 7ULL << 50 },                        /* 8 EiB is 2^53 KiB */
    };
    size_t i;

    g_assert_cmpuint(VGM_MEMORY_MAX_KIB, ==, 9007199254738944ULL);
    g_assert_cmpuint(VGM_MEMORY_MAX_KIB % 2048, ==, 0);
    g_assert_cmpuint(VGM_MEMORY_MAX_KIB * 1024, <=, (unsigned long long)G_MAXINT64);

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        unsigned long long kib = 42;
        g_autoptr(GError) err = NULL;

        g_assert_true(vgmScaleToKiB(cases[i].largest, cases[i].unit, VGM_MEMORY_MAX_KIB,
                                    "<memory>", &kib, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(kib, ==, cases[i].kib);

        kib = 42;
        g_assert_false(vgmScaleToKiB(cases[i].largest + 1, cases[i].unit, VGM_MEMORY_MAX_KIB,
                                     "<memory>", &kib, &err));
        g_assert_error(err, VGM_ERROR, VGM_ERR_INVALID_ARG);
        g_assert_cmpuint(kib, ==, 42); /* untouched */
    }
}

static void
testScaleToKiB(void)
{
    unsigned long long kib = 0;
    g_autoptr(GError) err = NULL;

    /* rounded up to whole KiB, as libvirt does */
    g_assert_true(vgmScaleToKiB(1, "b", VGM_MEMORY_MAX_KIB, "x", &kib, &err));
    g_assert_cmpuint(kib, ==, 1);
    g_assert_true(vgmScaleToKiB(1025, "bytes", VGM_MEMORY_MAX_KIB, "x", &kib, &err));
    g_assert_cmpuint(kib, ==, 2);
    g_assert_true(vgmScaleToKiB(1, "KB", VGM_MEMORY_MAX_KIB, "x", &kib, &err));
    g_assert_cmpuint(kib, ==, 1);
    g_assert_true(vgmScaleToKiB(0, "EiB", VGM_MEMORY_MAX_KIB, "x", &kib, &err));
    g_assert_cmpuint(kib, ==, 0);
    g_assert_no_error(err);

    /* the limit is in KiB and holds after the rounding: 4096 bytes fit a
     * 4 KiB limit, 4097 bytes become 5 KiB and do not */
    g_assert_true(vgmScaleToKiB(4096, "b", 4, "<size>", &kib, &err));
    g_assert_false(vgmScaleToKiB(4097, "b", 4, "<size>", &kib, &err));
    g_assert_cmpstr(err->message, ==,
                    "value 4097 b for <size> is too large (the limit is 4 KiB)");
    g_clear_error(&err);

    /* bytes past 64 bits are too large, never a wrap */
    g_assert_false(vgmScaleToKiB(G_MAXUINT64, "EB", G_MAXUINT64, "<memory>", &kib, &err));
    g_clear_error(&err);
    g_assert_false(vgmScaleToKiB(17179869184ULL, "EiB", G_MAXUINT64, "<memory>", &kib, &err));
    g_clear_error(&err);
    g_assert_false(vgmScaleToKiB(9007199254740991ULL, NULL, VGM_MEMORY_MAX_KIB, "<memory>",
                                 &kib, &err));
    g_assert_cmpstr(err->message, ==,
                    "value 9007199254740991 KiB for <memory> is too large (the limit is 9007199254738944 KiB)");
    g_clear_error(&err);

    g_assert_false(vgmScaleToKiB(1, "furlongs", VGM_MEMORY_MAX_KIB, "<memory>", &kib, &err));
    g_assert_cmpstr(err->message, ==, "unknown unit 'furlongs' for <memory>");
}

static void
testSizeRoundUp(void)
{
    unsigned long long r = 42;
    gint64 bytes = 42;

    g_assert_true(vgmSizeRoundUp(0, 1024, &r));
    g_assert_cmpuint(r, ==, 0);
    g_assert_true(vgmSizeRoundUp(1, 1024, &r));
    g_assert_cmpuint(r, ==, 1024);
    g_assert_true(vgmSizeRoundUp(2048, 1024, &r));
    g_assert_cmpuint(r, ==, 2048);
    g_assert_true(vgmSizeRoundUp(VGM_MEMORY_MAX_KIB, 2048, &r));
    g_assert_cmpuint(r, ==, VGM_MEMORY_MAX_KIB);
    g_assert_true(vgmSizeRoundUp(G_MAXUINT64 - 1023, 1024, &r));
    g_assert_cmpuint(r, ==, G_MAXUINT64 - 1023);
    /* the old (v + align - 1) / align * align gave 0 here */
    r = 42;
    g_assert_false(vgmSizeRoundUp(G_MAXUINT64, 1024, &r));
    g_assert_false(vgmSizeRoundUp(G_MAXUINT64 - 1022, 1024, &r));
    g_assert_cmpuint(r, ==, 42);

    g_assert_true(vgmSizeKiBToBytes(0, &bytes));
    g_assert_cmpint(bytes, ==, 0);
    g_assert_true(vgmSizeKiBToBytes(VGM_MEMORY_MAX_KIB, &bytes));
    g_assert_cmpint(bytes, ==, G_GINT64_CONSTANT(9223372036852678656));
    g_assert_true(vgmSizeKiBToBytes(9007199254740991ULL, &bytes));
    g_assert_cmpint(bytes, ==, G_MAXINT64 - 1023);
    /* 2^53 KiB is 2^63 bytes: negative as a signed 64-bit JSON integer */
    bytes = 42;
    g_assert_false(vgmSizeKiBToBytes(9007199254740992ULL, &bytes));
    g_assert_false(vgmSizeKiBToBytes(G_MAXUINT64, &bytes));
    g_assert_cmpint(bytes, ==, 42);
}

static void
testStrTo(void)
{
    unsigned long long ull;
    unsigned int ui;
    int i;

    g_assert_true(vgmStrToULL("0x30000", &ull));
    g_assert_cmpuint(ull, ==, 0x30000);
    g_assert_true(vgmStrToULL("18446744073709551615", &ull));
    g_assert_false(vgmStrToULL("18446744073709551616", &ull));
    g_assert_false(vgmStrToULL("-1", &ull));
    g_assert_false(vgmStrToULL(" 1", &ull));
    g_assert_false(vgmStrToULL("1k", &ull));
    g_assert_false(vgmStrToULL("", &ull));
    g_assert_false(vgmStrToUInt("4294967296", &ui));
    g_assert_true(vgmStrToUInt("4294967295", &ui));
    g_assert_true(vgmStrToInt("-1", &i));
    g_assert_cmpint(i, ==, -1);
    g_assert_false(vgmStrToInt("2147483648", &i));
}

static void
testBitmap(void)
{
    static const struct {
        const char *in;
        const char *out;
    } ok[] = {
        { "0", "0" }, { "0-3", "0-3" }, { "0-3,^2", "0-1,3" },
        { "3,1,2", "1-3" }, { "0-7,^0-1", NULL }, { " 1 , 5 ", "1,5" },
        /* libvirt's bound: CPUs and nodes below 16384 */
        { "0,16383", "0,16383" },
    };
    static const char *const bad[] = { "", "a", "1-", "3-1", ",", "1,", "^1", "^1-2", "16384",
                                       "1--2" };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VgmBitmap) map = vgmBitmapParse(ok[i].in, "test", &err);
        g_autofree char *s = NULL;

        if (!ok[i].out) {
            /* "^0-1" is not a valid negation (a range) */
            g_assert_null(map);
            continue;
        }
        g_assert_no_error(err);
        s = vgmBitmapFormat(map);
        g_assert_cmpstr(s, ==, ok[i].out);
    }
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VgmBitmap) map = vgmBitmapParse(bad[i], "attribute 'cpus'", &err);
        g_assert_null(map);
        g_assert_error(err, VGM_ERROR, VGM_ERR_XML);
        g_assert_nonnull(strstr(err->message, "attribute 'cpus'"));
    }
}

static void
testEnum(void)
{
    g_assert_cmpstr(vgmTristateBoolTypeToString(VGM_TRISTATE_YES), ==, "yes");
    g_assert_cmpint(vgmTristateSwitchTypeFromString("off"), ==, VGM_TRISTATE_NO);
    g_assert_cmpint(vgmTristateSwitchTypeFromString("no"), ==, -1);
    g_assert_null(vgmTristateBoolTypeToString(VGM_TRISTATE_LAST));
    g_assert_null(vgmTristateBoolTypeToString(-1));
    g_assert_cmpstr(vgmErrorCodeTypeToString(VGM_ERR_CONFIG_UNSUPPORTED), ==, "config-unsupported");
}

static xmlNodePtr
testNode(xmlDocPtr *doc, const char *xml)
{
    g_autoptr(GError) err = NULL;

    *doc = vgmXMLParseString(xml, "t.xml", &err);
    g_assert_no_error(err);
    return xmlDocGetRootElement(*doc);
}

static void
testProps(void)
{
    xmlDocPtr doc;
    xmlNodePtr root = testNode(&doc, "<domain><access mode='bogus' n='12' neg='-3' big='4294967296' y='yes' z='0'/></domain>");
    xmlNodePtr node = root->children;
    g_autoptr(GError) err = NULL;
    unsigned int ui;
    unsigned long long ull;
    VgmTristate t;
    int v;
    char *s;

    g_assert_cmpint(vgmXMLPropUInt(node, "n", 0, &ui, &err), ==, 1);
    g_assert_cmpuint(ui, ==, 12);
    g_assert_cmpint(vgmXMLPropUInt(node, "absent", 0, &ui, &err), ==, 0);
    g_assert_no_error(err);

    g_assert_cmpint(vgmXMLPropUInt(node, "absent", VGM_XML_PROP_REQUIRED, &ui, &err), ==, -1);
    g_assert_cmpstr(err->message, ==, "missing required attribute 'absent' of element <access> in <domain>");
    g_clear_error(&err);

    g_assert_cmpint(vgmXMLPropUInt(node, "neg", 0, &ui, &err), ==, -1);
    g_assert_cmpstr(err->message, ==,
                    "invalid value '-3' for attribute 'neg' of element <access> in <domain>: expected a non-negative integer");
    g_clear_error(&err);

    g_assert_cmpint(vgmXMLPropUInt(node, "big", 0, &ui, &err), ==, -1);
    g_assert_cmpstr(err->message, ==,
                    "invalid value '4294967296' for attribute 'big' of element <access> in <domain>: the value is too large");
    g_clear_error(&err);

    g_assert_cmpint(vgmXMLPropULongLong(node, "z", VGM_XML_PROP_NONZERO, &ull, &err), ==, -1);
    g_assert_cmpstr(err->message, ==,
                    "invalid value '0' for attribute 'z' of element <access> in <domain>: must be greater than zero");
    g_clear_error(&err);

    g_assert_cmpint(vgmXMLPropTristateBool(node, "y", 0, &t, &err), ==, 1);
    g_assert_cmpint(t, ==, VGM_TRISTATE_YES);
    g_assert_cmpint(vgmXMLPropTristateSwitch(node, "y", 0, &t, &err), ==, -1);
    g_assert_cmpstr(err->message, ==, "invalid value 'yes' for attribute 'y' of element <access> in <domain>");
    g_clear_error(&err);

    g_assert_cmpint(vgmXMLPropEnum(node, "mode", vgmTristateBoolTypeFromString, 0, &v, &err), ==, -1);
    g_assert_cmpstr(err->message, ==, "invalid value 'bogus' for attribute 'mode' of element <access> in <domain>");
    g_clear_error(&err);

    g_assert_cmpint(vgmXMLPropString(node, "n", 0, &s, &err), ==, 1);
    g_assert_cmpstr(s, ==, "12");
    g_free(s);

    g_assert_false(vgmXMLCheckAttrs(node, (const char *const[]){ "mode", "n", NULL }, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_CONFIG_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==, "unsupported attribute 'neg' of element <access> in <domain>");
    g_clear_error(&err);

    g_assert_false(vgmXMLCheckChildren(root, (const char *const[]){ "name", NULL }, &err));
    g_assert_cmpstr(err->message, ==, "unsupported element <access> in <domain>");
    g_clear_error(&err);
    xmlFreeDoc(doc);
}

static void
testSingleChild(void)
{
    xmlDocPtr doc;
    xmlNodePtr root = testNode(&doc, "<domain><name>a</name><name>b</name></domain>");
    g_autoptr(GError) err = NULL;
    xmlNodePtr child;

    g_assert_cmpint(vgmXMLSingleChild(root, "name", &child, &err), ==, -1);
    g_assert_cmpstr(err->message, ==, "element <name> may appear only once in <domain>");
    xmlFreeDoc(doc);
}

static void
testSafeParse(void)
{
    static const char *const laughs =
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE lolz [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n<domain type='kvm'><name>&lol9;</name></domain>\n";
    static const char *const external =
        "<!DOCTYPE domain [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
        "<domain><name>&xxe;</name></domain>";
    static const char *const network =
        "<!DOCTYPE domain SYSTEM \"http://example.invalid/domain.dtd\"><domain/>";
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) deep = g_string_new(NULL);
    g_autofree char *big = NULL;
    gint64 start;
    int i;
    xmlDocPtr doc;

    start = g_get_monotonic_time();
    doc = vgmXMLParseString(laughs, "laughs.xml", &err);
    g_assert_null(doc);
    g_assert_error(err, VGM_ERROR, VGM_ERR_XML);
    g_assert_cmpstr(err->message, ==,
                    "XML document laughs.xml has a DOCTYPE or ENTITY declaration, which is not allowed");
    /* failing fast means no expansion took place; a generous bound */
    g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
    g_clear_error(&err);

    g_assert_null(vgmXMLParseString(external, "xxe.xml", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_XML);
    g_clear_error(&err);
    g_assert_null(vgmXMLParseString(network, "net.xml", &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_XML);
    g_clear_error(&err);

    for (i = 0; i < VGM_XML_MAX_DEPTH + 1; i++)
        g_string_append(deep, "<a>");
    for (i = 0; i < VGM_XML_MAX_DEPTH + 1; i++)
        g_string_append(deep, "</a>");
    g_assert_null(vgmXMLParseString(deep->str, "deep.xml", &err));
    g_assert_cmpstr(err->message, ==, "XML document deep.xml is nested deeper than 64 elements");
    g_clear_error(&err);

    big = g_malloc(VGM_XML_MAX_SIZE + 16);
    memset(big, ' ', VGM_XML_MAX_SIZE + 15);
    big[VGM_XML_MAX_SIZE + 15] = '\0';
    memcpy(big, "<domain>", 8);
    g_assert_null(vgmXMLParseString(big, "big.xml", &err));
    g_assert_nonnull(strstr(err->message, "is too large"));
    g_clear_error(&err);

    g_assert_null(vgmXMLParseString("<domain><name>x</domain>", "bad.xml", &err));
    g_assert_nonnull(g_str_has_prefix(err->message, "malformed XML in bad.xml at line 1:") ? err->message : NULL);
    g_clear_error(&err);
}

static void
testAttributeFlood(void)
{
    g_autoptr(GString) xml = g_string_new("<domain><metadata><x xmlns='urn:x'");
    g_autoptr(GError) err = NULL;
    gint64 start = g_get_monotonic_time();
    int i;

    for (i = 0; i < 150000; i++)
        g_string_append_printf(xml, " a%d=''", i);
    g_string_append(xml, "/></metadata></domain>");
    g_assert_null(vgmXMLParseString(xml->str, "flood.xml", &err));
    g_assert_cmpstr(err->message, ==,
                    "XML document flood.xml has an element with more than 256 attributes");
    /* refused by a linear scan, not after libxml2's quadratic one */
    g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
}

static void
testSafeParseFile(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vgmutil-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "nul.xml", NULL);

    /* an endless file is read only up to the limit */
    g_assert_null(vgmXMLParseFile("/dev/zero", &err));
    g_assert_nonnull(strstr(err->message, "/dev/zero"));
    g_clear_error(&err);

    g_assert_true(g_file_set_contents(path, "<domain>\0</domain>", 18, NULL));
    g_assert_null(vgmXMLParseFile(path, &err));
    g_assert_nonnull(strstr(err->message, "contains a NUL byte"));
    g_clear_error(&err);
    g_unlink(path);
    g_assert_null(vgmXMLParseFile(path, &err));
    g_assert_error(err, VGM_ERROR, VGM_ERR_SYSTEM);
    g_rmdir(dir);
}

/* Control characters in a quoted value cannot forge lines or terminal
 * escapes in a message (issue 11); escaping is idempotent. */
static void
testErrorEscape(void)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        { "plain 'name' \\ as is", "plain 'name' \\ as is" },
        { "a/\nerror: forged\r\t", "a/\\nerror: forged\\r\\t" },
        { "\x1b[31mred\x7f\x01", "\\x1b[31mred\\x7f\\x01" },
        { "caf\xc3\xa9 \xc2\x9b" "31m \xc2\xa0", "caf\xc3\xa9 \\u009b31m \xc2\xa0" },
        { "bad \xff\xc3 utf-8", "bad \\xff\\xc3 utf-8" },
    };
    g_autoptr(GError) err = NULL;
    size_t i;

    g_assert_null(vgmErrorEscape(NULL));
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *once = vgmErrorEscape(cases[i].in);
        g_autofree char *twice = vgmErrorEscape(once);

        g_assert_cmpstr(once, ==, cases[i].out);
        g_assert_cmpstr(twice, ==, once);
        g_assert_true(g_utf8_validate(once, -1, NULL));
    }
    vgmErrorSet(&err, VGM_ERR_XML, "invalid name '%s'", "a\nb");
    g_assert_cmpstr(err->message, ==, "invalid name 'a\\nb'");
    g_clear_error(&err);
    vgmErrorSetSystem(&err, ENOENT, "cannot open '%s'", "a\rb");
    g_assert_true(g_str_has_prefix(err->message, "cannot open 'a\\rb': "));
}

static void
testBufEscape(void)
{
    VgmBuf buf;
    VgmBuf attrs;
    VgmBuf child;
    g_autofree char *s = NULL;

    vgmBufInit(&buf, 2);
    vgmBufEscapeString(&buf, "<name>%s</name>\n", "a<b>&'\"\n");
    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, &buf);
    vgmXMLFormatElement(&buf, "empty", &attrs, &child);
    vgmBufInit(&attrs, 0);
    vgmBufAdd(&attrs, " x='1'");
    vgmBufInitChild(&child, &buf);
    vgmBufAdd(&child, "<c/>\n");
    vgmXMLFormatElement(&buf, "e", &attrs, &child);
    s = vgmBufSteal(&buf);
    g_assert_cmpstr(s, ==,
                    "  <name>a&lt;b&gt;&amp;&apos;&quot;&#10;</name>\n"
                    "  <e x='1'>\n    <c/>\n  </e>\n");
}

static void
testRemoveTree(void)
{
    g_autofree char *base = g_dir_make_tmp("vgm-rmtree-XXXXXX", NULL);
    g_autofree char *outside = g_build_filename(base, "outside", NULL);
    g_autofree char *tree = g_build_filename(base, "tree", NULL);
    g_autofree char *deep = g_build_filename(tree, "a", "b", NULL);
    g_autofree char *file = g_build_filename(deep, "f", NULL);
    g_autofree char *link = g_build_filename(tree, "a", "link", NULL);

    g_assert_nonnull(base);
    g_assert_true(g_file_set_contents(outside, "keep", -1, NULL));
    g_assert_cmpint(g_mkdir_with_parents(deep, 0700), ==, 0);
    g_assert_true(g_file_set_contents(file, "x", -1, NULL));
    g_assert_cmpint(symlink(outside, link), ==, 0);
    vgmFileRemoveTree(tree);
    g_assert_false(g_file_test(tree, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(outside, G_FILE_TEST_IS_REGULAR));
    /* again: nothing there */
    vgmFileRemoveTree(tree);
    vgmFileRemoveTree(base);
    g_assert_false(g_file_test(base, G_FILE_TEST_EXISTS));
}

static void
testReadTail(void)
{
    g_autofree char *dir = g_dir_make_tmp("vgmutil-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "log", NULL);
    g_autofree char *all = NULL;
    g_autofree char *tail = NULL;
    g_autofree char *after = NULL;
    g_autofree char *missing = NULL;
    g_autofree char *cut = NULL;

    /* "banner\n" then "h\xc3\xa9llo world  \n": the tail of 8 bytes cuts
     * no character in half here, the tail of 12 does */
    g_assert_true(g_file_set_contents(path, "banner\nh\xc3\xa9llo world  \n", -1, NULL));
    all = vgmFileReadTail(path, 0, 4096);
    g_assert_cmpstr(all, ==, "banner\nh\xc3\xa9llo world");
    tail = vgmFileReadTail(path, 0, 8);
    g_assert_cmpstr(tail, ==, "world");
    after = vgmFileReadTail(path, 7, 4096);
    g_assert_cmpstr(after, ==, "h\xc3\xa9llo world");
    cut = vgmFileReadTail(path, 0, 12);
    g_assert_true(g_utf8_validate(cut, -1, NULL));
    g_unlink(path);
    missing = vgmFileReadTail(path, 0, 100);
    g_assert_cmpstr(missing, ==, "");
    g_rmdir(dir);
}

/* KEY_A (QEMU 0x1e) and KEY_UP (QEMU 0xc8, AT set 1 0xe048) in each
 * code set, as keycodemapdb's table gives them */
static void
testKeycodes(void)
{
    static const struct {
        VgmKeycodeSet set;
        unsigned int a, up;
    } keys[] = {
        { VGM_KEYCODE_SET_LINUX, 30, 103 },
        { VGM_KEYCODE_SET_XT, 0x1e, 0xe048 },
        { VGM_KEYCODE_SET_ATSET1, 0x1e, 0xe048 },
        { VGM_KEYCODE_SET_ATSET2, 0x1c, 0xe075 },
        { VGM_KEYCODE_SET_ATSET3, 0x1c, 0x63 },
        { VGM_KEYCODE_SET_OSX, 0x0, 0x7e },
        { VGM_KEYCODE_SET_XT_KBD, 0x1e, 0x148 },
        { VGM_KEYCODE_SET_USB, 0x4, 0x52 },
        { VGM_KEYCODE_SET_WIN32, 0x41, 0x26 },
        { VGM_KEYCODE_SET_QNUM, 0x1e, 0xc8 },
    };
    size_t i;

    G_STATIC_ASSERT(G_N_ELEMENTS(keys) == VGM_KEYCODE_SET_LAST);
    for (i = 0; i < G_N_ELEMENTS(keys); i++) {
        g_assert_cmpint(keys[i].set, ==, i);
        g_assert_cmpint(vgmKeycodeToQnum(keys[i].set, keys[i].a), ==, 0x1e);
        g_assert_cmpint(vgmKeycodeToQnum(keys[i].set, keys[i].up), ==, 0xc8);
    }
    g_assert_cmpstr(vgmKeycodeSetTypeToString(VGM_KEYCODE_SET_OSX), ==, "os_x");
    /* Alt, SysRq, H: what the guest test sends */
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_LINUX, 56), ==, 0x38);
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_LINUX, 99), ==, 0x54);
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_LINUX, 35), ==, 0x23);
    /* codes of no key: KEY_RESERVED has no scan code, 0xe0 keys have no
     * plain XT KBD code, a QEMU number is a byte, an unknown set */
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_LINUX, 0), ==, -1);
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_LINUX, 0xffff), ==, -1);
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_XT_KBD, 0xe048), ==, -1);
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_ATSET2, 0x2), ==, -1);
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_QNUM, 0x100), ==, -1);
    g_assert_cmpint(vgmKeycodeToQnum(VGM_KEYCODE_SET_LAST, 30), ==, -1);
}

static void
testUnixListening(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("vgm-unix-XXXXXX", &err);
    const char *names[] = { "plain.sock", "with space.sock" };
    size_t i;

    g_assert_no_error(err);
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_assert_false(vgmFileUnixListening(path));
        g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
        g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
        /* the file is there, the socket does not listen yet */
        g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
        g_assert_false(vgmFileUnixListening(path));
        g_assert_cmpint(listen(fd, 1), ==, 0);
        g_assert_true(vgmFileUnixListening(path));
        close(fd);
        g_assert_false(vgmFileUnixListening(path));
        g_unlink(path);
    }
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_setenv("LC_ALL", "C", TRUE);
    g_test_add_func("/size/scale", testScale);
    g_test_add_func("/size/errors", testScaleErrors);
    g_test_add_func("/size/to-kib", testScaleToKiB);
    g_test_add_func("/size/to-kib-edges", testScaleToKiBEdges);
    g_test_add_func("/size/round-up", testSizeRoundUp);
    g_test_add_func("/size/strto", testStrTo);
    g_test_add_func("/bitmap/parse-format", testBitmap);
    g_test_add_func("/enum/tables", testEnum);
    g_test_add_func("/xml/props", testProps);
    g_test_add_func("/xml/single-child", testSingleChild);
    g_test_add_func("/xml/safe-parse", testSafeParse);
    g_test_add_func("/xml/safe-parse-file", testSafeParseFile);
    g_test_add_func("/xml/attribute-flood", testAttributeFlood);
    g_test_add_func("/buf/escape", testBufEscape);
    g_test_add_func("/error/escape", testErrorEscape);
    g_test_add_func("/file/read-tail", testReadTail);
    g_test_add_func("/file/remove-tree", testRemoveTree);
    g_test_add_func("/file/unix-listening", testUnixListening);
    g_test_add_func("/keycode/to-qnum", testKeycodes);
    return g_test_run();
}
