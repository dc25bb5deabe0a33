/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domaintest.c: the domain XML arrow (parse, post-parse, generic
 * validation, format).
 *
 * Covers:
 *  - xml2xml: every tests/qemuxml2argvdata/NAME.xml parses, validates and
 *    formats to exactly tests/qemuxml2xmloutdata/NAME.xml;
 *  - the fixed point: formatting the parse of that output gives the same
 *    bytes again;
 *  - error cases: every tests/domainerrdata/NAME.xml fails with exactly the
 *    message in NAME.err (one per rule of the specification and of
 *    libvirt's generic checks, and per parse error class), and never with
 *    an internal error;
 *  - no stray golden files: an output or .err file without its input fails;
 *  - a definition without a <uuid>, or with an empty <genid/>, gets a new
 *    random one at each parse;
 *  - <metadata> whose namespace URIs, attribute values and text hold
 *    markup characters, tabs and new lines formats to well-formed XML that
 *    reads back to the same values, and is a fixed point;
 *  - a serial port and a virtio console: a definition shows the serial
 *    port as the first console, as libvirt does; a running domain's XML
 *    written before that rule (no serial console) keeps its virtio
 *    console first, the place its QEMU id (console0) came from;
 *  - a virtio-mem device's <current>: dropped from a definition, always
 *    in a running domain's XML (0 until the guest plugs memory);
 *  - an interface on a network that is a host bridge: libvirt's live form
 *    (<interface type='bridge'> naming the network) reads back as such,
 *    and as a definition is the network interface;
 *  - large domains, as many cells and devices as the limits accept: the
 *    ports of serials and indexes of controllers post-parse hands out,
 *    the uniqueness rules, NUMA cells with a <memnode> each.
 * VGM_TEST_REGENERATE=1 rewrites the golden files for review with git diff.
 */
#include "config.h"

#include <string.h>

#include "testutils.h"
#include "conf/domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

/* The consoles of @xml parsed with @flags: "TYPE:PORT,..." */
static char *
testConsoles(const char *xml, unsigned int flags)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = vgmDomainDefParseString(xml, NULL, flags, &err);
    g_autoptr(GString) out = g_string_new(NULL);
    guint i;

    g_assert_no_error(err);
    for (i = 0; i < def->devices.consoles->len; i++) {
        const VgmChrDef *con = g_ptr_array_index(def->devices.consoles, i);

        g_string_append_printf(out, "%s%s:%u", i ? "," : "", con->targetType, con->port);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

static void
testLiveConsolePlaces(void)
{
    static const char xml[] =
        "<domain type='qemu'><name>c</name><memory unit='MiB'>64</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<serial type='pty'><target port='0'/></serial>"
        "<console type='pty'><target type='virtio' port='0'/></console>"
        "</devices></domain>";
    g_autofree char *config = testConsoles(xml, 0);
    g_autofree char *live = testConsoles(xml, VGM_DOMAIN_PARSE_LIVE | VGM_DOMAIN_PARSE_SKIP_VALIDATE);
    g_autoptr(VgmDomainDef) def = vgmDomainDefParseString(xml, NULL, 0, NULL);
    g_autofree char *formatted = vgmDomainDefFormat(def);
    g_autofree char *again = testConsoles(formatted, VGM_DOMAIN_PARSE_LIVE |
                                                     VGM_DOMAIN_PARSE_SKIP_VALIDATE);

    g_assert_cmpstr(config, ==, "serial:0,virtio:0");
    g_assert_cmpstr(live, ==, "virtio:0");
    /* a domain started now has the serial console in its live XML */
    g_assert_cmpstr(again, ==, "serial:0,virtio:0");
}

/* A virtio-mem device's <current> (what the guest plugged): a definition
 * drops it, a running domain's XML has it always (0 when absent) and
 * keeps its value; other models never get one */
static void
testLiveVirtioMemCurrent(void)
{
    static const char xml[] =
        "<domain type='qemu'><name>m</name>"
        "<maxMemory slots='2' unit='MiB'>1024</maxMemory>"
        "<memory unit='MiB'>384</memory>"
        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<cpu><numa><cell id='0' cpus='0' memory='128' unit='MiB'/></numa></cpu><devices>"
        "<memory model='virtio-mem'><target><size unit='MiB'>128</size><node>0</node>"
        "<block unit='MiB'>2</block><requested unit='MiB'>64</requested>%s</target></memory>"
        "<memory model='dimm'><target><size unit='MiB'>128</size><node>0</node></target>"
        "</memory></devices></domain>";
    static const struct {
        const char *current;
        unsigned int flags;
        const char *want;       /* the <current> formatted, or NULL */
    } cases[] = {
        { "<current unit='MiB'>32</current>", 0, NULL },
        { "", VGM_DOMAIN_PARSE_LIVE | VGM_DOMAIN_PARSE_SKIP_VALIDATE,
          "<current unit='KiB'>0</current>" },
        { "<current unit='MiB'>32</current>", VGM_DOMAIN_PARSE_LIVE | VGM_DOMAIN_PARSE_SKIP_VALIDATE,
          "<current unit='KiB'>32768</current>" },
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *in = g_strdup_printf(xml, cases[i].current);
        g_autoptr(GError) err = NULL;
        g_autoptr(VgmDomainDef) def = vgmDomainDefParseString(in, NULL, cases[i].flags, &err);
        g_autofree char *out = NULL;
        const char *at;

        g_assert_no_error(err);
        out = vgmDomainDefFormat(def);
        at = strstr(out, "<current ");
        if (!cases[i].want) {
            g_assert_null(at);
            continue;
        }
        g_assert_nonnull(at);
        g_assert_true(g_str_has_prefix(at, cases[i].want));
        /* one <current>, the virtio-mem device's */
        g_assert_null(strstr(at + 1, "<current "));
        g_assert_true(at < strstr(out, "model='dimm'"));
    }
}

/* An interface on a network that is a host bridge: a running domain's
 * XML shows it as libvirt does, <interface type='bridge'> with the network
 * named, and reads back so; that text read as a definition (a save
 * image's, a migration's) is the network interface, as libvirt writes
 * those */
static void
testLiveHostBridgeNetwork(void)
{
    static const char xml[] =
        "<domain type='qemu'><name>n</name><memory unit='MiB'>64</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<interface type='bridge'><mac address='52:54:00:00:00:01'/>"
        "<source network='hb' portid='24b205f2-1485-405c-b698-4612370e1805' bridge='br0'/>"
        "<model type='virtio'/></interface></devices></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) live = vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_LIVE |
                                                           VGM_DOMAIN_PARSE_SKIP_VALIDATE, &err);
    g_autoptr(VgmDomainDef) config = NULL;
    g_autofree char *liveOut = NULL;
    g_autofree char *configOut = NULL;
    const VgmNetDef *net;

    g_assert_no_error(err);
    net = g_ptr_array_index(live->devices.nets, 0);
    g_assert_cmpint(net->type, ==, VGM_NET_TYPE_NETWORK);
    g_assert_cmpstr(net->source, ==, "hb");
    g_assert_cmpstr(net->actualBridge, ==, "br0");
    g_assert_true(net->actualHostBridge);
    liveOut = vgmDomainDefFormat(live);
    g_assert_nonnull(strstr(liveOut, "<interface type='bridge'>\n"
                                     "      <mac address='52:54:00:00:00:01'/>\n"
                                     "      <source network='hb' bridge='br0'/>\n"));

    config = vgmDomainDefParseString(xml, NULL, 0, &err);
    g_assert_no_error(err);
    net = g_ptr_array_index(config->devices.nets, 0);
    g_assert_cmpint(net->type, ==, VGM_NET_TYPE_NETWORK);
    g_assert_cmpstr(net->source, ==, "hb");
    g_assert_null(net->actualBridge);
    g_assert_false(net->actualHostBridge);
    configOut = vgmDomainDefFormat(config);
    g_assert_nonnull(strstr(configOut, "<interface type='network'>\n"
                                       "      <mac address='52:54:00:00:00:01'/>\n"
                                       "      <source network='hb'/>\n"));
}

static void
testXml2Xml(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_build_filename("qemuxml2argvdata", name, NULL);
    g_autofree char *outrel = g_build_filename("qemuxml2xmloutdata", name, NULL);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autofree char *out = vgmTestDataPath(outrel);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDomainDef) def2 = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;

    vgmTestResetRandom();
    def = vgmDomainDefParseFile(in, 0, &err);
    if (!def)
        g_error("%s: %s", name, err->message);
    xml = vgmDomainDefFormat(def);
    g_assert_true(vgmTestCompareGolden(out, xml));

    def2 = vgmDomainDefParseString(xml, out, 0, &err);
    if (!def2)
        g_error("%s (reparse): %s", name, err->message);
    xml2 = vgmDomainDefFormat(def2);
    g_assert_cmpstr(xml, ==, xml2);
}

static void
testParseError(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_build_filename("domainerrdata", name, NULL);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autofree char *base = g_strndup(in, strlen(in) - strlen(".xml"));
    g_autofree char *errfile = g_strconcat(base, ".err", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *dir = g_path_get_dirname(in);

    vgmTestResetRandom();
    def = vgmDomainDefParseFile(in, 0, &err);
    if (def)
        g_error("%s: parsed and validated, but it must fail", name);
    g_assert_error(err, VGM_ERROR, err->code);
    g_assert_cmpint(err->code, !=, VGM_ERR_INTERNAL);
    /* file names in messages are relative to the data folder */
    msg = g_strdup(err->message);
    {
        g_autofree char *prefix = g_strconcat(dir, "/", NULL);
        g_autoptr(GString) s = g_string_new(msg);
        g_string_replace(s, prefix, "", 0);
        g_free(msg);
        msg = g_strconcat(s->str, "\n", NULL);
    }
    g_assert_true(vgmTestCompareGolden(errfile, msg));
}

static void
testNoStrayFiles(void)
{
    g_autoptr(GPtrArray) outs = vgmTestListFiles("qemuxml2xmloutdata", ".xml");
    g_autoptr(GPtrArray) errs = vgmTestListFiles("domainerrdata", ".err");
    guint i;

    for (i = 0; i < outs->len; i++) {
        g_autofree char *rel = g_build_filename("qemuxml2argvdata", (char *)outs->pdata[i], NULL);
        g_autofree char *in = vgmTestDataPath(rel);
        if (!g_file_test(in, G_FILE_TEST_EXISTS))
            g_error("qemuxml2xmloutdata/%s has no input in qemuxml2argvdata/",
                    (char *)outs->pdata[i]);
    }
    for (i = 0; i < errs->len; i++) {
        const char *e = errs->pdata[i];
        g_autofree char *stem = g_strndup(e, strlen(e) - 4);
        g_autofree char *rel = g_strconcat("domainerrdata/", stem, ".xml", NULL);
        g_autofree char *in = vgmTestDataPath(rel);
        if (!g_file_test(in, G_FILE_TEST_EXISTS))
            g_error("domainerrdata/%s has no input XML", e);
    }
}

static void
testUUIDGenerated(void)
{
    /* an empty <genid/> asks for a generation ID the same way */
    const char *xml =
        "<domain type='kvm'><name>u</name><genid/><memory>1024</memory>"
        "<os><type>hvm</type></os></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) a = NULL;
    g_autoptr(VgmDomainDef) b = NULL;
    char sa[37];
    char sb[37];

    vgmDomainSetRandomBytesFunc(NULL);
    a = vgmDomainDefParseString(xml, NULL, 0, &err);
    g_assert_no_error(err);
    b = vgmDomainDefParseString(xml, NULL, 0, &err);
    g_assert_no_error(err);
    vgmDomainUUIDFormat(a->uuid, sa);
    vgmDomainUUIDFormat(b->uuid, sb);
    g_assert_cmpstr(sa, !=, sb);
    g_assert_cmpint(sa[14], ==, '4'); /* a version 4 uuid */
    g_assert_true(a->haveGenid && b->haveGenid);
    vgmDomainUUIDFormat(a->genid, sa);
    vgmDomainUUIDFormat(b->genid, sb);
    g_assert_cmpstr(sa, !=, sb);
    g_assert_cmpint(sa[14], ==, '4');
}

/* The namespace URI of the first child of <metadata> in @xml. */
static char *
testMetadataHref(const char *xml)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = vgmXMLParseString(xml, NULL, &err);
    xmlNodePtr meta;
    GPtrArray *kids;
    char *href;

    g_assert_no_error(err);
    meta = vgmXMLChild(xmlDocGetRootElement(doc), "metadata");
    g_assert_nonnull(meta);
    kids = vgmXMLChildren(meta, NULL);
    g_assert_cmpuint(kids->len, ==, 1);
    href = g_strdup((const char *)((xmlNodePtr)kids->pdata[0])->ns->href);
    g_ptr_array_unref(kids);
    return href;
}

/*
 * Whatever <metadata> we accept is written back as well-formed XML that
 * reads back to the same namespace URIs, attribute values and text, and
 * formatting is a fixed point: URIs with markup characters and white
 * space that attribute normalisation would eat (issue 11).
 */
static void
testMetadataEscaping(void)
{
    static const struct {
        const char *attr;   /* the namespace URI as written in the input */
        const char *href;   /* what it means */
    } cases[] = {
        { "a&lt;b", "a<b" },
        { "a&amp;b", "a&b" },
        { "a&gt;b", "a>b" },
        { "a&#9;b", "a\tb" },
        { "a&#10;b", "a\nb" },
        { "a&#13;b", "a\rb" },
        { "a&quot;b'c", "a\"b'c" },
        { "urn:x&#10;&#9;&lt;/x:a>&amp;&lt;!--", "urn:x\n\t</x:a>&<!--" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *in = g_strdup_printf(
            "<domain type='kvm'><name>m</name>"
            "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
            "<metadata><x:a xmlns:x=\"%s\" x:k=\"v&#10;w&#9;&#13;&lt;&quot;'\">"
            "<x:b>t&lt;&amp;&gt;&#13;\n'\"</x:b><x:c/></x:a></metadata>"
            "<memory>1024</memory><os><type>hvm</type></os></domain>",
            cases[i].attr);
        g_autoptr(GError) err = NULL;
        g_autoptr(VgmDomainDef) def = NULL;
        g_autoptr(VgmDomainDef) def2 = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *xml2 = NULL;
        g_autofree char *href = NULL;

        g_test_message("namespace URI %s", cases[i].attr);
        def = vgmDomainDefParseString(in, NULL, 0, &err);
        g_assert_no_error(err);
        xml = vgmDomainDefFormat(def);
        def2 = vgmDomainDefParseString(xml, NULL, 0, &err);
        if (err)
            g_error("%s: the output does not read back: %s\n%s",
                    cases[i].attr, err->message, xml);
        href = testMetadataHref(xml);
        g_assert_cmpstr(href, ==, cases[i].href);
        xml2 = vgmDomainDefFormat(def2);
        g_assert_cmpstr(xml, ==, xml2);
        /* the attribute and the text read back to what they were */
        g_assert_nonnull(strstr(xml, " x:k=\"v&#10;w&#9;&#13;&lt;&quot;'\""));
        g_assert_nonnull(strstr(xml, "<x:b>t&lt;&amp;&gt;&#13;\n'\"</x:b>"));
    }

    /* the exact form, indented as libxml2 indents formatted output */
    {
        const char *in =
            "<domain type='kvm'><name>m</name>"
            "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
            "<metadata><x:a xmlns:x='a&lt;b&#9;c&#10;d' n='1'><x:b/>"
            "<y:c xmlns:y='urn:y'>text</y:c><!-- note --></x:a>"
            "<z xmlns='urn:z&amp;'><w/></z></metadata>"
            "<memory>1024</memory><os><type>hvm</type></os></domain>";
        g_autoptr(GError) err = NULL;
        g_autoptr(VgmDomainDef) def = vgmDomainDefParseString(in, NULL, 0, &err);
        g_autofree char *xml = NULL;

        g_assert_no_error(err);
        xml = vgmDomainDefFormat(def);
        g_assert_nonnull(strstr(xml,
            "  <metadata>\n"
            "    <x:a xmlns:x=\"a&lt;b&#9;c&#10;d\" n=\"1\">\n"
            "      <x:b/>\n"
            "      <y:c xmlns:y=\"urn:y\">text</y:c>\n"
            "      <!-- note -->\n"
            "    </x:a>\n"
            "    <z xmlns=\"urn:z&amp;\">\n"
            "      <w/>\n"
            "    </z>\n"
            "  </metadata>\n"));
    }
}

/* ---- large domains (the limits, filled): what post-parse and the rules
 * work out must not change with the size; bench/scalebench.c shows the
 * time. On microvm, which has no PCI addresses to hand out: thousands of
 * PCI devices are more than libvirt (and virt-gmem) places on the PC or
 * q35 without given controllers (testScalePci covers those) ---- */

static VgmDomainDef *
testScaleParse(GString *devices, const char *cpu, GError **error)
{
    g_autofree char *xml =
        g_strdup_printf("<domain type='kvm'><name>scale</name>"
                        "<memory unit='MiB'>%s</memory><vcpu>1</vcpu>"
                        "<os><type arch='x86_64' machine='microvm'>hvm</type></os>"
                        "%s<devices>%s</devices></domain>",
                        cpu ? "128" : "1024", cpu ? cpu : "", devices->str);

    return vgmDomainDefParseString(xml, NULL, 0, error);
}

/* A serial without a port takes the one after the highest port given
 * anywhere or handed out before it (libvirt's numbering). */
static void
testScaleSerialPorts(void)
{
    g_autoptr(GString) devs = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    unsigned int next = 5000 + VGM_DOMAIN_MAX_DEVICES; /* after the highest given */
    guint i;

    /* odd ones give port 5000 + i (the highest is the last), even ones none */
    for (i = 0; i < VGM_DOMAIN_MAX_DEVICES; i++) {
        if (i % 2)
            g_string_append_printf(devs, "<serial type='pty'><target type='pci-serial' port='%u'>"
                                   "<model name='pci-serial'/></target></serial>", 5000 + i);
        else
            g_string_append(devs, "<serial type='pty'><target type='pci-serial'>"
                            "<model name='pci-serial'/></target></serial>");
    }
    def = testScaleParse(devs, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(def->devices.serials->len, ==, VGM_DOMAIN_MAX_DEVICES);
    for (i = 0; i < def->devices.serials->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(def->devices.serials, i);

        g_assert_true(chr->havePort);
        g_assert_cmpuint(chr->port, ==, i % 2 ? 5000 + i : next++);
    }
    /* a PCI serial port is not shown as a console (libvirtd 9.0's define
     * adds none for it either) */
    g_assert_cmpuint(def->devices.consoles->len, ==, 0);

    /* every ISA serial port */
    g_string_truncate(devs, 0);
    for (i = 0; i < VGM_DOMAIN_MAX_ISA_SERIALS; i++)
        g_string_append(devs, "<serial type='pty'/>");
    g_clear_pointer(&def, vgmDomainDefFree);
    def = testScaleParse(devs, NULL, &err);
    g_assert_no_error(err);
    for (i = 0; i < VGM_DOMAIN_MAX_ISA_SERIALS; i++)
        g_assert_cmpuint(((VgmChrDef *)g_ptr_array_index(def->devices.serials, i))->port, ==, i);
}

/* A controller without an index takes the lowest index of its type that
 * no controller holds (given anywhere in the list, or handed out before);
 * indexes are unique per type. Checked on the sets of indexes, which do
 * not depend on where each controller lands in the list. */
static void
testScaleControllers(void)
{
    g_autoptr(GString) devs = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GHashTable) given = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) scsi = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) serial = g_hash_table_new(g_direct_hash, g_direct_equal);
    unsigned int unindexed = 0, nserial = 0, n;
    guint i;

    /* even: scsi, half with an index (every other one below 2000, so the
     * lowest free indexes interleave with given ones); odd: virtio-serial,
     * none with one */
    for (i = 0; i < VGM_DOMAIN_MAX_DEVICES - 1; i++) {
        if (i % 2) {
            g_string_append(devs, "<controller type='virtio-serial'/>");
            nserial++;
        } else if (i % 4) {
            g_string_append(devs, "<controller type='scsi' model='virtio-scsi'/>");
            unindexed++;
        } else {
            g_string_append_printf(devs, "<controller type='scsi' index='%u' model='virtio-scsi'/>",
                                   i / 2);
            g_hash_table_add(given, GUINT_TO_POINTER(i / 2));
        }
    }
    def = testScaleParse(devs, NULL, &err);
    g_assert_no_error(err);
    /* (microvm has no USB controller 0 for post-parse to add) */
    g_assert_cmpuint(def->devices.controllers->len, ==, VGM_DOMAIN_MAX_DEVICES - 1);
    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        g_assert_true(c->haveIndex);
        if (g_str_equal(c->type, "usb")) {
            g_assert_cmpuint(c->index, ==, 0);
            continue;
        }
        g_assert_true(g_hash_table_add(g_str_equal(c->type, "scsi") ? scsi : serial,
                                       GUINT_TO_POINTER(c->index)));
    }
    /* virtio-serial: 0 .. n-1 */
    for (n = 0; n < nserial; n++)
        g_assert_true(g_hash_table_contains(serial, GUINT_TO_POINTER(n)));
    /* scsi: the given ones, and the lowest others */
    for (n = 0; unindexed > 0; n++) {
        g_assert_true(g_hash_table_contains(scsi, GUINT_TO_POINTER(n)));
        if (!g_hash_table_contains(given, GUINT_TO_POINTER(n)))
            unindexed--;
    }
    /* ... and nothing above them but given ones */
    {
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, scsi);
        while (g_hash_table_iter_next(&it, &key, NULL))
            g_assert_true(GPOINTER_TO_UINT(key) < n || g_hash_table_contains(given, key));
    }

    /* the same index twice, far apart */
    g_string_append(devs, "<controller type='scsi' index='1000' model='virtio-scsi'/>");
    g_clear_pointer(&def, vgmDomainDefFree);
    g_assert_null(testScaleParse(devs, NULL, &err));
    g_assert_cmpstr(err->message, ==, "two <controller type='scsi'> elements have index 1000");
}

static void
testScaleDiskTargets(void)
{
    g_autoptr(GString) devs = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    guint i;

    for (i = 0; i < VGM_DOMAIN_MAX_DEVICES - 1; i++)
        g_string_append_printf(devs, "<disk type='file'><source file='/d%u'/>"
                               "<target dev='vd%c%c%c' bus='virtio'/></disk>",
                               i, 'a' + i / 676, 'a' + i / 26 % 26, 'a' + i % 26);
    def = testScaleParse(devs, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(def->devices.disks->len, ==, VGM_DOMAIN_MAX_DEVICES - 1);

    g_string_append(devs, "<disk type='file'><source file='/d'/><target dev='vdabc' bus='virtio'/></disk>");
    g_assert_null(testScaleParse(devs, NULL, &err));
    g_assert_cmpstr(err->message, ==, "disk target 'vdabc' is used twice");
}

/* As many NUMA cells as QEMU takes, each with its <memnode>. */
static void
testScaleNumaCells(void)
{
    g_autoptr(GString) cpu = g_string_new("<cpu><numa><cell id='0' cpus='0' memory='1' unit='MiB'/>");
    g_autoptr(GString) tune = g_string_new("<numatune>");
    g_autoptr(GString) devs = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *all = NULL;
    guint i;

    for (i = 1; i < VGM_DOMAIN_MAX_NUMA_CELLS; i++)
        g_string_append_printf(cpu, "<cell id='%u' memory='1' unit='MiB'/>", i);
    g_string_append(cpu, "</numa></cpu>");
    for (i = VGM_DOMAIN_MAX_NUMA_CELLS; i-- > 0;)
        g_string_append_printf(tune, "<memnode cellid='%u' mode='strict' nodeset='0'/>", i);
    g_string_append(tune, "</numatune>");

    all = g_strconcat(tune->str, cpu->str, NULL);
    def = testScaleParse(devs, all, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(vgmDomainDefNumaCells(def), ==, VGM_DOMAIN_MAX_NUMA_CELLS);
    g_assert_cmpuint(def->numatune.nmemnodes, ==, VGM_DOMAIN_MAX_NUMA_CELLS);
    for (i = 0; i < VGM_DOMAIN_MAX_NUMA_CELLS; i++)
        g_assert_cmpuint(def->cpu->cells[i].id, ==, i);

    /* a cellid given twice, far apart */
    g_string_insert(tune, strlen("<numatune>"), "<memnode cellid='0' nodeset='0'/>");
    g_clear_pointer(&all, g_free);
    g_clear_pointer(&def, vgmDomainDefFree);
    all = g_strconcat(tune->str, cpu->str, NULL);
    g_assert_null(testScaleParse(devs, all, &err));
    g_assert_cmpstr(err->message, ==, "<memnode> in <numatune> names cellid 0 twice");
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) inputs = NULL;
    g_autoptr(GPtrArray) errs = NULL;
    guint i;

    g_test_init(&argc, &argv, NULL);
    /* messages are compared in English */
    g_setenv("LC_ALL", "C", TRUE);

    inputs = vgmTestListFiles("qemuxml2argvdata", ".xml");
    errs = vgmTestListFiles("domainerrdata", ".xml");
    g_assert_cmpuint(inputs->len, >=, 40);

    for (i = 0; i < inputs->len; i++) {
        g_autofree char *path = g_strdup_printf("/xml2xml/%s", (char *)inputs->pdata[i]);
        g_test_add_data_func(path, inputs->pdata[i], testXml2Xml);
    }
    for (i = 0; i < errs->len; i++) {
        g_autofree char *path = g_strdup_printf("/error/%s", (char *)errs->pdata[i]);
        g_test_add_data_func(path, errs->pdata[i], testParseError);
    }
    g_test_add_func("/xml2xml/no-stray-files", testNoStrayFiles);
    g_test_add_func("/uuid/generated", testUUIDGenerated);
    g_test_add_func("/live/console-places", testLiveConsolePlaces);
    g_test_add_func("/live/virtio-mem-current", testLiveVirtioMemCurrent);
    g_test_add_func("/live/host-bridge-network", testLiveHostBridgeNetwork);
    g_test_add_func("/scale/serial-ports", testScaleSerialPorts);
    g_test_add_func("/scale/controllers", testScaleControllers);
    g_test_add_func("/scale/disk-targets", testScaleDiskTargets);
    g_test_add_func("/scale/numa-cells", testScaleNumaCells);
    g_test_add_func("/xml2xml/metadata-escaping", testMetadataEscaping);
    return g_test_run();
}
