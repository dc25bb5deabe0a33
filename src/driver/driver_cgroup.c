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
    gboolean placed;          /* a <resource><partition>: the group is made
                               * in every controller the host has */
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
        struct stat sb;

        if (!d->weight && !d->readIops && !d->writeIops && !d->readBytes && !d->writeBytes)
            continue;
        if (g_stat(d->path, &sb) < 0) {
            vgmErrorSetSystem(error, errno, _("cannot find block device '%1$s' of <blkiotune>"),
                              d->path);
            return FALSE;
        }
        if (!S_ISBLK(sb.st_mode)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("'%1$s' in <blkiotune> is not a block device"), d->path);
            return FALSE;
        }
        dev = g_strdup_printf("%u:%u", major(sb.st_rdev), minor(sb.st_rdev));
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

GPtrArray *
vgmDriverCgroupPlan(const VgmDomainDef *def, const VgmCgroupHost *host, GError **error)
{
    g_autoptr(GPtrArray) plan =
        g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverCgroupWriteFree);
    const VgmDomainCputune *c = &def->cputune;
    unsigned int i;

    if (!vgmDomainDefHasCgroupTunables(def))
        return g_steal_pointer(&plan);
    if (host->version == VGM_CGROUP_NONE) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the domain's <cputune>, <memtune> or <blkiotune> controls need cgroups, and there are none under '%1$s'"),
                    host->root);
        return NULL;
    }
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

VgmDriverCgroup *
vgmDriverCgroupNew(const VgmDriverStore *store, const VgmDomainDef *def, GError **error)
{
    g_autoptr(VgmDriverCgroup) cg = g_new0(VgmDriverCgroup, 1);
    guint i;

    cg->host = vgmCgroupHostDetect(store->cgroupRoot);
    cg->rel = vgmDriverCgroupName(store, def->name, def->resourcePartition);
    if (!(cg->plan = vgmDriverCgroupPlan(def, cg->host, error)))
        return NULL;
    /* a partition asks for the group itself, controls or not */
    if ((cg->placed = def->resourcePartition != NULL) && cg->host->version == VGM_CGROUP_NONE) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("<resource><partition> '%1$s' places the domain in a cgroup, and there are none under '%2$s'"),
                    def->resourcePartition, cg->host->root);
        return NULL;
    }
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
    guint i, mask;

    if (cg->plan->len == 0 && !cg->placed)
        return TRUE;
    mask = vgmDriverCgroupMask(cg->plan);
    for (i = 0; cg->placed && i < VGM_CGROUP_LAST; i++) {
        if (cg->host->dirs[i])
            mask |= 1u << i;
    }
    if (!vgmCgroupCreate(cg->host, cg->rel, mask, error))
        goto error;
    for (i = 0; i < cg->plan->len; i++) {
        const VgmDriverCgroupWrite *w = g_ptr_array_index(cg->plan, i);
        g_autofree char *prefer = w->preferFile ?
            vgmCgroupPath(cg->host, w->controller, cg->rel, NULL, w->preferFile) : NULL;

        if (w->sub)
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

/* ---- the controls as libvirt's typed parameters ---- */

static VgmTypedParam *
vgmDriverTuneParam(GPtrArray *params, const char *field, int type)
{
    VgmTypedParam *p = g_new0(VgmTypedParam, 1);

    p->field = g_strdup(field);
    p->type = type;
    g_ptr_array_add(params, p);
    return p;
}

/* "PATH,VALUE,PATH,VALUE" of the devices with a value at @offset (an
 * unsigned int, or an unsigned long long when @wide), as libvirt joins
 * them */
static char *
vgmDriverTuneDeviceList(const VgmDomainBlkiotune *t, size_t offset, gboolean wide)
{
    g_autoptr(GString) out = g_string_new("");
    size_t i;

    for (i = 0; i < t->ndevices; i++) {
        const char *field = (const char *)&t->devices[i] + offset;
        unsigned long long v = wide ? *(const unsigned long long *)field
                                    : *(const unsigned int *)field;

        if (!v)
            continue;
        g_string_append_printf(out, "%s%s,%llu", out->len ? "," : "", t->devices[i].path, v);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

GPtrArray *
vgmDriverTuneParams(const VgmDomainDef *def, VgmDriverTuneKind kind, gboolean strings)
{
    GPtrArray *params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    const VgmDomainCputune *c = &def->cputune;

    switch (kind) {
    case VGM_DRIVER_TUNE_SCHED: {
        /* libvirt's names and order (virDomainGetSchedulerParameters) */
        const struct {
            const char *field;
            gboolean isSigned;
            long long value;
        } sched[] = {
            { "cpu_shares", FALSE, (long long)c->shares },
            { "vcpu_period", FALSE, (long long)c->period },
            { "vcpu_quota", TRUE, c->quota },
            { "emulator_period", FALSE, (long long)c->emulatorPeriod },
            { "emulator_quota", TRUE, c->emulatorQuota },
            { "global_period", FALSE, (long long)c->globalPeriod },
            { "global_quota", TRUE, c->globalQuota },
            { "iothread_period", FALSE, (long long)c->iothreadPeriod },
            { "iothread_quota", TRUE, c->iothreadQuota },
        };
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(sched); i++) {
            VgmTypedParam *p = vgmDriverTuneParam(params, sched[i].field,
                                                  sched[i].isSigned ? VGM_TYPED_PARAM_LLONG
                                                                    : VGM_TYPED_PARAM_ULLONG);
            if (sched[i].isSigned)
                p->v.l = sched[i].value;
            else
                p->v.ul = (guint64)sched[i].value;
        }
        break;
    }
    case VGM_DRIVER_TUNE_MEMORY:
        vgmDriverTuneParam(params, "hard_limit", VGM_TYPED_PARAM_ULLONG)->v.ul = def->memtune.hardLimit;
        vgmDriverTuneParam(params, "soft_limit", VGM_TYPED_PARAM_ULLONG)->v.ul = def->memtune.softLimit;
        vgmDriverTuneParam(params, "swap_hard_limit", VGM_TYPED_PARAM_ULLONG)->v.ul =
            def->memtune.swapHardLimit;
        break;
    case VGM_DRIVER_TUNE_BLKIO: {
        const struct {
            const char *field;
            size_t offset;
            gboolean wide;
        } devs[] = {
            { "device_weight", G_STRUCT_OFFSET(VgmDomainBlkioDevice, weight), FALSE },
            { "device_read_iops_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, readIops), FALSE },
            { "device_write_iops_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, writeIops), FALSE },
            { "device_read_bytes_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, readBytes), TRUE },
            { "device_write_bytes_sec", G_STRUCT_OFFSET(VgmDomainBlkioDevice, writeBytes), TRUE },
        };
        size_t i;

        vgmDriverTuneParam(params, "weight", VGM_TYPED_PARAM_UINT)->v.ui = def->blkiotune.weight;
        /* the device lists are strings, which a client takes only when
         * it says so (VIR_TYPED_PARAM_STRING_OKAY) */
        for (i = 0; strings && i < G_N_ELEMENTS(devs); i++)
            vgmDriverTuneParam(params, devs[i].field, VGM_TYPED_PARAM_STRING)->v.s =
                vgmDriverTuneDeviceList(&def->blkiotune, devs[i].offset, devs[i].wide);
        break;
    }
    }
    return params;
}
