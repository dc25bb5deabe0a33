/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_memory.c: everything about guest memory in the domain XML.
 *
 * Owns <maxMemory>, <memory>, <currentMemory>, <memoryBacking> (with the
 * extension's source type 'guestmemfd' and <liveUpdate/>), <numatune> and
 * the <memory> devices (dimm, nvdimm, virtio-mem, virtio-pmem, sgx-epc).
 * Sizes are stored in KiB.
 */
#include "config.h"

#include <string.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

VGM_ENUM_IMPL(vgmDomainMemorySource, VGM_DOMAIN_MEMORY_SOURCE_LAST,
              "", "file", "anonymous", "memfd", "guestmemfd");

VGM_ENUM_IMPL(vgmDomainMemoryAccess, VGM_DOMAIN_MEMORY_ACCESS_LAST,
              "default", "shared", "private");

VGM_ENUM_IMPL(vgmDomainMemoryAllocation, VGM_DOMAIN_MEMORY_ALLOCATION_LAST,
              "", "immediate", "ondemand");

VGM_ENUM_IMPL(vgmDomainNumatuneMemMode, VGM_DOMAIN_NUMATUNE_MEM_LAST,
              "strict", "preferred", "interleave", "restrictive");

VGM_ENUM_IMPL(vgmDomainNumatunePlacement, VGM_DOMAIN_NUMATUNE_PLACEMENT_LAST,
              "default", "static", "auto");

VGM_ENUM_IMPL(vgmMemoryModel, VGM_MEMORY_MODEL_LAST,
              "dimm", "nvdimm", "virtio-mem", "virtio-pmem", "sgx-epc");

/* The largest hugepage size we accept, in bytes: KiB * 1024 must not wrap.
 * Memory sizes have their own limit in KiB, VGM_MEMORY_MAX_KIB. */
#define VGM_MEMORY_MAX_BYTES ((unsigned long long)G_MAXINT64)

static const char *const vgmUnitAttr[] = { "unit", NULL };

/* A size element: decimal content, optional unit (default KiB), rounded up
 * to whole KiB and then held to VGM_MEMORY_MAX_KIB. @attrs lists the
 * attributes the element may carry. */
static int
vgmMemorySizeParseAttrs(xmlNodePtr node, const char *const *attrs,
                        unsigned long long *kib, GError **error)
{
    g_autofree char *unit = NULL;
    g_autofree char *desc = NULL;
    unsigned long long v;

    *kib = 0;
    if (!node)
        return 0;
    if (!vgmXMLCheckNode(node, attrs, NULL, error))
        return -1;
    if (vgmXMLPropString(node, "unit", 0, &unit, error) < 0)
        return -1;
    if (vgmXMLNodeContentULL(node, &v, error) < 0)
        return -1;
    desc = vgmXMLNodeDescribe(node);
    if (!vgmScaleToKiB(v, unit, VGM_MEMORY_MAX_KIB, desc, kib, error))
        return -1;
    return 1;
}

static int
vgmMemorySizeParse(xmlNodePtr node, unsigned long long *kib, GError **error)
{
    return vgmMemorySizeParseAttrs(node, vgmUnitAttr, kib, error);
}

int
vgmDomainSizeParse(xmlNodePtr node, unsigned long long *kib, GError **error)
{
    return vgmMemorySizeParse(node, kib, error);
}

static gboolean
vgmDomainHugepagesParse(VgmDomainMemoryBacking *mb, xmlNodePtr node,
                        GError **error)
{
    g_autoptr(GPtrArray) pages = NULL;
    guint i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren,
                         (const char *const[]){ "page", NULL }, error))
        return FALSE;
    mb->hasHugepages = TRUE;
    pages = vgmXMLChildren(node, "page");
    mb->hugepages = g_new0(VgmDomainHugePage, pages->len);
    for (i = 0; i < pages->len; i++) {
        xmlNodePtr page = g_ptr_array_index(pages, i);
        VgmDomainHugePage *hp = &mb->hugepages[mb->nhugepages++];
        g_autofree char *unit = NULL;
        g_autofree char *nodeset = NULL;
        unsigned long long size;

        if (!vgmXMLCheckNode(page, (const char *const[]){ "size", "unit", "nodeset", NULL },
                             vgmXMLNoChildren, error))
            return FALSE;
        if (vgmXMLPropULongLong(page, "size", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                                &size, error) < 0 ||
            vgmXMLPropString(page, "unit", 0, &unit, error) < 0 ||
            vgmXMLPropString(page, "nodeset", 0, &nodeset, error) < 0)
            return FALSE;
        if (!vgmScaleInteger(&size, unit, 1024, VGM_MEMORY_MAX_BYTES,
                             _("hugepage size in <page>"), error))
            return FALSE;
        if (size % 1024) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("hugepage size in <page> must be a whole number of KiB"));
            return FALSE;
        }
        hp->size = size / 1024;
        if (nodeset &&
            !(hp->nodemask = vgmBitmapParse(nodeset, _("attribute 'nodeset' of <page>"), error)))
            return FALSE;
    }
    return TRUE;
}

static gboolean
vgmDomainEmptyFlag(xmlNodePtr parent, const char *name, gboolean *flag,
                   GError **error)
{
    xmlNodePtr node = vgmXMLChild(parent, name);

    *flag = FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, vgmXMLNoChildren, error))
        return FALSE;
    *flag = TRUE;
    return TRUE;
}

static const char *const vgmMemoryBackingChildren[] = {
    "hugepages", "nosharepages", "locked", "source", "access", "allocation",
    "discard", "liveUpdate", NULL
};

static gboolean
vgmDomainMemoryBackingParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    VgmDomainMemoryBacking *mb = &def->mb;
    const char *const *name;
    xmlNodePtr child;
    gboolean flag;
    int v;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, vgmMemoryBackingChildren, error))
        return FALSE;
    for (name = vgmMemoryBackingChildren; *name; name++) {
        if (vgmXMLSingleChild(node, *name, &child, error) < 0)
            return FALSE;
    }
    def->hasMemoryBacking = TRUE;

    if ((child = vgmXMLChild(node, "hugepages")) &&
        !vgmDomainHugepagesParse(mb, child, error))
        return FALSE;
    if (!vgmDomainEmptyFlag(node, "nosharepages", &mb->nosharepages, error) ||
        !vgmDomainEmptyFlag(node, "locked", &mb->locked, error) ||
        !vgmDomainEmptyFlag(node, "liveUpdate", &mb->liveUpdate, error))
        return FALSE;

    if ((child = vgmXMLChild(node, "source"))) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "type", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "type", vgmDomainMemorySourceTypeFromString,
                           VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        mb->source = v;
    }
    if ((child = vgmXMLChild(node, "access"))) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "mode", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "mode", vgmDomainMemoryAccessTypeFromString,
                           VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        mb->access = v;
    }
    if ((child = vgmXMLChild(node, "allocation"))) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "mode", "threads", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "mode", vgmDomainMemoryAllocationTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0 ||
            vgmXMLPropUInt(child, "threads", VGM_XML_PROP_NONZERO,
                           &mb->allocationThreads, error) < 0)
            return FALSE;
        mb->allocation = v;
    }
    if (!vgmDomainEmptyFlag(node, "discard", &flag, error))
        return FALSE;
    if (flag)
        mb->discard = VGM_TRISTATE_YES;
    return TRUE;
}

static gboolean
vgmDomainNumatuneParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    VgmDomainNumatune *nt = &def->numatune;
    g_autoptr(GPtrArray) memnodes = NULL;
    g_autoptr(GHashTable) cellids = g_hash_table_new(NULL, NULL);
    xmlNodePtr mem;
    guint i;
    int v;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren,
                         (const char *const[]){ "memory", "memnode", NULL }, error))
        return FALSE;
    nt->present = TRUE;

    if (vgmXMLSingleChild(node, "memory", &mem, error) < 0)
        return FALSE;
    if (mem) {
        g_autofree char *nodeset = NULL;
        int rc;

        if (!vgmXMLCheckNode(mem, (const char *const[]){ "mode", "nodeset", "placement", NULL },
                             vgmXMLNoChildren, error))
            return FALSE;
        nt->memorySet = TRUE;
        if ((rc = vgmXMLPropEnum(mem, "mode", vgmDomainNumatuneMemModeTypeFromString,
                                 0, &v, error)) < 0)
            return FALSE;
        nt->mode = v;
        nt->modeSet = rc > 0;
        if (vgmXMLPropEnum(mem, "placement", vgmDomainNumatunePlacementTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        nt->placement = v;
        if (vgmXMLPropString(mem, "nodeset", 0, &nodeset, error) < 0)
            return FALSE;
        if (nodeset &&
            !(nt->nodeset = vgmBitmapParse(nodeset, _("attribute 'nodeset' of <memory> in <numatune>"), error)))
            return FALSE;
        if (nt->placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC && !nt->nodeset) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<memory> in <numatune> with placement 'static' needs a nodeset"));
            return FALSE;
        }
        /* like libvirt, automatic placement ignores a nodeset */
        if (nt->placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO)
            g_clear_pointer(&nt->nodeset, vgmBitmapFree);
    }

    memnodes = vgmXMLChildren(node, "memnode");
    nt->memnodes = g_new0(VgmDomainNumatuneMemNode, memnodes->len);
    for (i = 0; i < memnodes->len; i++) {
        xmlNodePtr mn = g_ptr_array_index(memnodes, i);
        VgmDomainNumatuneMemNode *m = &nt->memnodes[nt->nmemnodes++];
        g_autofree char *nodeset = NULL;
        int rc;

        if (!vgmXMLCheckNode(mn, (const char *const[]){ "cellid", "mode", "nodeset", NULL },
                             vgmXMLNoChildren, error))
            return FALSE;
        if (vgmXMLPropUInt(mn, "cellid", VGM_XML_PROP_REQUIRED, &m->cellid, error) < 0)
            return FALSE;
        if ((rc = vgmXMLPropEnum(mn, "mode", vgmDomainNumatuneMemModeTypeFromString,
                                 0, &v, error)) < 0)
            return FALSE;
        m->mode = v;
        m->modeSet = rc > 0;
        if (vgmXMLPropString(mn, "nodeset", VGM_XML_PROP_REQUIRED, &nodeset, error) < 0)
            return FALSE;
        if (!(m->nodeset = vgmBitmapParse(nodeset, _("attribute 'nodeset' of <memnode>"), error)))
            return FALSE;
        if (!g_hash_table_add(cellids, GUINT_TO_POINTER(m->cellid))) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<memnode> in <numatune> names cellid %1$u twice"),
                        m->cellid);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmDomainMemoryParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr node;

    if ((node = vgmXMLChild(root, "maxMemory"))) {
        if (vgmMemorySizeParseAttrs(node, (const char *const[]){ "unit", "slots", NULL },
                                    &def->maxMemory, error) < 0 ||
            vgmXMLPropUInt(node, "slots", VGM_XML_PROP_REQUIRED, &def->memorySlots,
                           error) < 0)
            return FALSE;
        if (def->maxMemory == 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("element <maxMemory> must be greater than zero"));
            return FALSE;
        }
    }

    if ((node = vgmXMLChild(root, "memory")) &&
        (vgmMemorySizeParseAttrs(node, (const char *const[]){ "unit", "dumpCore", NULL },
                                 &def->memory, error) < 0 ||
         vgmXMLPropTristateSwitch(node, "dumpCore", 0, &def->dumpCore, error) < 0))
        return FALSE;

    if (vgmMemorySizeParse(vgmXMLChild(root, "currentMemory"), &def->curMemory, error) < 0)
        return FALSE;

    if ((node = vgmXMLChild(root, "memoryBacking")) &&
        !vgmDomainMemoryBackingParse(def, node, error))
        return FALSE;
    if ((node = vgmXMLChild(root, "numatune")) &&
        !vgmDomainNumatuneParse(def, node, error))
        return FALSE;
    return TRUE;
}

void
vgmDomainMemoryFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    if (def->maxMemory)
        vgmBufAsprintf(buf, "<maxMemory slots='%u' unit='KiB'>%llu</maxMemory>\n",
                       def->memorySlots, def->maxMemory);
    vgmBufAdd(buf, "<memory");
    if (def->dumpCore)
        vgmBufAsprintf(buf, " dumpCore='%s'", vgmTristateSwitchTypeToString(def->dumpCore));
    vgmBufAsprintf(buf, " unit='KiB'>%llu</memory>\n", def->memory);
    vgmBufAsprintf(buf, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                   def->curMemory);
}

void
vgmDomainMemoryBackingFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const VgmDomainMemoryBacking *mb = &def->mb;
    VgmBuf child;
    size_t i;

    if (!def->hasMemoryBacking)
        return;
    vgmBufInitChild(&child, buf);
    if (mb->hasHugepages) {
        VgmBuf pages;

        vgmBufInitChild(&pages, &child);
        for (i = 0; i < mb->nhugepages; i++) {
            vgmBufAsprintf(&pages, "<page size='%llu' unit='KiB'", mb->hugepages[i].size);
            if (mb->hugepages[i].nodemask) {
                g_autofree char *ns = vgmBitmapFormat(mb->hugepages[i].nodemask);
                vgmBufAsprintf(&pages, " nodeset='%s'", ns);
            }
            vgmBufAdd(&pages, "/>\n");
        }
        vgmXMLFormatElementEmpty(&child, "hugepages", NULL, &pages);
    }
    if (mb->nosharepages)
        vgmBufAdd(&child, "<nosharepages/>\n");
    if (mb->locked)
        vgmBufAdd(&child, "<locked/>\n");
    if (mb->source)
        vgmBufAsprintf(&child, "<source type='%s'/>\n",
                       vgmDomainMemorySourceTypeToString(mb->source));
    if (mb->access)
        vgmBufAsprintf(&child, "<access mode='%s'/>\n",
                       vgmDomainMemoryAccessTypeToString(mb->access));
    if (mb->allocation || mb->allocationThreads) {
        vgmBufAdd(&child, "<allocation");
        if (mb->allocation)
            vgmBufAsprintf(&child, " mode='%s'",
                           vgmDomainMemoryAllocationTypeToString(mb->allocation));
        if (mb->allocationThreads)
            vgmBufAsprintf(&child, " threads='%u'", mb->allocationThreads);
        vgmBufAdd(&child, "/>\n");
    }
    if (mb->discard == VGM_TRISTATE_YES)
        vgmBufAdd(&child, "<discard/>\n");
    if (mb->liveUpdate)
        vgmBufAdd(&child, "<liveUpdate/>\n");
    vgmXMLFormatElementEmpty(buf, "memoryBacking", NULL, &child);
}

void
vgmDomainNumatuneFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const VgmDomainNumatune *nt = &def->numatune;
    VgmBuf child;
    size_t i;

    if (!nt->present)
        return;
    vgmBufInitChild(&child, buf);
    if (nt->memorySet) {
        vgmBufAsprintf(&child, "<memory mode='%s'",
                       vgmDomainNumatuneMemModeTypeToString(nt->mode));
        if (nt->placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO) {
            vgmBufAdd(&child, " placement='auto'");
        } else if (nt->nodeset) {
            g_autofree char *ns = vgmBitmapFormat(nt->nodeset);
            vgmBufAsprintf(&child, " nodeset='%s'", ns);
        }
        vgmBufAdd(&child, "/>\n");
    }
    for (i = 0; i < nt->nmemnodes; i++) {
        g_autofree char *ns = vgmBitmapFormat(nt->memnodes[i].nodeset);
        vgmBufAsprintf(&child, "<memnode cellid='%u' mode='%s' nodeset='%s'/>\n",
                       nt->memnodes[i].cellid,
                       vgmDomainNumatuneMemModeTypeToString(nt->memnodes[i].mode),
                       ns);
    }
    vgmXMLFormatElementEmpty(buf, "numatune", NULL, &child);
}

/* ---------------- memory devices ---------------- */

void
vgmDomainMemoryDefFree(VgmMemoryDef *mem)
{
    if (!mem)
        return;
    g_free(mem->sourcePath);
    g_free(mem->alias);
    vgmBitmapFree(mem->sourceNodes);
    g_free(mem);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmMemoryDef, vgmDomainMemoryDefFree)

static gboolean
vgmMemorySourceParse(VgmMemoryDef *mem, xmlNodePtr node, GError **error)
{
    static const char *const children[] = {
        "pagesize", "nodemask", "path", "alignsize", "pmem", NULL
    };
    const char *const *name;
    xmlNodePtr child;
    gboolean flag;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, children, error))
        return FALSE;
    for (name = children; *name; name++) {
        if (vgmXMLSingleChild(node, *name, &child, error) < 0)
            return FALSE;
    }
    if (vgmMemorySizeParse(vgmXMLChild(node, "pagesize"), &mem->pagesize, error) < 0 ||
        vgmMemorySizeParse(vgmXMLChild(node, "alignsize"), &mem->alignsize, error) < 0)
        return FALSE;
    if ((child = vgmXMLChild(node, "nodemask"))) {
        g_autofree char *str = NULL;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error))
            return FALSE;
        str = vgmXMLNodeContent(child);
        if (!(mem->sourceNodes = vgmBitmapParse(str, _("element <nodemask>"), error)))
            return FALSE;
    }
    if ((child = vgmXMLChild(node, "path"))) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error))
            return FALSE;
        if (!(mem->sourcePath = vgmXMLNodeContent(child))) {
            vgmErrorSet(error, VGM_ERR_XML, _("element <path> in <source> of a memory device must not be empty"));
            return FALSE;
        }
    }
    if (!vgmDomainEmptyFlag(node, "pmem", &flag, error))
        return FALSE;
    if (flag)
        mem->pmem = VGM_TRISTATE_YES;
    return TRUE;
}

static gboolean
vgmMemoryTargetParse(VgmMemoryDef *mem, xmlNodePtr node, gboolean live, GError **error)
{
    static const char *const children[] = {
        "size", "node", "label", "block", "requested", "current", "readonly", NULL
    };
    const char *const *name;
    xmlNodePtr child;
    unsigned long long current = 0;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, children, error))
        return FALSE;
    for (name = children; *name; name++) {
        if (vgmXMLSingleChild(node, *name, &child, error) < 0)
            return FALSE;
    }
    if (vgmMemorySizeParse(vgmXMLChild(node, "size"), &mem->size, error) < 0 ||
        vgmMemorySizeParse(vgmXMLChild(node, "block"), &mem->blocksize, error) < 0 ||
        vgmMemorySizeParse(vgmXMLChild(node, "requested"), &mem->requested, error) < 0 ||
        vgmMemorySizeParse(vgmXMLChild(node, "current"), &current, error) < 0)
        return FALSE;
    /* <current> is what the guest plugged: run-time state that a
     * definition's XML may carry (an export of a running domain) and that
     * only a running domain's XML keeps, where every virtio-mem device has
     * one */
    if (live && mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM) {
        mem->haveCurrent = TRUE;
        mem->current = current;
    }
    if ((child = vgmXMLChild(node, "node"))) {
        unsigned long long n;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error) ||
            vgmXMLNodeContentULL(child, &n, error) < 0)
            return FALSE;
        if (n > G_MAXUINT) {
            vgmErrorSet(error, VGM_ERR_XML, _("invalid value in element <node> of a memory device target"));
            return FALSE;
        }
        mem->haveNode = TRUE;
        mem->node = n;
    }
    if ((child = vgmXMLChild(node, "label"))) {
        xmlNodePtr size;

        if (!vgmXMLCheckNode(child, vgmXMLNoChildren,
                             (const char *const[]){ "size", NULL }, error) ||
            vgmXMLSingleChild(child, "size", &size, error) < 0 ||
            vgmMemorySizeParse(size, &mem->labelsize, error) < 0)
            return FALSE;
        if (!size) {
            vgmErrorSet(error, VGM_ERR_XML, _("element <label> of a memory device needs a <size>"));
            return FALSE;
        }
    }
    if (!vgmDomainEmptyFlag(node, "readonly", &mem->readonly, error))
        return FALSE;
    return TRUE;
}

const char *
vgmDomainMemoryAliasPrefix(VgmMemoryModel model)
{
    switch (model) {
    case VGM_MEMORY_MODEL_DIMM: return "dimm";
    case VGM_MEMORY_MODEL_NVDIMM: return "nvdimm";
    case VGM_MEMORY_MODEL_VIRTIO_MEM: return "virtiomem";
    case VGM_MEMORY_MODEL_VIRTIO_PMEM: return "virtiopmem";
    case VGM_MEMORY_MODEL_SGX_EPC: return "epc";
    case VGM_MEMORY_MODEL_LAST: break;
    }
    return "mem";
}

gint64
vgmDomainMemoryAliasNumber(const VgmMemoryDef *mem)
{
    const char *prefix = vgmDomainMemoryAliasPrefix(mem->model);
    const char *digits = mem->alias && g_str_has_prefix(mem->alias, prefix) ?
                         mem->alias + strlen(prefix) : NULL;

    if (!digits || !*digits || strspn(digits, "0123456789") != strlen(digits) ||
        strlen(digits) > 9 || (digits[0] == '0' && digits[1]))
        return -1;
    return g_ascii_strtoll(digits, NULL, 10);
}

VgmMemoryDef *
vgmDomainMemoryDefParse(xmlNodePtr node, gboolean live, GError **error)
{
    g_autoptr(VgmMemoryDef) mem = g_new0(VgmMemoryDef, 1);
    xmlNodePtr child;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "model", "access", "discard", NULL },
                         (const char *const[]){ "source", "target", "alias", "address", NULL },
                         error))
        return NULL;
    if (vgmXMLPropEnum(node, "model", vgmMemoryModelTypeFromString,
                       VGM_XML_PROP_REQUIRED, &v, error) < 0)
        return NULL;
    mem->model = v;
    if (vgmXMLPropEnum(node, "access", vgmDomainMemoryAccessTypeFromString,
                       VGM_XML_PROP_NONZERO, &v, error) < 0)
        return NULL;
    mem->access = v;
    /* as libvirt: a virtio-pmem device is a file the guest writes through
     * to, which only a shared mapping does */
    if (mem->model == VGM_MEMORY_MODEL_VIRTIO_PMEM && !mem->access)
        mem->access = VGM_DOMAIN_MEMORY_ACCESS_SHARED;
    if (vgmXMLPropTristateBool(node, "discard", 0, &mem->discard, error) < 0)
        return NULL;

    if (vgmXMLSingleChild(node, "source", &child, error) < 0)
        return NULL;
    if (child && !vgmMemorySourceParse(mem, child, error))
        return NULL;
    if (vgmXMLSingleChild(node, "target", &child, error) < 0)
        return NULL;
    if (!child) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("memory device of model '%1$s' needs a <target> element"),
                    vgmMemoryModelTypeToString(mem->model));
        return NULL;
    }
    if (!vgmMemoryTargetParse(mem, child, live, error))
        return NULL;
    if (vgmXMLSingleChild(node, "alias", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "name", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "name", VGM_XML_PROP_REQUIRED, &mem->alias, error) < 0)
            return NULL;
        /* as in libvirt, only user aliases can be set, and they must be
         * usable as part of a QEMU id; a running domain's XML keeps the
         * id its device got (the model's prefix and a number) */
        if (live && vgmDomainMemoryAliasNumber(mem) >= 0) {
            /* (its QEMU id) */
        } else if (!vgmDeviceUserAliasValid(mem->alias)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid alias '%1$s' in <memory>: a user alias starts with 'ua-' and uses only letters, digits, '-' and '_'"),
                        mem->alias);
            return NULL;
        }
    }
    if (mem->sourcePath && mem->model != VGM_MEMORY_MODEL_NVDIMM &&
        mem->model != VGM_MEMORY_MODEL_VIRTIO_PMEM) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <path> in <source> is only for nvdimm and virtio-pmem memory devices, not '%1$s'"),
                    vgmMemoryModelTypeToString(mem->model));
        return NULL;
    }
    if (!vgmDeviceAddressParse(node, &mem->addr, error))
        return NULL;
    return g_steal_pointer(&mem);
}

void
vgmDomainMemoryDefFormat(VgmBuf *buf, const VgmMemoryDef *mem)
{
    VgmBuf child;
    VgmBuf src;
    VgmBuf tgt;

    vgmBufAsprintf(buf, "<memory model='%s'", vgmMemoryModelTypeToString(mem->model));
    if (mem->access)
        vgmBufAsprintf(buf, " access='%s'", vgmDomainMemoryAccessTypeToString(mem->access));
    if (mem->discard)
        vgmBufAsprintf(buf, " discard='%s'", vgmTristateBoolTypeToString(mem->discard));
    vgmBufAdd(buf, ">\n");

    vgmBufInitChild(&child, buf);
    vgmBufInitChild(&src, &child);
    if (mem->sourceNodes) {
        g_autofree char *ns = vgmBitmapFormat(mem->sourceNodes);
        vgmBufAsprintf(&src, "<nodemask>%s</nodemask>\n", ns);
    }
    if (mem->pagesize)
        vgmBufAsprintf(&src, "<pagesize unit='KiB'>%llu</pagesize>\n", mem->pagesize);
    vgmBufEscapeString(&src, "<path>%s</path>\n", mem->sourcePath);
    if (mem->alignsize)
        vgmBufAsprintf(&src, "<alignsize unit='KiB'>%llu</alignsize>\n", mem->alignsize);
    if (mem->pmem == VGM_TRISTATE_YES)
        vgmBufAdd(&src, "<pmem/>\n");
    vgmXMLFormatElement(&child, "source", NULL, &src);

    vgmBufInitChild(&tgt, &child);
    vgmBufAsprintf(&tgt, "<size unit='KiB'>%llu</size>\n", mem->size);
    if (mem->haveNode)
        vgmBufAsprintf(&tgt, "<node>%u</node>\n", mem->node);
    if (mem->labelsize) {
        vgmBufAdd(&tgt, "<label>\n");
        vgmBufAsprintf(&tgt, "  <size unit='KiB'>%llu</size>\n", mem->labelsize);
        vgmBufAdd(&tgt, "</label>\n");
    }
    if (mem->blocksize)
        vgmBufAsprintf(&tgt, "<block unit='KiB'>%llu</block>\n", mem->blocksize);
    /* (a virtio-mem device's, 0 too, as libvirt writes it) */
    if (mem->requested || mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM)
        vgmBufAsprintf(&tgt, "<requested unit='KiB'>%llu</requested>\n", mem->requested);
    if (mem->haveCurrent)
        vgmBufAsprintf(&tgt, "<current unit='KiB'>%llu</current>\n", mem->current);
    if (mem->readonly)
        vgmBufAdd(&tgt, "<readonly/>\n");
    vgmXMLFormatElement(&child, "target", NULL, &tgt);
    vgmBufEscapeString(&child, "<alias name='%s'/>\n", mem->alias);
    vgmDeviceAddressFormat(&child, &mem->addr);
    vgmBufAddBuf(buf, &child);
    vgmBufClear(&child);
    vgmBufAdd(buf, "</memory>\n");
}
