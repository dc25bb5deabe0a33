/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_device.c: device changes to a persistent domain definition,
 * made on its XML so that the changed definition is checked whole, as a
 * define checks it.
 */
#include "config.h"

#include <string.h>

#include <libxml/tree.h>

#include "driver_device.h"
#include "conf/domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

#define VGM_DEVICE_OP(op) (1u << (op))
#define VGM_DEVICE_KEYS_MAX 3

/*
 * How libvirt 9.0's QEMU driver changes each device element of a
 * persistent config (qemuDomain{Attach,Detach,Update}DeviceConfig):
 * the operations it takes, and what names a device among those of its
 * element. A key is "@attr" (of the element), "child@attr" or "child"
 * (a child's text); a key the given device leaves out matches any value.
 * @single: a domain has at most one (a second attach is a duplicate, and
 * a detach takes the one there is). @unique: keys that two devices may
 * not share (a second attach with the same values is a duplicate).
 * @oneMatch: a detach or update that names several devices is refused;
 * of the others libvirt takes the first that matches. @keysOnly: the keys
 * alone name the device (libvirt looks a disk up by its target, a
 * controller by type and index, a filesystem by its target directory);
 * of the others an <address> or <alias> given must match as well.
 */
typedef struct {
    const char *element;
    unsigned int ops;
    const char *keys[VGM_DEVICE_KEYS_MAX];
    gboolean single;
    gboolean unique;
    gboolean oneMatch;
    gboolean keysOnly;
} VgmDriverDeviceKind;

#define A VGM_DEVICE_OP(VGM_DRIVER_DEVICE_ATTACH)
#define D VGM_DEVICE_OP(VGM_DRIVER_DEVICE_DETACH)
#define U VGM_DEVICE_OP(VGM_DRIVER_DEVICE_UPDATE)

static const VgmDriverDeviceKind vgmDriverDeviceKinds[] = {
    { "disk", A | D | U, { "target@dev" }, FALSE, TRUE, FALSE, TRUE },
    { "interface", A | D | U, { "mac@address" }, FALSE, FALSE, TRUE },
    { "controller", A | D, { "@type", "@index" }, FALSE, TRUE, FALSE, TRUE },
    { "filesystem", A | D, { "target@dir" }, FALSE, TRUE, FALSE, TRUE },
    { "sound", A | D, { "@model" }, FALSE, FALSE },
    { "input", A | D, { "@type", "@bus" }, FALSE, FALSE },
    { "rng", A | D, { "@model", "backend@model", "backend" }, FALSE, FALSE },
    { "redirdev", A | D, { "@bus", "@type" }, FALSE, FALSE },
    { "shmem", A | D, { "@name" }, FALSE, TRUE },
    { "memory", A | D | U, { "@model", "target/size", "target/node" }, FALSE, FALSE },
    { "serial", A | D, { "target@port" }, FALSE, FALSE },
    { "parallel", A | D, { "target@port" }, FALSE, FALSE },
    { "console", A | D, { "target@type", "target@port" }, FALSE, FALSE },
    { "channel", A | D, { "target@type", "target@name" }, FALSE, FALSE },
    { "watchdog", A | D, { "@model" }, TRUE, FALSE },
    { "vsock", A | D, { "@model" }, TRUE, FALSE },
    { "hostdev", A | D, { NULL }, FALSE, FALSE },
    { "graphics", U, { "@type" }, FALSE, FALSE },
    /* elements libvirt changes in a running domain only, or not at all */
    { "video", 0, { NULL }, FALSE, FALSE },
    { "hub", 0, { NULL }, FALSE, FALSE },
    { "smartcard", 0, { NULL }, FALSE, FALSE },
    { "memballoon", 0, { NULL }, FALSE, FALSE },
    { "nvram", 0, { NULL }, FALSE, FALSE },
    { "tpm", 0, { NULL }, FALSE, FALSE },
    { "panic", 0, { NULL }, FALSE, FALSE },
    { "iommu", 0, { NULL }, FALSE, FALSE },
    { "audio", 0, { NULL }, FALSE, FALSE },
    { "lease", 0, { NULL }, FALSE, FALSE },
};

#undef A
#undef D
#undef U

static const char *const vgmDriverDeviceOpNames[VGM_DRIVER_DEVICE_LAST] = {
    [VGM_DRIVER_DEVICE_ATTACH] = N_("attach"),
    [VGM_DRIVER_DEVICE_DETACH] = N_("detach"),
    [VGM_DRIVER_DEVICE_UPDATE] = N_("update"),
};

static const VgmDriverDeviceKind *
vgmDriverDeviceKindFind(const char *element)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDriverDeviceKinds); i++) {
        if (g_str_equal(vgmDriverDeviceKinds[i].element, element))
            return &vgmDriverDeviceKinds[i];
    }
    return NULL;
}

/* The value of @key in @node ("@attr", "child@attr", "child" or
 * "child/grandchild" text), or NULL; a size with a unit='' in KiB, so
 * that 128 MiB names what a definition keeps as 131072 KiB */
static char *
vgmDriverDeviceKeyValue(xmlNodePtr node, const char *key)
{
    const char *at = strchr(key, '@');
    g_autofree char *path = at ? g_strndup(key, at - key) : g_strdup(key);
    g_auto(GStrv) steps = g_strsplit(path, "/", -1);
    xmlNodePtr n = node;
    size_t i;

    for (i = 0; steps[i] && n; i++) {
        if (*steps[i])
            n = vgmXMLChild(n, steps[i]);
    }
    if (!n)
        return NULL;
    if (at) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *)(at + 1));
        char *ret = v ? g_strdup((const char *)v) : NULL;

        xmlFree(v);
        return ret;
    }
    if (xmlHasProp(n, (const xmlChar *)"unit")) {
        unsigned long long kib;

        if (vgmDomainSizeParse(n, &kib, NULL) > 0)
            return g_strdup_printf("%llu", kib);
    }
    return vgmXMLNodeContent(n);
}

/* Two values of an XML attribute or text: the same number (0x1 and 1),
 * the same MAC address in either case, or the same text */
static gboolean
vgmDriverDeviceValueEqual(const char *a, const char *b)
{
    guint64 x, y;

    if (g_ascii_string_to_unsigned(a, 10, 0, G_MAXUINT64, &x, NULL) ||
        (g_str_has_prefix(a, "0x") && g_ascii_string_to_unsigned(a + 2, 16, 0, G_MAXUINT64, &x, NULL))) {
        if (g_ascii_string_to_unsigned(b, 10, 0, G_MAXUINT64, &y, NULL) ||
            (g_str_has_prefix(b, "0x") && g_ascii_string_to_unsigned(b + 2, 16, 0, G_MAXUINT64, &y, NULL)))
            return x == y;
    }
    if (strlen(a) == 17 && a[2] == ':' && strlen(b) == 17 && b[2] == ':')
        return g_ascii_strcasecmp(a, b) == 0;
    return g_str_equal(a, b);
}

/* Whether every attribute of @want (an <address> or <alias> given with
 * the device) has the same value in @have; a device without the element
 * (a config keeps no aliases) is not told apart by it */
static gboolean
vgmDriverDeviceAttrsMatch(xmlNodePtr want, xmlNodePtr have)
{
    xmlAttrPtr a;

    if (!want || !have)
        return TRUE;
    for (a = want->properties; a; a = a->next) {
        g_autofree char *wv = (char *)xmlGetProp(want, a->name);
        g_autofree char *hv = (char *)xmlGetProp(have, a->name);

        if (!hv || !vgmDriverDeviceValueEqual(wv, hv))
            return FALSE;
    }
    return TRUE;
}

/* Whether device @have is the one @want names: the keys @want has, and
 * its <address> and <alias> */
static gboolean
vgmDriverDeviceMatches(const VgmDriverDeviceKind *kind, xmlNodePtr want, xmlNodePtr have)
{
    size_t i;

    for (i = 0; i < VGM_DEVICE_KEYS_MAX && kind->keys[i]; i++) {
        g_autofree char *wv = vgmDriverDeviceKeyValue(want, kind->keys[i]);
        g_autofree char *hv = NULL;

        if (!wv)
            continue;
        hv = vgmDriverDeviceKeyValue(have, kind->keys[i]);
        if (!hv || !vgmDriverDeviceValueEqual(wv, hv))
            return FALSE;
    }
    if (kind->keysOnly)
        return TRUE;
    return vgmDriverDeviceAttrsMatch(vgmXMLChild(want, "address"), vgmXMLChild(have, "address")) &&
           vgmDriverDeviceAttrsMatch(vgmXMLChild(want, "alias"), vgmXMLChild(have, "alias"));
}

/* "target dev='vdb'": the keys @node has, for messages; "" without any */
static char *
vgmDriverDeviceDescribe(const VgmDriverDeviceKind *kind, xmlNodePtr node, gboolean *complete)
{
    g_autoptr(GString) out = g_string_new(NULL);
    size_t i;

    if (complete)
        *complete = TRUE;
    for (i = 0; i < VGM_DEVICE_KEYS_MAX && kind->keys[i]; i++) {
        g_autofree char *v = vgmDriverDeviceKeyValue(node, kind->keys[i]);
        g_autofree char *name = g_strdelimit(g_strdup(kind->keys[i]), "@/", ' ');

        if (!v) {
            if (complete)
                *complete = FALSE;
            continue;
        }
        g_string_append_printf(out, "%s%s='%s'", out->len ? ", " : "",
                               g_strstrip(name), v);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The <console> of serial port @serial in @doc: its source, address and
 * the rest, with a serial console's target */
static xmlNodePtr
vgmDriverDeviceSerialConsole(xmlDocPtr doc, xmlNodePtr serial)
{
    xmlNodePtr con = xmlDocCopyNode(serial, doc, 1);
    xmlNodePtr target = vgmXMLChild(con, "target");
    g_autofree char *port = target ? (char *)xmlGetProp(target, (const xmlChar *)"port") : NULL;

    xmlNodeSetName(con, (const xmlChar *)"console");
    if (target) {
        xmlUnlinkNode(target);
        xmlFreeNode(target);
    }
    target = xmlNewChild(con, NULL, (const xmlChar *)"target", NULL);
    xmlNewProp(target, (const xmlChar *)"type", (const xmlChar *)"serial");
    xmlNewProp(target, (const xmlChar *)"port", (const xmlChar *)(port ? port : "0"));
    return con;
}

/* Removes the first <console> of @devices if it is a serial one (a
 * console without a target type is) */
static void
vgmDriverDeviceDropSerialConsole(xmlNodePtr devices)
{
    g_autoptr(GPtrArray) consoles = vgmXMLChildren(devices, "console");
    xmlNodePtr con = consoles->len ? g_ptr_array_index(consoles, 0) : NULL;
    xmlNodePtr target = con ? vgmXMLChild(con, "target") : NULL;
    g_autofree char *type = target ? (char *)xmlGetProp(target, (const xmlChar *)"type") : NULL;

    if (con && (!type || g_str_equal(type, "serial"))) {
        xmlUnlinkNode(con);
        xmlFreeNode(con);
    }
}

char *
vgmDriverDeviceChangeXML(const char *domainXml, const char *deviceXml,
                         VgmDriverDeviceOp op, GError **error)
{
    g_autoptr(xmlDoc) dev = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(GPtrArray) same = NULL;
    g_autofree char *what = NULL;
    const VgmDriverDeviceKind *kind;
    xmlNodePtr want, root, devices, match = NULL;
    xmlChar *text = NULL;
    gboolean complete;
    guint nmatch = 0;
    guint i;
    char *ret;
    int len = 0;

    if (!(dev = vgmXMLParseString(deviceXml, NULL, error)))
        return NULL;
    want = xmlDocGetRootElement(dev);
    if (!(kind = vgmDriverDeviceKindFind((const char *)want->name))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<%1$s> is not a device: the XML must be one element of a domain's <devices>"),
                    (const char *)want->name);
        return NULL;
    }
    if (!(kind->ops & VGM_DEVICE_OP(op))) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("%1$s of device '%2$s' is not supported (nor by libvirt's QEMU driver)"),
                    _(vgmDriverDeviceOpNames[op]), kind->element);
        return NULL;
    }
    if (!(doc = vgmXMLParseString(domainXml, NULL, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!(devices = vgmXMLChild(root, "devices")))
        devices = xmlNewChild(root, NULL, (const xmlChar *)"devices", NULL);
    same = vgmXMLChildren(devices, kind->element);
    for (i = 0; i < same->len; i++) {
        xmlNodePtr have = g_ptr_array_index(same, i);

        if (kind->single || vgmDriverDeviceMatches(kind, want, have)) {
            if (!match)
                match = have;
            nmatch++;
        }
    }
    what = vgmDriverDeviceDescribe(kind, want, &complete);

    switch (op) {
    case VGM_DRIVER_DEVICE_ATTACH:
        if (kind->single && same->len > 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("the domain already has a <%1$s>"), kind->element);
            return NULL;
        }
        if (kind->unique && complete && nmatch > 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("the domain already has a <%1$s> with %2$s"), kind->element, what);
            return NULL;
        }
        /* the device gets its QEMU id from the driver, as from libvirt
         * (an id given is dropped; a user alias as a definition takes it) */
        if (!vgmDomainDeviceDropAlias(want, FALSE, error))
            return NULL;
        xmlAddChild(devices, xmlDocCopyNode(want, doc, 1));
        /* a domain's first serial port is its first console too: as
         * libvirt, one attached to a domain without either gets that
         * console (whatever the port's type), which goes with it */
        if (g_str_equal(kind->element, "serial") && same->len == 0) {
            g_autoptr(GPtrArray) consoles = vgmXMLChildren(devices, "console");

            if (consoles->len == 0)
                xmlAddChild(devices, vgmDriverDeviceSerialConsole(doc, want));
        }
        break;
    case VGM_DRIVER_DEVICE_DETACH:
    case VGM_DRIVER_DEVICE_UPDATE:
        if (nmatch == 0) {
            vgmErrorSet(error, VGM_ERR_DEVICE_MISSING,
                        *what ? _("the domain has no <%1$s> with %2$s")
                              : _("the domain has no such <%1$s>%2$s"),
                        kind->element, what);
            return NULL;
        }
        if (nmatch > 1 && kind->oneMatch) {
            g_autofree char *key = g_strdelimit(g_strdup(kind->keys[0] ? kind->keys[0] : ""),
                                                "@/", ' ');

            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        *key ? _("%1$u <%2$s> devices of the domain match: name one by its %3$s or its <address>")
                             : _("%1$u <%2$s> devices of the domain match: name one by its <address>%3$s"),
                        nmatch, kind->element, g_strstrip(key));
            return NULL;
        }
        if (op == VGM_DRIVER_DEVICE_UPDATE) {
            xmlNodePtr repl = xmlDocCopyNode(want, doc, 1);
            static const char *const kept[] = { "address", "alias" };
            size_t k;

            /* as libvirt: an update that does not give the device's
             * address (and, live, its alias) keeps the ones it has */
            for (k = 0; k < G_N_ELEMENTS(kept); k++) {
                xmlNodePtr had = vgmXMLChild(match, kept[k]);

                if (had && !vgmXMLChild(repl, kept[k]))
                    xmlAddChild(repl, xmlDocCopyNode(had, doc, 1));
            }
            xmlReplaceNode(match, repl);
        } else {
            /* the first serial port's console goes with it */
            if (g_str_equal(kind->element, "serial") && match == g_ptr_array_index(same, 0))
                vgmDriverDeviceDropSerialConsole(devices);
            xmlUnlinkNode(match);
        }
        xmlFreeNode(match);
        break;
    case VGM_DRIVER_DEVICE_LAST:
        g_assert_not_reached();
    }
    xmlDocDumpMemory(doc, &text, &len);
    ret = g_strndup((const char *)text, len);
    xmlFree(text);
    return ret;
}

char *
vgmDriverDeviceFindAlias(const char *domainXml, const char *alias, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr devices, dev;

    if (!(doc = vgmXMLParseString(domainXml, NULL, error)))
        return NULL;
    devices = vgmXMLChild(xmlDocGetRootElement(doc), "devices");
    for (dev = devices ? devices->children : NULL; dev; dev = dev->next) {
        xmlNodePtr node;
        g_autofree char *name = NULL;

        if (dev->type != XML_ELEMENT_NODE || !(node = vgmXMLChild(dev, "alias")))
            continue;
        name = (char *)xmlGetProp(node, (const xmlChar *)"name");
        if (g_strcmp0(name, alias) == 0) {
            VgmBuf buf;

            vgmBufInit(&buf, 0);
            vgmXMLFormatNode(&buf, dev);
            return vgmBufSteal(&buf);
        }
    }
    vgmErrorSet(error, VGM_ERR_DEVICE_MISSING,
                _("the domain has no device with alias '%1$s'"), alias);
    return NULL;
}
