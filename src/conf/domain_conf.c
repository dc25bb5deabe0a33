/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf.c: the domain definition's top level.
 *
 * Owns <domain>'s own attributes and simple children (name, uuid, title,
 * description, metadata, lifecycle actions, <pm>), the order in which the
 * per-concern parsers run, and the canonical element order of the output
 * (libvirt's). Memory, CPU, OS, launch security and devices live in their
 * own domain_*.c files.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

VGM_ENUM_IMPL(vgmDomainVirt, VGM_DOMAIN_VIRT_LAST,
              "qemu", "kvm");

VGM_ENUM_IMPL(vgmDomainLifecycleAction, VGM_DOMAIN_LIFECYCLE_LAST,
              "", "destroy", "restart", "rename-restart", "preserve",
              "coredump-destroy", "coredump-restart");

const char *const vgmXMLNoChildren[] = { NULL };

static VgmRandomBytesFunc vgmRandomBytesFunc;

void
vgmDomainSetRandomBytesFunc(VgmRandomBytesFunc func)
{
    vgmRandomBytesFunc = func;
}

void
vgmDomainRandomBytes(unsigned char *buf, size_t len)
{
    size_t i;

    if (vgmRandomBytesFunc) {
        vgmRandomBytesFunc(buf, len);
        return;
    }
    for (i = 0; i < len; i++)
        buf[i] = g_random_int_range(0, 256);
}

void
vgmDomainUUIDFormat(const unsigned char *uuid, char *out)
{
    g_snprintf(out, 37,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
               uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
               uuid[12], uuid[13], uuid[14], uuid[15]);
}

/* Accepts 32 hex digits, optionally split by dashes between byte pairs,
 * with surrounding white space, as libvirt does. */
gboolean
vgmDomainUUIDParse(const char *str, unsigned char *uuid)
{
    const char *p = str;
    size_t i;

    while (g_ascii_isspace(*p))
        p++;
    for (i = 0; i < 16; i++) {
        int hi, lo;

        if (*p == '-' && i > 0)
            p++;
        if ((hi = g_ascii_xdigit_value(p[0])) < 0 ||
            (lo = g_ascii_xdigit_value(p[1])) < 0)
            return FALSE;
        uuid[i] = (hi << 4) | lo;
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    return *p == '\0';
}

VgmDomainDef *
vgmDomainDefNew(void)
{
    VgmDomainDef *def = g_new0(VgmDomainDef, 1);

    vgmDomainDevicesInit(&def->devices);
    /* no memory limits: 0 would be a limit of nothing */
    def->memtune.hardLimit = VGM_MEMTUNE_UNLIMITED;
    def->memtune.softLimit = VGM_MEMTUNE_UNLIMITED;
    def->memtune.swapHardLimit = VGM_MEMTUNE_UNLIMITED;
    def->defaultPoolMin = -1;
    def->defaultPoolMax = -1;
    return def;
}

void
vgmDomainDefFree(VgmDomainDef *def)
{
    size_t i;

    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->seclabelModel);
    g_free(def->resourcePartition);
    g_clear_pointer(&def->qemuArgs, g_ptr_array_unref);
    g_clear_pointer(&def->qemuEnv, g_ptr_array_unref);
    if (def->metadata)
        xmlFreeDoc(def->metadata->doc);
    for (i = 0; i < def->mb.nhugepages; i++)
        vgmBitmapFree(def->mb.hugepages[i].nodemask);
    g_free(def->mb.hugepages);
    vgmBitmapFree(def->cpuset);
    if (def->vcpupin) {
        for (i = 0; i < def->vcpus; i++)
            vgmBitmapFree(def->vcpupin[i]);
        g_free(def->vcpupin);
    }
    g_free(def->vcpuList);
    vgmBitmapFree(def->emulatorpin);
    vgmDomainTuneClear(def);
    vgmBitmapFree(def->numatune.nodeset);
    for (i = 0; i < def->numatune.nmemnodes; i++)
        vgmBitmapFree(def->numatune.memnodes[i].nodeset);
    g_free(def->numatune.memnodes);
    vgmCpuDefFree(def->cpu);
    g_free(def->features.hvVendorId);
    g_clear_pointer(&def->sysinfos, g_ptr_array_unref);
    vgmDomainOsClear(def);
    vgmLaunchSecurityDefFree(def->sec);
    vgmDomainDevicesClear(&def->devices);
    g_free(def);
}

static gboolean
vgmDomainNameCheck(const char *name, GError **error)
{
    const char *p;

    if (!name || !*name) {
        vgmErrorSet(error, VGM_ERR_XML, _("missing domain name in element <name>"));
        return FALSE;
    }
    if (strchr(name, '/')) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid domain name '%1$s' in element <name>: it must not contain '/'"),
                    name);
        return FALSE;
    }
    for (p = name; *p; p++) {
        if (g_ascii_iscntrl(*p)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid domain name in element <name>: it must not contain control characters"));
            return FALSE;
        }
    }
    if (!g_utf8_validate(name, -1, NULL)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid domain name in element <name>: it is not valid UTF-8"));
        return FALSE;
    }
    return TRUE;
}

static int
vgmDomainSimpleText(xmlNodePtr root, const char *name, char **value,
                    GError **error)
{
    xmlNodePtr node;
    int rc;

    *value = NULL;
    if ((rc = vgmXMLSingleChild(root, name, &node, error)) <= 0)
        return rc;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, NULL, error))
        return -1;
    *value = vgmXMLNodeContent(node);
    return 1;
}

static const struct {
    const char *element;
    size_t offset;
} vgmDomainLifecycleFields[VGM_DOMAIN_LIFECYCLE_EVENT_LAST] = {
    [VGM_DOMAIN_LIFECYCLE_EVENT_POWEROFF] = { "on_poweroff",
                                              G_STRUCT_OFFSET(VgmDomainDef, onPoweroff) },
    [VGM_DOMAIN_LIFECYCLE_EVENT_REBOOT] = { "on_reboot", G_STRUCT_OFFSET(VgmDomainDef, onReboot) },
    [VGM_DOMAIN_LIFECYCLE_EVENT_CRASH] = { "on_crash", G_STRUCT_OFFSET(VgmDomainDef, onCrash) },
};

const char *
vgmDomainLifecycleElement(VgmDomainLifecycleEvent e)
{
    g_return_val_if_fail((guint)e < VGM_DOMAIN_LIFECYCLE_EVENT_LAST, NULL);
    return vgmDomainLifecycleFields[e].element;
}

VgmDomainLifecycleAction *
vgmDomainLifecycleField(VgmDomainDef *def, VgmDomainLifecycleEvent e)
{
    g_return_val_if_fail((guint)e < VGM_DOMAIN_LIFECYCLE_EVENT_LAST, NULL);
    return &G_STRUCT_MEMBER(VgmDomainLifecycleAction, def, vgmDomainLifecycleFields[e].offset);
}

gboolean
vgmDomainLifecycleActionCheck(VgmDomainLifecycleEvent e, VgmDomainLifecycleAction a,
                              int code, GError **error)
{
    if (e != VGM_DOMAIN_LIFECYCLE_EVENT_CRASH &&
        (a == VGM_DOMAIN_LIFECYCLE_COREDUMP_DESTROY || a == VGM_DOMAIN_LIFECYCLE_COREDUMP_RESTART)) {
        vgmErrorSet(error, code,
                    _("invalid value '%1$s' in element <%2$s>: only <on_crash> can dump core"),
                    vgmDomainLifecycleActionTypeToString(a), vgmDomainLifecycleElement(e));
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmDomainLifecycleParse(VgmDomainDef *def, xmlNodePtr root, VgmDomainLifecycleEvent e,
                        GError **error)
{
    const char *name = vgmDomainLifecycleElement(e);
    g_autofree char *str = NULL;
    int v;

    if (vgmDomainSimpleText(root, name, &str, error) < 0)
        return FALSE;
    if (!str)
        return TRUE;
    g_strstrip(str);
    if ((v = vgmDomainLifecycleActionTypeFromString(str)) <= 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' in element <%2$s>"), str, name);
        return FALSE;
    }
    if (!vgmDomainLifecycleActionCheck(e, v, VGM_ERR_XML, error))
        return FALSE;
    *vgmDomainLifecycleField(def, e) = v;
    return TRUE;
}

/* <pm><suspend-to-mem enabled='yes|no'/><suspend-to-disk .../></pm>, as
 * libvirt reads it: each child optional, 'enabled' too. */
static const struct {
    const char *element;
    size_t offset;
} vgmDomainPmStates[] = {
    { "suspend-to-mem", G_STRUCT_OFFSET(VgmDomainDef, pmSuspendToMem) },
    { "suspend-to-disk", G_STRUCT_OFFSET(VgmDomainDef, pmSuspendToDisk) },
};

static gboolean
vgmDomainPmParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    const char *const children[] = { "suspend-to-mem", "suspend-to-disk", NULL };
    xmlNodePtr node;
    size_t i;

    if (vgmXMLSingleChild(root, "pm", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, children, error))
        return FALSE;
    for (i = 0; i < G_N_ELEMENTS(vgmDomainPmStates); i++) {
        VgmTristate *state = &G_STRUCT_MEMBER(VgmTristate, def, vgmDomainPmStates[i].offset);
        xmlNodePtr child;

        if (vgmXMLSingleChild(node, vgmDomainPmStates[i].element, &child, error) < 0)
            return FALSE;
        if (child &&
            (!vgmXMLCheckNode(child, (const char *const[]){ "enabled", NULL },
                              vgmXMLNoChildren, error) ||
             vgmXMLPropTristateBool(child, "enabled", 0, state, error) < 0))
            return FALSE;
    }
    return TRUE;
}

static void
vgmDomainPmFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    VgmBuf child;
    size_t i;

    vgmBufInitChild(&child, buf);
    for (i = 0; i < G_N_ELEMENTS(vgmDomainPmStates); i++) {
        VgmTristate state = G_STRUCT_MEMBER(VgmTristate, def, vgmDomainPmStates[i].offset);

        if (state)
            vgmBufAsprintf(&child, "<%s enabled='%s'/>\n", vgmDomainPmStates[i].element,
                           vgmTristateBoolTypeToString(state));
    }
    vgmXMLFormatElement(buf, "pm", NULL, &child);
}

static const char *const vgmDomainChildren[] = {
    "name", "uuid", "genid", "title", "description", "metadata", "maxMemory",
    "memory", "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads",
    "iothreadids", "defaultiothread", "cputune", "numatune", "resource", "cpu",
    "sysinfo", "os", "idmap", "features", "clock", "on_poweroff", "on_reboot",
    "on_crash", "pm", "devices", "seclabel", "launchSecurity", NULL
};

/* Children of <domain> libvirt knows that virt-gmem refuses, and why */
static const VgmRefused vgmDomainChildrenRefused[] = {
    { "on_lockfailure", N_("it acts when a lock manager (sanlock, virtlockd) loses a disk's lease, and virt-gmem has no lock manager") },
    { "perf", N_("virt-gmem does not count host perf events for a guest") },
    { "keywrap", N_("it sets the key wrapping of s390 guests") },
    { "bootloader", N_("it runs a Xen boot loader (pygrub), not QEMU's firmware") },
    { "bootloader_args", N_("it is the arguments of a Xen boot loader") },
};

/* Children that may repeat: one <sysinfo> per type, as libvirt has it. */
static const char *const vgmDomainRepeatable[] = { "sysinfo", NULL };

static gboolean
vgmDomainCheckSingletons(xmlNodePtr root, GError **error)
{
    const char *const *name;
    xmlNodePtr dummy;

    for (name = vgmDomainChildren; *name; name++) {
        if (vgmStrInList(vgmDomainRepeatable, *name))
            continue;
        if (vgmXMLSingleChild(root, *name, &dummy, error) < 0)
            return FALSE;
    }
    return TRUE;
}

static void
vgmDomainQemuEnvFree(VgmDomainQemuEnv *env)
{
    g_free(env->name);
    g_free(env->value);
    g_free(env);
}

/* the elements of <qemu:commandline> */
static gboolean
vgmDomainQemuCommandlineParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    xmlNodePtr cur;

    if (!vgmXMLCheckAttrs(node, vgmXMLNoChildren, error))
        return FALSE;
    for (cur = node->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!cur->ns || !cur->ns->href ||
            !g_str_equal((const char *)cur->ns->href, VGM_DOMAIN_QEMU_NS) ||
            (!g_str_equal(name, "arg") && !g_str_equal(name, "env"))) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <%1$s> in <qemu:commandline>: it holds <qemu:arg> and <qemu:env>"),
                        name);
            return FALSE;
        }
        if (g_str_equal(name, "arg")) {
            char *value = NULL;

            if (!vgmXMLCheckNode(cur, (const char *const[]){ "value", NULL }, vgmXMLNoChildren,
                                 error) ||
                vgmXMLPropString(cur, "value", VGM_XML_PROP_REQUIRED, &value, error) < 0)
                return FALSE;
            g_ptr_array_add(def->qemuArgs, value);
        } else {
            g_autoptr(GRegex) re = g_regex_new("^[A-Za-z_][A-Za-z0-9_]*$", 0, 0, NULL);
            VgmDomainQemuEnv *env = g_new0(VgmDomainQemuEnv, 1);

            g_ptr_array_add(def->qemuEnv, env);
            if (!vgmXMLCheckNode(cur, (const char *const[]){ "name", "value", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropString(cur, "name", VGM_XML_PROP_REQUIRED, &env->name, error) < 0 ||
                vgmXMLPropString(cur, "value", 0, &env->value, error) < 0)
                return FALSE;
            if (!g_regex_match(re, env->name, 0, NULL)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid name '%1$s' of <qemu:env>: an environment variable's name is a letter or '_', then letters, digits or '_'"),
                            env->name);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* The elements of libvirt's QEMU namespace: <qemu:commandline>, which
 * adds to QEMU's command line and environment as libvirt does (libvirt
 * calls such a domain tainted, and so does the domain's log here);
 * <qemu:capabilities>, <qemu:override> and <qemu:deprecation> change
 * libvirt's own view of QEMU and are refused. */
static gboolean
vgmDomainQemuNsParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr cur;

    for (cur = root->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || !cur->ns || !cur->ns->href ||
            !g_str_equal((const char *)cur->ns->href, VGM_DOMAIN_QEMU_NS))
            continue;
        if (!g_str_equal((const char *)cur->name, "commandline")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <qemu:%1$s> in <domain>: it changes what libvirt's driver makes of QEMU, and virt-gmem probes QEMU itself; only <qemu:commandline> is taken"),
                        (const char *)cur->name);
            return FALSE;
        }
        if (!def->qemuArgs) {
            def->qemuArgs = g_ptr_array_new_with_free_func(g_free);
            def->qemuEnv = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDomainQemuEnvFree);
        }
        if (!vgmDomainQemuCommandlineParse(def, cur, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmDomainDefHasQemuCommandline(const VgmDomainDef *def)
{
    return (def->qemuArgs && def->qemuArgs->len) || (def->qemuEnv && def->qemuEnv->len);
}

static void
vgmDomainQemuNsFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    guint i;

    if (!vgmDomainDefHasQemuCommandline(def))
        return;
    vgmBufAdd(buf, "<qemu:commandline>\n");
    for (i = 0; i < def->qemuArgs->len; i++)
        vgmBufEscapeString(buf, "  <qemu:arg value='%s'/>\n",
                           g_ptr_array_index(def->qemuArgs, i));
    for (i = 0; i < def->qemuEnv->len; i++) {
        const VgmDomainQemuEnv *env = g_ptr_array_index(def->qemuEnv, i);

        vgmBufEscapeString(buf, "  <qemu:env name='%s'", env->name);
        vgmBufEscapeString(buf, " value='%s'", env->value);
        vgmBufAdd(buf, "/>\n");
    }
    vgmBufAdd(buf, "</qemu:commandline>\n");
}

/* <resource><partition>: where in the cgroup tree the domain's group
 * goes; a Fibre Channel application id (<fibrechannel appid>) tags a
 * fabric's traffic, which virt-gmem does not set up */
static gboolean
vgmDomainResourceParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr node;
    xmlNodePtr part;

    if (vgmXMLSingleChild(root, "resource", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (vgmXMLChild(node, "fibrechannel")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <fibrechannel appid> in <resource>: virt-gmem does not tag a Fibre Channel fabric's I/O"));
        return FALSE;
    }
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "partition", NULL },
                         error) ||
        vgmXMLSingleChild(node, "partition", &part, error) < 0)
        return FALSE;
    if (!part)
        return TRUE;
    if (!vgmXMLCheckNode(part, vgmXMLNoChildren, NULL, error))
        return FALSE;
    def->resourcePartition = vgmXMLNodeContent(part);
    if (!def->resourcePartition) {
        vgmErrorSet(error, VGM_ERR_XML, _("element <partition> in <resource> must not be empty"));
        return FALSE;
    }
    return TRUE;
}

/* <seclabel>: virt-gmem has no security driver, so QEMU runs without a
 * label and relabels no file; a definition may say so (type='none',
 * model 'none' or unnamed, no relabeling), and any other label is
 * refused rather than left unapplied */
static gboolean
vgmDomainSeclabelParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    g_autofree char *type = NULL;
    g_autofree char *model = NULL;
    VgmTristate relabel = VGM_TRISTATE_ABSENT;
    xmlNodePtr node;

    if (vgmXMLSingleChild(root, "seclabel", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckAttrs(node, (const char *const[]){ "type", "model", "relabel", NULL },
                          error) ||
        vgmXMLPropString(node, "type", 0, &type, error) < 0 ||
        vgmXMLPropString(node, "model", 0, &model, error) < 0 ||
        vgmXMLPropTristateBool(node, "relabel", 0, &relabel, error) < 0)
        return FALSE;
    /* type='none' asks a model to leave the domain alone: the driver's
     * (none) and DAC, whose 'none' keeps QEMU on the daemon's own user
     * and group, relabelling nothing, as virt-gmem runs it */
    if (g_strcmp0(type, "none") != 0 ||
        (model && !g_str_equal(model, "none") && !g_str_equal(model, "dac")) ||
        relabel == VGM_TRISTATE_YES) {
        g_autofree char *desc = g_strdup_printf("type='%s'%s%s%s%s", type ? type : "dynamic",
                                                model ? " model='" : "", model ? model : "",
                                                model ? "'" : "",
                                                relabel == VGM_TRISTATE_YES ? " relabel='yes'" : "");

        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported <seclabel %1$s>: virt-gmem has no security driver (its model is 'none'), so QEMU runs without a label, as the daemon's user, relabels no file, and only <seclabel type='none'/> (with model 'none' or 'dac') fits"),
                    desc);
        return FALSE;
    }
    /* a label has nothing to name without a model */
    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", "model", "relabel", NULL },
                         vgmXMLNoChildren, error))
        return FALSE;
    def->seclabelNone = TRUE;
    /* one naming no model names the driver's, as libvirt writes it */
    def->seclabelModel = model ? g_steal_pointer(&model) : g_strdup("none");
    return TRUE;
}

VgmDomainDef *
vgmDomainDefParseNode(xmlDocPtr doc, xmlNodePtr root, unsigned int flags,
                      GError **error)
{
    g_autoptr(VgmDomainDef) def = vgmDomainDefNew();
    g_autofree char *uuid = NULL;
    gboolean uuidGenerated = FALSE;
    int virtType;

    if (!root || !g_str_equal((const char *)root->name, "domain")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("expected root element <domain>, found <%1$s>"),
                    root ? (const char *)root->name : "");
        return NULL;
    }
    if (!VGM_XML_CHECK_REFUSED_CHILDREN(root, vgmDomainChildrenRefused, error))
        return NULL;
    if (!vgmXMLCheckAttrs(root, (const char *const[]){ "type", "id", NULL }, error) ||
        !vgmXMLCheckChildrenNs(root, vgmDomainChildren, VGM_DOMAIN_QEMU_NS, error) ||
        !vgmDomainCheckSingletons(root, error))
        return NULL;
    {
        int id;

        /* the id of a running domain, which dumpxml writes: a definition
         * has none, so it is checked and then left, as libvirt's parser
         * leaves it */
        if (vgmXMLPropInt(root, "id", 0, &id, error) < 0)
            return NULL;
    }

    if (vgmXMLPropEnum(root, "type", vgmDomainVirtTypeFromString,
                       VGM_XML_PROP_REQUIRED, &virtType, error) < 0)
        return NULL;
    def->virtType = virtType;

    if (vgmDomainSimpleText(root, "name", &def->name, error) < 0)
        return NULL;
    if (!vgmDomainNameCheck(def->name, error))
        return NULL;

    if (vgmDomainSimpleText(root, "uuid", &uuid, error) < 0)
        return NULL;
    if (uuid) {
        if (!vgmDomainUUIDParse(uuid, def->uuid)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' in element <uuid>: expected 32 hexadecimal digits"),
                        uuid);
            return NULL;
        }
    } else {
        vgmDomainRandomBytes(def->uuid, sizeof(def->uuid));
        def->uuid[6] = (def->uuid[6] & 0x0f) | 0x40; /* version 4 */
        def->uuid[8] = (def->uuid[8] & 0x3f) | 0x80; /* RFC 4122 variant */
        uuidGenerated = TRUE;
    }

    /* <genid>: the VM generation ID; an empty element asks for a new one,
     * which the definition then keeps, as libvirt's parser makes it */
    {
        g_autofree char *genid = NULL;
        int rc;

        if ((rc = vgmDomainSimpleText(root, "genid", &genid, error)) < 0)
            return NULL;
        def->haveGenid = rc > 0;
        if (genid && !vgmDomainUUIDParse(genid, def->genid)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' in element <genid>: expected a GUID of 32 hexadecimal digits"),
                        genid);
            return NULL;
        }
        if (def->haveGenid && !genid) {
            vgmDomainRandomBytes(def->genid, sizeof(def->genid));
            def->genid[6] = (def->genid[6] & 0x0f) | 0x40;
            def->genid[8] = (def->genid[8] & 0x3f) | 0x80;
        }
    }

    if (vgmDomainSimpleText(root, "title", &def->title, error) < 0)
        return NULL;
    if (def->title && strchr(def->title, '\n')) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value in element <title>: a title must fit on one line"));
        return NULL;
    }
    if (vgmDomainSimpleText(root, "description", &def->description, error) < 0)
        return NULL;
    if (!vgmXMLMetadataParse(root, &def->metadata, error) ||
        !vgmDomainSysinfoParse(def, root, uuidGenerated, error))
        return NULL;

    if (!vgmDomainMemoryParse(def, root, error) ||
        !vgmDomainTuneParse(def, root, error) ||
        !vgmDomainCpuParse(def, root, error) ||
        !vgmDomainOsParse(def, root, error))
        return NULL;

    for (guint e = 0; e < VGM_DOMAIN_LIFECYCLE_EVENT_LAST; e++) {
        if (!vgmDomainLifecycleParse(def, root, e, error))
            return NULL;
    }
    if (!vgmDomainPmParse(def, root, error))
        return NULL;

    if (!vgmDomainQemuNsParse(def, root, error) ||
        !vgmDomainSeclabelParse(def, root, error) ||
        !vgmDomainResourceParse(def, root, error) ||
        !vgmDomainLaunchSecurityParse(def, root, error) ||
        !vgmDomainDevicesParse(def, root, flags, error))
        return NULL;

    if (!vgmDomainDefPostParse(def, flags, error))
        return NULL;
    /* a running domain's interfaces and memory devices keep their QEMU
     * ids; one plugged in gets the next (a live XML written before
     * aliases gets the ids the devices' places gave) */
    if (flags & VGM_DOMAIN_PARSE_LIVE)
        vgmDomainDefAssignLiveAliases(def);
    /* the rules first: they refuse what is too large before anything
     * else works on it, and name the element at fault */
    if ((flags & VGM_DOMAIN_PARSE_STORED) ? !vgmDomainDefValidateLimits(def, error) :
        !(flags & VGM_DOMAIN_PARSE_SKIP_VALIDATE) && !vgmDomainDefValidate(def, error))
        return NULL;
    if (!(flags & VGM_DOMAIN_PARSE_NO_ADDRESSES) &&
        (!(flags & VGM_DOMAIN_PARSE_LIVE) ||
         (flags & (VGM_DOMAIN_PARSE_HOTPLUG | VGM_DOMAIN_PARSE_EDITED))) &&
        !vgmDomainPciAssign(def, error))
        return NULL;
    /* the controllers added after the given ones (in libvirt's order,
     * which the PCI addresses followed) now go where the parser puts
     * them, so that the formatted XML reads back the same */
    vgmDomainControllersRegroup(def->devices.controllers);
    return g_steal_pointer(&def);
}

VgmDomainDef *
vgmDomainDefParseString(const char *xml, const char *filename,
                        unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = vgmXMLParseString(xml, filename, error);

    if (!doc)
        return NULL;
    return vgmDomainDefParseNode(doc, xmlDocGetRootElement(doc), flags, error);
}

VgmDomainDef *
vgmDomainDefParseFile(const char *filename, unsigned int flags, GError **error)
{
    g_autoptr(xmlDoc) doc = vgmXMLParseFile(filename, error);

    if (!doc)
        return NULL;
    return vgmDomainDefParseNode(doc, xmlDocGetRootElement(doc), flags, error);
}

static void
vgmDomainMetadataFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    /* not xmlNodeDump: it writes namespace URIs unescaped, so a URI with
     * '<', '&', a tab or a new line would be stored as malformed XML */
    if (def->metadata)
        vgmXMLFormatNode(buf, def->metadata);
}

static void
vgmDomainLifecycleFormat(VgmBuf *buf, const char *name,
                         VgmDomainLifecycleAction action)
{
    if (action == VGM_DOMAIN_LIFECYCLE_DEFAULT)
        return;
    vgmBufAsprintf(buf, "<%s>%s</%s>\n", name,
                   vgmDomainLifecycleActionTypeToString(action), name);
}

char *
vgmDomainDefFormat(const VgmDomainDef *def)
{
    VgmBuf buf;
    char uuid[37];

    vgmBufInit(&buf, 0);
    vgmBufAsprintf(&buf, "<domain type='%s'%s>\n",
                   vgmDomainVirtTypeToString(def->virtType),
                   vgmDomainDefHasQemuCommandline(def) ?
                   " xmlns:qemu='" VGM_DOMAIN_QEMU_NS "'" : "");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeString(&buf, "<name>%s</name>\n", def->name);
    vgmDomainUUIDFormat(def->uuid, uuid);
    vgmBufAsprintf(&buf, "<uuid>%s</uuid>\n", uuid);
    if (def->haveGenid) {
        vgmDomainUUIDFormat(def->genid, uuid);
        vgmBufAsprintf(&buf, "<genid>%s</genid>\n", uuid);
    }
    vgmBufEscapeString(&buf, "<title>%s</title>\n", def->title);
    vgmBufEscapeText(&buf, "<description>%s</description>\n", def->description);
    vgmDomainMetadataFormat(&buf, def);
    vgmDomainMemoryFormat(&buf, def);
    vgmDomainTuneFormat(&buf, def);
    vgmDomainMemoryBackingFormat(&buf, def);
    vgmDomainVcpuFormat(&buf, def);
    vgmDomainIOThreadsFormat(&buf, def);
    vgmDomainCputuneFormat(&buf, def);
    vgmDomainNumatuneFormat(&buf, def);
    if (def->resourcePartition) {
        vgmBufAdd(&buf, "<resource>\n");
        vgmBufEscapeText(&buf, "  <partition>%s</partition>\n", def->resourcePartition);
        vgmBufAdd(&buf, "</resource>\n");
    }
    vgmDomainSysinfoFormat(&buf, def);
    vgmDomainOsFormat(&buf, def);
    vgmDomainIdmapFormat(&buf, def);
    vgmDomainFeaturesFormat(&buf, def);
    vgmDomainCpuFormat(&buf, def);
    vgmDomainClockFormat(&buf, def);
    for (guint e = 0; e < VGM_DOMAIN_LIFECYCLE_EVENT_LAST; e++)
        vgmDomainLifecycleFormat(&buf, vgmDomainLifecycleElement(e),
                                 *vgmDomainLifecycleField((VgmDomainDef *)def, e));
    vgmDomainPmFormat(&buf, def);
    vgmDomainDevicesFormat(&buf, def);
    if (def->seclabelNone) {
        vgmBufAdd(&buf, "<seclabel type='none'");
        vgmBufEscapeString(&buf, " model='%s'", def->seclabelModel);
        vgmBufAdd(&buf, "/>\n");
    }
    vgmDomainLaunchSecurityFormat(&buf, def);
    vgmDomainQemuNsFormat(&buf, def);
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</domain>\n");
    return vgmBufSteal(&buf);
}

/* ---- derived facts shared by validation and the drivers ---- */

const VgmShmemDef *
vgmDomainDefUnmigratableShmem(const VgmDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices.shmems->len; i++) {
        const VgmShmemDef *shm = g_ptr_array_index(def->devices.shmems, i);

        if (shm->role != VGM_SHMEM_ROLE_MASTER)
            return shm;
    }
    return NULL;
}

/* The devices that take an <acpi index>: a list of VgmDevicesDef (or a
 * single device) and where each keeps its address */
static const struct {
    const char *element;
    size_t devices;             /* GPtrArray * or device pointer in VgmDevicesDef */
    gboolean single;
    size_t addr;                /* VgmDeviceAddress in the device */
} vgmDomainAcpiDevices[] = {
    { "disk", G_STRUCT_OFFSET(VgmDevicesDef, disks), FALSE, G_STRUCT_OFFSET(VgmDiskDef, addr) },
    { "interface", G_STRUCT_OFFSET(VgmDevicesDef, nets), FALSE, G_STRUCT_OFFSET(VgmNetDef, addr) },
    { "controller", G_STRUCT_OFFSET(VgmDevicesDef, controllers), FALSE,
      G_STRUCT_OFFSET(VgmControllerDef, addr) },
    { "filesystem", G_STRUCT_OFFSET(VgmDevicesDef, fss), FALSE, G_STRUCT_OFFSET(VgmFsDef, addr) },
    { "input", G_STRUCT_OFFSET(VgmDevicesDef, inputs), FALSE, G_STRUCT_OFFSET(VgmInputDef, addr) },
    { "video", G_STRUCT_OFFSET(VgmDevicesDef, videos), FALSE, G_STRUCT_OFFSET(VgmVideoDef, addr) },
    { "sound", G_STRUCT_OFFSET(VgmDevicesDef, sounds), FALSE, G_STRUCT_OFFSET(VgmSoundDef, addr) },
    { "rng", G_STRUCT_OFFSET(VgmDevicesDef, rngs), FALSE, G_STRUCT_OFFSET(VgmRngDef, addr) },
    { "memballoon", G_STRUCT_OFFSET(VgmDevicesDef, memballoon), TRUE,
      G_STRUCT_OFFSET(VgmMemballoonDef, addr) },
    { "watchdog", G_STRUCT_OFFSET(VgmDevicesDef, watchdog), TRUE,
      G_STRUCT_OFFSET(VgmWatchdogDef, addr) },
    { "vsock", G_STRUCT_OFFSET(VgmDevicesDef, vsock), TRUE, G_STRUCT_OFFSET(VgmVsockDef, addr) },
    { "shmem", G_STRUCT_OFFSET(VgmDevicesDef, shmems), FALSE, G_STRUCT_OFFSET(VgmShmemDef, addr) },
};

gboolean
vgmDomainDefForEachAcpiIndex(const VgmDomainDef *def, VgmDomainAcpiIndexFunc func,
                             gpointer opaque, GError **error)
{
    size_t t;
    guint i;

    for (t = 0; t < G_N_ELEMENTS(vgmDomainAcpiDevices); t++) {
        const void *field = (const char *)&def->devices + vgmDomainAcpiDevices[t].devices;
        const GPtrArray *list = vgmDomainAcpiDevices[t].single ? NULL : *(GPtrArray *const *)field;
        guint n = vgmDomainAcpiDevices[t].single ? (*(void *const *)field != NULL) :
                  list ? list->len : 0;

        for (i = 0; i < n; i++) {
            const char *dev = list ? g_ptr_array_index(list, i) : *(const char *const *)field;
            const VgmDeviceAddress *addr =
                (const VgmDeviceAddress *)(dev + vgmDomainAcpiDevices[t].addr);

            if (addr->acpiIndex &&
                !func(vgmDomainAcpiDevices[t].element, i, addr, opaque, error))
                return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmDomainDefInPlaceConversion(const VgmDomainDef *def)
{
    return def->sec && def->sec->inPlaceConversion == VGM_TRISTATE_YES;
}

gboolean
vgmDomainDefUsesGuestMemfd(const VgmDomainDef *def)
{
    return def->mb.source == VGM_DOMAIN_MEMORY_SOURCE_GUESTMEMFD ||
           vgmDomainDefInPlaceConversion(def);
}

size_t
vgmDomainDefNumaCells(const VgmDomainDef *def)
{
    return def->cpu ? def->cpu->ncells : 0;
}

unsigned long long
vgmDomainDefNumaTotalMemory(const VgmDomainDef *def)
{
    unsigned long long total = 0;
    size_t i;

    for (i = 0; i < vgmDomainDefNumaCells(def); i++)
        total += def->cpu->cells[i].mem;
    return total;
}

unsigned long long
vgmDomainDefGetMemoryDevicesTotal(const VgmDomainDef *def)
{
    unsigned long long total = 0;
    guint i;

    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);
        /* SGX EPC sections are not guest RAM and do not count, as in libvirt */
        if (mem->model != VGM_MEMORY_MODEL_SGX_EPC)
            total += mem->size;
    }
    return total;
}

unsigned long long
vgmDomainDefGetMemoryInitial(const VgmDomainDef *def)
{
    unsigned long long devs = vgmDomainDefGetMemoryDevicesTotal(def);

    if (vgmDomainDefNumaCells(def) > 0)
        return vgmDomainDefNumaTotalMemory(def);
    return def->memory > devs ? def->memory - devs : 0;
}
