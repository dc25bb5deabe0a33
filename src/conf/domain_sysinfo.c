/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_sysinfo.c: <sysinfo type='smbios'>, the SMBIOS strings the guest
 * sees (what OpenStack Nova writes to name the instance).
 *
 * The named-entry blocks (<bios>, <system>, <baseBoard>, <chassis>) are one
 * table, vgmSysinfoBlocks: element name, SMBIOS type and entry names in
 * libvirt's order, which is the order of the output and of QEMU's -smbios
 * keys. <oemStrings> is a plain list. As in libvirt, an entry with empty
 * text counts as absent, the first of two entries of the same name wins, a
 * block without any value is dropped, and a system uuid must be the
 * domain's (or becomes it when the domain has no <uuid>). Unknown entry
 * names are refused rather than dropped (libvirt's schema refuses them
 * too).
 *
 * <sysinfo type='fwcfg'> lists files of QEMU's firmware configuration
 * device (-fw_cfg), as Ignition reads its config from: each <entry
 * name=''> holds its text or names a host file (file=''), with libvirt's
 * rules for the names (under opt/, not QEMU's or OVMF's own) and QEMU's
 * length limit.
 */
#include "config.h"

#include <string.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

VGM_ENUM_IMPL(vgmSmbiosMode, VGM_SMBIOS_LAST, "none", "emulate", "host", "sysinfo");

typedef struct {
    const char *element;
    unsigned int smbiosType;
    const char *const entries[VGM_SYSINFO_MAX_ENTRIES + 1];
    /* entries[0] goes on QEMU's command line even when unset */
    gboolean firstAlways;
} VgmSysinfoBlockInfo;

static const VgmSysinfoBlockInfo vgmSysinfoBlocks[VGM_SYSINFO_BLOCK_LAST] = {
    [VGM_SYSINFO_BIOS] = {
        "bios", 0, { "vendor", "version", "date", "release", NULL }, FALSE },
    [VGM_SYSINFO_SYSTEM] = {
        "system", 1, { "manufacturer", "product", "version", "serial", "uuid",
                       "sku", "family", NULL }, FALSE },
    [VGM_SYSINFO_BASEBOARD] = {
        "baseBoard", 2, { "manufacturer", "product", "version", "serial",
                          "asset", "location", NULL }, TRUE },
    [VGM_SYSINFO_CHASSIS] = {
        "chassis", 3, { "manufacturer", "version", "serial", "asset", "sku",
                        NULL }, TRUE },
};

unsigned int
vgmSysinfoBlockSmbiosType(VgmSysinfoBlockType type)
{
    return vgmSysinfoBlocks[type].smbiosType;
}

const char *const *
vgmSysinfoBlockEntries(VgmSysinfoBlockType type)
{
    return vgmSysinfoBlocks[type].entries;
}

gboolean
vgmSysinfoBlockEntryAlways(VgmSysinfoBlockType type, size_t idx)
{
    return idx == 0 && vgmSysinfoBlocks[type].firstAlways;
}

static int
vgmSysinfoEntryIndex(VgmSysinfoBlockType type, const char *name)
{
    const char *const *entries = vgmSysinfoBlocks[type].entries;
    int i;

    for (i = 0; entries[i]; i++) {
        if (g_str_equal(entries[i], name))
            return i;
    }
    return -1;
}

static void
vgmSysinfoBlockFree(VgmSysinfoBlock *block)
{
    size_t i;

    if (!block)
        return;
    for (i = 0; i < G_N_ELEMENTS(block->values); i++)
        g_free(block->values[i]);
    g_free(block);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSysinfoBlock, vgmSysinfoBlockFree)

void
vgmSysinfoDefFree(VgmSysinfoDef *sysinfo)
{
    if (!sysinfo)
        return;
    if (sysinfo->fwCfgs)
        g_ptr_array_unref(sysinfo->fwCfgs);
    vgmSysinfoBlockFree(sysinfo->bios);
    vgmSysinfoBlockFree(sysinfo->system);
    g_ptr_array_unref(sysinfo->baseBoards);
    vgmSysinfoBlockFree(sysinfo->chassis);
    g_strfreev(sysinfo->oemStrings);
    g_free(sysinfo);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSysinfoDef, vgmSysinfoDefFree)

const VgmSysinfoDef *
vgmDomainDefGetSmbiosSysinfo(const VgmDomainDef *def)
{
    guint i;

    for (i = 0; def->sysinfos && i < def->sysinfos->len; i++) {
        const VgmSysinfoDef *sysinfo = g_ptr_array_index(def->sysinfos, i);

        if (!sysinfo->fwCfgs)
            return sysinfo;
    }
    return NULL;
}

static void
vgmFwCfgEntryFree(VgmFwCfgEntry *e)
{
    g_free(e->name);
    g_free(e->value);
    g_free(e->file);
    g_free(e);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmFwCfgEntry, vgmFwCfgEntryFree)

/* QEMU's limit for a fw_cfg file name (FW_CFG_MAX_FILE_PATH, with its NUL) */
#define VGM_FWCFG_NAME_MAX 55

/* <sysinfo type='fwcfg'>: its entries, each a name under opt/ (libvirt
 * refuses the rest and the names QEMU and OVMF use themselves), with its
 * text or a host file, not both (libvirt would give QEMU the one and
 * keep the other in the XML) */
static VgmSysinfoDef *
vgmSysinfoParseFwCfg(xmlNodePtr node, GError **error)
{
    g_autoptr(VgmSysinfoDef) sysinfo = g_new0(VgmSysinfoDef, 1);
    g_autoptr(GPtrArray) entries = NULL;
    guint i;

    sysinfo->baseBoards = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSysinfoBlockFree);
    sysinfo->fwCfgs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmFwCfgEntryFree);
    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", NULL },
                         (const char *const[]){ "entry", NULL }, error))
        return NULL;
    entries = vgmXMLChildren(node, "entry");
    for (i = 0; i < entries->len; i++) {
        xmlNodePtr en = g_ptr_array_index(entries, i);
        g_autoptr(VgmFwCfgEntry) e = g_new0(VgmFwCfgEntry, 1);

        if (!vgmXMLCheckNode(en, (const char *const[]){ "name", "file", NULL }, NULL, error) ||
            vgmXMLPropString(en, "name", VGM_XML_PROP_REQUIRED, &e->name, error) < 0 ||
            vgmXMLPropString(en, "file", 0, &e->file, error) < 0)
            return NULL;
        e->value = vgmXMLNodeContent(en);
        if (!e->value == !e->file) {
            vgmErrorSet(error, VGM_ERR_XML,
                        e->file ? _("firmware configuration <entry name='%1$s'> has both a value and a file: give one")
                                : _("firmware configuration <entry name='%1$s'> has neither a value nor a file"),
                        e->name);
            return NULL;
        }
        if (!g_str_has_prefix(e->name, "opt/") || g_str_has_prefix(e->name, "opt/ovmf/") ||
            g_str_has_prefix(e->name, "opt/org.qemu/")) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("invalid firmware configuration name '%1$s': names are under 'opt/', and 'opt/ovmf/' and 'opt/org.qemu/' are the firmware's and QEMU's own"),
                        e->name);
            return NULL;
        }
        if (strlen(e->name) > VGM_FWCFG_NAME_MAX) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("firmware configuration name '%1$s' is longer than QEMU's %2$d characters"),
                        e->name, VGM_FWCFG_NAME_MAX);
            return NULL;
        }
        if (e->file && !g_path_is_absolute(e->file)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'file' of firmware configuration <entry name='%2$s'>: an absolute path"),
                        e->file, e->name);
            return NULL;
        }
        g_ptr_array_add(sysinfo->fwCfgs, g_steal_pointer(&e));
    }
    return g_steal_pointer(&sysinfo);
}

/* ---------------- parse ---------------- */

/* libvirt's date check: mm/dd/yy or mm/dd/yyyy, each part read as strtol
 * reads it (leading blanks and a sign allowed), a two-digit year meaning
 * 19yy and a four-digit one 1900 or later. */
static gboolean
vgmSysinfoDateIsValid(const char *date)
{
    const char *p = date;
    long long v[3];
    size_t i;

    for (i = 0; i < 3; i++) {
        char *end = NULL;

        v[i] = g_ascii_strtoll(p, &end, 10);
        if (end == p || v[i] > G_MAXINT || v[i] < G_MININT)
            return FALSE;
        if (i < 2 && *end != '/')
            return FALSE;
        if (i == 2 && *end != '\0')
            return FALSE;
        p = end + 1;
    }
    return v[0] >= 1 && v[0] <= 12 && v[1] >= 1 && v[1] <= 31 &&
           v[2] >= 0 && !(v[2] >= 100 && v[2] < 1900);
}

/* *out is NULL when the block holds no value (dropped, as in libvirt). */
static gboolean
vgmSysinfoBlockParse(xmlNodePtr node, VgmSysinfoBlockType type,
                     VgmSysinfoBlock **out, GError **error)
{
    g_autoptr(VgmSysinfoBlock) block = g_new0(VgmSysinfoBlock, 1);
    const char *elem = vgmSysinfoBlocks[type].element;
    gboolean seen[VGM_SYSINFO_MAX_ENTRIES] = { FALSE };
    g_autoptr(GPtrArray) entries = NULL;
    gboolean any = FALSE;
    guint i;

    *out = NULL;
    block->type = type;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren,
                         (const char *const[]){ "entry", NULL }, error))
        return FALSE;
    entries = vgmXMLChildren(node, "entry");
    for (i = 0; i < entries->len; i++) {
        xmlNodePtr en = g_ptr_array_index(entries, i);
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;
        int idx;

        if (!vgmXMLCheckNode(en, (const char *const[]){ "name", NULL }, NULL, error) ||
            vgmXMLPropString(en, "name", VGM_XML_PROP_REQUIRED, &name, error) < 0)
            return FALSE;
        if ((idx = vgmSysinfoEntryIndex(type, name)) < 0) {
            g_autofree char *names = g_strjoinv(", ", (char **)vgmSysinfoBlocks[type].entries);

            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid entry name '%1$s' in <%2$s> of <sysinfo>: expected one of %3$s"),
                        name, elem, names);
            return FALSE;
        }
        /* the first entry of a name decides, as libvirt reads it */
        if (seen[idx])
            continue;
        seen[idx] = TRUE;
        if (!(value = vgmXMLNodeContent(en)))
            continue;
        if (type == VGM_SYSINFO_BIOS && g_str_equal(name, "date") &&
            !vgmSysinfoDateIsValid(value)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' in <entry name='date'> of <sysinfo><bios>: expected a date as mm/dd/yy or mm/dd/yyyy"),
                        value);
            return FALSE;
        }
        block->values[idx] = g_steal_pointer(&value);
        any = TRUE;
    }
    if (any)
        *out = g_steal_pointer(&block);
    return TRUE;
}

/* The system uuid against the domain's (see the header). */
static gboolean
vgmSysinfoSystemUUID(VgmDomainDef *def, VgmSysinfoBlock *system,
                     gboolean *uuidGenerated, GError **error)
{
    int idx = vgmSysinfoEntryIndex(VGM_SYSINFO_SYSTEM, "uuid");
    unsigned char uuid[16];
    char str[37];
    char dom[37];

    if (!system->values[idx])
        return TRUE;
    if (!vgmDomainUUIDParse(system->values[idx], uuid)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' in <entry name='uuid'> of <sysinfo><system>: expected 32 hexadecimal digits"),
                    system->values[idx]);
        return FALSE;
    }
    vgmDomainUUIDFormat(uuid, str);
    if (*uuidGenerated) {
        memcpy(def->uuid, uuid, sizeof(uuid));
        *uuidGenerated = FALSE;
    } else if (memcmp(def->uuid, uuid, sizeof(uuid)) != 0) {
        vgmDomainUUIDFormat(def->uuid, dom);
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<entry name='uuid'> of <sysinfo><system> is '%1$s', but the domain's <uuid> is '%2$s': they must be the same"),
                    str, dom);
        return FALSE;
    }
    /* written back the way the firmware tables want it */
    g_free(system->values[idx]);
    system->values[idx] = g_strdup(str);
    return TRUE;
}

static VgmSysinfoDef *
vgmSysinfoParseOne(VgmDomainDef *def, xmlNodePtr node, gboolean *uuidGenerated,
                   GError **error)
{
    static const char *const children[] = {
        "bios", "system", "baseBoard", "chassis", "oemStrings", NULL
    };
    g_autoptr(VgmSysinfoDef) sysinfo = g_new0(VgmSysinfoDef, 1);
    g_autofree char *type = NULL;
    g_autoptr(GPtrArray) boards = NULL;
    xmlNodePtr child;
    guint i;

    sysinfo->baseBoards = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSysinfoBlockFree);
    if (vgmXMLPropString(node, "type", VGM_XML_PROP_REQUIRED, &type, error) < 0)
        return NULL;
    if (g_str_equal(type, "fwcfg"))
        return vgmSysinfoParseFwCfg(node, error);
    if (!g_str_equal(type, "smbios")) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute 'type' of element <sysinfo>: expected 'smbios' or 'fwcfg'"),
                    type);
        return NULL;
    }
    if (!vgmXMLCheckNode(node, (const char *const[]){ "type", NULL }, children, error))
        return NULL;

    if (vgmXMLSingleChild(node, "bios", &child, error) < 0)
        return NULL;
    if (child && !vgmSysinfoBlockParse(child, VGM_SYSINFO_BIOS, &sysinfo->bios, error))
        return NULL;
    if (vgmXMLSingleChild(node, "system", &child, error) < 0)
        return NULL;
    if (child && !vgmSysinfoBlockParse(child, VGM_SYSINFO_SYSTEM, &sysinfo->system, error))
        return NULL;
    if (sysinfo->system && !vgmSysinfoSystemUUID(def, sysinfo->system, uuidGenerated, error))
        return NULL;
    boards = vgmXMLChildren(node, "baseBoard");
    for (i = 0; i < boards->len; i++) {
        VgmSysinfoBlock *b = NULL;

        if (!vgmSysinfoBlockParse(g_ptr_array_index(boards, i), VGM_SYSINFO_BASEBOARD,
                                  &b, error))
            return NULL;
        if (b)
            g_ptr_array_add(sysinfo->baseBoards, b);
    }
    if (vgmXMLSingleChild(node, "chassis", &child, error) < 0)
        return NULL;
    if (child && !vgmSysinfoBlockParse(child, VGM_SYSINFO_CHASSIS, &sysinfo->chassis, error))
        return NULL;

    if (vgmXMLSingleChild(node, "oemStrings", &child, error) < 0)
        return NULL;
    if (child) {
        g_autoptr(GPtrArray) entries = NULL;
        g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren,
                             (const char *const[]){ "entry", NULL }, error))
            return NULL;
        entries = vgmXMLChildren(child, "entry");
        for (i = 0; i < entries->len; i++) {
            xmlNodePtr en = g_ptr_array_index(entries, i);
            char *value;

            if (!vgmXMLCheckNode(en, vgmXMLNoChildren, NULL, error))
                return NULL;
            /* an empty OEM string is a string, as libvirt keeps it */
            if (!(value = vgmXMLNodeContent(en)))
                value = g_strdup("");
            g_ptr_array_add(values, value);
        }
        if (values->len > 0) {
            g_ptr_array_add(values, NULL);
            sysinfo->oemStrings = (GStrv)g_ptr_array_steal(values, NULL);
        }
    }
    return g_steal_pointer(&sysinfo);
}

gboolean
vgmDomainSysinfoParse(VgmDomainDef *def, xmlNodePtr root, gboolean uuidGenerated,
                      GError **error)
{
    g_autoptr(GPtrArray) nodes = vgmXMLChildren(root, "sysinfo");
    guint i;

    for (i = 0; i < nodes->len; i++) {
        VgmSysinfoDef *sysinfo = vgmSysinfoParseOne(def, g_ptr_array_index(nodes, i),
                                                    &uuidGenerated, error);

        if (!sysinfo)
            return FALSE;
        if (!def->sysinfos)
            def->sysinfos = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSysinfoDefFree);
        g_ptr_array_add(def->sysinfos, sysinfo);
    }
    return TRUE;
}

/* ---------------- format ---------------- */

static void
vgmSysinfoBlockFormat(VgmBuf *buf, const VgmSysinfoBlock *block)
{
    const VgmSysinfoBlockInfo *info;
    size_t i;

    if (!block)
        return;
    info = &vgmSysinfoBlocks[block->type];
    vgmBufAsprintf(buf, "<%s>\n", info->element);
    vgmBufAdjustIndent(buf, 2);
    for (i = 0; info->entries[i]; i++) {
        if (!block->values[i])
            continue;
        vgmBufAsprintf(buf, "<entry name='%s'>", info->entries[i]);
        vgmBufEscapeText(buf, "%s</entry>\n", block->values[i]);
    }
    vgmBufAdjustIndent(buf, -2);
    vgmBufAsprintf(buf, "</%s>\n", info->element);
}

void
vgmDomainSysinfoFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    guint i, j;

    for (i = 0; def->sysinfos && i < def->sysinfos->len; i++) {
        const VgmSysinfoDef *sysinfo = g_ptr_array_index(def->sysinfos, i);
        VgmBuf child;
        VgmBuf attrs;

        vgmBufInit(&attrs, 0);
        vgmBufAdd(&attrs, sysinfo->fwCfgs ? " type='fwcfg'" : " type='smbios'");
        vgmBufInitChild(&child, buf);
        for (j = 0; sysinfo->fwCfgs && j < sysinfo->fwCfgs->len; j++) {
            const VgmFwCfgEntry *e = g_ptr_array_index(sysinfo->fwCfgs, j);

            vgmBufEscapeString(&child, "<entry name='%s'", e->name);
            if (e->file)
                vgmBufEscapeString(&child, " file='%s'/>\n", e->file);
            else
                vgmBufEscapeText(&child, ">%s</entry>\n", e->value);
        }
        vgmSysinfoBlockFormat(&child, sysinfo->bios);
        vgmSysinfoBlockFormat(&child, sysinfo->system);
        for (j = 0; j < sysinfo->baseBoards->len; j++)
            vgmSysinfoBlockFormat(&child, g_ptr_array_index(sysinfo->baseBoards, j));
        vgmSysinfoBlockFormat(&child, sysinfo->chassis);
        if (sysinfo->oemStrings) {
            vgmBufAdd(&child, "<oemStrings>\n");
            for (j = 0; sysinfo->oemStrings[j]; j++)
                vgmBufEscapeText(&child, "  <entry>%s</entry>\n", sysinfo->oemStrings[j]);
            vgmBufAdd(&child, "</oemStrings>\n");
        }
        vgmXMLFormatElementEmpty(buf, "sysinfo", &attrs, &child);
    }
}
