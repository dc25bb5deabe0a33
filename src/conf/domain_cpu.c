/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_cpu.c: virtual CPUs and the guest NUMA topology.
 *
 * Owns <vcpu> and <cpu> (mode, model, topology, features and the <numa>
 * cells that give each guest node its CPUs and memory).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

VGM_ENUM_IMPL(vgmNumaCacheAssoc, VGM_NUMA_CACHE_ASSOC_LAST, "none", "direct", "full");
VGM_ENUM_IMPL(vgmNumaCachePolicy, VGM_NUMA_CACHE_POLICY_LAST, "none", "writeback", "writethrough");
VGM_ENUM_IMPL(vgmNumaAccess, VGM_NUMA_ACCESS_LAST, "none", "access", "read", "write");
VGM_ENUM_IMPL(vgmDomainCpuPlacement, VGM_DOMAIN_CPU_PLACEMENT_LAST,
              "default", "static", "auto");

VGM_ENUM_IMPL(vgmCpuMode, VGM_CPU_MODE_LAST,
              "custom", "host-model", "host-passthrough", "maximum");

VGM_ENUM_IMPL(vgmCpuMatch, VGM_CPU_MATCH_LAST,
              "default", "minimum", "exact", "strict");

VGM_ENUM_IMPL(vgmCpuCheck, VGM_CPU_CHECK_LAST,
              "default", "none", "partial", "full");

VGM_ENUM_IMPL(vgmCpuCacheMode, VGM_CPU_CACHE_LAST, "none", "emulate", "passthrough", "disable");
VGM_ENUM_IMPL(vgmCpuPhysMode, VGM_CPU_PHYS_LAST, "none", "emulate", "passthrough");
VGM_ENUM_IMPL(vgmCpuFallback, VGM_CPU_FALLBACK_LAST,
              "default", "allow", "forbid");

VGM_ENUM_IMPL(vgmCpuFeaturePolicy, VGM_CPU_FEATURE_LAST,
              "force", "require", "optional", "disable", "forbid");

void
vgmCpuDefFree(VgmCpuDef *cpu)
{
    size_t i;

    if (!cpu)
        return;
    g_free(cpu->model);
    g_free(cpu->vendor);
    g_free(cpu->vendorId);
    for (i = 0; i < cpu->nfeatures; i++)
        g_free(cpu->features[i].name);
    g_free(cpu->features);
    for (i = 0; i < cpu->ncells; i++) {
        vgmBitmapFree(cpu->cells[i].cpus);
        g_free(cpu->cells[i].distances);
        g_free(cpu->cells[i].caches);
    }
    g_free(cpu->cells);
    g_free(cpu->interconnects);
    g_free(cpu);
}

static gboolean
vgmDomainVcpuParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    g_autofree char *cpuset = NULL;
    unsigned long long n;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "placement", "cpuset", "current", NULL },
                         NULL, error))
        return FALSE;
    if (vgmXMLNodeContentULL(node, &n, error) < 0)
        return FALSE;
    if (n == 0 || n > 4096) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid number of vCPUs %1$llu in element <vcpu>: it must be between 1 and 4096"),
                    n);
        return FALSE;
    }
    def->vcpus = n;
    if (vgmXMLPropUInt(node, "current", VGM_XML_PROP_NONZERO, &def->vcpusCurrent, error) < 0)
        return FALSE;
    if (vgmXMLPropEnum(node, "placement", vgmDomainCpuPlacementTypeFromString,
                       VGM_XML_PROP_NONZERO, &v, error) < 0)
        return FALSE;
    def->cpuPlacement = v;
    if (vgmXMLPropString(node, "cpuset", 0, &cpuset, error) < 0)
        return FALSE;
    if (cpuset &&
        !(def->cpuset = vgmBitmapParse(cpuset, _("attribute 'cpuset' of <vcpu>"), error)))
        return FALSE;
    return TRUE;
}

static gboolean
vgmCpuTopologyParse(VgmCpuDef *cpu, xmlNodePtr node, GError **error)
{
    if (!vgmXMLCheckNode(node,
                         (const char *const[]){ "sockets", "dies", "clusters", "cores", "threads", NULL },
                         vgmXMLNoChildren, error))
        return FALSE;
    if (vgmXMLPropUInt(node, "sockets", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                       &cpu->sockets, error) < 0 ||
        vgmXMLPropUInt(node, "dies", VGM_XML_PROP_NONZERO, &cpu->dies, error) < 0 ||
        vgmXMLPropUInt(node, "clusters", VGM_XML_PROP_NONZERO, &cpu->clusters, error) < 0 ||
        vgmXMLPropUInt(node, "cores", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                       &cpu->cores, error) < 0 ||
        vgmXMLPropUInt(node, "threads", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                       &cpu->threads, error) < 0)
        return FALSE;
    return TRUE;
}

static gint
vgmNumaCellCompare(gconstpointer a, gconstpointer b)
{
    const VgmDomainNumaCell *ca = a;
    const VgmDomainNumaCell *cb = b;

    return ca->id < cb->id ? -1 : ca->id > cb->id;
}

/* <cell><distances><sibling id='' value=''/>...</distances> */
static gboolean
vgmNumaDistancesParse(xmlNodePtr cellNode, VgmDomainNumaCell *cell, GError **error)
{
    g_autoptr(GPtrArray) sibs = NULL;
    xmlNodePtr node;
    guint i;

    if (vgmXMLSingleChild(cellNode, "distances", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "sibling", NULL }, error))
        return FALSE;
    sibs = vgmXMLChildren(node, "sibling");
    cell->distances = g_new0(VgmNumaDistance, sibs->len);
    for (i = 0; i < sibs->len; i++) {
        xmlNodePtr sn = g_ptr_array_index(sibs, i);
        VgmNumaDistance *d = &cell->distances[cell->ndistances++];

        if (!vgmXMLCheckNode(sn, (const char *const[]){ "id", "value", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(sn, "id", VGM_XML_PROP_REQUIRED, &d->sibling, error) < 0 ||
            vgmXMLPropUInt(sn, "value", VGM_XML_PROP_REQUIRED, &d->value, error) < 0)
            return FALSE;
    }
    return TRUE;
}

/* A <size>/<line>/<bandwidth> value with its unit, scaled by @defaultScale
 * when the unit is missing, into units of @per bytes */
static gboolean
vgmNumaScaled(xmlNodePtr node, const char *what, unsigned long long defaultScale,
              unsigned long long per, unsigned long long *out, GError **error)
{
    g_autofree char *unit = NULL;
    unsigned long long v;

    if (vgmXMLPropULongLong(node, "value", VGM_XML_PROP_REQUIRED, &v, error) < 0 ||
        vgmXMLPropString(node, "unit", 0, &unit, error) < 0 ||
        !vgmScaleInteger(&v, unit, defaultScale, G_MAXINT64, what, error))
        return FALSE;
    *out = (v + per - 1) / per;
    return TRUE;
}

/* The required <@name value='' unit=''/> of a cell's cache @c: in KiB
 * (@scale 1024, a unit of KiB by default) or bytes (@scale 1) */
static gboolean
vgmNumaCacheValue(xmlNodePtr cacheNode, const VgmDomainNumaCell *cell, const VgmNumaCache *c,
                  const char *name, unsigned long long scale, unsigned long long *out,
                  GError **error)
{
    g_autofree char *what = g_strdup_printf(_("<%1$s> of a NUMA cell's <cache>"), name);
    xmlNodePtr child;

    if (vgmXMLSingleChild(cacheNode, name, &child, error) < 0)
        return FALSE;
    if (!child) {
        vgmErrorSet(error, VGM_ERR_XML, _("<cache level='%1$u'> of NUMA cell %2$u needs a <%3$s>"),
                    c->level, cell->id, name);
        return FALSE;
    }
    return vgmXMLCheckNode(child, (const char *const[]){ "value", "unit", NULL },
                           vgmXMLNoChildren, error) &&
           vgmNumaScaled(child, what, scale, scale, out, error);
}

/* <cell><cache level='' associativity='' policy=''><size/><line/></cache> */
static gboolean
vgmNumaCachesParse(xmlNodePtr cellNode, VgmDomainNumaCell *cell, GError **error)
{
    g_autoptr(GPtrArray) nodes = vgmXMLChildren(cellNode, "cache");
    guint i;
    int v;

    cell->caches = g_new0(VgmNumaCache, MAX(nodes->len, 1));
    for (i = 0; i < nodes->len; i++) {
        xmlNodePtr cn = g_ptr_array_index(nodes, i);
        VgmNumaCache *c = &cell->caches[cell->ncaches++];

        if (!vgmXMLCheckNode(cn, (const char *const[]){ "level", "associativity", "policy", NULL },
                             (const char *const[]){ "size", "line", NULL }, error) ||
            vgmXMLPropUInt(cn, "level", VGM_XML_PROP_REQUIRED, &c->level, error) < 0 ||
            vgmXMLPropEnum(cn, "associativity", vgmNumaCacheAssocTypeFromString,
                           VGM_XML_PROP_REQUIRED, &v, error) < 0)
            return FALSE;
        c->assoc = v;
        if (vgmXMLPropEnum(cn, "policy", vgmNumaCachePolicyTypeFromString, VGM_XML_PROP_REQUIRED,
                           &v, error) < 0)
            return FALSE;
        c->policy = v;
        /* both required, as in libvirt (and QEMU's hmat-cache) */
        if (!vgmNumaCacheValue(cn, cell, c, "size", 1024, &c->size, error) ||
            !vgmNumaCacheValue(cn, cell, c, "line", 1, &c->line, error))
            return FALSE;
    }
    return TRUE;
}

/* <numa><interconnects><latency|bandwidth initiator target cache type
 * value unit/></interconnects> */
static gboolean
vgmNumaInterconnectsParse(VgmCpuDef *cpu, xmlNodePtr numaNode, GError **error)
{
    g_autoptr(GPtrArray) links = NULL;
    xmlNodePtr node;
    guint i;
    int v;

    if (vgmXMLSingleChild(numaNode, "interconnects", &node, error) < 0)
        return FALSE;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren,
                         (const char *const[]){ "latency", "bandwidth", NULL }, error))
        return FALSE;
    links = g_ptr_array_new();
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            g_ptr_array_add(links, cur);
    }
    cpu->interconnects = g_new0(VgmNumaInterconnect, MAX(links->len, 1));
    for (i = 0; i < links->len; i++) {
        xmlNodePtr ln = g_ptr_array_index(links, i);
        VgmNumaInterconnect *l = &cpu->interconnects[cpu->ninterconnects++];

        l->bandwidth = g_str_equal((const char *)ln->name, "bandwidth");
        if (!vgmXMLCheckNode(ln, l->bandwidth ?
                             (const char *const[]){ "initiator", "target", "cache", "type",
                                                    "value", "unit", NULL } :
                             (const char *const[]){ "initiator", "target", "cache", "type",
                                                    "value", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(ln, "initiator", VGM_XML_PROP_REQUIRED, &l->initiator, error) < 0 ||
            vgmXMLPropUInt(ln, "target", VGM_XML_PROP_REQUIRED, &l->target, error) < 0 ||
            vgmXMLPropUInt(ln, "cache", 0, &l->cache, error) < 0 ||
            vgmXMLPropEnum(ln, "type", vgmNumaAccessTypeFromString,
                           VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        l->type = v;
        /* a bandwidth in KiB/s (its unit, KiB without one), a latency in ns */
        if (l->bandwidth) {
            if (!vgmNumaScaled(ln, _("<bandwidth> in <interconnects>"), 1024, 1024, &l->value,
                               error))
                return FALSE;
        } else if (vgmXMLPropULongLong(ln, "value", VGM_XML_PROP_REQUIRED, &l->value, error) < 0) {
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
vgmCpuNumaParse(VgmCpuDef *cpu, xmlNodePtr node, GError **error)
{
    g_autoptr(GPtrArray) cells = NULL;
    guint i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren,
                         (const char *const[]){ "cell", "interconnects", NULL }, error) ||
        !vgmNumaInterconnectsParse(cpu, node, error))
        return FALSE;
    cells = vgmXMLChildren(node, "cell");
    if (cells->len == 0) {
        vgmErrorSet(error, VGM_ERR_XML, _("element <numa> needs at least one <cell>"));
        return FALSE;
    }
    cpu->cells = g_new0(VgmDomainNumaCell, cells->len);
    for (i = 0; i < cells->len; i++) {
        xmlNodePtr cn = g_ptr_array_index(cells, i);
        VgmDomainNumaCell *cell = &cpu->cells[cpu->ncells++];
        g_autofree char *cpus = NULL;
        g_autofree char *unit = NULL;
        unsigned long long mem;
        int v;
        int rc;

        if (!vgmXMLCheckNode(cn,
                             (const char *const[]){ "id", "cpus", "memory", "unit",
                                                    "memAccess", "discard", NULL },
                             (const char *const[]){ "distances", "cache", NULL }, error) ||
            !vgmNumaDistancesParse(cn, cell, error))
            return FALSE;
        /* libvirt numbers cells by position when 'id' is missing */
        if ((rc = vgmXMLPropUInt(cn, "id", 0, &cell->id, error)) < 0)
            return FALSE;
        if (rc == 0)
            cell->id = i;
        if (vgmXMLPropString(cn, "cpus", 0, &cpus, error) < 0)
            return FALSE;
        if (cpus &&
            !(cell->cpus = vgmBitmapParse(cpus, _("attribute 'cpus' of <cell>"), error)))
            return FALSE;
        if (vgmXMLPropULongLong(cn, "memory", VGM_XML_PROP_REQUIRED, &mem, error) < 0 ||
            vgmXMLPropString(cn, "unit", 0, &unit, error) < 0)
            return FALSE;
        if (!vgmScaleToKiB(mem, unit, VGM_MEMORY_MAX_KIB,
                           _("attribute 'memory' of <cell>"), &cell->mem, error))
            return FALSE;
        if (vgmXMLPropEnum(cn, "memAccess", vgmDomainMemoryAccessTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0)
            return FALSE;
        cell->memAccess = v;
        if (vgmXMLPropTristateBool(cn, "discard", 0, &cell->discard, error) < 0 ||
            !vgmNumaCachesParse(cn, cell, error))
            return FALSE;
    }
    /* like libvirt, cells may come in any order; they are kept by id (and
     * validation checks the ids run from 0 without gaps) */
    qsort(cpu->cells, cpu->ncells, sizeof(*cpu->cells), vgmNumaCellCompare);
    return TRUE;
}

gboolean
vgmDomainDefHasHmat(const VgmDomainDef *def)
{
    size_t i;

    if (!def->cpu)
        return FALSE;
    if (def->cpu->ninterconnects)
        return TRUE;
    for (i = 0; i < def->cpu->ncells; i++) {
        if (def->cpu->cells[i].ncaches)
            return TRUE;
    }
    return FALSE;
}

int
vgmDomainDefNumaInitiator(const VgmDomainDef *def, size_t cell)
{
    const VgmCpuDef *cpu = def->cpu;
    unsigned long long minLatency = G_MAXUINT64;
    unsigned long long maxBandwidth = 0;
    int byLatency = -1, byBandwidth = -1;
    size_t i;

    if (!cpu || cell >= cpu->ncells)
        return -1;
    if (cpu->cells[cell].cpus)
        return (int)cell;
    for (i = 0; i < cpu->ninterconnects; i++) {
        const VgmNumaInterconnect *l = &cpu->interconnects[i];

        if (l->target != cell)
            continue;
        if (!l->bandwidth && l->value < minLatency) {
            minLatency = l->value;
            byLatency = (int)l->initiator;
        } else if (l->bandwidth && l->value > maxBandwidth) {
            maxBandwidth = l->value;
            byBandwidth = (int)l->initiator;
        }
    }
    if (byLatency >= 0)
        return byLatency;
    if (byBandwidth >= 0)
        return byBandwidth;
    for (i = 0; i < cpu->ncells; i++) {
        if (cpu->cells[i].cpus)
            return (int)i;
    }
    return -1;
}

/* <cache level='' mode=''/> and <maxphysaddr mode='' bits='' limit=''/> */
static gboolean
vgmCpuCachePhysParse(VgmCpuDef *cpu, xmlNodePtr node, GError **error)
{
    xmlNodePtr child;
    int v;

    if (vgmXMLSingleChild(node, "cache", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "level", "mode", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "mode", vgmCpuCacheModeTypeFromString,
                           VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0 ||
            vgmXMLPropUInt(child, "level", VGM_XML_PROP_NONZERO, &cpu->cacheLevel, error) < 0)
            return FALSE;
        cpu->cacheMode = v;
    }
    if (vgmXMLSingleChild(node, "maxphysaddr", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "mode", "bits", "limit", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropEnum(child, "mode", vgmCpuPhysModeTypeFromString,
                           VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0 ||
            vgmXMLPropUInt(child, "bits", VGM_XML_PROP_NONZERO, &cpu->physBits, error) < 0 ||
            vgmXMLPropUInt(child, "limit", VGM_XML_PROP_NONZERO, &cpu->physLimit, error) < 0)
            return FALSE;
        cpu->physMode = v;
    }
    return TRUE;
}

static VgmCpuDef *
vgmCpuDefParseNode(xmlNodePtr node, GError **error)
{
    static const char *const children[] = {
        "model", "vendor", "topology", "cache", "maxphysaddr", "feature", "numa", NULL
    };
    g_autoptr(VgmCpuDef) cpu = g_new0(VgmCpuDef, 1);
    g_autoptr(GPtrArray) features = NULL;
    xmlNodePtr child;
    guint i;
    int v;

    if (!vgmXMLCheckNode(node, (const char *const[]){ "mode", "match", "check", "migratable", NULL },
                         children, error))
        return NULL;
    if (vgmXMLPropEnum(node, "mode", vgmCpuModeTypeFromString, 0, &v, error) < 0)
        return NULL;
    cpu->mode = v;
    if (vgmXMLPropEnum(node, "match", vgmCpuMatchTypeFromString,
                       VGM_XML_PROP_NONZERO, &v, error) < 0)
        return NULL;
    cpu->match = v;
    if (vgmXMLPropEnum(node, "check", vgmCpuCheckTypeFromString,
                       VGM_XML_PROP_NONZERO, &v, error) < 0)
        return NULL;
    cpu->check = v;
    if (vgmXMLPropTristateSwitch(node, "migratable", 0, &cpu->migratable, error) < 0)
        return NULL;
    /* (libvirt's rule: the host's CPU as it is, or QEMU's maximum, may
     * leave out what would not migrate; a named model has nothing else) */
    if (cpu->migratable && cpu->mode != VGM_CPU_MODE_HOST_PASSTHROUGH &&
        cpu->mode != VGM_CPU_MODE_MAXIMUM) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'migratable' of <cpu mode='%1$s'> is not supported: it is for modes 'host-passthrough' and 'maximum'"),
                    vgmCpuModeTypeToString(cpu->mode));
        return NULL;
    }

    if (vgmXMLSingleChild(node, "model", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, (const char *const[]){ "fallback", "vendor_id", NULL }, NULL, error) ||
            vgmXMLPropEnum(child, "fallback", vgmCpuFallbackTypeFromString,
                           VGM_XML_PROP_NONZERO, &v, error) < 0 ||
            vgmXMLPropString(child, "vendor_id", 0, &cpu->vendorId, error) < 0)
            return NULL;
        cpu->fallback = v;
        /* what CPUID leaf 0 returns: twelve characters, and (on QEMU's
         * command line) no comma; libvirt reads it for a custom or
         * host-model CPU only */
        if (cpu->vendorId && cpu->mode != VGM_CPU_MODE_CUSTOM &&
            cpu->mode != VGM_CPU_MODE_HOST_MODEL) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute 'vendor_id' of element <model> in <cpu mode='%1$s'> is not supported: it sets the vendor of a custom or host-model CPU"),
                        vgmCpuModeTypeToString(cpu->mode));
            return NULL;
        }
        if (cpu->vendorId) {
            const char *c;

            if (strlen(cpu->vendorId) != 12) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("invalid value '%1$s' for attribute 'vendor_id' of element <model> in <cpu>: a CPU vendor id has exactly 12 characters"),
                            cpu->vendorId);
                return NULL;
            }
            for (c = cpu->vendorId; *c; c++) {
                if (*c < 0x20 || *c > 0x7e || *c == ',') {
                    vgmErrorSet(error, VGM_ERR_XML,
                                _("invalid value '%1$s' for attribute 'vendor_id' of element <model> in <cpu>: a CPU vendor id uses printable ASCII characters other than ','"),
                                cpu->vendorId);
                    return NULL;
                }
            }
        }
        cpu->model = vgmXMLNodeContent(child);
        if (cpu->model)
            g_strstrip(cpu->model);
        if (cpu->model && !*cpu->model)
            g_clear_pointer(&cpu->model, g_free);
        /* host-model and friends may carry just a fallback, as in libvirt */
        if (!cpu->model && cpu->mode == VGM_CPU_MODE_CUSTOM) {
            vgmErrorSet(error, VGM_ERR_XML, _("element <model> in <cpu> must name a CPU model"));
            return NULL;
        }
        /* the host's CPU, or QEMU's most capable one, is no model: libvirt
         * writes none back for these modes (virt-xml --cpu mode=maximum
         * of a custom CPU leaves the old model) */
        if (cpu->mode == VGM_CPU_MODE_HOST_PASSTHROUGH || cpu->mode == VGM_CPU_MODE_MAXIMUM) {
            g_clear_pointer(&cpu->model, g_free);
            cpu->fallback = VGM_CPU_FALLBACK_DEFAULT;
        }
    }
    /* the host CPU's vendor a check requires; libvirt ties it to a model */
    if (vgmXMLSingleChild(node, "vendor", &child, error) < 0)
        return NULL;
    if (child) {
        if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error))
            return NULL;
        cpu->vendor = vgmXMLNodeContent(child);
        if (cpu->vendor)
            g_strstrip(cpu->vendor);
        if (!cpu->vendor || !*cpu->vendor) {
            vgmErrorSet(error, VGM_ERR_XML, "%s", _("element <vendor> in <cpu> must name a CPU vendor"));
            return NULL;
        }
        if (!cpu->model || cpu->mode != VGM_CPU_MODE_CUSTOM) {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("element <vendor> in <cpu> needs a <model> of a custom CPU: a CPU vendor goes with a named model"));
            return NULL;
        }
    }
    if (vgmXMLSingleChild(node, "topology", &child, error) < 0)
        return NULL;
    if (child && !vgmCpuTopologyParse(cpu, child, error))
        return NULL;
    if (!vgmCpuCachePhysParse(cpu, node, error))
        return NULL;

    features = vgmXMLChildren(node, "feature");
    cpu->features = g_new0(VgmCpuFeature, features->len);
    for (i = 0; i < features->len; i++) {
        xmlNodePtr fn = g_ptr_array_index(features, i);
        VgmCpuFeature *f = &cpu->features[cpu->nfeatures++];
        int rc;

        if (!vgmXMLCheckNode(fn, (const char *const[]){ "policy", "name", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(fn, "name", VGM_XML_PROP_REQUIRED, &f->name, error) < 0 ||
            (rc = vgmXMLPropEnum(fn, "policy", vgmCpuFeaturePolicyTypeFromString, 0, &v, error)) < 0)
            return NULL;
        f->policy = rc > 0 ? (VgmCpuFeaturePolicy)v : VGM_CPU_FEATURE_REQUIRE;
        /* CPU feature names are QEMU property names: anything else could
         * set other -cpu properties */
        if (!*f->name ||
            strspn(f->name, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != strlen(f->name)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' for attribute 'name' of element <feature> in <cpu>: a CPU feature name uses lower-case letters, digits, '-', '_' and '.'"),
                        f->name);
            return NULL;
        }
    }

    if (vgmXMLSingleChild(node, "numa", &child, error) < 0)
        return NULL;
    if (child && !vgmCpuNumaParse(cpu, child, error))
        return NULL;

    return g_steal_pointer(&cpu);
}

static gboolean
vgmCpuParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    return (def->cpu = vgmCpuDefParseNode(node, error)) != NULL;
}

/* <cputune>: the CPU affinity of vCPU and emulator threads here, of I/O
 * threads in domain_iothread.c; the bandwidth and scheduler controls in
 * domain_tune.c. What needs resctrl, which virt-gmem does not model, is
 * refused by name. */
static gboolean
vgmCputuneParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const children[] = {
        "vcpupin", "emulatorpin", "shares", "period", "quota", "global_period",
        "global_quota", "emulator_period", "emulator_quota", "iothread_period", "iothread_quota",
        "iothreadpin", "vcpusched", "emulatorsched", "iothreadsched", NULL
    };
    static const char *const resctrlTunables[] = { "cachetune", "memorytune", NULL };
    g_autoptr(GPtrArray) pins = NULL;
    xmlNodePtr child;
    guint i;

    for (child = node->children; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE)
            continue;
        if (vgmStrInList(resctrlTunables, (const char *)child->name)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <%1$s> in <cputune>: it allocates cache and memory bandwidth through resctrl, which virt-gmem does not manage"),
                        (const char *)child->name);
            return FALSE;
        }
    }
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, children, error) ||
        !vgmDomainCputuneBandwidthParse(def, node, error) ||
        vgmXMLSingleChild(node, "emulatorpin", &child, error) < 0)
        return FALSE;
    if (child) {
        g_autofree char *cpuset = NULL;

        if (!vgmXMLCheckNode(child, (const char *const[]){ "cpuset", NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropString(child, "cpuset", VGM_XML_PROP_REQUIRED, &cpuset, error) < 0 ||
            !(def->emulatorpin = vgmBitmapParse(cpuset, _("attribute 'cpuset' of <emulatorpin>"),
                                                error)))
            return FALSE;
    }
    pins = vgmXMLChildren(node, "iothreadpin");
    for (i = 0; i < pins->len; i++) {
        if (!vgmDomainIOThreadPinParse(def, g_ptr_array_index(pins, i), error))
            return FALSE;
    }
    g_clear_pointer(&pins, g_ptr_array_unref);
    pins = vgmXMLChildren(node, "vcpupin");
    if (pins->len > 0)
        def->vcpupin = g_new0(VgmBitmap *, def->vcpus);
    for (i = 0; i < pins->len; i++) {
        xmlNodePtr pin = g_ptr_array_index(pins, i);
        g_autofree char *cpuset = NULL;
        unsigned int vcpu;

        if (!vgmXMLCheckNode(pin, (const char *const[]){ "vcpu", "cpuset", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(pin, "vcpu", VGM_XML_PROP_REQUIRED, &vcpu, error) < 0 ||
            vgmXMLPropString(pin, "cpuset", VGM_XML_PROP_REQUIRED, &cpuset, error) < 0)
            return FALSE;
        if (vcpu >= def->vcpus) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<vcpupin vcpu='%1$u'> in <cputune>: the domain has %2$u vCPUs"),
                        vcpu, def->vcpus);
            return FALSE;
        }
        if (def->vcpupin[vcpu]) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<vcpupin vcpu='%1$u'> appears twice in <cputune>"), vcpu);
            return FALSE;
        }
        if (!(def->vcpupin[vcpu] = vgmBitmapParse(cpuset, _("attribute 'cpuset' of <vcpupin>"),
                                                  error)))
            return FALSE;
    }
    return TRUE;
}

void
vgmDomainCputuneFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    VgmBuf child;
    unsigned int i;

    vgmBufInitChild(&child, buf);
    vgmDomainCputuneBandwidthFormat(&child, def);
    for (i = 0; def->vcpupin && i < def->vcpus; i++) {
        g_autofree char *cs = NULL;

        if (!def->vcpupin[i])
            continue;
        cs = vgmBitmapFormat(def->vcpupin[i]);
        vgmBufAsprintf(&child, "<vcpupin vcpu='%u' cpuset='%s'/>\n", i, cs);
    }
    if (def->emulatorpin) {
        g_autofree char *cs = vgmBitmapFormat(def->emulatorpin);
        vgmBufAsprintf(&child, "<emulatorpin cpuset='%s'/>\n", cs);
    }
    vgmDomainIOThreadPinFormat(&child, def);
    vgmDomainCputuneSchedFormat(&child, def);
    vgmXMLFormatElement(buf, "cputune", NULL, &child);
}

/* <vcpus>: the state of each vCPU <vcpu> counts, by id */
static gboolean
vgmDomainVcpusParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    g_autoptr(GPtrArray) items = NULL;
    guint i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "vcpu", NULL }, error))
        return FALSE;
    items = vgmXMLChildren(node, "vcpu");
    def->vcpuList = g_new0(VgmDomainVcpu, MAX(def->vcpus, 1));
    for (i = 0; i < items->len; i++) {
        xmlNodePtr v = g_ptr_array_index(items, i);
        VgmTristate enabled = VGM_TRISTATE_ABSENT;
        VgmDomainVcpu *vcpu;
        unsigned int id;

        if (!vgmXMLCheckNode(v, (const char *const[]){ "id", "enabled", "hotpluggable", "order",
                                                       NULL }, vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(v, "id", VGM_XML_PROP_REQUIRED, &id, error) < 0)
            return FALSE;
        if (id >= MAX(def->vcpus, 1)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$u' for attribute 'id' of <vcpu> in <vcpus>: the domain has %2$u vCPUs"),
                        id, MAX(def->vcpus, 1));
            return FALSE;
        }
        vcpu = &def->vcpuList[id];
        if (vcpu->given) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<vcpus> lists vCPU %1$u twice"), id);
            return FALSE;
        }
        vcpu->given = TRUE;
        if (vgmXMLPropTristateBool(v, "enabled", VGM_XML_PROP_REQUIRED, &enabled, error) < 0 ||
            vgmXMLPropTristateBool(v, "hotpluggable", 0, &vcpu->hotpluggable, error) < 0 ||
            vgmXMLPropUInt(v, "order", 0, &vcpu->order, error) < 0)
            return FALSE;
        vcpu->online = enabled == VGM_TRISTATE_YES;
    }
    return TRUE;
}

gboolean
vgmDomainCpuParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr node;

    if ((node = vgmXMLChild(root, "vcpu")) && !vgmDomainVcpuParse(def, node, error))
        return FALSE;
    if ((node = vgmXMLChild(root, "vcpus")) && !vgmDomainVcpusParse(def, node, error))
        return FALSE;
    /* before <cputune>, which pins and schedules the I/O threads */
    if (!vgmDomainIOThreadsParse(def, root, error))
        return FALSE;
    /* after <vcpu>: the pins are checked against its count */
    if ((node = vgmXMLChild(root, "cputune")) && !vgmCputuneParse(def, node, error))
        return FALSE;
    if ((node = vgmXMLChild(root, "cpu")) && !vgmCpuParse(def, node, error))
        return FALSE;
    return TRUE;
}

void
vgmDomainVcpuFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    vgmBufAdd(buf, "<vcpu");
    if (def->cpuPlacement)
        vgmBufAsprintf(buf, " placement='%s'",
                       vgmDomainCpuPlacementTypeToString(def->cpuPlacement));
    if (def->cpuset) {
        g_autofree char *cs = vgmBitmapFormat(def->cpuset);
        vgmBufAsprintf(buf, " cpuset='%s'", cs);
    }
    if (def->vcpusCurrent && def->vcpusCurrent != def->vcpus)
        vgmBufAsprintf(buf, " current='%u'", def->vcpusCurrent);
    vgmBufAsprintf(buf, ">%u</vcpu>\n", def->vcpus);
    if (def->vcpuList) {
        unsigned int i;

        vgmBufAdd(buf, "<vcpus>\n");
        for (i = 0; i < def->vcpus; i++) {
            const VgmDomainVcpu *v = &def->vcpuList[i];

            vgmBufAsprintf(buf, "  <vcpu id='%u' enabled='%s'", i, v->online ? "yes" : "no");
            if (v->hotpluggable)
                vgmBufAsprintf(buf, " hotpluggable='%s'",
                               vgmTristateBoolTypeToString(v->hotpluggable));
            if (v->order)
                vgmBufAsprintf(buf, " order='%u'", v->order);
            vgmBufAdd(buf, "/>\n");
        }
        vgmBufAdd(buf, "</vcpus>\n");
    }
}

void
vgmDomainCpuFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    vgmDomainCpuDefFormat(buf, def->cpu);
}

void
vgmDomainCpuDefFormat(VgmBuf *buf, const VgmCpuDef *cpu)
{
    VgmBuf attrs;
    VgmBuf child;
    size_t i;

    if (!cpu)
        return;
    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, buf);

    /* as libvirt: a custom CPU without a model (only topology or NUMA)
     * does not spell its mode out, and only custom CPUs have a match */
    if (cpu->mode != VGM_CPU_MODE_CUSTOM || cpu->model)
        vgmBufAsprintf(&attrs, " mode='%s'", vgmCpuModeTypeToString(cpu->mode));
    if (cpu->match && cpu->mode == VGM_CPU_MODE_CUSTOM && cpu->model)
        vgmBufAsprintf(&attrs, " match='%s'", vgmCpuMatchTypeToString(cpu->match));
    if (cpu->check)
        vgmBufAsprintf(&attrs, " check='%s'", vgmCpuCheckTypeToString(cpu->check));
    if (cpu->migratable)
        vgmBufAsprintf(&attrs, " migratable='%s'",
                       vgmTristateSwitchTypeToString(cpu->migratable));

    /* (a host-model CPU's bare <model fallback=''/> is dropped, as libvirt
     * writes it: nothing reads it there) */
    if (cpu->model || cpu->vendorId) {
        vgmBufAdd(&child, "<model");
        /* (a model's, 'allow' by default, as libvirt writes it) */
        if (cpu->model)
            vgmBufAsprintf(&child, " fallback='%s'",
                           vgmCpuFallbackTypeToString(cpu->fallback ? cpu->fallback :
                                                      VGM_CPU_FALLBACK_ALLOW));
        if (cpu->vendorId)
            vgmBufEscapeString(&child, " vendor_id='%s'", cpu->vendorId);
        if (cpu->model)
            vgmBufEscapeString(&child, ">%s</model>\n", cpu->model);
        else
            vgmBufAdd(&child, "/>\n");
        if (cpu->vendor)
            vgmBufEscapeString(&child, "<vendor>%s</vendor>\n", cpu->vendor);
    }
    if (cpu->sockets) {
        vgmBufAsprintf(&child, "<topology sockets='%u'", cpu->sockets);
        if (cpu->dies)
            vgmBufAsprintf(&child, " dies='%u'", cpu->dies);
        if (cpu->clusters)
            vgmBufAsprintf(&child, " clusters='%u'", cpu->clusters);
        vgmBufAsprintf(&child, " cores='%u' threads='%u'/>\n", cpu->cores, cpu->threads);
    }
    if (cpu->cacheMode) {
        vgmBufAdd(&child, "<cache");
        if (cpu->cacheLevel)
            vgmBufAsprintf(&child, " level='%u'", cpu->cacheLevel);
        vgmBufAsprintf(&child, " mode='%s'/>\n", vgmCpuCacheModeTypeToString(cpu->cacheMode));
    }
    if (cpu->physMode) {
        vgmBufAsprintf(&child, "<maxphysaddr mode='%s'", vgmCpuPhysModeTypeToString(cpu->physMode));
        if (cpu->physBits)
            vgmBufAsprintf(&child, " bits='%u'", cpu->physBits);
        if (cpu->physLimit)
            vgmBufAsprintf(&child, " limit='%u'", cpu->physLimit);
        vgmBufAdd(&child, "/>\n");
    }
    for (i = 0; i < cpu->nfeatures; i++) {
        vgmBufAsprintf(&child, "<feature policy='%s'",
                       vgmCpuFeaturePolicyTypeToString(cpu->features[i].policy));
        vgmBufEscapeString(&child, " name='%s'/>\n", cpu->features[i].name);
    }
    if (cpu->ncells) {
        VgmBuf cells;

        vgmBufInitChild(&cells, &child);
        for (i = 0; i < cpu->ncells; i++) {
            const VgmDomainNumaCell *cell = &cpu->cells[i];

            vgmBufAsprintf(&cells, "<cell id='%u'", cell->id);
            if (cell->cpus) {
                g_autofree char *cs = vgmBitmapFormat(cell->cpus);
                vgmBufAsprintf(&cells, " cpus='%s'", cs);
            }
            vgmBufAsprintf(&cells, " memory='%llu' unit='KiB'", cell->mem);
            if (cell->memAccess)
                vgmBufAsprintf(&cells, " memAccess='%s'",
                               vgmDomainMemoryAccessTypeToString(cell->memAccess));
            if (cell->discard)
                vgmBufAsprintf(&cells, " discard='%s'",
                               vgmTristateBoolTypeToString(cell->discard));
            if (cell->ndistances || cell->ncaches) {
                size_t j;

                vgmBufAdd(&cells, ">\n");
                if (cell->ndistances) {
                    vgmBufAdd(&cells, "  <distances>\n");
                    for (j = 0; j < cell->ndistances; j++)
                        vgmBufAsprintf(&cells, "    <sibling id='%u' value='%u'/>\n",
                                       cell->distances[j].sibling, cell->distances[j].value);
                    vgmBufAdd(&cells, "  </distances>\n");
                }
                /* libvirt's units: KiB and bytes */
                for (j = 0; j < cell->ncaches; j++) {
                    const VgmNumaCache *c = &cell->caches[j];

                    vgmBufAsprintf(&cells, "  <cache level='%u' associativity='%s' policy='%s'>\n",
                                   c->level, vgmNumaCacheAssocTypeToString(c->assoc),
                                   vgmNumaCachePolicyTypeToString(c->policy));
                    vgmBufAsprintf(&cells, "    <size value='%llu' unit='KiB'/>\n", c->size);
                    if (c->line)
                        vgmBufAsprintf(&cells, "    <line value='%llu' unit='B'/>\n", c->line);
                    vgmBufAdd(&cells, "  </cache>\n");
                }
                vgmBufAdd(&cells, "</cell>\n");
            } else {
                vgmBufAdd(&cells, "/>\n");
            }
        }
        if (cpu->ninterconnects) {
            vgmBufAdd(&cells, "<interconnects>\n");
            for (i = 0; i < cpu->ninterconnects; i++) {
                const VgmNumaInterconnect *l = &cpu->interconnects[i];

                vgmBufAsprintf(&cells, "  <%s initiator='%u' target='%u'",
                               l->bandwidth ? "bandwidth" : "latency", l->initiator, l->target);
                if (l->cache)
                    vgmBufAsprintf(&cells, " cache='%u'", l->cache);
                vgmBufAsprintf(&cells, " type='%s' value='%llu'%s/>\n",
                               vgmNumaAccessTypeToString(l->type), l->value,
                               l->bandwidth ? " unit='KiB'" : "");
            }
            vgmBufAdd(&cells, "</interconnects>\n");
        }
        vgmXMLFormatElement(&child, "numa", NULL, &cells);
    }
    vgmXMLFormatElementEmpty(buf, "cpu", &attrs, &child);
}

/* ---- a <cpu> given alone ---- */

void
vgmCpuDescFree(VgmCpuDesc *desc)
{
    if (!desc)
        return;
    vgmCpuDefFree(desc->def);
    g_free(desc->arch);
    g_free(desc);
}

/* The stripped text of @node's only <@name> in *@text (NULL when absent).
 * Empty, or absent where @missing (the message) is given, is an error. */
static gboolean
vgmCpuDescText(xmlNodePtr node, const char *name, const char *missing, char **text,
               GError **error)
{
    /* (a guest model's attributes, which clients also give a host CPU,
     * virt-install's <model fallback='forbid'>: libvirt reads neither for
     * a host CPU, whose model is the one it has) */
    const char *const *attrs = g_str_equal(name, "model") ?
                               (const char *const[]){ "fallback", "vendor_id", NULL } :
                               vgmXMLNoChildren;
    xmlNodePtr child;

    if (vgmXMLSingleChild(node, name, &child, error) < 0 ||
        (child && !vgmXMLCheckNode(child, attrs, NULL, error)))
        return FALSE;
    if (!child && !missing)
        return TRUE;
    if (child && (*text = vgmXMLNodeContent(child)) && *g_strstrip(*text))
        return TRUE;
    g_clear_pointer(text, g_free);
    if (missing)
        vgmErrorSet(error, VGM_ERR_XML, "%s", missing);
    else
        vgmErrorSet(error, VGM_ERR_XML, _("element <%1$s> in <cpu> must not be empty"), name);
    return FALSE;
}

/* A host CPU as capabilities describe one: <arch> and <model> required,
 * its features without a policy. Its <microcode>, <counter>, <topology>,
 * <maxphysaddr>, <cache> and <pages> describe the host and take no part in
 * what a CPU runs, so they are passed over, as libvirt passes over them. */
static VgmCpuDef *
vgmCpuDescParseHost(VgmCpuDesc *desc, xmlNodePtr node, GError **error)
{
    static const char *const children[] = {
        "arch", "model", "vendor", "microcode", "signature", "counter", "topology",
        "maxphysaddr", "cache", "feature", "pages", NULL
    };
    g_autoptr(VgmCpuDef) cpu = g_new0(VgmCpuDef, 1);
    g_autoptr(GPtrArray) features = NULL;
    xmlNodePtr child;
    unsigned int sig;
    guint i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, children, error) ||
        !vgmCpuDescText(node, "arch",
                        _("a host CPU (a <cpu> with <arch>) needs its architecture in <arch>"),
                        &desc->arch, error) ||
        !vgmCpuDescText(node, "model",
                        _("a host CPU (a <cpu> with <arch>) needs its model name in <model>"),
                        &cpu->model, error) ||
        !vgmCpuDescText(node, "vendor", NULL, &cpu->vendor, error))
        return NULL;
    /* the signature is checked as libvirt reads it; a model's features,
     * not its signature, are what a comparison or baseline weighs */
    if (vgmXMLSingleChild(node, "signature", &child, error) < 0)
        return NULL;
    if (child &&
        (!vgmXMLCheckNode(child, (const char *const[]){ "family", "model", "stepping", NULL },
                          vgmXMLNoChildren, error) ||
         vgmXMLPropUInt(child, "family", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO,
                        &sig, error) < 0 ||
         vgmXMLPropUInt(child, "model", VGM_XML_PROP_REQUIRED, &sig, error) < 0 ||
         vgmXMLPropUInt(child, "stepping", VGM_XML_PROP_REQUIRED, &sig, error) < 0))
        return NULL;

    /* a host CPU's features are ones it has, whatever their policy says:
     * libvirt reads no policy there, so a host-model CPU of the domain
     * capabilities (features 'disable'd in it too) given back as a host
     * CPU, as virt-install gives it to a baseline, lists them all */
    features = vgmXMLChildren(node, "feature");
    cpu->features = g_new0(VgmCpuFeature, features->len);
    for (i = 0; i < features->len; i++) {
        xmlNodePtr fn = g_ptr_array_index(features, i);
        VgmCpuFeature *f = &cpu->features[cpu->nfeatures++];

        if (!vgmXMLCheckNode(fn, (const char *const[]){ "name", "policy", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropString(fn, "name", VGM_XML_PROP_REQUIRED, &f->name, error) < 0)
            return NULL;
        f->policy = VGM_CPU_FEATURE_REQUIRE;
    }
    cpu->mode = VGM_CPU_MODE_CUSTOM;
    return g_steal_pointer(&cpu);
}

VgmCpuDesc *
vgmCpuDescParseString(const char *xml, gboolean hostOnly, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VgmCpuDesc) desc = g_new0(VgmCpuDesc, 1);
    xmlNodePtr root;

    if (!xml) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("no CPU definition given"));
        return NULL;
    }
    if (!(doc = vgmXMLParseString(xml, "(CPU definition)", error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !g_str_equal((const char *)root->name, "cpu")) {
        vgmErrorSet(error, VGM_ERR_XML, "%s", _("a CPU definition is a <cpu> element"));
        return NULL;
    }
    desc->host = vgmXMLChild(root, "arch") != NULL;
    if (desc->host && xmlHasProp(root, (const xmlChar *)"match")) {
        vgmErrorSet(error, VGM_ERR_XML, "%s",
                    _("a <cpu> with <arch> is a host CPU, which has no attribute 'match'"));
        return NULL;
    }
    if (!desc->host && hostOnly) {
        /* (libvirt's code for a guest CPU where a host CPU is wanted) */
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("a host CPU is wanted here: a <cpu> with <arch> and <model>, as capabilities describe the host's"));
        return NULL;
    }
    if (!(desc->def = desc->host ? vgmCpuDescParseHost(desc, root, error) :
                                   vgmCpuDefParseNode(root, error)))
        return NULL;
    return g_steal_pointer(&desc);
}
