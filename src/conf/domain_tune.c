/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_tune.c: the resource controls of a domain, which the driver
 * applies through cgroups and the scheduler: <memtune>, <blkiotune>, and
 * <cputune>'s bandwidth (shares, period, quota and their global and
 * emulator variants) and scheduler policies (<vcpusched>,
 * <emulatorsched>). CPU affinity (<vcpupin>, <emulatorpin>) is parsed
 * with the rest of <cputune> in domain_cpu.c.
 *
 * The ranges are libvirt's: a period is 1000 to 1000000 us, a positive
 * quota 1000 to 17592186044415 us (a negative one is no limit), shares 2
 * to 262144. What
 * depends on the host (the cgroup version's range for shares and
 * weights, whether a block device exists) is checked when the domain
 * starts (driver_cgroup.c).
 */
#include <config.h>

#include <sched.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"

VGM_ENUM_IMPL(vgmDomainSchedPolicy, VGM_DOMAIN_SCHED_LAST,
              "batch", "idle", "fifo", "rr");

/* ---- <cputune> bandwidth ---- */

typedef enum {
    VGM_TUNE_PERIOD,
    VGM_TUNE_QUOTA,
    VGM_TUNE_SHARES,
} VgmTuneKind;

/* Every bandwidth element of <cputune>, in libvirt's output order */
static const struct {
    const char *element;
    VgmTuneKind kind;
    size_t offset;
} vgmCputuneFields[] = {
    { "shares", VGM_TUNE_SHARES, G_STRUCT_OFFSET(VgmDomainCputune, shares) },
    { "period", VGM_TUNE_PERIOD, G_STRUCT_OFFSET(VgmDomainCputune, period) },
    { "quota", VGM_TUNE_QUOTA, G_STRUCT_OFFSET(VgmDomainCputune, quota) },
    { "global_period", VGM_TUNE_PERIOD, G_STRUCT_OFFSET(VgmDomainCputune, globalPeriod) },
    { "global_quota", VGM_TUNE_QUOTA, G_STRUCT_OFFSET(VgmDomainCputune, globalQuota) },
    { "emulator_period", VGM_TUNE_PERIOD, G_STRUCT_OFFSET(VgmDomainCputune, emulatorPeriod) },
    { "emulator_quota", VGM_TUNE_QUOTA, G_STRUCT_OFFSET(VgmDomainCputune, emulatorQuota) },
    { "iothread_period", VGM_TUNE_PERIOD, G_STRUCT_OFFSET(VgmDomainCputune, iothreadPeriod) },
    { "iothread_quota", VGM_TUNE_QUOTA, G_STRUCT_OFFSET(VgmDomainCputune, iothreadQuota) },
};

static gboolean
vgmCputuneQuotaParse(xmlNodePtr node, long long *value, GError **error)
{
    g_autofree char *text = vgmXMLNodeContent(node);
    gint64 v;

    if (!text || !g_ascii_string_to_signed(g_strstrip(text), 10, G_MININT64, G_MAXINT64,
                                           &v, NULL)) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<%1$s> in <cputune> must be a whole number of microseconds, not '%2$s'"),
                    (const char *)node->name, text ? text : "");
        return FALSE;
    }
    if (v > 0 && (v < VGM_CPUTUNE_QUOTA_MIN || v > VGM_CPUTUNE_QUOTA_MAX)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<%1$s> in <cputune> (%2$lld) must be in range [%3$lld, %4$lld], or negative for no limit"),
                    (const char *)node->name, (long long)v,
                    VGM_CPUTUNE_QUOTA_MIN, VGM_CPUTUNE_QUOTA_MAX);
        return FALSE;
    }
    *value = v;
    return TRUE;
}

static gboolean
vgmCputuneUnsignedParse(xmlNodePtr node, VgmTuneKind kind, unsigned long long *value,
                        GError **error)
{
    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, NULL, error) ||
        vgmXMLNodeContentULL(node, value, error) < 0)
        return FALSE;
    /* libvirt's rule: a period of 0 is none given */
    if (kind == VGM_TUNE_PERIOD && *value != 0 &&
        (*value < VGM_CPUTUNE_PERIOD_MIN || *value > VGM_CPUTUNE_PERIOD_MAX)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<%1$s> in <cputune> (%2$llu) must be in range [%3$llu, %4$llu]"),
                    (const char *)node->name, *value,
                    VGM_CPUTUNE_PERIOD_MIN, VGM_CPUTUNE_PERIOD_MAX);
        return FALSE;
    }
    /* libvirt checks the v1 range at define; 0, which it keeps and
     * never applies, is refused */
    if (kind == VGM_TUNE_SHARES &&
        (*value < VGM_CPUTUNE_SHARES_MIN || *value > VGM_CPUTUNE_SHARES_MAX)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<shares> in <cputune> (%1$llu) must be in range [%2$llu, %3$llu]"),
                    *value, VGM_CPUTUNE_SHARES_MIN, VGM_CPUTUNE_SHARES_MAX);
        return FALSE;
    }
    return TRUE;
}

/* <vcpusched> (@listAttr 'vcpus', checked against @nvcpus),
 * <iothreadsched> ('iothreads', checked by the caller) or <emulatorsched>
 * (NULL); the threads named go in sched->vcpus */
static VgmDomainSched *
vgmCputuneSchedParse(xmlNodePtr node, const char *listAttr, unsigned int nvcpus,
                     GError **error)
{
    const char *const listAttrs[] = { listAttr, "scheduler", "priority", NULL };
    static const char *const emulatorAttrs[] = { "scheduler", "priority", NULL };
    g_autofree VgmDomainSched *sched = g_new0(VgmDomainSched, 1);
    const char *name = (const char *)node->name;
    int policy;
    int rc;

    if (!vgmXMLCheckNode(node, listAttr ? listAttrs : emulatorAttrs, vgmXMLNoChildren, error) ||
        vgmXMLPropEnum(node, "scheduler", vgmDomainSchedPolicyTypeFromString,
                       VGM_XML_PROP_REQUIRED, &policy, error) < 0 ||
        (rc = vgmXMLPropInt(node, "priority", 0, &sched->priority, error)) < 0)
        return NULL;
    sched->policy = policy;
    if (policy == VGM_DOMAIN_SCHED_FIFO || policy == VGM_DOMAIN_SCHED_RR) {
        int lo = sched_get_priority_min(policy == VGM_DOMAIN_SCHED_FIFO ? SCHED_FIFO : SCHED_RR);
        int hi = sched_get_priority_max(policy == VGM_DOMAIN_SCHED_FIFO ? SCHED_FIFO : SCHED_RR);

        if (rc == 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<%1$s scheduler='%2$s'> needs attribute 'priority'"),
                        name, vgmDomainSchedPolicyTypeToString(policy));
            goto error;
        }
        if (sched->priority < lo || sched->priority > hi) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("attribute 'priority' of <%1$s> (%2$d) must be in range [%3$d, %4$d] for scheduler '%5$s'"),
                        name, sched->priority, lo, hi,
                        vgmDomainSchedPolicyTypeToString(policy));
            goto error;
        }
    } else if (rc > 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("attribute 'priority' of <%1$s> is only for the schedulers 'fifo' and 'rr', not '%2$s'"),
                    name, vgmDomainSchedPolicyTypeToString(policy));
        goto error;
    }
    if (listAttr) {
        g_autofree char *list = NULL;
        g_autofree char *what = g_strdup_printf(_("attribute '%1$s' of <%2$s>"), listAttr, name);
        int last;

        if (vgmXMLPropString(node, listAttr, VGM_XML_PROP_REQUIRED, &list, error) < 0 ||
            !(sched->vcpus = vgmBitmapParse(list, what, error)))
            goto error;
        if (g_str_equal(listAttr, "vcpus") &&
            (last = vgmBitmapLast(sched->vcpus)) >= 0 && (unsigned int)last >= nvcpus) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<vcpusched vcpus='%1$s'> in <cputune>: the domain has %2$u vCPUs"),
                        list, nvcpus);
            goto error;
        }
    }
    return g_steal_pointer(&sched);

 error:
    vgmBitmapFree(sched->vcpus);
    return NULL;
}

static void
vgmDomainSchedFree(VgmDomainSched *sched)
{
    if (!sched)
        return;
    vgmBitmapFree(sched->vcpus);
    g_free(sched);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDomainSched, vgmDomainSchedFree)

gboolean
vgmDomainCputuneBandwidthParse(VgmDomainDef *def, xmlNodePtr node, GError **error)
{
    VgmDomainCputune *tune = &def->cputune;
    g_autoptr(GPtrArray) scheds = NULL;
    xmlNodePtr child;
    size_t i;
    guint k;

    for (i = 0; i < G_N_ELEMENTS(vgmCputuneFields); i++) {
        void *field = (char *)tune + vgmCputuneFields[i].offset;

        if (vgmXMLSingleChild(node, vgmCputuneFields[i].element, &child, error) < 0)
            return FALSE;
        if (!child)
            continue;
        if (vgmCputuneFields[i].kind == VGM_TUNE_QUOTA) {
            if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error) ||
                !vgmCputuneQuotaParse(child, field, error))
                return FALSE;
        } else if (!vgmCputuneUnsignedParse(child, vgmCputuneFields[i].kind, field, error)) {
            return FALSE;
        }
    }

    scheds = vgmXMLChildren(node, "vcpusched");
    if (scheds->len > 0)
        tune->vcpusched = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDomainSchedFree);
    for (k = 0; k < scheds->len; k++) {
        VgmDomainSched *sched = vgmCputuneSchedParse(g_ptr_array_index(scheds, k), "vcpus",
                                                     def->vcpus, error);
        guint j;

        if (!sched)
            return FALSE;
        g_ptr_array_add(tune->vcpusched, sched);
        for (j = 0; j < k; j++) {
            const VgmDomainSched *other = g_ptr_array_index(tune->vcpusched, j);

            if (vgmBitmapOverlaps(other->vcpus, sched->vcpus)) {
                g_autofree char *a = vgmBitmapFormat(other->vcpus);
                g_autofree char *b = vgmBitmapFormat(sched->vcpus);

                vgmErrorSet(error, VGM_ERR_XML,
                            _("<vcpusched vcpus='%1$s'> and <vcpusched vcpus='%2$s'> in <cputune> name the same vCPU"),
                            a, b);
                return FALSE;
            }
        }
    }
    if (vgmXMLSingleChild(node, "emulatorsched", &child, error) < 0)
        return FALSE;
    if (child && !(tune->emulatorsched = vgmCputuneSchedParse(child, NULL, 0, error)))
        return FALSE;

    /* <iothreadsched>: each thread it names gets the policy, once */
    g_clear_pointer(&scheds, g_ptr_array_unref);
    scheds = vgmXMLChildren(node, "iothreadsched");
    for (k = 0; k < scheds->len; k++) {
        g_autoptr(VgmDomainSched) sched = vgmCputuneSchedParse(g_ptr_array_index(scheds, k),
                                                               "iothreads", 0, error);
        int id;

        if (!sched)
            return FALSE;
        for (id = vgmBitmapNext(sched->vcpus, -1); id >= 0; id = vgmBitmapNext(sched->vcpus, id)) {
            VgmDomainIOThread *t = vgmDomainIOThreadFind(def, (unsigned int)id);

            if (!t) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("<iothreadsched iothreads='%1$d'> in <cputune>: the domain has no such I/O thread"),
                            id);
                return FALSE;
            }
            if (t->sched) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("two <iothreadsched> in <cputune> name I/O thread %1$d"), id);
                return FALSE;
            }
            t->sched = g_new0(VgmDomainSched, 1);
            t->sched->policy = sched->policy;
            t->sched->priority = sched->priority;
        }
    }
    return TRUE;
}

void
vgmDomainCputuneBandwidthFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmCputuneFields); i++) {
        const void *field = (const char *)&def->cputune + vgmCputuneFields[i].offset;
        const char *el = vgmCputuneFields[i].element;

        if (vgmCputuneFields[i].kind == VGM_TUNE_QUOTA) {
            long long v = *(const long long *)field;

            if (v)
                vgmBufAsprintf(buf, "<%s>%lld</%s>\n", el, v, el);
        } else {
            unsigned long long v = *(const unsigned long long *)field;

            if (v)
                vgmBufAsprintf(buf, "<%s>%llu</%s>\n", el, v, el);
        }
    }
}

/* the policy and priority of a scheduler element @buf has opened */
static void
vgmDomainSchedFormat(VgmBuf *buf, const VgmDomainSched *sched)
{
    vgmBufAsprintf(buf, " scheduler='%s'", vgmDomainSchedPolicyTypeToString(sched->policy));
    if (sched->policy == VGM_DOMAIN_SCHED_FIFO || sched->policy == VGM_DOMAIN_SCHED_RR)
        vgmBufAsprintf(buf, " priority='%d'", sched->priority);
    vgmBufAdd(buf, "/>\n");
}

void
vgmDomainCputuneSchedFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    unsigned int v;
    guint i;

    /* libvirt's order: the emulator's first; then one element per vCPU
     * and per I/O thread, as libvirt writes them back */
    if (def->cputune.emulatorsched) {
        vgmBufAdd(buf, "<emulatorsched");
        vgmDomainSchedFormat(buf, def->cputune.emulatorsched);
    }
    for (v = 0; def->cputune.vcpusched && v < def->vcpus; v++) {
        for (i = 0; i < def->cputune.vcpusched->len; i++) {
            const VgmDomainSched *sched = g_ptr_array_index(def->cputune.vcpusched, i);

            if (vgmBitmapIsSet(sched->vcpus, v)) {
                vgmBufAsprintf(buf, "<vcpusched vcpus='%u'", v);
                vgmDomainSchedFormat(buf, sched);
                break;
            }
        }
    }
    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);

        if (t->sched) {
            vgmBufAsprintf(buf, "<iothreadsched iothreads='%u'", t->id);
            vgmDomainSchedFormat(buf, t->sched);
        }
    }
}

/* ---- <memtune> ---- */

static const struct {
    const char *element;
    size_t offset;
} vgmMemtuneFields[] = {
    { "hard_limit", G_STRUCT_OFFSET(VgmDomainMemtune, hardLimit) },
    { "soft_limit", G_STRUCT_OFFSET(VgmDomainMemtune, softLimit) },
    { "swap_hard_limit", G_STRUCT_OFFSET(VgmDomainMemtune, swapHardLimit) },
};

gboolean
vgmDomainMemtuneIsSet(unsigned long long kib)
{
    return kib < VGM_MEMTUNE_UNLIMITED;
}

static gboolean
vgmDomainMemtuneParse(VgmDomainMemtune *tune, xmlNodePtr node, GError **error)
{
    static const char *const children[] = {
        "hard_limit", "soft_limit", "swap_hard_limit", "min_guarantee", NULL
    };
    xmlNodePtr child;
    size_t i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, children, error))
        return FALSE;
    if (vgmXMLChild(node, "min_guarantee")) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<min_guarantee> in <memtune> is not supported for QEMU guests (libvirt refuses it too)"));
        return FALSE;
    }
    for (i = 0; i < G_N_ELEMENTS(vgmMemtuneFields); i++) {
        unsigned long long *field =
            (unsigned long long *)((char *)tune + vgmMemtuneFields[i].offset);
        g_autofree char *unit = NULL;
        g_autofree char *desc = NULL;
        unsigned long long v;

        *field = VGM_MEMTUNE_UNLIMITED;
        if (vgmXMLSingleChild(node, vgmMemtuneFields[i].element, &child, error) < 0)
            return FALSE;
        if (!child)
            continue;
        if (!vgmXMLCheckNode(child, (const char *const[]){ "unit", NULL }, NULL, error) ||
            vgmXMLPropString(child, "unit", 0, &unit, error) < 0 ||
            vgmXMLNodeContentULL(child, &v, error) < 0)
            return FALSE;
        desc = vgmXMLNodeDescribe(child);
        if (!vgmScaleToKiB(v, unit, VGM_MEMTUNE_UNLIMITED, desc, field, error))
            return FALSE;
    }
    return TRUE;
}

static void
vgmDomainMemtuneFormat(VgmBuf *buf, const VgmDomainMemtune *tune)
{
    VgmBuf child;
    size_t i;

    vgmBufInitChild(&child, buf);
    for (i = 0; i < G_N_ELEMENTS(vgmMemtuneFields); i++) {
        unsigned long long v =
            *(const unsigned long long *)((const char *)tune + vgmMemtuneFields[i].offset);

        if (vgmDomainMemtuneIsSet(v))
            vgmBufAsprintf(&child, "<%s unit='KiB'>%llu</%s>\n",
                           vgmMemtuneFields[i].element, v, vgmMemtuneFields[i].element);
    }
    vgmXMLFormatElement(buf, "memtune", NULL, &child);
}

/* ---- <blkiotune> ---- */

/* The per-device limits, in libvirt's output order */
typedef enum {
    VGM_BLKIO_UINT,
    VGM_BLKIO_ULL,
} VgmBlkioKind;

static const struct {
    const char *element;
    VgmBlkioKind kind;
    size_t offset;
} vgmBlkioFields[] = {
    { "weight", VGM_BLKIO_UINT, G_STRUCT_OFFSET(VgmDomainBlkioDevice, weight) },
    { "read_iops_sec", VGM_BLKIO_UINT, G_STRUCT_OFFSET(VgmDomainBlkioDevice, readIops) },
    { "write_iops_sec", VGM_BLKIO_UINT, G_STRUCT_OFFSET(VgmDomainBlkioDevice, writeIops) },
    { "read_bytes_sec", VGM_BLKIO_ULL, G_STRUCT_OFFSET(VgmDomainBlkioDevice, readBytes) },
    { "write_bytes_sec", VGM_BLKIO_ULL, G_STRUCT_OFFSET(VgmDomainBlkioDevice, writeBytes) },
};

static gboolean
vgmBlkioValueParse(xmlNodePtr node, VgmBlkioKind kind, void *field, GError **error)
{
    unsigned long long v;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren, NULL, error) ||
        vgmXMLNodeContentULL(node, &v, error) < 0)
        return FALSE;
    if (kind == VGM_BLKIO_UINT) {
        if (v > G_MAXUINT) {
            g_autofree char *desc = vgmXMLNodeDescribe(node);

            vgmErrorSet(error, VGM_ERR_XML, _("value %1$llu of %2$s is too large (the limit is %3$u)"),
                        v, desc, G_MAXUINT);
            return FALSE;
        }
        *(unsigned int *)field = (unsigned int)v;
    } else {
        *(unsigned long long *)field = v;
    }
    return TRUE;
}

static gboolean
vgmDomainBlkiotuneParse(VgmDomainBlkiotune *tune, xmlNodePtr node, GError **error)
{
    static const char *const deviceChildren[] = {
        "path", "weight", "read_iops_sec", "write_iops_sec", "read_bytes_sec",
        "write_bytes_sec", NULL
    };
    g_autoptr(GPtrArray) devices = NULL;
    xmlNodePtr child;
    guint k;
    size_t i;

    if (!vgmXMLCheckNode(node, vgmXMLNoChildren,
                         (const char *const[]){ "weight", "device", NULL }, error) ||
        vgmXMLSingleChild(node, "weight", &child, error) < 0)
        return FALSE;
    if (child) {
        if (!vgmBlkioValueParse(child, VGM_BLKIO_UINT, &tune->weight, error))
            return FALSE;
        if (tune->weight == 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<weight> in <blkiotune> must be at least 1"));
            return FALSE;
        }
    }
    devices = vgmXMLChildren(node, "device");
    tune->devices = g_new0(VgmDomainBlkioDevice, devices->len);
    for (k = 0; k < devices->len; k++) {
        xmlNodePtr dnode = g_ptr_array_index(devices, k);
        VgmDomainBlkioDevice *dev = &tune->devices[tune->ndevices++];
        guint j;

        if (!vgmXMLCheckNode(dnode, vgmXMLNoChildren, deviceChildren, error) ||
            vgmXMLSingleChild(dnode, "path", &child, error) < 0 ||
            (child && !vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error)))
            return FALSE;
        if (!child || !(dev->path = vgmXMLNodeContent(child)) || dev->path[0] != '/') {
            vgmErrorSet(error, VGM_ERR_XML, "%s",
                        _("<device> in <blkiotune> needs a <path> to a block device, an absolute path"));
            return FALSE;
        }
        for (j = 0; j < k; j++) {
            if (g_str_equal(tune->devices[j].path, dev->path)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("block device '%1$s' appears twice in <blkiotune>"), dev->path);
                return FALSE;
            }
        }
        for (i = 0; i < G_N_ELEMENTS(vgmBlkioFields); i++) {
            if (vgmXMLSingleChild(dnode, vgmBlkioFields[i].element, &child, error) < 0)
                return FALSE;
            if (child && !vgmBlkioValueParse(child, vgmBlkioFields[i].kind,
                                             (char *)dev + vgmBlkioFields[i].offset, error))
                return FALSE;
        }
    }
    return TRUE;
}

static void
vgmDomainBlkiotuneFormat(VgmBuf *buf, const VgmDomainBlkiotune *tune)
{
    VgmBuf child;
    size_t d, i;

    vgmBufInitChild(&child, buf);
    if (tune->weight)
        vgmBufAsprintf(&child, "<weight>%u</weight>\n", tune->weight);
    for (d = 0; d < tune->ndevices; d++) {
        const VgmDomainBlkioDevice *dev = &tune->devices[d];
        VgmBuf values;

        vgmBufInitChild(&values, &child);
        for (i = 0; i < G_N_ELEMENTS(vgmBlkioFields); i++) {
            const void *field = (const char *)dev + vgmBlkioFields[i].offset;
            const char *el = vgmBlkioFields[i].element;

            if (vgmBlkioFields[i].kind == VGM_BLKIO_UINT && *(const unsigned int *)field)
                vgmBufAsprintf(&values, "<%s>%u</%s>\n", el, *(const unsigned int *)field, el);
            else if (vgmBlkioFields[i].kind == VGM_BLKIO_ULL && *(const unsigned long long *)field)
                vgmBufAsprintf(&values, "<%s>%llu</%s>\n", el,
                               *(const unsigned long long *)field, el);
        }
        /* a device without a value says nothing: libvirt leaves it out */
        if (vgmBufIsEmpty(&values)) {
            vgmBufClear(&values);
            continue;
        }
        vgmBufAdd(&child, "<device>\n");
        vgmBufAdjustIndent(&child, 2);
        vgmBufEscapeString(&child, "<path>%s</path>\n", dev->path);
        vgmBufAddBuf(&child, &values);
        vgmBufClear(&values);
        vgmBufAdjustIndent(&child, -2);
        vgmBufAdd(&child, "</device>\n");
    }
    vgmXMLFormatElement(buf, "blkiotune", NULL, &child);
}

/* ---- the domain ---- */

gboolean
vgmDomainTuneParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    xmlNodePtr node;

    if (vgmXMLSingleChild(root, "memtune", &node, error) < 0 ||
        (node && !vgmDomainMemtuneParse(&def->memtune, node, error)))
        return FALSE;
    if (vgmXMLSingleChild(root, "blkiotune", &node, error) < 0 ||
        (node && !vgmDomainBlkiotuneParse(&def->blkiotune, node, error)))
        return FALSE;
    return TRUE;
}

void
vgmDomainTuneFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    vgmDomainBlkiotuneFormat(buf, &def->blkiotune);
    vgmDomainMemtuneFormat(buf, &def->memtune);
}

void
vgmDomainTuneClear(VgmDomainDef *def)
{
    size_t i;

    g_clear_pointer(&def->cputune.vcpusched, g_ptr_array_unref);
    g_clear_pointer(&def->cputune.emulatorsched, vgmDomainSchedFree);
    g_clear_pointer(&def->iothreads, g_ptr_array_unref);
    for (i = 0; i < def->blkiotune.ndevices; i++)
        g_free(def->blkiotune.devices[i].path);
    g_clear_pointer(&def->blkiotune.devices, g_free);
    def->blkiotune.ndevices = 0;
}

gboolean
vgmDomainDefHasCgroupTunables(const VgmDomainDef *def)
{
    const VgmDomainCputune *c = &def->cputune;
    size_t i;

    if (c->shares || c->period || c->quota || c->globalPeriod || c->globalQuota ||
        c->emulatorPeriod || c->emulatorQuota)
        return TRUE;
    /* an I/O thread's bandwidth needs a thread to apply to */
    if ((c->iothreadPeriod || c->iothreadQuota) && def->iothreads && def->iothreads->len > 0)
        return TRUE;
    if (vgmDomainMemtuneIsSet(def->memtune.hardLimit) ||
        vgmDomainMemtuneIsSet(def->memtune.softLimit) ||
        vgmDomainMemtuneIsSet(def->memtune.swapHardLimit))
        return TRUE;
    if (def->blkiotune.weight)
        return TRUE;
    for (i = 0; i < def->blkiotune.ndevices; i++) {
        const VgmDomainBlkioDevice *d = &def->blkiotune.devices[i];

        if (d->weight || d->readIops || d->writeIops || d->readBytes || d->writeBytes)
            return TRUE;
    }
    return FALSE;
}
