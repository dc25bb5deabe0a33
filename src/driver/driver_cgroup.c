/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_cgroup.c: see driver_cgroup.h.
 *
 * The files are libvirt's for each version: cpu.weight and cpu.max (v2),
 * cpu.shares, cpu.cfs_period_us and cpu.cfs_quota_us (v1); memory.max,
 * memory.high and memory.swap.max (v2), memory.limit_in_bytes,
 * memory.soft_limit_in_bytes and memory.memsw.limit_in_bytes (v1);
 * io.weight and io.max (v2), blkio.weight, blkio.weight_device and
 * blkio.throttle.* (v1). So are the ranges: shares 1 to 10000 on v2
 * (cpu.weight) and 2 to 262144 on v1, a block I/O weight 1 to 10000 on
 * v2 and 100 to 1000 on v1.
 */
#include <config.h>

#include <errno.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "driver_cgroup.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

#define VGM_DRIVER_CGROUP_SLICE "virt-gmem.slice"
/* the kernel's default CFS period, for a v2 cpu.max given only a quota */
#define VGM_DRIVER_CGROUP_DEFAULT_PERIOD 100000ULL

struct _VgmDriverCgroup {
    VgmCgroupHost *host;
    char *rel;
    GPtrArray *plan;          /* VgmDriverCgroupWrite; empty: no group,
                               * unless @placed */
    gboolean placed;          /* the group is made in every controller the
                               * host has: a <resource><partition>, or the
                               * default on a host whose tree is ours */
    gboolean placedByDefault; /* placed without being asked: a group that
                               * cannot be made is done without */
    GStrv procs;              /* once the group is made */
    GPtrArray *vcpusched;     /* the domain's VgmDomainSched, or NULL */
    VgmDomainSched emulatorsched;
    gboolean hasEmulatorsched;
    GArray *iothreadsched;    /* VgmDriverIOThreadSched, or NULL */
};

/* an I/O thread's scheduler policy */
typedef struct {
    unsigned int id;
    VgmDomainSched sched;
} VgmDriverIOThreadSched;

static void
vgmDriverCgroupWriteFree(VgmDriverCgroupWrite *w)
{
    g_free(w->sub);
    g_free(w->file);
    g_free(w->value);
    g_free(w->preferFile);
    g_free(w->preferValue);
    g_free(w);
}

static void G_GNUC_PRINTF(5, 6)
vgmDriverCgroupAdd(GPtrArray *plan, VgmCgroupController c, const char *sub,
                   const char *file, const char *fmt, ...)
{
    VgmDriverCgroupWrite *w = g_new0(VgmDriverCgroupWrite, 1);
    va_list ap;

    w->controller = c;
    w->sub = g_strdup(sub);
    w->file = g_strdup(file);
    va_start(ap, fmt);
    w->value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(plan, w);
}

static gboolean
vgmDriverCgroupCheckRange(unsigned long long v, unsigned long long lo, unsigned long long hi,
                          const char *what, const VgmCgroupHost *host, GError **error)
{
    if (v >= lo && v <= hi)
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("%1$s (%2$llu) must be in range [%3$llu, %4$llu] on this host's cgroup v%5$d"),
                what, v, lo, hi, host->version == VGM_CGROUP_V2 ? 2 : 1);
    return FALSE;
}

/* One period/quota pair of a group: cpu.max (v2) or the two CFS files */
static void
vgmDriverCgroupBandwidth(GPtrArray *plan, const VgmCgroupHost *host, const char *sub,
                         unsigned long long period, long long quota)
{
    if (!period && !quota)
        return;
    if (host->version == VGM_CGROUP_V2) {
        g_autofree char *q = quota > 0 ? g_strdup_printf("%lld", quota) : g_strdup("max");

        vgmDriverCgroupAdd(plan, VGM_CGROUP_CPU, sub, "cpu.max", "%s %llu", q,
                           period ? period : VGM_DRIVER_CGROUP_DEFAULT_PERIOD);
        return;
    }
    if (period)
        vgmDriverCgroupAdd(plan, VGM_CGROUP_CPU, sub, "cpu.cfs_period_us", "%llu", period);
    if (quota)
        vgmDriverCgroupAdd(plan, VGM_CGROUP_CPU, sub, "cpu.cfs_quota_us", "%lld",
                           quota > 0 ? quota : -1);
}

static gboolean
vgmDriverCgroupMemory(GPtrArray *plan, const VgmCgroupHost *host, const VgmDomainMemtune *t,
                      GError **error)
{
    static const char *const v1[] = {
        "memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes"
    };
    static const char *const v2[] = { "memory.max", "memory.high", "memory.swap.max" };
    /* v1 takes memory + swap no lower than memory: the hard limit first */
    const unsigned long long kib[] = { t->hardLimit, t->softLimit, t->swapHardLimit };
    size_t i;

    if (vgmDomainMemtuneIsSet(t->hardLimit) && vgmDomainMemtuneIsSet(t->swapHardLimit) &&
        t->hardLimit > t->swapHardLimit) {
        /* checked at start, as libvirt checks it: a definition with it
         * is accepted */
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<hard_limit> in <memtune> (%1$llu KiB) must not be larger than <swap_hard_limit> (%2$llu KiB)"),
                    t->hardLimit, t->swapHardLimit);
        return FALSE;
    }
    for (i = 0; i < G_N_ELEMENTS(kib); i++) {
        if (!vgmDomainMemtuneIsSet(kib[i]))
            continue;
        vgmDriverCgroupAdd(plan, VGM_CGROUP_MEMORY, NULL,
                           host->version == VGM_CGROUP_V2 ? v2[i] : v1[i], "%llu",
                           kib[i] * 1024);
    }
    return TRUE;
}

/* The device numbers "MAJOR:MINOR" of block device @path of <blkiotune> */
static char *
vgmDriverCgroupBlockDevice(const char *path, GError **error)
{
    struct stat sb;

    if (g_stat(path, &sb) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot find block device '%1$s' of <blkiotune>"),
                          path);
        return NULL;
    }
    if (!S_ISBLK(sb.st_mode)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("'%1$s' in <blkiotune> is not a block device"), path);
        return NULL;
    }
    return g_strdup_printf("%u:%u", major(sb.st_rdev), minor(sb.st_rdev));
}

static gboolean
vgmDriverCgroupBlkio(GPtrArray *plan, const VgmCgroupHost *host, const VgmDomainBlkiotune *t,
                     GError **error)
{
    gboolean v2 = host->version == VGM_CGROUP_V2;
    unsigned long long lo = v2 ? 1 : 100, hi = v2 ? 10000 : 1000;
    size_t i;

    if (t->weight) {
        if (!vgmDriverCgroupCheckRange(t->weight, lo, hi, _("<weight> in <blkiotune>"), host,
                                       error))
            return FALSE;
        VgmDriverCgroupWrite *w;

        if (v2)
            vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, "io.weight", "default %u", t->weight);
        else
            vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, "blkio.weight", "%u", t->weight);
        /* libvirt writes BFQ's weight where the group has it */
        w = g_ptr_array_index(plan, plan->len - 1);
        w->preferFile = g_strdup(v2 ? "io.bfq.weight" : "blkio.bfq.weight");
        w->preferValue = g_strdup_printf("%u", t->weight);
    }
    for (i = 0; i < t->ndevices; i++) {
        const VgmDomainBlkioDevice *d = &t->devices[i];
        g_autofree char *dev = NULL;

        if (!d->weight && !d->readIops && !d->writeIops && !d->readBytes && !d->writeBytes)
            continue;
        if (!(dev = vgmDriverCgroupBlockDevice(d->path, error)))
            return FALSE;
        if (d->weight) {
            g_autofree char *what = g_strdup_printf(_("<weight> of '%s' in <blkiotune>"),
                                                    d->path);

            if (!vgmDriverCgroupCheckRange(d->weight, lo, hi, what, host, error))
                return FALSE;
            vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, v2 ? "io.weight" : "blkio.weight_device",
                               "%s %u", dev, d->weight);
        }
        {
            /* the limits, in libvirt's io.max order: v2 has one line of
             * them, v1 a file each */
            const struct {
                const char *v2;
                const char *v1;
                unsigned long long value;
            } limits[] = {
                { "rbps", "blkio.throttle.read_bps_device", d->readBytes },
                { "wbps", "blkio.throttle.write_bps_device", d->writeBytes },
                { "riops", "blkio.throttle.read_iops_device", d->readIops },
                { "wiops", "blkio.throttle.write_iops_device", d->writeIops },
            };
            g_autoptr(GString) max = g_string_new(dev);
            size_t l;

            for (l = 0; l < G_N_ELEMENTS(limits); l++) {
                if (!limits[l].value)
                    continue;
                if (v2)
                    g_string_append_printf(max, " %s=%llu", limits[l].v2, limits[l].value);
                else
                    vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, limits[l].v1, "%s %llu", dev,
                                       limits[l].value);
            }
            if (v2 && strchr(max->str, '='))
                vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, "io.max", "%s", max->str);
        }
    }
    return TRUE;
}

/* The cpuset's memory nodes @nodeset: v1 moves a process's pages to
 * them only with memory_migrate on (v2 always does); the nodes are
 * written once QEMU is in the group, as libvirt writes them */
static void
vgmDriverCgroupMems(GPtrArray *plan, const VgmCgroupHost *host, const VgmBitmap *nodeset)
{
    g_autofree char *nodes = vgmBitmapFormat(nodeset);

    if (host->version == VGM_CGROUP_V1)
        vgmDriverCgroupAdd(plan, VGM_CGROUP_CPUSET, NULL, "cpuset.memory_migrate", "1");
    vgmDriverCgroupAdd(plan, VGM_CGROUP_CPUSET, NULL, "cpuset.mems", "%s", nodes);
    ((VgmDriverCgroupWrite *)g_ptr_array_index(plan, plan->len - 1))->afterSpawn = TRUE;
}

/* The node set <numatune> mode='restrictive' binds @def's memory to,
 * through the cpuset alone (QEMU is given no policy for it); NULL for
 * any other mode */
static const VgmBitmap *
vgmDriverCgroupRestrictiveNodes(const VgmDomainDef *def, const VgmBitmap *autoNodeset)
{
    const VgmDomainNumatune *nt = &def->numatune;

    if (!nt->memorySet || nt->mode != VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE)
        return NULL;
    return nt->placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO ? autoNodeset : nt->nodeset;
}

GPtrArray *
vgmDriverCgroupPlan(const VgmDomainDef *def, const VgmBitmap *autoNodeset,
                    const VgmCgroupHost *host, GError **error)
{
    g_autoptr(GPtrArray) plan =
        g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverCgroupWriteFree);
    const VgmDomainCputune *c = &def->cputune;
    const VgmBitmap *mems = vgmDriverCgroupRestrictiveNodes(def, autoNodeset);
    unsigned int i;

    if (!vgmDomainDefHasCgroupTunables(def) && !mems)
        return g_steal_pointer(&plan);
    if (host->version == VGM_CGROUP_NONE) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    mems ? _("<numatune> mode='restrictive' binds the domain's memory through the cgroup cpuset controller, and there are no cgroups under '%1$s'")
                         : _("the domain's <cputune>, <memtune> or <blkiotune> controls need cgroups, and there are none under '%1$s'"),
                    host->root);
        return NULL;
    }
    if (mems && !host->dirs[VGM_CGROUP_CPUSET]) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("<numatune> mode='restrictive' binds the domain's memory through the cgroup cpuset controller, which the host does not have under '%1$s'"),
                    host->root);
        return NULL;
    }
    if (mems)
        vgmDriverCgroupMems(plan, host, mems);
    if (c->shares) {
        if (!vgmDriverCgroupCheckRange(c->shares, host->version == VGM_CGROUP_V2 ? 1 : 2,
                                       host->version == VGM_CGROUP_V2 ? 10000 : 262144,
                                       _("<shares> in <cputune>"), host, error))
            return NULL;
        vgmDriverCgroupAdd(plan, VGM_CGROUP_CPU, NULL,
                           host->version == VGM_CGROUP_V2 ? "cpu.weight" : "cpu.shares",
                           "%llu", c->shares);
    }
    vgmDriverCgroupBandwidth(plan, host, NULL, c->globalPeriod, c->globalQuota);
    if (!vgmDriverCgroupMemory(plan, host, &def->memtune, error) ||
        !vgmDriverCgroupBlkio(plan, host, &def->blkiotune, error))
        return NULL;
    for (i = 0; (c->period || c->quota) && i < def->vcpus; i++) {
        g_autofree char *sub = g_strdup_printf("vcpu%u", i);

        vgmDriverCgroupBandwidth(plan, host, sub, c->period, c->quota);
    }
    vgmDriverCgroupBandwidth(plan, host, "emulator", c->emulatorPeriod, c->emulatorQuota);
    for (i = 0; (c->iothreadPeriod || c->iothreadQuota) && def->iothreads &&
                i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);
        g_autofree char *sub = g_strdup_printf("iothread%u", t->id);

        vgmDriverCgroupBandwidth(plan, host, sub, c->iothreadPeriod, c->iothreadQuota);
    }
    return g_steal_pointer(&plan);
}

/* systemd's escaping of @text into a unit name's part, up to @max bytes
 * of @s (0: all) */
static void
vgmDriverCgroupEscape(GString *s, const char *text, gsize max)
{
    const unsigned char *p;

    for (p = (const unsigned char *)text; *p && (!max || s->len < max); p++) {
        if (g_ascii_isalnum(*p) || *p == '_' || (*p == '.' && p != (const unsigned char *)text))
            g_string_append_c(s, (char)*p);
        else
            g_string_append_printf(s, "\\x%02x", *p);
    }
}

char *
vgmDriverCgroupName(const VgmDriverStore *store, const char *name, const char *partition)
{
    g_autoptr(GString) scope = g_string_new(NULL);
    g_autofree char *key = g_strdup_printf("%s/%s", store->runDir, name);
    g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);

    /* a partition is a nest of systemd slices, as libvirt makes of it on
     * a systemd host: /machine/a is machine.slice/machine-a.slice */
    if (partition) {
        g_auto(GStrv) parts = g_strsplit(partition + 1, "/", -1);
        g_autoptr(GString) prefix = g_string_new(NULL);
        size_t i;

        for (i = 0; parts[i]; i++) {
            if (i)
                g_string_append_c(prefix, '-');
            vgmDriverCgroupEscape(prefix, parts[i], 0);
            g_string_append_printf(scope, "%s.slice/", prefix->str);
        }
    } else {
        g_string_append(scope, VGM_DRIVER_CGROUP_SLICE "/");
    }
    /* any domain name makes one plain directory name, cut to stay well
     * below NAME_MAX (60 bytes of it, the cut a running domain's group
     * was named with before partitions); the hash of the store and the
     * whole name keeps it unique */
    g_string_append(scope, "vgm-");
    vgmDriverCgroupEscape(scope, name, scope->len + 60);
    g_string_append_printf(scope, "-%.8s.scope", hash);
    return g_string_free(g_steal_pointer(&scope), FALSE);
}

void
vgmDriverCgroupFree(VgmDriverCgroup *cg)
{
    if (!cg)
        return;
    vgmCgroupHostFree(cg->host);
    g_free(cg->rel);
    g_clear_pointer(&cg->plan, g_ptr_array_unref);
    g_clear_pointer(&cg->vcpusched, g_ptr_array_unref);
    g_clear_pointer(&cg->iothreadsched, g_array_unref);
    g_strfreev(cg->procs);
    g_free(cg);
}

static guint
vgmDriverCgroupMask(const GPtrArray *plan)
{
    guint mask = 0, i;

    for (i = 0; i < plan->len; i++)
        mask |= 1u << ((const VgmDriverCgroupWrite *)g_ptr_array_index(plan, i))->controller;
    return mask;
}

static gboolean
vgmDriverCgroupHostWritable(const VgmCgroupHost *host)
{
    gboolean any = FALSE;
    guint i;

    if (host->version == VGM_CGROUP_NONE || !host->real)
        return FALSE;
    for (i = 0; i < VGM_CGROUP_LAST; i++) {
        if (!host->dirs[i])
            continue;
        if (access(host->dirs[i], W_OK) < 0)
            return FALSE;
        any = TRUE;
    }
    return any;
}

VgmDriverCgroup *
vgmDriverCgroupNew(const VgmDriverStore *store, const VgmDomainDef *def,
                   const VgmBitmap *autoNodeset, GError **error)
{
    g_autoptr(VgmDriverCgroup) cg = g_new0(VgmDriverCgroup, 1);
    guint i;

    cg->host = vgmCgroupHostDetect(store->cgroupRoot);
    cg->rel = vgmDriverCgroupName(store, def->name, def->resourcePartition);
    if (!(cg->plan = vgmDriverCgroupPlan(def, autoNodeset, cg->host, error)))
        return NULL;
    /* a partition asks for the group itself, controls or not */
    if ((cg->placed = def->resourcePartition != NULL) && cg->host->version == VGM_CGROUP_NONE) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("<resource><partition> '%1$s' places the domain in a cgroup, and there are none under '%2$s'"),
                    def->resourcePartition, cg->host->root);
        return NULL;
    }
    /* as libvirt's privileged driver, every domain runs in a group of its
     * own when the host's cgroup tree is a real one this process may
     * write (root's, not a user session's) */
    if (!cg->placed && vgmDriverCgroupHostWritable(cg->host))
        cg->placed = cg->placedByDefault = TRUE;
    if (def->cputune.vcpusched)
        cg->vcpusched = g_ptr_array_ref(def->cputune.vcpusched);
    if ((cg->hasEmulatorsched = def->cputune.emulatorsched != NULL))
        cg->emulatorsched = *def->cputune.emulatorsched;
    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);
        VgmDriverIOThreadSched ts = { .id = t->id };

        if (!t->sched)
            continue;
        if (!cg->iothreadsched)
            cg->iothreadsched = g_array_new(FALSE, TRUE, sizeof(VgmDriverIOThreadSched));
        ts.sched.policy = t->sched->policy;
        ts.sched.priority = t->sched->priority;
        g_array_append_val(cg->iothreadsched, ts);
    }
    return g_steal_pointer(&cg);
}

gboolean
vgmDriverCgroupCreate(VgmDriverCgroup *cg, gboolean removeOnError, GError **error)
{
    g_autoptr(GError) err = NULL;
    guint i, mask;

    if (cg->plan->len == 0 && !cg->placed)
        return TRUE;
    mask = vgmDriverCgroupMask(cg->plan);
    /* (the cpuset only where the plan writes it: libvirt's every domain
     * has one, which changes nothing until memory nodes are written) */
    for (i = 0; cg->placed && i < VGM_CGROUP_LAST; i++) {
        if (cg->host->dirs[i] && i != VGM_CGROUP_CPUSET)
            mask |= 1u << i;
    }
    if (!vgmCgroupCreate(cg->host, cg->rel, mask, &err)) {
        if (cg->placedByDefault && cg->plan->len == 0) {
            /* nothing asked for a group: the domain runs in the caller's */
            g_message(_("no cgroup %1$s: the domain runs in its starter's: %2$s"), cg->rel, err->message);
            vgmCgroupRemove(cg->host, cg->rel, NULL);
            cg->placed = FALSE;
            return TRUE;
        }
        g_propagate_error(error, g_steal_pointer(&err));
        goto error;
    }
    for (i = 0; i < cg->plan->len; i++) {
        const VgmDriverCgroupWrite *w = g_ptr_array_index(cg->plan, i);
        g_autofree char *prefer = w->preferFile ?
            vgmCgroupPath(cg->host, w->controller, cg->rel, NULL, w->preferFile) : NULL;

        if (w->sub || w->afterSpawn)
            continue;
        if (prefer && g_file_test(prefer, G_FILE_TEST_EXISTS)) {
            if (!vgmCgroupWriteFile(cg->host, prefer, w->preferValue, error))
                goto error;
            continue;
        }
        if (!vgmCgroupWrite(cg->host, w->controller, cg->rel, NULL, w->file, w->value, error))
            goto error;
    }
    g_strfreev(cg->procs);
    cg->procs = vgmCgroupProcsFiles(cg->host, cg->rel, mask);
    return TRUE;

 error:
    if (removeOnError)
        vgmCgroupRemove(cg->host, cg->rel, NULL);
    return FALSE;
}

const char *const *
vgmDriverCgroupProcsFiles(const VgmDriverCgroup *cg)
{
    return cg ? (const char *const *)cg->procs : NULL;
}

/* The list QMP query @command answers; *@ret holds it */
static JsonArray *
vgmDriverQueryList(VgmQemuMonitor *mon, const char *command, JsonNode **ret, GError **error)
{
    if (!vgmQemuMonitorCommand(mon, command, NULL, ret, error))
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(*ret)) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("%1$s did not answer a list"), command);
        return NULL;
    }
    return json_node_get_array(*ret);
}

GArray *
vgmDriverVcpuThreads(VgmQemuMonitor *mon, GError **error)
{
    g_autoptr(GArray) tids = g_array_new(FALSE, TRUE, sizeof(pid_t));
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    guint i;

    if (!(arr = vgmDriverQueryList(mon, "query-cpus-fast", &ret, error)))
        return NULL;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *cpu = json_array_get_object_element(arr, i);
        gint64 idx = cpu ? json_object_get_int_member_with_default(cpu, "cpu-index", -1) : -1;
        gint64 tid = cpu ? json_object_get_int_member_with_default(cpu, "thread-id", 0) : 0;
        pid_t t = tid > 0 && tid <= G_MAXINT ? (pid_t)tid : 0;

        /* QEMU's cpu-index is below its maxcpus, far below this */
        if (idx < 0 || idx >= 16384 || !t)
            continue;
        if ((guint)idx >= tids->len)
            g_array_set_size(tids, (guint)idx + 1);
        g_array_index(tids, pid_t, idx) = t;
    }
    return g_steal_pointer(&tids);
}

GArray *
vgmDriverIOThreadThreads(VgmQemuMonitor *mon, GError **error)
{
    g_autoptr(GArray) threads = g_array_new(FALSE, TRUE, sizeof(VgmDriverIOThreadTid));
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    guint i;

    if (!(arr = vgmDriverQueryList(mon, "query-iothreads", &ret, error)))
        return NULL;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        const char *id = o ? json_object_get_string_member_with_default(o, "id", NULL) : NULL;
        gint64 tid = o ? json_object_get_int_member_with_default(o, "thread-id", 0) : 0;
        VgmDriverIOThreadTid t = { 0 };
        guint64 n;

        /* the driver's objects are iothread<id>; others are not its */
        if (!id || !g_str_has_prefix(id, "iothread") ||
            !g_ascii_string_to_unsigned(id + strlen("iothread"), 10, 1, G_MAXUINT, &n, NULL) ||
            tid <= 0 || tid > G_MAXINT)
            continue;
        t.id = (unsigned int)n;
        t.tid = (pid_t)tid;
        g_array_append_val(threads, t);
    }
    return g_steal_pointer(&threads);
}

pid_t
vgmDriverIOThreadTidOf(const GArray *iothreads, unsigned int id)
{
    guint i;

    for (i = 0; iothreads && i < iothreads->len; i++) {
        const VgmDriverIOThreadTid *t = &g_array_index(iothreads, VgmDriverIOThreadTid, i);

        if (t->id == id)
            return t->tid;
    }
    return 0;
}

static gboolean
vgmDriverIsIOThread(const GArray *iothreads, pid_t tid)
{
    guint i;

    for (i = 0; iothreads && i < iothreads->len; i++) {
        if (g_array_index(iothreads, VgmDriverIOThreadTid, i).tid == tid)
            return TRUE;
    }
    return FALSE;
}

static gboolean
vgmDriverIsVcpuThread(const GArray *vcpus, pid_t tid)
{
    guint i;

    for (i = 0; vcpus && i < vcpus->len; i++) {
        if (g_array_index(vcpus, pid_t, i) == tid)
            return TRUE;
    }
    return FALSE;
}

/* QEMU's threads other than its vCPUs and I/O threads, as libvirt's
 * emulator controls leave these to their own */
static GArray *
vgmDriverEmulatorThreads(pid_t pid, const GArray *vcpus, const GArray *iothreads,
                         GError **error)
{
    g_autofree char *taskDir = g_strdup_printf("/proc/%lld/task", (long long)pid);
    g_autoptr(GArray) tids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    g_autoptr(GDir) dir = g_dir_open(taskDir, 0, error);
    const char *ent;

    if (!dir)
        return NULL;
    while ((ent = g_dir_read_name(dir))) {
        pid_t tid = (pid_t)g_ascii_strtoll(ent, NULL, 10);

        if (tid > 0 && !vgmDriverIsVcpuThread(vcpus, tid) &&
            !vgmDriverIsIOThread(iothreads, tid))
            g_array_append_val(tids, tid);
    }
    return g_steal_pointer(&tids);
}

static gboolean
vgmDriverSetSched(pid_t tid, const VgmDomainSched *sched, const char *what, GError **error)
{
    static const int policies[VGM_DOMAIN_SCHED_LAST] = {
        [VGM_DOMAIN_SCHED_BATCH] = SCHED_BATCH,
        [VGM_DOMAIN_SCHED_IDLE] = SCHED_IDLE,
        [VGM_DOMAIN_SCHED_FIFO] = SCHED_FIFO,
        [VGM_DOMAIN_SCHED_RR] = SCHED_RR,
    };
    struct sched_param param = { .sched_priority = 0 };

    if (sched->policy == VGM_DOMAIN_SCHED_FIFO || sched->policy == VGM_DOMAIN_SCHED_RR)
        param.sched_priority = sched->priority;
    if (sched_setscheduler(tid, policies[sched->policy], &param) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot set scheduler '%1$s' on %2$s"),
                          vgmDomainSchedPolicyTypeToString(sched->policy), what);
        return FALSE;
    }
    return TRUE;
}

static gboolean
vgmDriverCgroupFillThreads(const VgmDriverCgroup *cg, pid_t pid, const GArray *vcpus,
                           const GArray *iothreads, const GArray *others, GError **error)
{
    g_autoptr(GHashTable) subs = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;
    size_t p;

    /* the process first: its threads then move within the group */
    for (p = 0; cg->procs && cg->procs[p]; p++) {
        g_autofree char *value = g_strdup_printf("%lld", (long long)pid);

        if (!vgmCgroupWriteFile(cg->host, cg->procs[p], value, error))
            return FALSE;
    }
    for (i = 0; i < cg->plan->len; i++) {
        const VgmDriverCgroupWrite *w = g_ptr_array_index(cg->plan, i);

        if (w->afterSpawn &&
            !vgmCgroupWrite(cg->host, w->controller, cg->rel, w->sub, w->file, w->value, error))
            return FALSE;
    }
    for (i = 0; i < cg->plan->len; i++) {
        const VgmDriverCgroupWrite *w = g_ptr_array_index(cg->plan, i);

        if (w->sub && g_hash_table_add(subs, w->sub) &&
            !vgmCgroupCreateThreadGroup(cg->host, w->controller, cg->rel, w->sub, error))
            return FALSE;
    }
    if (g_hash_table_size(subs) == 0)
        return TRUE;
    if (!vgmCgroupEnableThreaded(cg->host, VGM_CGROUP_CPU, cg->rel, error))
        return FALSE;
    for (i = 0; i < cg->plan->len; i++) {
        const VgmDriverCgroupWrite *w = g_ptr_array_index(cg->plan, i);

        if (w->sub &&
            !vgmCgroupWrite(cg->host, w->controller, cg->rel, w->sub, w->file, w->value, error))
            return FALSE;
    }
    for (i = 0; i < vcpus->len; i++) {
        g_autofree char *sub = g_strdup_printf("vcpu%u", i);
        pid_t tid = g_array_index(vcpus, pid_t, i);

        if (tid && g_hash_table_contains(subs, sub) &&
            !vgmCgroupAddThread(cg->host, VGM_CGROUP_CPU, cg->rel, sub, tid, error))
            return FALSE;
    }
    for (i = 0; g_hash_table_contains(subs, "emulator") && i < others->len; i++) {
        if (!vgmCgroupAddThread(cg->host, VGM_CGROUP_CPU, cg->rel, "emulator",
                                g_array_index(others, pid_t, i), error))
            return FALSE;
    }
    for (i = 0; i < iothreads->len; i++) {
        const VgmDriverIOThreadTid *t = &g_array_index(iothreads, VgmDriverIOThreadTid, i);
        g_autofree char *sub = g_strdup_printf("iothread%u", t->id);

        if (g_hash_table_contains(subs, sub) &&
            !vgmCgroupAddThread(cg->host, VGM_CGROUP_CPU, cg->rel, sub, t->tid, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverCgroupApplyThreads(const VgmDriverCgroup *cg, VgmQemuMonitor *mon, pid_t pid,
                            GError **error)
{
    g_autoptr(GArray) vcpus = NULL;
    g_autoptr(GArray) iothreads = NULL;
    g_autoptr(GArray) others = NULL;
    guint i;

    if (cg->plan->len == 0 && !cg->placed && !cg->vcpusched && !cg->hasEmulatorsched &&
        !cg->iothreadsched)
        return TRUE;
    if (!(vcpus = vgmDriverVcpuThreads(mon, error)) ||
        !(iothreads = vgmDriverIOThreadThreads(mon, error)) ||
        !(others = vgmDriverEmulatorThreads(pid, vcpus, iothreads, error)))
        return FALSE;
    if ((cg->plan->len > 0 || cg->placed) &&
        !vgmDriverCgroupFillThreads(cg, pid, vcpus, iothreads, others, error))
        return FALSE;
    for (i = 0; cg->iothreadsched && i < cg->iothreadsched->len; i++) {
        const VgmDriverIOThreadSched *ts = &g_array_index(cg->iothreadsched,
                                                          VgmDriverIOThreadSched, i);
        pid_t tid = vgmDriverIOThreadTidOf(iothreads, ts->id);
        g_autofree char *what = g_strdup_printf(_("I/O thread %u"), ts->id);

        if (!tid) {
            vgmErrorSet(error, VGM_ERR_INTERNAL, _("QEMU does not list I/O thread %1$u"), ts->id);
            return FALSE;
        }
        if (!vgmDriverSetSched(tid, &ts->sched, what, error))
            return FALSE;
    }
    for (i = 0; cg->vcpusched && i < cg->vcpusched->len; i++) {
        const VgmDomainSched *sched = g_ptr_array_index(cg->vcpusched, i);
        guint v;

        for (v = 0; v < vcpus->len; v++) {
            g_autofree char *what = g_strdup_printf(_("vCPU %u"), v);
            pid_t tid = g_array_index(vcpus, pid_t, v);

            if (tid && vgmBitmapIsSet(sched->vcpus, v) &&
                !vgmDriverSetSched(tid, sched, what, error))
                return FALSE;
        }
    }
    for (i = 0; cg->hasEmulatorsched && i < others->len; i++) {
        g_autofree char *what = g_strdup_printf(_("QEMU thread %lld"),
                                                (long long)g_array_index(others, pid_t, i));

        if (!vgmDriverSetSched(g_array_index(others, pid_t, i), &cg->emulatorsched, what, error))
            return FALSE;
    }
    return TRUE;
}

void
vgmDriverCgroupRemove(const VgmDriverStore *store, const char *name, const char *partition)
{
    g_autoptr(VgmCgroupHost) host = vgmCgroupHostDetect(store->cgroupRoot);
    g_autofree char *rel = NULL;
    guint i;

    if (host->version == VGM_CGROUP_NONE)
        return;
    rel = vgmDriverCgroupName(store, name, partition);
    /* QEMU is dead, but until its parent (init, once the tool is gone)
     * reaps it the kernel counts the group busy: a short wait; a group
     * still busy after it is reused by the next start */
    for (i = 0; i < 100 && !vgmCgroupRemove(host, rel, NULL); i++)
        g_usleep(20 * 1000);
}

gboolean
vgmDriverCgroupSetMemsLive(const VgmDriverStore *store, const VgmDomainDef *def,
                           const VgmBitmap *nodeset, pid_t pid, GError **error)
{
    g_autoptr(VgmCgroupHost) host = vgmCgroupHostDetect(store->cgroupRoot);
    g_autofree char *rel = vgmDriverCgroupName(store, def->name, def->resourcePartition);
    g_autoptr(GPtrArray) plan =
        g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverCgroupWriteFree);
    guint i, phase;

    if (!host->dirs[VGM_CGROUP_CPUSET]) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot change the memory nodes of running domain '%1$s': the host has no cgroup cpuset controller under '%2$s'"),
                    def->name, host->root);
        return FALSE;
    }
    vgmDriverCgroupMems(plan, host, nodeset);
    if (!vgmCgroupCreate(host, rel, 1u << VGM_CGROUP_CPUSET, error))
        return FALSE;
    /* the files before QEMU joins, QEMU (unless it is there: on v2 its
     * threads may be in thread groups below), the nodes */
    for (phase = 0; phase < 2; phase++) {
        if (phase == 1 && !vgmCgroupHasProcess(host, VGM_CGROUP_CPUSET, rel, pid)) {
            g_autofree char *value = g_strdup_printf("%lld", (long long)pid);

            if (!vgmCgroupWrite(host, VGM_CGROUP_CPUSET, rel, NULL, "cgroup.procs", value, error))
                return FALSE;
        }
        for (i = 0; i < plan->len; i++) {
            const VgmDriverCgroupWrite *w = g_ptr_array_index(plan, i);

            if (w->afterSpawn == (phase == 1) &&
                !vgmCgroupWrite(host, w->controller, rel, w->sub, w->file, w->value, error))
                return FALSE;
        }
    }
    return TRUE;
}

/* ---- the controls as libvirt's typed parameters ---- */

/* Whose group a running domain's scheduler parameter is read from */
typedef enum {
    VGM_SCHED_GROUP_DOMAIN,
    VGM_SCHED_GROUP_VCPU,       /* vCPU 0's */
    VGM_SCHED_GROUP_EMULATOR,
    VGM_SCHED_GROUP_IOTHREAD,   /* the first I/O thread's */
} VgmSchedGroup;

/* libvirt's scheduler parameters, in its order, the <cputune> control
 * each is, and the group a running domain's is read from */
static const struct {
    const char *field;
    gboolean isSigned;          /* a quota: LLONG; else ULLONG */
    gboolean period;
    size_t offset;              /* in VgmDomainCputune */
    VgmSchedGroup group;
} vgmDriverSchedParams[] = {
    { "cpu_shares", FALSE, FALSE, G_STRUCT_OFFSET(VgmDomainCputune, shares),
      VGM_SCHED_GROUP_DOMAIN },
    { "vcpu_period", FALSE, TRUE, G_STRUCT_OFFSET(VgmDomainCputune, period),
      VGM_SCHED_GROUP_VCPU },
    { "vcpu_quota", TRUE, FALSE, G_STRUCT_OFFSET(VgmDomainCputune, quota),
      VGM_SCHED_GROUP_VCPU },
    { "emulator_period", FALSE, TRUE, G_STRUCT_OFFSET(VgmDomainCputune, emulatorPeriod),
      VGM_SCHED_GROUP_EMULATOR },
    { "emulator_quota", TRUE, FALSE, G_STRUCT_OFFSET(VgmDomainCputune, emulatorQuota),
      VGM_SCHED_GROUP_EMULATOR },
    { "global_period", FALSE, TRUE, G_STRUCT_OFFSET(VgmDomainCputune, globalPeriod),
      VGM_SCHED_GROUP_DOMAIN },
    { "global_quota", TRUE, FALSE, G_STRUCT_OFFSET(VgmDomainCputune, globalQuota),
      VGM_SCHED_GROUP_DOMAIN },
    { "iothread_period", FALSE, TRUE, G_STRUCT_OFFSET(VgmDomainCputune, iothreadPeriod),
      VGM_SCHED_GROUP_IOTHREAD },
    { "iothread_quota", TRUE, FALSE, G_STRUCT_OFFSET(VgmDomainCputune, iothreadQuota),
      VGM_SCHED_GROUP_IOTHREAD },
};

/* libvirt's memory parameters (KiB) and the <memtune> limit each is */
static const struct {
    const char *field;
    size_t offset;              /* in VgmDomainMemtune */
} vgmDriverMemoryParams[] = {
    { "hard_limit", G_STRUCT_OFFSET(VgmDomainMemtune, hardLimit) },
    { "soft_limit", G_STRUCT_OFFSET(VgmDomainMemtune, softLimit) },
    { "swap_hard_limit", G_STRUCT_OFFSET(VgmDomainMemtune, swapHardLimit) },
};

/* libvirt's per-device block I/O parameters ("PATH,VALUE,..." strings)
 * and the value of a <blkiotune><device> each is: an unsigned int, or an
 * unsigned long long when @wide */
static const struct {
    const char *field;
    size_t offset;              /* in VgmDomainBlkioDevice */
    gboolean wide;
} vgmDriverBlkioDeviceParams[] = {
    { "device_weight", G_STRUCT_OFFSET(VgmDomainBlkioDevice, weight), FALSE },
    { "device_read_iops_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, readIops), FALSE },
    { "device_write_iops_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, writeIops), FALSE },
    { "device_read_bytes_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, readBytes), TRUE },
    { "device_write_bytes_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, writeBytes), TRUE },
};

static unsigned long long
vgmDriverBlkioDeviceGet(const VgmDomainBlkioDevice *d, size_t i)
{
    const char *field = (const char *)d + vgmDriverBlkioDeviceParams[i].offset;

    return vgmDriverBlkioDeviceParams[i].wide ? *(const unsigned long long *)field
                                              : *(const unsigned int *)field;
}

static void
vgmDriverBlkioDeviceSet(VgmDomainBlkioDevice *d, size_t i, unsigned long long v)
{
    char *field = (char *)d + vgmDriverBlkioDeviceParams[i].offset;

    if (vgmDriverBlkioDeviceParams[i].wide)
        *(unsigned long long *)field = v;
    else
        *(unsigned int *)field = (unsigned int)v;
}

static gboolean
vgmDriverBlkioDeviceIsEmpty(const VgmDomainBlkioDevice *d)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDriverBlkioDeviceParams); i++) {
        if (vgmDriverBlkioDeviceGet(d, i))
            return FALSE;
    }
    return TRUE;
}

/* "PATH,VALUE,PATH,VALUE" of the devices with a value of parameter @i,
 * as libvirt joins them */
static char *
vgmDriverTuneDeviceList(const VgmDomainBlkiotune *t, size_t i)
{
    g_autoptr(GString) out = g_string_new("");
    size_t d;

    for (d = 0; d < t->ndevices; d++) {
        unsigned long long v = vgmDriverBlkioDeviceGet(&t->devices[d], i);

        if (!v)
            continue;
        g_string_append_printf(out, "%s%s,%llu", out->len ? "," : "", t->devices[d].path, v);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

GPtrArray *
vgmDriverTuneParams(const VgmDomainDef *def, VgmDriverTuneKind kind, gboolean strings)
{
    GPtrArray *params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    size_t i;

    switch (kind) {
    case VGM_DRIVER_TUNE_SCHED:
        for (i = 0; i < G_N_ELEMENTS(vgmDriverSchedParams); i++) {
            const char *field = (const char *)&def->cputune + vgmDriverSchedParams[i].offset;

            if (vgmDriverSchedParams[i].isSigned)
                vgmTypedParamAdd(params, vgmDriverSchedParams[i].field,
                                   VGM_TYPED_PARAM_LLONG)->v.l = *(const long long *)field;
            else
                vgmTypedParamAdd(params, vgmDriverSchedParams[i].field,
                                   VGM_TYPED_PARAM_ULLONG)->v.ul =
                    *(const unsigned long long *)field;
        }
        break;
    case VGM_DRIVER_TUNE_MEMORY:
        for (i = 0; i < G_N_ELEMENTS(vgmDriverMemoryParams); i++)
            vgmTypedParamAdd(params, vgmDriverMemoryParams[i].field, VGM_TYPED_PARAM_ULLONG)->v.ul =
                *(const unsigned long long *)((const char *)&def->memtune +
                                              vgmDriverMemoryParams[i].offset);
        break;
    case VGM_DRIVER_TUNE_BLKIO:
        vgmTypedParamAdd(params, "weight", VGM_TYPED_PARAM_UINT)->v.ui = def->blkiotune.weight;
        /* the device lists are strings, which a client takes only when
         * it says so (VIR_TYPED_PARAM_STRING_OKAY) */
        for (i = 0; strings && i < G_N_ELEMENTS(vgmDriverBlkioDeviceParams); i++)
            vgmTypedParamAdd(params, vgmDriverBlkioDeviceParams[i].field,
                               VGM_TYPED_PARAM_STRING)->v.s =
                vgmDriverTuneDeviceList(&def->blkiotune, i);
        break;
    case VGM_DRIVER_TUNE_NUMA:
        /* libvirt's: strict when <numatune> does not say; the node set as
         * the definition has it (none under placement 'auto') */
        vgmTypedParamAdd(params, "numa_mode", VGM_TYPED_PARAM_INT)->v.i =
            def->numatune.memorySet ? (int)def->numatune.mode : VGM_DOMAIN_NUMATUNE_MEM_STRICT;
        if (strings)
            vgmTypedParamAdd(params, "numa_nodeset", VGM_TYPED_PARAM_STRING)->v.s =
                def->numatune.nodeset ? vgmBitmapFormat(def->numatune.nodeset) : g_strdup("");
        break;
    }
    return params;
}

/* The CFS values of group @rel/@sub: shares (cpu.weight on v2), and
 * period and quota (-1: none); FALSE when the group has no such files */
static gboolean
vgmDriverCgroupReadCpu(const VgmCgroupHost *host, const char *rel, const char *sub,
                       unsigned long long *shares, unsigned long long *period, long long *quota)
{
    gboolean v2 = host->version == VGM_CGROUP_V2;
    g_autofree char *w = vgmCgroupRead(host, VGM_CGROUP_CPU, rel, sub,
                                       v2 ? "cpu.weight" : "cpu.shares");
    g_autofree char *p = vgmCgroupRead(host, VGM_CGROUP_CPU, rel, sub,
                                       v2 ? "cpu.max" : "cpu.cfs_period_us");
    g_autofree char *q = v2 ? NULL : vgmCgroupRead(host, VGM_CGROUP_CPU, rel, sub,
                                                   "cpu.cfs_quota_us");
    g_auto(GStrv) max = NULL;
    guint64 sv, pv;
    gint64 qv;

    if (!w || !p || (!v2 && !q))
        return FALSE;
    if (v2) {
        /* "QUOTA PERIOD", the quota "max" for none */
        max = g_strsplit(g_strstrip(p), " ", 2);
        if (!max[0] || !max[1])
            return FALSE;
        g_free(p);
        p = g_strdup(max[1]);
        q = g_strdup(g_str_equal(max[0], "max") ? "-1" : max[0]);
    }
    if (!g_ascii_string_to_unsigned(g_strstrip(w), 10, 0, G_MAXUINT64, &sv, NULL) ||
        !g_ascii_string_to_unsigned(g_strstrip(p), 10, 0, G_MAXUINT64, &pv, NULL) ||
        !g_ascii_string_to_signed(g_strstrip(q), 10, G_MININT64, G_MAXINT64, &qv, NULL))
        return FALSE;
    *shares = sv;
    *period = pv;
    *quota = qv < 0 ? -1 : qv;
    return TRUE;
}

void
vgmDriverTuneSchedLive(const VgmDriverStore *store, const VgmDomainDef *def, GPtrArray *params)
{
    g_autoptr(VgmCgroupHost) host = vgmCgroupHostDetect(store->cgroupRoot);
    g_autofree char *rel = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *iothread = NULL;
    const char *subs[] = {
        [VGM_SCHED_GROUP_DOMAIN] = NULL,
        [VGM_SCHED_GROUP_VCPU] = "vcpu0",
        [VGM_SCHED_GROUP_EMULATOR] = "emulator",
        [VGM_SCHED_GROUP_IOTHREAD] = NULL,
    };
    unsigned long long shares, period;
    long long quota;
    guint i;
    size_t k;

    if (host->version == VGM_CGROUP_NONE)
        return;
    rel = vgmDriverCgroupName(store, def->name, def->resourcePartition);
    dir = vgmCgroupPath(host, VGM_CGROUP_CPU, rel, NULL, NULL);
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return;
    if (def->iothreads && def->iothreads->len)
        subs[VGM_SCHED_GROUP_IOTHREAD] = iothread =
            g_strdup_printf("iothread%u", ((const VgmDomainIOThread *)
                                           g_ptr_array_index(def->iothreads, 0))->id);
    for (i = 0; i < params->len; i++) {
        VgmTypedParam *p = g_ptr_array_index(params, i);
        VgmSchedGroup group;

        for (k = 0; k < G_N_ELEMENTS(vgmDriverSchedParams); k++) {
            if (g_str_equal(p->field, vgmDriverSchedParams[k].field))
                break;
        }
        if (k == G_N_ELEMENTS(vgmDriverSchedParams))
            continue;
        group = vgmDriverSchedParams[k].group;
        /* a thread group is made only for a control: without one the
         * threads are in the domain's (without an I/O thread, as
         * libvirtd 9.0 answers, the domain's values too) */
        if (!(subs[group] &&
              vgmDriverCgroupReadCpu(host, rel, subs[group], &shares, &period, &quota)) &&
            !vgmDriverCgroupReadCpu(host, rel, NULL, &shares, &period, &quota))
            return;
        if (g_str_equal(p->field, "cpu_shares"))
            p->v.ul = shares;
        else if (vgmDriverSchedParams[k].period)
            p->v.ul = period;
        else
            p->v.l = quota;
    }
}

static const char *const vgmDriverTypedParamTypes[] = {
    [VGM_TYPED_PARAM_INT] = "int",
    [VGM_TYPED_PARAM_UINT] = "uint",
    [VGM_TYPED_PARAM_LLONG] = "llong",
    [VGM_TYPED_PARAM_ULLONG] = "ullong",
    [VGM_TYPED_PARAM_DOUBLE] = "double",
    [VGM_TYPED_PARAM_BOOLEAN] = "boolean",
    [VGM_TYPED_PARAM_STRING] = "string",
};

static const char *
vgmDriverTypedParamTypeName(int type)
{
    return type >= VGM_TYPED_PARAM_INT && type <= VGM_TYPED_PARAM_STRING ?
        vgmDriverTypedParamTypes[type] : "?";
}

static gboolean
vgmDriverTuneCheckType(const VgmTypedParam *p, int type, GError **error)
{
    if (p->type == type)
        return TRUE;
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("invalid type '%1$s' for parameter '%2$s', expected '%3$s'"),
                vgmDriverTypedParamTypeName(p->type), p->field, vgmDriverTypedParamTypeName(type));
    return FALSE;
}

static gboolean
vgmDriverTuneRange(const char *field, long long v, long long lo, long long hi, GError **error)
{
    if (v >= lo && v <= hi)
        return TRUE;
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("value of '%1$s' (%2$lld) is out of range [%3$lld, %4$lld]"),
                field, v, lo, hi);
    return FALSE;
}

/* A scheduler parameter: libvirt's ranges (a period or quota of 0 is none
 * given; a negative quota is no limit); on a running domain 0 leaves the
 * control as it is, as in libvirt */
static gboolean
vgmDriverTuneApplySched(VgmDomainDef *def, const VgmTypedParam *p, size_t i, gboolean live,
                        GError **error)
{
    char *field = (char *)&def->cputune + vgmDriverSchedParams[i].offset;

    if (!vgmDriverTuneCheckType(p, vgmDriverSchedParams[i].isSigned ? VGM_TYPED_PARAM_LLONG
                                                                    : VGM_TYPED_PARAM_ULLONG,
                                error))
        return FALSE;
    if (vgmDriverSchedParams[i].isSigned) {
        if (p->v.l > 0 &&
            !vgmDriverTuneRange(p->field, p->v.l, VGM_CPUTUNE_QUOTA_MIN, VGM_CPUTUNE_QUOTA_MAX,
                                error))
            return FALSE;
        if (!live || p->v.l)
            *(long long *)field = p->v.l;
        return TRUE;
    }
    if (p->v.ul > G_MAXINT64 ||
        (vgmDriverSchedParams[i].period ?
         p->v.ul && !vgmDriverTuneRange(p->field, (long long)p->v.ul, VGM_CPUTUNE_PERIOD_MIN,
                                        VGM_CPUTUNE_PERIOD_MAX, error) :
         !vgmDriverTuneRange(p->field, (long long)p->v.ul, VGM_CPUTUNE_SHARES_MIN,
                             VGM_CPUTUNE_SHARES_MAX, error))) {
        if (p->v.ul > G_MAXINT64)
            vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("value of '%1$s' (%2$llu) is too large"),
                        p->field, (unsigned long long)p->v.ul);
        return FALSE;
    }
    if (!live || p->v.ul)
        *(unsigned long long *)field = p->v.ul;
    return TRUE;
}

/* One device list parameter ("PATH,VALUE,PATH,VALUE") merged into
 * <blkiotune> as libvirt merges it: a device's value replaces its old one,
 * 0 takes it away, and a device left with no value goes */
static gboolean
vgmDriverTuneApplyBlkioDevices(VgmDomainBlkiotune *t, const VgmTypedParam *p, size_t i,
                               GError **error)
{
    g_auto(GStrv) items = NULL;
    guint n, k;
    size_t d;

    if (!vgmDriverTuneCheckType(p, VGM_TYPED_PARAM_STRING, error))
        return FALSE;
    if (!p->v.s || !*p->v.s)
        return TRUE;
    items = g_strsplit(p->v.s, ",", -1);
    if ((n = g_strv_length(items)) % 2 != 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot parse '%1$s' of parameter '%2$s': it must be PATH,VALUE pairs"),
                    p->v.s, p->field);
        return FALSE;
    }
    for (k = 0; k < n; k += 2) {
        guint64 v;
        char *end = NULL;

        if (!*items[k]) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("cannot parse '%1$s' of parameter '%2$s': a device path is empty"),
                        p->v.s, p->field);
            return FALSE;
        }
        errno = 0;
        v = g_ascii_strtoull(items[k + 1], &end, 10);
        if (!g_ascii_isdigit(*items[k + 1]) || *end || errno ||
            (!vgmDriverBlkioDeviceParams[i].wide && v > G_MAXUINT)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("invalid value '%1$s' for parameter '%2$s' of device '%3$s'"),
                        items[k + 1], p->field, items[k]);
            return FALSE;
        }
        for (d = 0; d < t->ndevices && g_strcmp0(t->devices[d].path, items[k]) != 0; d++)
            ;
        if (d == t->ndevices) {
            if (!v)
                continue;
            t->devices = g_renew(VgmDomainBlkioDevice, t->devices, t->ndevices + 1);
            memset(&t->devices[d], 0, sizeof(t->devices[d]));
            t->devices[d].path = g_strdup(items[k]);
            t->ndevices++;
        }
        vgmDriverBlkioDeviceSet(&t->devices[d], i, v);
    }
    for (d = 0; d < t->ndevices;) {
        if (!vgmDriverBlkioDeviceIsEmpty(&t->devices[d])) {
            d++;
            continue;
        }
        g_free(t->devices[d].path);
        memmove(&t->devices[d], &t->devices[d + 1],
                (t->ndevices - d - 1) * sizeof(t->devices[d]));
        t->ndevices--;
    }
    return TRUE;
}

static gboolean
vgmDriverTuneApplyOne(VgmDomainDef *def, VgmDriverTuneKind kind, const VgmTypedParam *p,
                      gboolean live, GError **error)
{
    size_t i;

    switch (kind) {
    case VGM_DRIVER_TUNE_SCHED:
        for (i = 0; i < G_N_ELEMENTS(vgmDriverSchedParams); i++) {
            if (g_strcmp0(p->field, vgmDriverSchedParams[i].field) == 0)
                return vgmDriverTuneApplySched(def, p, i, live, error);
        }
        break;
    case VGM_DRIVER_TUNE_MEMORY:
        for (i = 0; i < G_N_ELEMENTS(vgmDriverMemoryParams); i++) {
            if (g_strcmp0(p->field, vgmDriverMemoryParams[i].field) != 0)
                continue;
            if (!vgmDriverTuneCheckType(p, VGM_TYPED_PARAM_ULLONG, error))
                return FALSE;
            /* libvirt's "unlimited" and anything above it: no limit */
            *(unsigned long long *)((char *)&def->memtune + vgmDriverMemoryParams[i].offset) =
                MIN(p->v.ul, VGM_MEMTUNE_UNLIMITED);
            return TRUE;
        }
        break;
    case VGM_DRIVER_TUNE_BLKIO:
        if (g_strcmp0(p->field, "weight") == 0) {
            if (!vgmDriverTuneCheckType(p, VGM_TYPED_PARAM_UINT, error))
                return FALSE;
            def->blkiotune.weight = p->v.ui;
            return TRUE;
        }
        for (i = 0; i < G_N_ELEMENTS(vgmDriverBlkioDeviceParams); i++) {
            if (g_strcmp0(p->field, vgmDriverBlkioDeviceParams[i].field) == 0)
                return vgmDriverTuneApplyBlkioDevices(&def->blkiotune, p, i, error);
        }
        break;
    case VGM_DRIVER_TUNE_NUMA:
        break;
    }
    vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, _("parameter '%1$s' not supported"),
                p->field ? p->field : "");
    return FALSE;
}

/* <numatune>'s <memory> of @def given mode @mode (-1: unchanged) and
 * node set @nodeset (NULL: unchanged), as libvirt sets them: strict when
 * none was given, a node set makes the placement static, no node set
 * takes the vCPUs' placement (static needs a node set; auto drops it) */
static gboolean
vgmDriverTuneSetNuma(VgmDomainDef *def, int mode, const VgmBitmap *nodeset, GError **error)
{
    VgmDomainNumatune *nt = &def->numatune;
    VgmDomainNumatunePlacement placement = nt->placement;

    if (mode < 0 && !nodeset)
        return TRUE;
    if (!nt->memorySet) {
        if (mode < 0)
            mode = VGM_DOMAIN_NUMATUNE_MEM_STRICT;
        placement = VGM_DOMAIN_NUMATUNE_PLACEMENT_DEFAULT;
    }
    if (mode >= 0) {
        nt->mode = mode;
        nt->modeSet = TRUE;
    }
    if (nodeset) {
        vgmBitmapFree(nt->nodeset);
        nt->nodeset = vgmBitmapCopy(nodeset);
        placement = VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC;
    }
    if (placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_DEFAULT)
        placement = nt->nodeset || def->cpuPlacement != VGM_DOMAIN_CPU_PLACEMENT_AUTO ?
            VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC : VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO;
    if (placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_STATIC && !nt->nodeset) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<numatune> needs a node set (numa_nodeset) where its placement is static"));
        return FALSE;
    }
    if (placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO)
        g_clear_pointer(&nt->nodeset, vgmBitmapFree);
    nt->placement = placement;
    nt->memorySet = TRUE;
    nt->present = TRUE;
    return TRUE;
}

/* numa_mode and numa_nodeset: a config takes them as libvirt sets them;
 * a running domain keeps its mode, and its node set changes (through the
 * cpuset controller, which the caller writes) only without a <numatune>
 * or in mode 'restrictive', as libvirt changes it */
static gboolean
vgmDriverTuneApplyNuma(VgmDomainDef *def, const GPtrArray *params, gboolean live,
                       GError **error)
{
    g_autoptr(VgmBitmap) nodeset = NULL;
    const VgmDomainNumatune *nt = &def->numatune;
    int mode = -1;
    guint i;

    for (i = 0; i < params->len; i++) {
        const VgmTypedParam *p = g_ptr_array_index(params, i);

        if (g_strcmp0(p->field, "numa_mode") == 0) {
            if (!vgmDriverTuneCheckType(p, VGM_TYPED_PARAM_INT, error))
                return FALSE;
            if (p->v.i < 0 || p->v.i >= VGM_DOMAIN_NUMATUNE_MEM_LAST) {
                vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unsupported numatune mode: '%1$d'"),
                            p->v.i);
                return FALSE;
            }
            mode = p->v.i;
        } else if (g_strcmp0(p->field, "numa_nodeset") == 0) {
            g_autoptr(GError) err = NULL;

            if (!vgmDriverTuneCheckType(p, VGM_TYPED_PARAM_STRING, error))
                return FALSE;
            if (p->v.s && *p->v.s && !(nodeset = vgmBitmapParse(p->v.s, "numa_nodeset", &err))) {
                vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", err->message);
                return FALSE;
            }
            if (!nodeset || vgmBitmapCount(nodeset) == 0) {
                vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                            _("invalid nodeset of 'numatune': '%1$s'"), p->v.s ? p->v.s : "");
                return FALSE;
            }
        } else {
            vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, _("parameter '%1$s' not supported"),
                        p->field ? p->field : "");
            return FALSE;
        }
    }
    if (!live)
        return vgmDriverTuneSetNuma(def, mode, nodeset, error);
    if (mode >= 0 && nt->memorySet && mode != (int)nt->mode) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot change the <numatune> mode of running domain '%1$s'"), def->name);
        return FALSE;
    }
    /* as libvirt: a strict mode given keeps the node set it has */
    if (mode == VGM_DOMAIN_NUMATUNE_MEM_STRICT && !vgmBitmapEqual(nodeset, nt->nodeset)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot change the <numatune> node set of running domain '%1$s' in mode 'strict'"),
                    def->name);
        return FALSE;
    }
    if (mode != VGM_DOMAIN_NUMATUNE_MEM_STRICT && nodeset && nt->memorySet &&
        nt->mode != VGM_DOMAIN_NUMATUNE_MEM_RESTRICTIVE) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot change the <numatune> node set of running domain '%1$s': a running domain's node set changes only in mode 'restrictive' or where it has no <numatune>"),
                    def->name);
        return FALSE;
    }
    return vgmDriverTuneSetNuma(def, mode, nodeset, error);
}

gboolean
vgmDriverTuneApply(VgmDomainDef *def, VgmDriverTuneKind kind, const GPtrArray *params,
                   gboolean live, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    gboolean limits = FALSE;
    guint i;

    for (i = 0; i < params->len; i++) {
        const VgmTypedParam *p = g_ptr_array_index(params, i);

        if (p->field && !g_hash_table_add(seen, p->field)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("parameter '%1$s' occurs more than once"), p->field);
            return FALSE;
        }
        if (kind == VGM_DRIVER_TUNE_NUMA)
            continue;
        if (!vgmDriverTuneApplyOne(def, kind, p, live, error))
            return FALSE;
        limits |= g_strcmp0(p->field, "hard_limit") == 0 ||
                  g_strcmp0(p->field, "swap_hard_limit") == 0;
    }
    if (kind == VGM_DRIVER_TUNE_NUMA)
        return vgmDriverTuneApplyNuma(def, params, live, error);
    /* libvirt's rule for a change of either: the memory limit no higher
     * than the memory and swap limit */
    if (limits && def->memtune.hardLimit > def->memtune.swapHardLimit) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("hard_limit (%1$llu KiB) must not be higher than swap_hard_limit (%2$llu KiB)"),
                    def->memtune.hardLimit, def->memtune.swapHardLimit);
        return FALSE;
    }
    if (live && kind == VGM_DRIVER_TUNE_BLKIO && g_hash_table_contains(seen, "weight") &&
        def->blkiotune.weight == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a running domain's block I/O weight cannot be 0"));
        return FALSE;
    }
    return TRUE;
}

/* ---- the controls of a running domain changed ---- */

/* The writes that take back what @old limited and @def no longer does:
 * a memory limit (max, or -1 on v1), a device's weight or I/O limit */
static gboolean
vgmDriverCgroupResets(GPtrArray *plan, const VgmCgroupHost *host, const VgmDomainDef *old,
                      const VgmDomainDef *def, GError **error)
{
    static const char *const memV1[] = {
        "memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes"
    };
    static const char *const memV2[] = { "memory.max", "memory.high", "memory.swap.max" };
    /* each device parameter's files: v2 (a key of io.max, or io.weight's
     * "default") and v1 */
    static const char *const devV2[] = { NULL, "riops", "wiops", "rbps", "wbps" };
    static const char *const devV1[] = {
        "blkio.weight_device", "blkio.throttle.read_iops_device",
        "blkio.throttle.write_iops_device", "blkio.throttle.read_bps_device",
        "blkio.throttle.write_bps_device"
    };
    gboolean v2 = host->version == VGM_CGROUP_V2;
    size_t i, d, n;

    G_STATIC_ASSERT(G_N_ELEMENTS(memV1) == G_N_ELEMENTS(vgmDriverMemoryParams));
    G_STATIC_ASSERT(G_N_ELEMENTS(devV1) == G_N_ELEMENTS(vgmDriverBlkioDeviceParams));
    for (i = 0; i < G_N_ELEMENTS(vgmDriverMemoryParams); i++) {
        size_t off = vgmDriverMemoryParams[i].offset;

        if (vgmDomainMemtuneIsSet(*(const unsigned long long *)((const char *)&old->memtune + off)) &&
            !vgmDomainMemtuneIsSet(*(const unsigned long long *)((const char *)&def->memtune + off)))
            vgmDriverCgroupAdd(plan, VGM_CGROUP_MEMORY, NULL, v2 ? memV2[i] : memV1[i], "%s",
                               v2 ? "max" : "-1");
    }
    for (d = 0; d < old->blkiotune.ndevices; d++) {
        const VgmDomainBlkioDevice *was = &old->blkiotune.devices[d];
        const VgmDomainBlkioDevice *now = NULL;
        g_autofree char *dev = NULL;

        for (n = 0; n < def->blkiotune.ndevices && !now; n++) {
            if (g_strcmp0(def->blkiotune.devices[n].path, was->path) == 0)
                now = &def->blkiotune.devices[n];
        }
        for (i = 0; i < G_N_ELEMENTS(vgmDriverBlkioDeviceParams); i++) {
            if (!vgmDriverBlkioDeviceGet(was, i) || (now && vgmDriverBlkioDeviceGet(now, i)))
                continue;
            if (!dev && !(dev = vgmDriverCgroupBlockDevice(was->path, error)))
                return FALSE;
            if (!v2)
                vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, devV1[i], "%s 0", dev);
            else if (devV2[i])
                vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, "io.max", "%s %s=max", dev,
                                   devV2[i]);
            else
                vgmDriverCgroupAdd(plan, VGM_CGROUP_IO, NULL, "io.weight", "%s default", dev);
        }
    }
    return TRUE;
}

gboolean
vgmDriverCgroupApplyLive(const VgmDriverStore *store, const VgmDomainDef *old,
                         const VgmDomainDef *def, VgmQemuMonitor *mon, pid_t pid, GError **error)
{
    g_autoptr(VgmDriverCgroup) cg = NULL;
    guint mask;

    if (!(cg = vgmDriverCgroupNew(store, def, NULL, error)))
        return FALSE;
    if (cg->host->version == VGM_CGROUP_NONE) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("resource controls need cgroups, and there are none under '%1$s'"),
                    cg->host->root);
        return FALSE;
    }
    if (!vgmDriverCgroupResets(cg->plan, cg->host, old, def, error))
        return FALSE;
    mask = vgmDriverCgroupMask(cg->plan);
    /* QEMU's memory stays charged to the group it was allocated in: a
     * limit means something only for a QEMU that started in its group
     * (every domain does where the host's groups are ours to make; one
     * that started where they were not does not) */
    if ((mask & (1u << VGM_CGROUP_MEMORY)) &&
        !vgmCgroupHasProcess(cg->host, VGM_CGROUP_MEMORY, cg->rel, pid)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' started outside a memory cgroup of its own, so its QEMU's memory is accounted elsewhere: set the limits in its config (--config) and start it again"),
                    def->name);
        return FALSE;
    }
    if (cg->host->version == VGM_CGROUP_V1 && (mask & (1u << VGM_CGROUP_MEMORY))) {
        /* v1 keeps memory + swap no lower than memory: lifted first, the
         * limits then go in as at a start */
        g_autofree char *memsw = vgmCgroupPath(cg->host, VGM_CGROUP_MEMORY, cg->rel, NULL,
                                               "memory.memsw.limit_in_bytes");
        g_autoptr(GPtrArray) first =
            g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverCgroupWriteFree);

        if (g_file_test(memsw, G_FILE_TEST_EXISTS)) {
            vgmDriverCgroupAdd(first, VGM_CGROUP_MEMORY, NULL, "memory.memsw.limit_in_bytes",
                               "-1");
            g_ptr_array_insert(cg->plan, 0, g_ptr_array_steal_index(first, 0));
        }
    }
    /* the group made if QEMU runs outside it, the controls written, QEMU
     * and its threads placed, as a start does */
    return vgmDriverCgroupCreate(cg, FALSE, error) &&
           vgmDriverCgroupApplyThreads(cg, mon, pid, error);
}
