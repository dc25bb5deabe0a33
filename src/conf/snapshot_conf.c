/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot_conf.c: libvirt's domain snapshot XML (see snapshot_conf.h).
 */
#include <string.h>

#include <libxml/tree.h>

#include "conf/domain_conf.h"
#include "conf/snapshot_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

VGM_ENUM_IMPL(vgmSnapshotState, VGM_SNAPSHOT_STATE_LAST,
              "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
              "pmsuspended", "disk-snapshot");

VGM_ENUM_IMPL(vgmSnapshotLocation, VGM_SNAPSHOT_LOCATION_LAST,
              "default", "no", "internal", "external", "manual");

void
vgmSnapshotDiskDefFree(VgmSnapshotDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->name);
    g_free(disk->file);
    g_free(disk->format);
    g_free(disk);
}

gboolean
vgmSnapshotDefIsExternal(const VgmSnapshotDef *def)
{
    for (guint i = 0; def->disks && i < def->disks->len; i++) {
        const VgmSnapshotDiskDef *d = g_ptr_array_index(def->disks, i);

        if (d->snapshot == VGM_SNAPSHOT_LOCATION_EXTERNAL)
            return TRUE;
    }
    return def->memory == VGM_SNAPSHOT_LOCATION_EXTERNAL;
}

void
vgmSnapshotDefFree(VgmSnapshotDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->description);
    g_free(def->parent);
    g_free(def->memoryFile);
    if (def->disks)
        g_ptr_array_unref(def->disks);
    g_free(def->domainXML);
    g_free(def->inactiveXML);
    g_free(def);
}

gboolean
vgmSnapshotNameValid(const char *name, GError **error)
{
    const char *p;

    if (!name || !*name) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("a snapshot's name must not be empty"));
        return FALSE;
    }
    if (strlen(name) > 200 || name[0] == '.') {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("invalid snapshot name '%1$s': at most 200 bytes, not starting with '.'"),
                    name);
        return FALSE;
    }
    for (p = name; *p; p++) {
        if (*p == '/' || g_ascii_iscntrl(*p)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("invalid snapshot name '%1$s': it must not contain '/' or control characters"),
                        name);
            return FALSE;
        }
    }
    return TRUE;
}

/* Attribute 'snapshot' of @node: 'manual' is refused by name */
static gboolean
vgmSnapshotLocationParse(xmlNodePtr node, VgmSnapshotLocation *loc, GError **error)
{
    g_autofree char *what = vgmXMLNodeDescribe(node);
    int v;

    if (vgmXMLPropEnum(node, "snapshot", vgmSnapshotLocationTypeFromString, 0, &v, error) < 0)
        return FALSE;
    /* (libvirt's 'manual': the user takes it, outside libvirt) */
    if (v == VGM_SNAPSHOT_LOCATION_MANUAL) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("snapshot='%1$s' of %2$s: virt-gmem takes internal and external snapshots"),
                    vgmSnapshotLocationTypeToString(v), what);
        return FALSE;
    }
    *loc = v;
    return TRUE;
}

/* An external disk's new image: type='file|block', <source file|dev>,
 * <driver type='qcow2'/> */
static gboolean
vgmSnapshotDiskImageParse(xmlNodePtr d, VgmSnapshotDiskDef *disk, GError **error)
{
    static const char *const kids[] = { "source", "driver", NULL };
    const char *attr;
    xmlNodePtr node;
    int type = VGM_DISK_TYPE_FILE;

    if (!vgmXMLCheckNode(d, (const char *const[]){ "name", "snapshot", "type", NULL }, kids,
                         error) ||
        vgmXMLPropEnum(d, "type", vgmDiskTypeTypeFromString, 0, &type, error) < 0)
        return FALSE;
    if (type != VGM_DISK_TYPE_FILE && type != VGM_DISK_TYPE_BLOCK) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("type='%1$s' of <disk name='%2$s'> in <disks>: an external snapshot's image is a file or a block device"),
                    vgmDiskTypeTypeToString(type), disk->name);
        return FALSE;
    }
    disk->type = type;
    if ((xmlHasProp(d, (const xmlChar *)"type") || vgmXMLChild(d, "source") ||
         vgmXMLChild(d, "driver")) && disk->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL &&
        disk->snapshot != VGM_SNAPSHOT_LOCATION_DEFAULT) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<disk name='%1$s'> in <disks> names an image, which only an external snapshot (snapshot='external') has"),
                    disk->name);
        return FALSE;
    }
    if (vgmXMLSingleChild(d, "source", &node, error) < 0)
        return FALSE;
    attr = type == VGM_DISK_TYPE_BLOCK ? "dev" : "file";
    if (node && (!vgmXMLCheckNode(node, (const char *const[]){ attr, NULL }, vgmXMLNoChildren,
                                  error) ||
                 vgmXMLPropString(node, attr, VGM_XML_PROP_REQUIRED, &disk->file, error) < 0))
        return FALSE;
    if (disk->file && !g_path_is_absolute(disk->file)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<source %1$s='%2$s'> of <disk name='%3$s'> in <disks>: the image's path must be absolute"),
                    attr, disk->file, disk->name);
        return FALSE;
    }
    if (vgmXMLSingleChild(d, "driver", &node, error) < 0)
        return FALSE;
    if (node && (!vgmXMLCheckNode(node, (const char *const[]){ "type", NULL }, vgmXMLNoChildren,
                                  error) ||
                 vgmXMLPropString(node, "type", 0, &disk->format, error) < 0))
        return FALSE;
    if (disk->format && !g_str_equal(disk->format, "qcow2")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<driver type='%1$s'> of <disk name='%2$s'> in <disks>: an external snapshot's image is a qcow2 image"),
                    disk->format, disk->name);
        return FALSE;
    }
    if (disk->file || disk->format || xmlHasProp(d, (const xmlChar *)"type"))
        disk->snapshot = VGM_SNAPSHOT_LOCATION_EXTERNAL;
    return TRUE;
}

static gboolean
vgmSnapshotDisksParse(xmlNodePtr node, VgmSnapshotDef *def, GError **error)
{
    g_autoptr(GPtrArray) kids = NULL;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "disk", NULL }, error))
        return FALSE;
    kids = vgmXMLChildren(node, "disk");
    for (guint i = 0; i < kids->len; i++) {
        xmlNodePtr d = g_ptr_array_index(kids, i);
        VgmSnapshotDiskDef *disk = g_new0(VgmSnapshotDiskDef, 1);

        g_ptr_array_add(def->disks, disk);
        if (vgmXMLPropString(d, "name", VGM_XML_PROP_REQUIRED, &disk->name, error) < 0 ||
            !vgmSnapshotLocationParse(d, &disk->snapshot, error) ||
            !vgmSnapshotDiskImageParse(d, disk, error))
            return FALSE;
        for (guint j = 0; j < i; j++) {
            const VgmSnapshotDiskDef *other = g_ptr_array_index(def->disks, j);

            if (g_str_equal(other->name, disk->name)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("disk '%1$s' is named twice in the snapshot's <disks>"),
                            disk->name);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* The element @tag (<domain> or <inactiveDomain>) of @xml as it was
 * written (libvirt's quotes and layout, which a copy of the parsed tree
 * would not keep), its lines moved back to the left margin, as a
 * <domain>; NULL when it is not laid out as the driver writes it (one
 * such element whose lines start at one indentation) */
static char *
vgmSnapshotDomainText(const char *xml, const char *tag)
{
    g_autofree char *open = g_strconcat("<", tag, NULL);
    g_autofree char *close = g_strconcat("</", tag, ">", NULL);
    size_t olen = strlen(open);
    const char *start = NULL, *end = NULL, *p, *line;
    g_autoptr(GString) out = g_string_new(NULL);
    size_t indent = 0;

    for (p = strstr(xml, open); p; p = strstr(p + 1, open)) {
        if (p[olen] == ' ' || p[olen] == '>') {
            if (start)
                return NULL;
            start = p;
        }
    }
    for (p = strstr(xml, close); p; p = strstr(p + 1, close))
        end = p + strlen(close);
    if (!start || !end || end < start)
        return NULL;
    for (line = start; line > xml && line[-1] == ' '; line--)
        indent++;
    if (line > xml && line[-1] != '\n')
        return NULL;
    for (p = start; p < end;) {
        const char *nl = memchr(p, '\n', end - p);
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

        g_string_append_len(out, p, len);
        g_string_append_c(out, '\n');
        if (!nl)
            break;
        p = nl + 1;
        for (size_t i = 0; i < indent; i++, p++) {
            if (p >= end || *p != ' ')
                return NULL;
        }
    }
    /* (an <inactiveDomain> is read as the <domain> it holds) */
    if (!g_str_equal(tag, "domain")) {
        g_string_erase(out, 0, olen);
        g_string_prepend(out, "<domain");
        g_string_truncate(out, out->len - strlen(close) - 1);
        g_string_append(out, "</domain>\n");
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The driver's own output, read back from a redefinition or a file */
static gboolean
vgmSnapshotRedefineParse(const char *xml, xmlNodePtr root, VgmSnapshotDef *def,
                         GError **error)
{
    xmlNodePtr node;
    int v;

    if (vgmXMLSingleChild(root, "state", &node, error) < 0)
        return FALSE;
    {
        g_autofree char *state = node ? vgmXMLNodeContent(node) : NULL;

        if (!state || (v = vgmSnapshotStateTypeFromString(state)) < 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("snapshot '%1$s' needs a <state> of libvirt's words (running, paused, shutoff, ...): '%2$s'"),
                        def->name, state ? state : "");
            return FALSE;
        }
        def->state = v;
    }
    if (vgmXMLSingleChild(root, "creationTime", &node, error) < 0)
        return FALSE;
    {
        unsigned long long t = 0;

        if (!node || vgmXMLNodeContentULL(node, &t, error) < 0 || t > G_MAXINT64) {
            if (error && !*error)
                vgmErrorSet(error, VGM_ERR_XML, _("snapshot '%1$s' needs a <creationTime>"),
                            def->name);
            return FALSE;
        }
        def->creationTime = (long long)t;
    }
    if (vgmXMLSingleChild(root, "parent", &node, error) < 0)
        return FALSE;
    if (node) {
        xmlNodePtr pname;

        if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "name", NULL }, error) ||
            vgmXMLSingleChild(node, "name", &pname, error) < 0)
            return FALSE;
        if (!pname || !(def->parent = vgmXMLNodeContent(pname))) {
            vgmErrorSet(error, VGM_ERR_XML, _("<parent> of snapshot '%1$s' needs a <name>"),
                        def->name);
            return FALSE;
        }
    }
    for (size_t k = 0; k < 2; k++) {
        const char *tag = k == 0 ? "domain" : "inactiveDomain";
        char **field = k == 0 ? &def->domainXML : &def->inactiveXML;

        if (vgmXMLSingleChild(root, tag, &node, error) < 0)
            return FALSE;
        if (node && !(*field = vgmSnapshotDomainText(xml, tag))) {
            g_auto(VgmBuf) buf = { 0 };

            /* (laid out otherwise: the parsed tree, as a <domain>) */
            xmlNodeSetName(node, BAD_CAST "domain");
            vgmBufInit(&buf, 0);
            vgmXMLFormatNode(&buf, node);
            *field = vgmBufSteal(&buf);
        }
    }
    return TRUE;
}

VgmSnapshotDef *
vgmSnapshotDefParseString(const char *xml, const char *what, unsigned int flags,
                          GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VgmSnapshotDef) def = g_new0(VgmSnapshotDef, 1);
    gboolean redefine = (flags & VGM_SNAPSHOT_PARSE_REDEFINE) != 0;
    xmlNodePtr root, node;

    def->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSnapshotDiskDefFree);
    if (!(doc = vgmXMLParseString(xml, what, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !g_str_equal((const char *)root->name, "domainsnapshot")) {
        vgmErrorSet(error, VGM_ERR_XML, "%s", _("expected a <domainsnapshot> element"));
        return NULL;
    }
    /* <state>, <parent>, <creationTime>, <domain>, <inactiveDomain>,
     * <cookie> and <active> are output: libvirt reads them from a
     * redefinition and passes over them otherwise, as this does */
    if (!vgmXMLCheckNode(root, vgmXMLNoChildren,
                         (const char *const[]){ "name", "description", "state", "parent",
                                                "creationTime", "memory", "disks", "domain",
                                                "inactiveDomain", "cookie", "active", NULL },
                         error))
        return NULL;
    if (vgmXMLSingleChild(root, "name", &node, error) < 0)
        return NULL;
    if (node) {
        def->name = vgmXMLNodeContent(node);
        if (!vgmSnapshotNameValid(def->name, error))
            return NULL;
    } else if (redefine) {
        vgmErrorSet(error, VGM_ERR_XML, "%s", _("a snapshot's redefinition needs a <name>"));
        return NULL;
    }
    if (vgmXMLSingleChild(root, "description", &node, error) < 0)
        return NULL;
    if (node)
        def->description = vgmXMLNodeContent(node);
    if (vgmXMLSingleChild(root, "memory", &node, error) < 0)
        return NULL;
    if (node) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "snapshot", "file", NULL },
                             vgmXMLNoChildren, error) ||
            !vgmSnapshotLocationParse(node, &def->memory, error) ||
            vgmXMLPropString(node, "file", 0, &def->memoryFile, error) < 0)
            return NULL;
        /* as libvirt: a file makes the memory external, which needs one */
        if (def->memoryFile && !def->memory)
            def->memory = VGM_SNAPSHOT_LOCATION_EXTERNAL;
        if (def->memoryFile && def->memory != VGM_SNAPSHOT_LOCATION_EXTERNAL) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory file '%1$s' of <memory snapshot='%2$s'>: only an external memory snapshot has a file"),
                        def->memoryFile, vgmSnapshotLocationTypeToString(def->memory));
            return NULL;
        }
        if (def->memory == VGM_SNAPSHOT_LOCATION_EXTERNAL && !def->memoryFile) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("<memory snapshot='external'> needs the file='' its state goes to"));
            return NULL;
        }
        if (def->memoryFile && !g_path_is_absolute(def->memoryFile)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("memory file '%1$s' of <memory snapshot='external'> is not an absolute path"),
                        def->memoryFile);
            return NULL;
        }
    }
    if (vgmXMLSingleChild(root, "disks", &node, error) < 0 ||
        (node && !vgmSnapshotDisksParse(node, def, error)))
        return NULL;
    if (redefine && !vgmSnapshotRedefineParse(xml, root, def, error))
        return NULL;
    return g_steal_pointer(&def);
}

char *
vgmSnapshotDefFormat(const VgmSnapshotDef *def)
{
    g_auto(VgmBuf) buf = { 0 };

    vgmBufInit(&buf, 0);
    vgmBufAdd(&buf, "<domainsnapshot>\n");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufEscapeText(&buf, "<name>%s</name>\n", def->name);
    if (def->description)
        vgmBufEscapeText(&buf, "<description>%s</description>\n", def->description);
    vgmBufAsprintf(&buf, "<state>%s</state>\n", vgmSnapshotStateTypeToString(def->state));
    if (def->parent) {
        vgmBufAdd(&buf, "<parent>\n");
        vgmBufEscapeText(&buf, "  <name>%s</name>\n", def->parent);
        vgmBufAdd(&buf, "</parent>\n");
    }
    vgmBufAsprintf(&buf, "<creationTime>%lld</creationTime>\n", def->creationTime);
    if (def->memory) {
        vgmBufAsprintf(&buf, "<memory snapshot='%s'", vgmSnapshotLocationTypeToString(def->memory));
        vgmBufEscapeString(&buf, " file='%s'", def->memoryFile);
        vgmBufAdd(&buf, "/>\n");
    }
    if (def->disks && def->disks->len) {
        vgmBufAdd(&buf, "<disks>\n");
        for (guint i = 0; i < def->disks->len; i++) {
            const VgmSnapshotDiskDef *disk = g_ptr_array_index(def->disks, i);

            vgmBufEscapeString(&buf, "  <disk name='%s'", disk->name);
            vgmBufAsprintf(&buf, " snapshot='%s'",
                           vgmSnapshotLocationTypeToString(disk->snapshot ? disk->snapshot :
                                                           VGM_SNAPSHOT_LOCATION_NO));
            if (disk->snapshot != VGM_SNAPSHOT_LOCATION_EXTERNAL) {
                vgmBufAdd(&buf, "/>\n");
                continue;
            }
            /* libvirt's layout of an external disk's image */
            vgmBufAsprintf(&buf, " type='%s'>\n", vgmDiskTypeTypeToString(disk->type));
            vgmBufAsprintf(&buf, "    <driver type='%s'/>\n", disk->format ? disk->format : "qcow2");
            if (disk->file)
                vgmBufEscapeString(&buf, disk->type == VGM_DISK_TYPE_BLOCK ?
                                   "    <source dev='%s'/>\n" : "    <source file='%s'/>\n",
                                   disk->file);
            vgmBufAdd(&buf, "  </disk>\n");
        }
        vgmBufAdd(&buf, "</disks>\n");
    }
    for (size_t k = 0; k < 2; k++) {
        const char *text = k == 0 ? def->domainXML : def->inactiveXML;
        g_auto(GStrv) lines = NULL;
        guint n;

        if (!text)
            continue;
        lines = g_strsplit(text, "\n", -1);
        for (n = 0; lines[n]; n++)
            ;
        while (n > 0 && !*lines[n - 1])
            n--;
        for (guint i = 0; i < n; i++) {
            const char *line = lines[i];

            if (!*line)
                continue;
            /* (the config: libvirt's <inactiveDomain>, its root renamed) */
            if (k == 1 && i == 0 && g_str_has_prefix(line, "<domain")) {
                vgmBufAdd(&buf, "<inactiveDomain");
                line += strlen("<domain");
            } else if (k == 1 && i == n - 1 && g_str_equal(line, "</domain>")) {
                line = "</inactiveDomain>";
            }
            vgmBufAdd(&buf, line);
            vgmBufAdd(&buf, "\n");
        }
    }
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</domainsnapshot>\n");
    return vgmBufSteal(&buf);
}
