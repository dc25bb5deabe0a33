/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_process.c: starting, checking and stopping a domain's QEMU.
 *
 * QEMU is spawned with -S (the renderer adds it), so nothing of the guest
 * runs until the backends QEMU really created have been compared with the
 * plan; only then does 'cont' let the vCPUs go. QEMU runs in its own
 * session and outlives the short-lived tool; later commands find it
 * through the status file. That file is written before the spawn (state
 * 'starting', no pid yet) and names QEMU's -pidfile, so that a tool killed
 * at any point leaves a trace from which the next command can find QEMU
 * and clean up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "driver_process.h"
#include "driver_cpu.h"
#include "driver_caps.h"
#include "driver_cgroup.h"
#include "driver_domain.h"
#include "driver_disk.h"
#include "driver_net.h"
#include "driver_fs.h"
#include "driver_secret.h"
#include "driver_tpm.h"
#include "host/vgmhost.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_conf.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

/* How much of the QEMU log a start error quotes. */
#define VGM_DRIVER_LOG_TAIL 2000

char *
vgmDriverProcessEmulator(const VgmDomainDef *def)
{
    if (def->devices.emulator)
        return g_strdup(def->devices.emulator);
    return vgmDriverDefaultEmulator(def->os.arch);
}

/* ---- the command line ---- */

/* Splits a QEMU key=value option string at single commas (",," is a
 * literal comma). */
static GPtrArray *
vgmDriverSplitOpts(const char *opts)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    const char *p;

    for (p = opts; *p; p++) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(cur, ',');
                p++;
                continue;
            }
            g_ptr_array_add(parts, g_string_free(cur, FALSE));
            cur = g_string_new(NULL);
            continue;
        }
        g_string_append_c(cur, *p);
    }
    g_ptr_array_add(parts, g_string_free(cur, FALSE));
    return parts;
}

char *
vgmDriverProcessMonitorPath(char **argv)
{
    size_t i, j;

    for (i = 0; argv && argv[i] && argv[i + 1]; i++) {
        g_autoptr(GPtrArray) parts = NULL;
        const char *path = NULL;
        gboolean isMonitor = FALSE;

        if (!g_str_equal(argv[i], "-chardev"))
            continue;
        parts = vgmDriverSplitOpts(argv[i + 1]);
        if (!g_str_equal(g_ptr_array_index(parts, 0), "socket"))
            continue;
        for (j = 1; j < parts->len; j++) {
            const char *kv = g_ptr_array_index(parts, j);

            if (g_str_equal(kv, "id=charmonitor"))
                isMonitor = TRUE;
            else if (g_str_has_prefix(kv, "path="))
                path = kv + strlen("path=");
        }
        if (isMonitor && path)
            return g_strdup(path);
    }
    return NULL;
}

/* ---- host checks ---- */

/* How a message names the QEMU side of @gmem. */
static const char *
vgmDriverGmemSpellingDescribe(VgmQemuGmemSpelling gmem)
{
    switch (gmem) {
    case VGM_QEMU_GMEM_MEMFD_PROP:
        return "memory-backend-memfd property 'guest-memfd'";
    case VGM_QEMU_GMEM_BACKEND:
        return "object 'memory-backend-guest-memfd'";
    case VGM_QEMU_GMEM_MEMFD_XPROP:
        return "memory-backend-memfd property 'x-guest-memfd'";
    case VGM_QEMU_GMEM_MACHINE:
        return "machine property 'in-place-conversion'";
    case VGM_QEMU_GMEM_NONE:
    case VGM_QEMU_GMEM_LAST:
        break;
    }
    return "?";
}

/* Each host NUMA node in @nodes exists (/sys/devices/system/node/nodeN);
 * @what names the element in the error. */
static gboolean
vgmDriverProcessCheckHostNodes(const VgmBitmap *nodes, const char *what, GError **error)
{
    int n;

    for (n = vgmBitmapNext(nodes, -1); n >= 0; n = vgmBitmapNext(nodes, n)) {
        g_autofree char *path = g_strdup_printf("/sys/devices/system/node/node%d", n);

        if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("host NUMA node %1$d, which %2$s names, does not exist on this host"),
                        n, what);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmDriverProcessCheckNumaNodes(const VgmDomainDef *def, GError **error)
{
    const VgmDomainNumatune *nt = &def->numatune;
    size_t i;
    guint k;

    if (nt->nodeset && !vgmDriverProcessCheckHostNodes(nt->nodeset, _("<numatune><memory nodeset>"), error))
        return FALSE;
    for (i = 0; i < nt->nmemnodes; i++) {
        g_autofree char *what = g_strdup_printf(_("<memnode cellid='%1$u'> in <numatune>"),
                                                nt->memnodes[i].cellid);

        if (nt->memnodes[i].nodeset &&
            !vgmDriverProcessCheckHostNodes(nt->memnodes[i].nodeset, what, error))
            return FALSE;
    }
    for (k = 0; k < def->devices.mems->len; k++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, k);

        if (mem->sourceNodes &&
            !vgmDriverProcessCheckHostNodes(mem->sourceNodes, _("the <nodemask> of a <memory> device"),
                                            error))
            return FALSE;
    }
    return TRUE;
}

/* The guest's TSC rate (<timer name='tsc' frequency>), as libvirt checks
 * it before QEMU fails on it: within 250 ppm of the host's, or KVM can
 * scale the TSC */
static gboolean
vgmDriverProcessCheckTsc(const VgmDomainDef *def, GError **error)
{
    guint64 khz = 0;
    gboolean scaling = FALSE;
    unsigned long long want = 0, host, tolerance;
    size_t i;

    for (i = 0; i < def->clock.ntimers; i++) {
        if (g_str_equal(def->clock.timers[i].name, "tsc"))
            want = def->clock.timers[i].frequency;
    }
    if (!want || vgmHostKvmTsc(NULL, &khz, &scaling, error) < 0)
        return want == 0;
    if (!khz)
        return TRUE;
    host = khz * 1000;
    tolerance = host * 250 / 1000000;
    if (scaling || (want >= host - tolerance && want <= host + tolerance))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                _("the TSC frequency %1$llu Hz of domain '%2$s' is not the host's %3$llu Hz (within %4$llu Hz), and this host's KVM cannot scale the TSC (no KVM_CAP_TSC_CONTROL)"),
                want, def->name, host, tolerance);
    return FALSE;
}

static gboolean
vgmDriverProcessCheckHost(const VgmDomainDef *def, const VgmQemuPlan *plan,
                          GError **error)
{
    g_auto(VgmHostKvmInfo) info = { 0 };
    g_autoptr(GError) err = NULL;
    VgmDriverGmemNeed need;

    if (!vgmDriverNetCheckTaps(def, error) || !vgmDriverTpmCheckHost(def, error) ||
        !vgmDriverProcessCheckNumaNodes(def, error))
        return FALSE;
    if (plan->accelKVM && access("/dev/kvm", R_OK | W_OK) < 0) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("domain '%1$s' needs KVM (<domain type='kvm'>), but /dev/kvm is not usable on this host: %2$s"),
                    def->name, g_strerror(errno));
        return FALSE;
    }
    /* (under TCG the guest's TSC is QEMU's own count) */
    if (plan->accelKVM && !vgmDriverProcessCheckTsc(def, error))
        return FALSE;
    /* what the spelling the plan chose asks of KVM, on the VM type QEMU
     * creates for this domain */
    if (!vgmDriverGmemNeedFor(def, plan->gmem, plan->convertInPlace, &need))
        return TRUE;
    if (need.inPlace && !vgmDriverKvmInPlaceCheck(NULL, &err)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("domain '%1$s' converts guest_memfd in place, but %2$s"),
                    def->name, err->message);
        return FALSE;
    }
    if (!vgmHostKvmProbe(NULL, need.vmType, &info, error))
        return FALSE;
    if (!vgmHostGuestMemfdCheck(&info, need.flags, &err)) {
        g_autofree char *flags = vgmHostGuestMemfdFlagsFormat(need.flags);
        g_autofree char *vmType = vgmDriverKvmVmTypeFormat(need.vmType);

        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("domain '%1$s' needs guest_memfd with the flags %2$s on a KVM VM of type '%3$s' (what QEMU's %4$s asks for), but %5$s"),
                    def->name, flags, vmType,
                    vgmDriverGmemSpellingDescribe(plan->gmem), err->message);
        return FALSE;
    }
    return TRUE;
}

/* ---- checking QEMU against the plan ---- */

static JsonObject *
vgmDriverFindMemdev(JsonArray *arr, const char *id)
{
    guint i;

    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);
        JsonObject *o;

        if (!JSON_NODE_HOLDS_OBJECT(n))
            continue;
        o = json_node_get_object(n);
        if (g_strcmp0(json_object_get_string_member_with_default(o, "id", NULL), id) == 0)
            return o;
    }
    return NULL;
}

static char *
vgmDriverMemdevIds(JsonArray *arr)
{
    g_autoptr(GString) s = g_string_new(NULL);
    guint i;

    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);
        const char *id = NULL;

        if (JSON_NODE_HOLDS_OBJECT(n))
            id = json_object_get_string_member_with_default(json_node_get_object(n), "id", NULL);
        if (s->len)
            g_string_append(s, ", ");
        g_string_append(s, id ? id : "?");
    }
    if (!s->len)
        g_string_append(s, _("none"));
    return g_string_free(g_steal_pointer(&s), FALSE);
}

gboolean
vgmDriverProcessCheckMemdevs(const VgmQemuPlan *plan, JsonNode *memdevs,
                             GError **error)
{
    JsonArray *arr;
    guint i;

    if (!memdevs || !JSON_NODE_HOLDS_ARRAY(memdevs)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("QEMU's reply to query-memdev is not a list"));
        return FALSE;
    }
    arr = json_node_get_array(memdevs);
    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *be = g_ptr_array_index(plan->backends, i);
        JsonObject *md = vgmDriverFindMemdev(arr, be->id);
        gint64 size;
        gboolean share;

        if (!md) {
            g_autofree char *ids = vgmDriverMemdevIds(arr);

            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU did not create the planned memory backend '%1$s' (query-memdev lists: %2$s)"),
                        be->id, ids);
            return FALSE;
        }
        size = json_object_get_int_member_with_default(md, "size", -1);
        if (size < 0 || (guint64)size != be->size) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("memory backend '%1$s' has %2$lld bytes in QEMU, but the plan says %3$llu"),
                        be->id, (long long)size, be->size);
            return FALSE;
        }
        if (!json_object_has_member(md, "share")) {
            /* QEMU before 6.1 does not report share; nothing to compare */
            continue;
        }
        share = json_object_get_boolean_member(md, "share");
        if (share != be->share) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("memory backend '%1$s' has share=%2$s in QEMU, but the plan says share=%3$s"),
                        be->id, share ? "true" : "false", be->share ? "true" : "false");
            return FALSE;
        }
    }
    return TRUE;
}

/*
 * qom-get @path @prop. Returns 1 with *@ret set, 0 when QEMU answered with
 * an error (the object or property is not exposed: nothing to check), -1
 * when the monitor failed.
 */
static int
vgmDriverQomGet(VgmQemuMonitor *mon, const char *path, const char *prop,
                JsonNode **ret, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(GError) err = NULL;

    json_object_set_string_member(args, "path", path);
    json_object_set_string_member(args, "property", prop);
    if (vgmQemuMonitorCommand(mon, "qom-get", args, ret, &err))
        return 1;
    if (vgmQemuMonitorGetLastErrorClass(mon))
        return 0;
    g_propagate_error(error, g_steal_pointer(&err));
    return -1;
}

/* Checks that boolean property @prop of @path is true, if QEMU shows it. */
static gboolean
vgmDriverCheckQomTrue(VgmQemuMonitor *mon, const char *path, const char *prop,
                      GError **error)
{
    g_autoptr(JsonNode) val = NULL;
    int rc = vgmDriverQomGet(mon, path, prop, &val, error);

    if (rc < 0)
        return FALSE;
    if (rc == 0)
        return TRUE;
    if (!JSON_NODE_HOLDS_VALUE(val) ||
        json_node_get_value_type(val) != G_TYPE_BOOLEAN ||
        !json_node_get_boolean(val)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("QEMU reports property '%1$s' of '%2$s' not set, but the plan sets it"),
                    prop, path);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverProcessVerify(VgmQemuMonitor *mon, const VgmQemuPlan *plan,
                       GError **error)
{
    g_autoptr(JsonNode) memdevs = NULL;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "query-memdev", NULL, &memdevs, error) ||
        !vgmDriverProcessCheckMemdevs(plan, memdevs, error))
        return FALSE;

    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *be = g_ptr_array_index(plan->backends, i);
        g_autofree char *path = g_strdup_printf("/objects/%s", be->id);
        g_autoptr(JsonNode) type = NULL;
        int rc;

        if ((rc = vgmDriverQomGet(mon, path, "type", &type, error)) < 0)
            return FALSE;
        if (rc > 0 &&
            (!JSON_NODE_HOLDS_VALUE(type) ||
             json_node_get_value_type(type) != G_TYPE_STRING ||
             g_strcmp0(json_node_get_string(type), be->qomType) != 0)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("memory backend '%1$s' is of type '%2$s' in QEMU, but the plan says '%3$s'"),
                        be->id,
                        JSON_NODE_HOLDS_VALUE(type) &&
                        json_node_get_value_type(type) == G_TYPE_STRING ?
                        json_node_get_string(type) : "?",
                        be->qomType);
            return FALSE;
        }
        if (!be->guestMemfd)
            continue;
        if (plan->gmem == VGM_QEMU_GMEM_MEMFD_PROP &&
            !vgmDriverCheckQomTrue(mon, path, "guest-memfd", error))
            return FALSE;
        if (plan->gmem == VGM_QEMU_GMEM_MEMFD_XPROP &&
            !vgmDriverCheckQomTrue(mon, path, "x-guest-memfd", error))
            return FALSE;
    }
    if (plan->gmem == VGM_QEMU_GMEM_MACHINE &&
        !vgmDriverCheckQomTrue(mon, "/machine", "in-place-conversion", error))
        return FALSE;
    if (plan->convertInPlace && plan->lsec) {
        const char *lsecId = json_object_get_string_member_with_default(plan->lsec, "id", "lsec0");
        g_autofree char *path = g_strdup_printf("/objects/%s", lsecId);

        if (!vgmDriverCheckQomTrue(mon, path, "convert-in-place", error))
            return FALSE;
    }
    return TRUE;
}

/* ---- processes ---- */

gboolean
vgmDriverProcessTimes(pid_t pid, pid_t tid, guint64 *user, guint64 *sys)
{
    g_autofree char *path = tid > 0 ? g_strdup_printf("/proc/%lld/task/%lld/stat",
                                                      (long long)pid, (long long)tid)
                                    : g_strdup_printf("/proc/%lld/stat", (long long)pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;
    long hz = sysconf(_SC_CLK_TCK);
    guint64 tick;

    if (!vgmFileReadAll(path, 4096, &text, NULL, NULL) ||
        !(p = strrchr(text, ')')) || hz <= 0)
        return FALSE;
    fields = g_strsplit(p + 2, " ", 0);
    if (g_strv_length(fields) < 13)
        return FALSE;
    /* utime and stime: fields 14 and 15, counted from the pid */
    tick = G_GUINT64_CONSTANT(1000000000) / (guint64)hz;
    *user = g_ascii_strtoull(fields[11], NULL, 10) * tick;
    *sys = g_ascii_strtoull(fields[12], NULL, 10) * tick;
    return TRUE;
}

guint64
vgmDriverProcessCpuTime(pid_t pid)
{
    guint64 user = 0, sys = 0;

    return vgmDriverProcessTimes(pid, 0, &user, &sys) ? user + sys : 0;
}

static gboolean
vgmDriverWaitGone(const VgmDriverProcIdent *qemu, unsigned int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;

    while (vgmDriverProcIdentIsAlive(qemu)) {
        if (g_get_monotonic_time() >= deadline)
            return FALSE;
        g_usleep(20 * 1000);
    }
    return TRUE;
}

gboolean
vgmDriverProcessKill(const VgmDriverProcIdent *qemu, unsigned int graceMs,
                     GError **error)
{
    if (!vgmDriverProcIdentIsAlive(qemu))
        return TRUE;
    if (kill(qemu->pid, SIGTERM) < 0 && errno != ESRCH) {
        vgmErrorSetSystem(error, errno, _("cannot send SIGTERM to QEMU process %1$lld"),
                          (long long)qemu->pid);
        return FALSE;
    }
    if (vgmDriverWaitGone(qemu, graceMs))
        return TRUE;
    if (vgmDriverProcIdentIsAlive(qemu) && kill(qemu->pid, SIGKILL) < 0 && errno != ESRCH) {
        vgmErrorSetSystem(error, errno, _("cannot send SIGKILL to QEMU process %1$lld"),
                          (long long)qemu->pid);
        return FALSE;
    }
    if (vgmDriverWaitGone(qemu, VGM_DRIVER_KILL_FORCE_MS))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("QEMU process %1$lld is still there %2$u ms after SIGKILL"),
                (long long)qemu->pid, (unsigned int)VGM_DRIVER_KILL_FORCE_MS);
    return FALSE;
}

/* The arguments process @pid runs with (/proc/PID/cmdline), or NULL. */
static char **
vgmDriverProcArgv(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%lld/cmdline", (long long)pid);
    g_autofree char *text = NULL;
    GPtrArray *args;
    gsize len = 0;
    gsize i = 0;

    /* a command line is at most ARG_MAX (2 MiB on Linux) */
    if (!vgmFileReadAll(path, 4 * 1024 * 1024, &text, &len, NULL) || len == 0)
        return NULL;
    args = g_ptr_array_new();
    while (i < len) {
        g_ptr_array_add(args, g_strdup(text + i));
        i += strlen(text + i) + 1;
    }
    g_ptr_array_add(args, NULL);
    return (char **)g_ptr_array_free(args, FALSE);
}

/* Whether process @pid runs with "-pidfile @pidfile" and, if @monitor is
 * not NULL, QMP on @monitor. */
static gboolean
vgmDriverProcIsQemuOf(pid_t pid, const char *pidfile, const char *monitor)
{
    g_auto(GStrv) argv = vgmDriverProcArgv(pid);
    g_autofree char *mon = NULL;
    gboolean found = FALSE;
    size_t i;

    for (i = 0; argv && argv[i] && argv[i + 1] && !found; i++)
        found = g_str_equal(argv[i], "-pidfile") && g_str_equal(argv[i + 1], pidfile);
    if (!found)
        return FALSE;
    if (!monitor)
        return TRUE;
    mon = vgmDriverProcessMonitorPath(argv);
    return g_strcmp0(mon, monitor) == 0;
}

gboolean
vgmDriverProcessFind(const char *pidfile, const char *monitor,
                     VgmDriverProcIdent *ident)
{
    g_autofree char *text = NULL;
    g_autoptr(GDir) d = NULL;
    const char *ent;
    gint64 pid;

    if (vgmFileReadAll(pidfile, 64, &text, NULL, NULL) &&
        (pid = g_ascii_strtoll(text, NULL, 10)) > 0 && pid <= G_MAXINT &&
        vgmDriverProcIsQemuOf((pid_t)pid, pidfile, monitor) &&
        vgmDriverProcIdentGet((pid_t)pid, ident, NULL))
        return TRUE;
    /* QEMU writes its pidfile a moment after it starts, and removes it
     * when it exits in order: look at every command line */
    if (!(d = g_dir_open("/proc", 0, NULL)))
        return FALSE;
    while ((ent = g_dir_read_name(d))) {
        if (!g_ascii_isdigit(ent[0]) ||
            (pid = g_ascii_strtoll(ent, NULL, 10)) <= 0 || pid > G_MAXINT ||
            pid == getpid())
            continue;
        if (vgmDriverProcIsQemuOf((pid_t)pid, pidfile, monitor) &&
            vgmDriverProcIdentGet((pid_t)pid, ident, NULL))
            return TRUE;
    }
    return FALSE;
}

VgmQemuMonitor *
vgmDriverProcessConnect(const VgmDriverStatus *status, unsigned int timeoutMs,
                        GError **error)
{
    VgmQemuMonitor *mon;

    if (!(mon = vgmQemuMonitorOpen(status->monitor, timeoutMs, error)))
        return NULL;
    vgmQemuMonitorSetTimeout(mon, timeoutMs);
    return mon;
}

char *
vgmDriverProcessQueryStatus(VgmQemuMonitor *mon, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    const char *st;

    if (!vgmQemuMonitorCommand(mon, "query-status", NULL, &ret, error))
        return NULL;
    if (!JSON_NODE_HOLDS_OBJECT(ret) ||
        !(st = json_object_get_string_member_with_default(json_node_get_object(ret),
                                                          "status", NULL))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("QEMU's reply to query-status has no 'status'"));
        return NULL;
    }
    return g_strdup(st);
}

/* ---- start ---- */

/* What the child does before it execs QEMU */
typedef struct {
    const char *const *procs;   /* cgroup.procs files to join */
    guint64 memlock;            /* RLIMIT_MEMLOCK to set; 0: leave it */
} VgmDriverChildData;

static void
vgmDriverChildSetup(gpointer data)
{
    const VgmDriverChildData *child = data;
    const char *const *procs = child->procs;
    size_t i;

    /* QEMU outlives the tool and must not get its terminal's signals */
    setsid();
    /* the parent checked that the limit can be set */
    if (child->memlock) {
        struct rlimit rl = { child->memlock, child->memlock };

        if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0) {
            /* QEMU then fails to lock its memory, and says so */
        }
    }
    /* into the domain's cgroup before exec, so that everything QEMU
     * allocates is charged to it; only async-signal-safe calls here, and
     * the parent moves QEMU again where a failure can be reported */
    for (i = 0; procs && procs[i]; i++) {
        int fd = open(procs[i], O_WRONLY | O_CLOEXEC);

        if (fd >= 0) {
            if (write(fd, "0", 1) < 0) {
                /* reported by the parent's move */
            }
            close(fd);
        }
    }
}

/* Writes libvirt's kind of start banner and the command line to the log. */
static void
vgmDriverLogStart(int fd, const VgmQemuCmd *cmd, const VgmQemuCaps *caps)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");
    g_autofree char *shell = vgmQemuCmdFormatShell(cmd);
    g_autofree char *line = NULL;
    g_autoptr(GString) warnings = g_string_new(NULL);
    unsigned int v = vgmQemuCapsGetVersion(caps);
    struct utsname uts;
    guint i;

    if (uname(&uts) < 0)
        memset(&uts, 0, sizeof(uts));
    /* %f gives microseconds; libvirt prints milliseconds */
    if (strlen(stamp) > 3)
        stamp[strlen(stamp) - 3] = '\0';
    for (i = 0; cmd->warnings && i < cmd->warnings->len; i++)
        g_string_append_printf(warnings, "warning: %s\n",
                               (const char *)g_ptr_array_index(cmd->warnings, i));
    line = g_strdup_printf("%s+0000: starting up virt-gmem version: %s, qemu version: %u.%u.%u, kernel: %s, hostname: %s\n%s\n%s%s",
                           stamp, VERSION, v / 1000000, (v / 1000) % 1000, v % 1000,
                           uts.release, uts.nodename, shell,
                           /* libvirt's word for a command line the user
                            * added to (<qemu:commandline>) */
                           cmd->customArgv ? "Domain is tainted: custom-argv\n" : "",
                           warnings->str);
    if (write(fd, line, strlen(line)) < 0) {
        /* the log is for people; a full disk shows up in QEMU's start */
    }
}

/* Whether this process holds capability @bit (CapEff of /proc/self/status) */
static gboolean
vgmDriverHasCap(unsigned int bit)
{
    g_autofree char *text = NULL;
    const char *p;

    if (!vgmFileReadAll("/proc/self/status", 64 * 1024, &text, NULL, NULL) ||
        !(p = strstr(text, "\nCapEff:")))
        return FALSE;
    return (g_ascii_strtoull(p + strlen("\nCapEff:"), NULL, 16) >> bit) & 1;
}

#define VGM_CAP_IPC_LOCK 14
#define VGM_CAP_SYS_RESOURCE 24

/* libvirt's rule: locked guest memory may take up to the memory hard
 * limit, or without one anything */
static guint64
vgmDriverProcessMemlockWanted(const VgmDomainDef *def)
{
    if (!def->mb.locked)
        return 0;
    if (vgmDomainMemtuneIsSet(def->memtune.hardLimit))
        return (guint64)def->memtune.hardLimit * 1024;
    return (guint64)RLIM_INFINITY;
}

guint64
vgmDriverProcessMemlockLimit(const VgmDomainDef *def)
{
    guint64 want = vgmDriverProcessMemlockWanted(def);
    struct rlimit rl;

    /* set where it can be: raising the hard limit takes CAP_SYS_RESOURCE,
     * which some containers' root lacks (its CAP_IPC_LOCK then makes the
     * limit not bind QEMU) */
    if (!want || vgmDriverHasCap(VGM_CAP_SYS_RESOURCE))
        return want;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
        (rl.rlim_max == RLIM_INFINITY || (want != (guint64)RLIM_INFINITY && want <= rl.rlim_max)))
        return want;
    return 0;
}

gboolean
vgmDriverProcessCheckMemlock(const VgmDomainDef *def, GError **error)
{
    guint64 want = vgmDriverProcessMemlockWanted(def);
    struct rlimit rl;

    if (!want || vgmDriverHasCap(VGM_CAP_SYS_RESOURCE) || vgmDriverHasCap(VGM_CAP_IPC_LOCK))
        return TRUE;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0) {
        vgmErrorSetSystem(error, errno, "%s", _("cannot read the locked-memory limit"));
        return FALSE;
    }
    if (rl.rlim_max != RLIM_INFINITY && (want == (guint64)RLIM_INFINITY || rl.rlim_max < want)) {
        g_autofree char *wantText = want == (guint64)RLIM_INFINITY ? g_strdup(_("unlimited")) :
                                    g_strdup_printf(_("%llu KiB"), (unsigned long long)(want / 1024));

        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("<memoryBacking><locked/> of domain '%1$s' needs a locked-memory limit of %2$s (its <memtune><hard_limit>, or unlimited without one), but this user's hard limit is %3$llu KiB and it may not raise it: raise it (limits.conf, ulimit -l) or run as root"),
                    def->name, wantText, (unsigned long long)(rl.rlim_max / 1024));
        return FALSE;
    }
    return TRUE;
}

GSubprocess *
vgmDriverProcessSpawn(const VgmQemuCmd *cmd, const VgmQemuCaps *caps,
                      const char *logPath, const char *name,
                      const char *const *cgroupProcs, guint64 memlock,
                      GArray *passFds, goffset *logOffset, GError **error)
{
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) argv = vgmQemuCmdGetArgv(cmd);
    g_auto(GStrv) envp = vgmQemuCmdGetEnvp(cmd);
    VgmDriverChildData child = { 0 };
    GSubprocess *proc;
    goffset off;
    int logFd;

    *logOffset = 0;
    if ((logFd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open log file '%1$s'"), logPath);
        return NULL;
    }
    vgmDriverLogStart(logFd, cmd, caps);
    /* what QEMU writes comes after our banner */
    off = lseek(logFd, 0, SEEK_END);
    *logOffset = off > 0 ? off : 0;

    /* only the rendered environment, output to the log */
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_environ(launcher, envp);
    g_subprocess_launcher_set_cwd(launcher, "/");
    g_subprocess_launcher_set_stdin_file_path(launcher, "/dev/null");
    g_subprocess_launcher_take_stdout_fd(launcher, fcntl(logFd, F_DUPFD_CLOEXEC, 3));
    g_subprocess_launcher_take_stderr_fd(launcher, logFd);
    for (guint i = 0; passFds && i < passFds->len; i++) {
        VgmDriverPassFd *p = &g_array_index(passFds, VgmDriverPassFd, i);

        if (p->fd >= 0)
            g_subprocess_launcher_take_fd(launcher, p->fd, p->target);
        p->fd = -1;
    }
    child.procs = cgroupProcs;
    child.memlock = memlock;
    g_subprocess_launcher_set_child_setup(launcher, vgmDriverChildSetup, &child, NULL);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, &err))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot start QEMU '%1$s' for domain '%2$s': %3$s"),
                    argv[0], name, err->message);
        return NULL;
    }
    return proc;
}

gboolean
vgmDriverProcessCheckSocketPath(const char *path, GError **error)
{
    struct sockaddr_un sa;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("the monitor socket path '%1$s' is longer than a unix socket allows (%2$zu bytes); use a shorter --root"),
                    path, sizeof(sa.sun_path) - 1);
        return FALSE;
    }
    return TRUE;
}

char **
vgmDriverProcessHugetlbfsDirs(const VgmDomainDef *def, const VgmQemuPlan *plan)
{
    g_autofree char *hugeSuffix = g_build_filename("/virt-gmem", def->name, NULL);
    g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
    guint i, j;

    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *be = g_ptr_array_index(plan->backends, i);
        const char *path = be->props ?
            json_object_get_string_member_with_default(be->props, "mem-path", NULL) : NULL;
        gboolean seen = FALSE;

        /* a <memory> device's own path ends otherwise */
        if (!path || !g_str_has_suffix(path, hugeSuffix))
            continue;
        for (j = 0; j < dirs->len && !seen; j++)
            seen = g_str_equal(g_ptr_array_index(dirs, j), path);
        if (!seen)
            g_ptr_array_add(dirs, g_strdup(path));
    }
    if (!dirs->len)
        return NULL;
    g_ptr_array_add(dirs, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&dirs), FALSE);
}

/* Creates the directories the plan's file backends need: the domain's
 * dir under the memory dir (QEMU creates the file in it) and the
 * per-domain dirs under hugetlbfs mounts (QEMU makes unlinked files in
 * them; the status lists them, so they go with it). Paths the user gave
 * are the user's. */
static gboolean
vgmDriverPrepareMemoryPaths(const VgmDriverStore *store, const char *name,
                            const VgmQemuPlan *plan, char **hugetlbfsDirs,
                            GError **error)
{
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autofree char *domDir = g_build_filename(memoryDir, name, NULL);
    size_t i;

    for (i = 0; i < plan->backends->len; i++) {
        const VgmQemuBackend *be = g_ptr_array_index(plan->backends, i);
        const char *path = be->props ?
            json_object_get_string_member_with_default(be->props, "mem-path", NULL) : NULL;

        if (path && g_str_has_prefix(path, domDir) && path[strlen(domDir)] == '/') {
            if (!vgmFileMakePath(domDir, 0700, error))
                return FALSE;
            break;
        }
    }
    for (i = 0; hugetlbfsDirs && hugetlbfsDirs[i]; i++) {
        if (!vgmFileMakePath(hugetlbfsDirs[i], 0700, error))
            return FALSE;
    }
    return TRUE;
}

static char *
vgmDriverCapsVersion(const VgmQemuCaps *caps)
{
    unsigned int v = vgmQemuCapsGetVersion(caps);

    return g_strdup_printf("%u.%u.%u", v / 1000000, (v / 1000) % 1000, v % 1000);
}

/*
 * What the driver changes in the rendered command line: QEMU writes its
 * pid to @pidfile (so a start killed before it wrote the pid down can
 * still find it), and QEMU exits by itself at the guest's power-off
 * (<on_poweroff>destroy) instead of waiting (-no-shutdown) for a manager
 * that no short-lived tool can be; with @restart (<on_poweroff>restart)
 * it waits, and whoever looks at the domain next restarts the guest.
 */
void
vgmDriverProcessAdjustCommandLine(VgmQemuCmd *cmd, const char *pidfile,
                                  const char *events, gboolean restart)
{
    g_autofree char *esc = vgmQemuEscapeOptValue(events);
    guint i;

    for (i = 0; !restart && i < cmd->args->len; i++) {
        if (g_str_equal(g_ptr_array_index(cmd->args, i), "-no-shutdown")) {
            g_ptr_array_remove_index(cmd->args, i);
            break;
        }
    }
    g_ptr_array_add(cmd->args, g_strdup("-pidfile"));
    g_ptr_array_add(cmd->args, g_strdup(pidfile));
    /* a second QMP monitor, for a daemon's event watcher: the first stays
     * free for commands */
    g_ptr_array_add(cmd->args, g_strdup("-chardev"));
    g_ptr_array_add(cmd->args, g_strdup_printf("socket,id=charevents,path=%s,server=on,wait=off", esc));
    g_ptr_array_add(cmd->args, g_strdup("-mon"));
    g_ptr_array_add(cmd->args, g_strdup("chardev=charevents,id=events,mode=control"));
}

VgmQemuCmd *
vgmDriverProcessBuild(const VgmDriverStore *store, const VgmDomainDef *def,
                      const VgmQemuCaps *caps, const VgmBitmap *autoNodeset,
                      VgmQemuPlan **plan, GError **error)
{
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir,
                                                    store->logDir);

    vgmQemuConfigLoadHugetlbfs(cfg, store->mountsFile);
    if (autoNodeset)
        cfg->autoNodeset = vgmBitmapCopy(autoNodeset);
    cfg->hostCdroms = vgmDriverDiskHostCdroms(def);
    return vgmQemuBuildCommandLine(def, caps, cfg, plan, error);
}

/* The bitmap in sysfs file @path (a list such as 0-3,8), or NULL */
static VgmBitmap *
vgmDriverProcessReadList(const char *path, GError **error)
{
    g_autofree char *text = NULL;

    if (!vgmFileReadAll(path, 64 * 1024, &text, NULL, error))
        return NULL;
    g_strstrip(text);
    /* an empty list: a node without CPUs */
    if (!*text)
        return vgmBitmapNew(VGM_BITMAP_MAX);
    return vgmBitmapParse(text, path, error);
}

gboolean
vgmDriverProcessPlacementAdvice(const VgmDomainDef *def, VgmBitmap **nodes, VgmBitmap **cpus,
                                GError **error)
{
    const char *what = def->cpuPlacement == VGM_DOMAIN_CPU_PLACEMENT_AUTO ?
                       "<vcpu placement='auto'>" : "<numatune><memory placement='auto'>";
    g_autofree char *numad = NULL;
    g_autofree char *arg = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errText = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmBitmap) advised = NULL;
    g_autoptr(VgmBitmap) withMemory = NULL;
    g_autoptr(VgmBitmap) nodeCpus = NULL;
    g_autoptr(VgmBitmap) memNodes = NULL;
    int status = 0;
    int n;

    *nodes = NULL;
    *cpus = NULL;
    if (def->cpuPlacement != VGM_DOMAIN_CPU_PLACEMENT_AUTO &&
        !(def->numatune.memorySet && def->numatune.placement == VGM_DOMAIN_NUMATUNE_PLACEMENT_AUTO))
        return TRUE;
    if (!(numad = g_find_program_in_path("numad"))) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("%1$s of domain '%2$s' places it where numad advises, and numad is not installed (Debian's numad package): install it, or place the domain yourself (<vcpu cpuset>, <numatune> nodeset)"),
                    what, def->name);
        return FALSE;
    }
    /* libvirt's question: the vCPUs, and the memory in MiB rounded up */
    arg = g_strdup_printf("%u:%llu", def->vcpus, (def->memory + 1023) / 1024);
    {
        const char *argv[] = { numad, "-w", arg, NULL };

        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CLOEXEC_PIPES, NULL, NULL,
                          &out, &errText, &status, &err) ||
            !g_spawn_check_wait_status(status, &err)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("numad gave no advice for %1$s of domain '%2$s': %3$s%4$s%5$s"),
                        what, def->name, err->message, errText && *g_strstrip(errText) ? ": " : "",
                        errText ? errText : "");
            return FALSE;
        }
    }
    g_strstrip(out);
    if (!*out || !(advised = vgmBitmapParse(out, "numad", &err)) || vgmBitmapCount(advised) == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("numad's advice for %1$s of domain '%2$s' is not a host node set: '%3$s'"),
                    what, def->name, out);
        return FALSE;
    }
    /* the vCPUs go on every advised node's CPUs, the memory on those of
     * them that have memory (libvirt's split: numad may name a node
     * without memory) */
    nodeCpus = vgmBitmapNew(VGM_BITMAP_MAX);
    for (n = vgmBitmapNext(advised, -1); n >= 0; n = vgmBitmapNext(advised, n)) {
        g_autofree char *path = g_strdup_printf("/sys/devices/system/node/node%d/cpulist", n);
        g_autoptr(VgmBitmap) list = NULL;
        int c;

        if (!(list = vgmDriverProcessReadList(path, &err))) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("numad advised host node %1$d for domain '%2$s', which this host does not describe: %3$s"),
                        n, def->name, err->message);
            return FALSE;
        }
        for (c = vgmBitmapNext(list, -1); c >= 0; c = vgmBitmapNext(list, c))
            vgmBitmapSet(nodeCpus, c);
    }
    memNodes = vgmBitmapNew(VGM_BITMAP_MAX);
    withMemory = vgmDriverProcessReadList("/sys/devices/system/node/has_memory", NULL);
    for (n = vgmBitmapNext(advised, -1); n >= 0; n = vgmBitmapNext(advised, n)) {
        if (!withMemory || vgmBitmapIsSet(withMemory, n))
            vgmBitmapSet(memNodes, n);
    }
    if (vgmBitmapCount(memNodes) == 0) {
        g_autofree char *list = vgmBitmapFormat(advised);

        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("numad advised host nodes %1$s for domain '%2$s', and none of them has memory"),
                    list, def->name);
        return FALSE;
    }
    *nodes = g_steal_pointer(&memNodes);
    *cpus = g_steal_pointer(&nodeCpus);
    return TRUE;
}

/* The CPU affinity of QEMU's threads */
typedef struct {
    VgmBitmap *emulator;        /* every thread's first, or NULL */
    GPtrArray *vcpus;           /* vCPU index -> its CPUs (VgmBitmap or NULL), or NULL */
    GPtrArray *iothreads;       /* id -> its CPUs, as VgmDriverIOThreadPin */
} VgmDriverPins;

typedef struct {
    unsigned int id;
    VgmBitmap *cpus;
} VgmDriverIOThreadPin;

static void
vgmDriverIOThreadPinFree(VgmDriverIOThreadPin *p)
{
    vgmBitmapFree(p->cpus);
    g_free(p);
}

static void
vgmDriverPinsFree(VgmDriverPins *pins)
{
    if (!pins)
        return;
    vgmBitmapFree(pins->emulator);
    g_clear_pointer(&pins->vcpus, g_ptr_array_unref);
    g_clear_pointer(&pins->iothreads, g_ptr_array_unref);
    g_free(pins);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverPins, vgmDriverPinsFree)

struct _VgmDriverStart {
    const VgmDriverStore *store;
    char *name;
    unsigned int flags;
    VgmQemuCaps *caps;
    VgmQemuCmd *cmd;
    VgmQemuPlan *plan;
    VgmDriverStatus *status;
    GPtrArray *taps;            /* VgmDriverTap the driver sets up */
    GPtrArray *netOpens;        /* VgmDriverNetOpen: the macvtaps and taps
                                 * the driver opens for QEMU */
    GPtrArray *overlays;        /* VgmDriverOverlay of the transient disks */
    GPtrArray *scripts;         /* VgmDriverNetScript: the taps' <script>s */
    GArray *passFds;            /* VgmDriverPassFd: their fds for QEMU */
    unsigned char uuid[16];
    gboolean haveTpm;
    VgmTpmDef tpm;              /* the swtpm started before QEMU */
    GPtrArray *fsRuns;          /* VgmDriverFsRun: the virtiofsds started before QEMU */
    VgmDriverPins *pins;        /* QEMU's threads' CPU affinity */
    VgmDriverCgroup *cgroup;    /* the resource controls */
    guint64 memlock;            /* QEMU's RLIMIT_MEMLOCK, 0: as it is */
    VgmDriverCpuCheck *cpuCheck; /* <cpu check>, or NULL */
    gboolean incoming;          /* QEMU loads a save image */
    gboolean migrating;         /* QEMU waits for a migration's stream */
    char *incomingUri;          /* where (fd:N, or a migration's URI): QEMU
                                 * starts with -incoming defer and is given
                                 * it once the vCPUs a run plugged are back
                                 * (their state is in the stream), as
                                 * libvirt does */
    char *spent;                /* the managed save image it loads, or NULL */
};

void
vgmDriverStartFree(VgmDriverStart *start)
{
    if (!start)
        return;
    g_free(start->name);
    vgmQemuCapsFree(start->caps);
    vgmQemuCmdFree(start->cmd);
    vgmQemuPlanFree(start->plan);
    vgmDriverStatusFree(start->status);
    g_clear_pointer(&start->taps, g_ptr_array_unref);
    g_clear_pointer(&start->netOpens, g_ptr_array_unref);
    g_clear_pointer(&start->overlays, g_ptr_array_unref);
    g_clear_pointer(&start->scripts, g_ptr_array_unref);
    g_clear_pointer(&start->passFds, vgmDriverPassFdsFree);
    g_clear_pointer(&start->fsRuns, g_ptr_array_unref);
    vgmDriverPinsFree(start->pins);
    vgmDriverCgroupFree(start->cgroup);
    vgmDriverCpuCheckFree(start->cpuCheck);
    g_free(start->spent);
    g_free(start->incomingUri);
    g_free(start);
}

/* sched_setaffinity of thread @tid to the CPUs of @cpus; @what names the
 * thread in the error. */
static gboolean
vgmDriverProcessPinThread(pid_t tid, const VgmBitmap *cpus, const char *what, GError **error)
{
    g_autofree char *list = vgmBitmapFormat(cpus);
    cpu_set_t set;
    int cpu;

    CPU_ZERO(&set);
    for (cpu = vgmBitmapNext(cpus, -1); cpu >= 0; cpu = vgmBitmapNext(cpus, cpu)) {
        if (cpu >= CPU_SETSIZE) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("cannot pin %1$s to CPUs %2$s: CPU %3$d is beyond what the host can name"),
                        what, list, cpu);
            return FALSE;
        }
        CPU_SET(cpu, &set);
    }
    if (sched_setaffinity(tid, sizeof(set), &set) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot pin %1$s to CPUs %2$s"), what, list);
        return FALSE;
    }
    return TRUE;
}

/* libvirt's affinity: <emulatorpin> for QEMU's threads, then <vcpupin>
 * and <iothreadpin> for each vCPU and I/O thread. What <cputune> does
 * not pin gets the CPUs of numad's nodes under <vcpu placement='auto'>
 * (@autoCpus), else <vcpu cpuset>, else, where the emulator's pin has
 * narrowed it, every online CPU of the host again: an emulator pin is
 * not a vCPU's or an I/O thread's. */
static VgmDriverPins *
vgmDriverProcessPinsOf(const VgmDomainDef *def, const VgmBitmap *autoCpus, GError **error)
{
    g_autoptr(VgmDriverPins) pins = g_new0(VgmDriverPins, 1);
    g_autoptr(VgmBitmap) online = NULL;
    const VgmBitmap *fallback = def->cpuPlacement == VGM_DOMAIN_CPU_PLACEMENT_AUTO && autoCpus ?
                                autoCpus : def->cpuset;
    unsigned int i;

    if (def->emulatorpin || fallback)
        pins->emulator = vgmBitmapCopy(def->emulatorpin ? def->emulatorpin : fallback);
    if (!fallback && def->emulatorpin) {
        if (!(online = vgmDriverProcessReadList("/sys/devices/system/cpu/online", error)))
            return NULL;
        fallback = online;
    }
    if (def->vcpupin || fallback) {
        pins->vcpus = g_ptr_array_new_with_free_func((GDestroyNotify)vgmBitmapFree);
        for (i = 0; i < def->vcpus; i++) {
            const VgmBitmap *cpus = def->vcpupin && def->vcpupin[i] ? def->vcpupin[i] : fallback;
            g_ptr_array_add(pins->vcpus, cpus ? vgmBitmapCopy(cpus) : NULL);
        }
    }
    pins->iothreads = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverIOThreadPinFree);
    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);
        const VgmBitmap *cpus = t->cpumask ? t->cpumask : fallback;
        VgmDriverIOThreadPin *p;

        if (!cpus)
            continue;
        p = g_new0(VgmDriverIOThreadPin, 1);
        p->id = t->id;
        p->cpus = vgmBitmapCopy(cpus);
        g_ptr_array_add(pins->iothreads, p);
    }
    return g_steal_pointer(&pins);
}

/* <cputune> (and <vcpu cpuset>) as libvirt applies them, through CPU
 * affinity: every thread of QEMU @pid to the emulator's CPUs, then each
 * vCPU thread (query-cpus-fast) and I/O thread (query-iothreads) to its
 * own. */
static gboolean
vgmDriverProcessPinThreads(const VgmDriverPins *pins, VgmQemuMonitor *mon, pid_t pid,
                           GError **error)
{
    guint i;

    if (pins->emulator) {
        g_autofree char *taskDir = g_strdup_printf("/proc/%d/task", (int)pid);
        g_autoptr(GDir) dir = g_dir_open(taskDir, 0, error);
        const char *ent;

        if (!dir)
            return FALSE;
        while ((ent = g_dir_read_name(dir))) {
            g_autofree char *what = g_strdup_printf(_("QEMU thread %s"), ent);

            if (!vgmDriverProcessPinThread((pid_t)g_ascii_strtoll(ent, NULL, 10),
                                           pins->emulator, what, error))
                return FALSE;
        }
    }
    if (pins->vcpus) {
        g_autoptr(GArray) tids = vgmDriverVcpuThreads(mon, error);

        if (!tids)
            return FALSE;
        for (i = 0; i < tids->len && i < pins->vcpus->len; i++) {
            g_autofree char *what = g_strdup_printf(_("vCPU %u"), i);
            pid_t tid = g_array_index(tids, pid_t, i);

            if (!tid || !g_ptr_array_index(pins->vcpus, i))
                continue;
            if (!vgmDriverProcessPinThread(tid, g_ptr_array_index(pins->vcpus, i), what, error))
                return FALSE;
        }
    }
    if (pins->iothreads->len > 0) {
        g_autoptr(GArray) tids = vgmDriverIOThreadThreads(mon, error);

        if (!tids)
            return FALSE;
        for (i = 0; i < pins->iothreads->len; i++) {
            const VgmDriverIOThreadPin *p = g_ptr_array_index(pins->iothreads, i);
            g_autofree char *what = g_strdup_printf(_("I/O thread %u"), p->id);
            pid_t tid = vgmDriverIOThreadTidOf(tids, p->id);

            if (!tid) {
                vgmErrorSet(error, VGM_ERR_INTERNAL, _("QEMU does not list I/O thread %1$u"),
                            p->id);
                return FALSE;
            }
            if (!vgmDriverProcessPinThread(tid, p->cpus, what, error))
                return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmDriverProcessRunStartup(const VgmQemuCmd *cmd, VgmQemuMonitor *mon, gboolean migrated,
                           GError **error)
{
    guint i;

    for (i = 0; cmd->startup && i < cmd->startup->len; i++) {
        JsonObject *exec = g_ptr_array_index(cmd->startup, i);
        const char *name = json_object_get_string_member(exec, "execute");
        JsonObject *args = json_object_get_object_member(exec, "arguments");
        g_autoptr(GError) err = NULL;

        /* a tray's state is the device's, which migration carries (the
         * guest may have closed it since) */
        if (migrated && g_str_equal(name, "blockdev-open-tray"))
            continue;

        if (!vgmQemuMonitorCommand(mon, name, args, NULL, &err)) {
            const char *id = args && json_object_has_member(args, "id") ?
                             json_object_get_string_member(args, "id") : NULL;

            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("QEMU refused %1$s%2$s%3$s: %4$s"),
                        name, id ? _(" for device ") : "", id ? id : "", err->message);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmDriverProcessPin(const VgmDomainDef *def, const VgmBitmap *autoCpus, VgmQemuMonitor *mon,
                    pid_t pid, GError **error)
{
    g_autoptr(VgmDriverPins) pins = vgmDriverProcessPinsOf(def, autoCpus, error);

    return pins && vgmDriverProcessPinThreads(pins, mon, pid, error);
}

void
vgmDriverStartPassFd(VgmDriverStart *start, int fd, int target)
{
    VgmDriverPassFd pass = { fd, target };

    g_array_append_val(start->passFds, pass);
}

static void
vgmDriverStartDeferIncoming(VgmDriverStart *start, char *uri)
{
    g_ptr_array_add(start->cmd->args, g_strdup("-incoming"));
    g_ptr_array_add(start->cmd->args, g_strdup("defer"));
    g_free(start->incomingUri);
    start->incomingUri = uri;
}

void
vgmDriverStartSetIncoming(VgmDriverStart *start, int fd, const char *spent)
{
    vgmDriverStartPassFd(start, fd, VGM_QEMU_INCOMING_FD);
    vgmDriverStartDeferIncoming(start, g_strdup_printf("fd:%d", VGM_QEMU_INCOMING_FD));
    start->incoming = TRUE;
    g_free(start->spent);
    start->spent = g_strdup(spent);
}

void
vgmDriverStartSetIncomingUri(VgmDriverStart *start, const char *uri)
{
    vgmDriverStartDeferIncoming(start, g_strdup(uri));
    start->migrating = TRUE;
}

/* QEMU started with -incoming defer reads its stream from @uri */
static gboolean
vgmDriverProcessStartIncoming(VgmQemuMonitor *mon, const char *uri, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(GError) err = NULL;

    json_object_set_string_member(args, "uri", uri);
    if (!vgmQemuMonitorCommand(mon, "migrate-incoming", args, NULL, &err)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("QEMU refused to take the incoming state from '%1$s': %2$s"),
                    uri, err->message);
        return FALSE;
    }
    return TRUE;
}

/* Waits until QEMU has loaded the state its -incoming gives it (it leaves
 * run state 'inmigrate'; a stream it cannot load ends QEMU, and its log
 * says why). */
static gboolean
vgmDriverProcessWaitIncoming(GSubprocess *proc, VgmQemuMonitor *mon, GError **error)
{
    for (;;) {
        g_autofree char *st = NULL;

        if (!(st = vgmDriverProcessQueryStatus(mon, error)))
            return FALSE;
        if (!g_str_equal(st, "inmigrate"))
            break;
        if (!g_subprocess_get_identifier(proc)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                        _("QEMU exited while it loaded the saved state"));
            return FALSE;
        }
        g_usleep(10 * 1000);
    }
    return TRUE;
}

/* The slot and base address QEMU gave each dimm and nvdimm of @def */
static gboolean
vgmDriverProcessReadDimms(VgmQemuMonitor *mon, VgmDomainDef *def, GError **error)
{
    g_auto(GStrv) aliases = NULL;
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *arr;
    gboolean any = FALSE;
    guint i, k;

    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);

        any |= mem->model == VGM_MEMORY_MODEL_DIMM || mem->model == VGM_MEMORY_MODEL_NVDIMM;
    }
    if (!any)
        return TRUE;
    if (!vgmQemuMonitorCommand(mon, "query-memory-devices", NULL, &ret, error))
        return FALSE;
    aliases = vgmQemuMemoryDeviceAliases(def);
    arr = ret && JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        const char *type = o ? json_object_get_string_member_with_default(o, "type", "") : "";
        JsonObject *data;
        const char *id;

        if ((!g_str_equal(type, "dimm") && !g_str_equal(type, "nvdimm")) ||
            !json_object_has_member(o, "data") ||
            !(data = json_object_get_object_member(o, "data")) ||
            !(id = json_object_get_string_member_with_default(data, "id", NULL)))
            continue;
        for (k = 0; k < def->devices.mems->len; k++) {
            VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, k);

            if (g_strcmp0(aliases[k], id) != 0)
                continue;
            mem->addr.type = VGM_ADDRESS_DIMM;
            mem->addr.slot = json_object_get_int_member_with_default(data, "slot", mem->addr.slot);
            mem->addr.base = json_object_get_int_member_with_default(data, "addr", 0);
        }
    }
    return TRUE;
}

/* The live XML *@xml with the CPU features the accelerator left out of
 * the guest's (@filtered, QEMU's names) as policy='disable', as libvirt's
 * live XML shows what the vCPU got */
static gboolean
vgmDriverProcessLiveCpuFiltered(char **xml, GPtrArray *filtered, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    VgmCpuDef *cpu;
    guint i;

    if (!(def = vgmDomainDefParseString(*xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;
    if (!(cpu = def->cpu))
        return TRUE;
    for (i = 0; i < filtered->len; i++) {
        const char *qemu = g_ptr_array_index(filtered, i);
        const char *name = vgmQemuCpuFeatureXMLName(qemu);
        VgmCpuFeature *f = NULL;
        size_t j;

        for (j = 0; j < cpu->nfeatures && !f; j++) {
            g_autofree char *have = vgmQemuCpuFeatureName(cpu->features[j].name);

            if (g_str_equal(have, qemu))
                f = &cpu->features[j];
        }
        if (!f) {
            cpu->features = g_renew(VgmCpuFeature, cpu->features, cpu->nfeatures + 1);
            f = &cpu->features[cpu->nfeatures++];
            memset(f, 0, sizeof(*f));
            f->name = g_strdup(name ? name : qemu);
        }
        f->policy = VGM_CPU_FEATURE_DISABLE;
    }
    g_free(*xml);
    *xml = vgmDomainDefFormat(def);
    return TRUE;
}

gboolean
vgmDriverProcessReadLive(VgmQemuMonitor *mon, char **xml, gboolean balloon, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GHashTable) ptys = g_hash_table_new(g_str_hash, g_str_equal);
    gboolean any = FALSE;
    JsonArray *arr;
    size_t n;
    guint i;

    if (!(def = vgmDomainDefParseString(*xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;

    const struct {
        GPtrArray *list;
        int which;              /* VgmQemuAliasList; -1: consoles */
    } kinds[] = {
        { def->devices.serials, VGM_QEMU_ALIAS_SERIAL },
        { def->devices.parallels, VGM_QEMU_ALIAS_PARALLEL },
        { def->devices.channels, VGM_QEMU_ALIAS_CHANNEL }, { def->devices.consoles, -1 },
    };

    for (n = 0; n < G_N_ELEMENTS(kinds); n++) {
        for (i = 0; i < kinds[n].list->len; i++)
            any |= ((const VgmChrDef *)g_ptr_array_index(kinds[n].list, i))->type == VGM_CHR_TYPE_PTY;
    }
    if (any && !vgmQemuMonitorCommand(mon, "query-chardev", NULL, &ret, error))
        return FALSE;
    arr = ret && JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *c = json_array_get_object_element(arr, i);
        const char *label = c ? json_object_get_string_member_with_default(c, "label", NULL) : NULL;
        const char *file = c ? json_object_get_string_member_with_default(c, "filename", "") : "";

        if (label && g_str_has_prefix(file, "pty:"))
            g_hash_table_insert(ptys, (gpointer)label, (gpointer)(file + strlen("pty:")));
    }
    for (n = 0; n < G_N_ELEMENTS(kinds); n++) {
        for (i = 0; i < kinds[n].list->len; i++) {
            VgmChrDef *chr = g_ptr_array_index(kinds[n].list, i);
            g_autofree char *id = kinds[n].which >= 0 ? vgmQemuListDeviceId(def, kinds[n].which, i)
                                                      : vgmQemuConsoleId(def, i);
            g_autofree char *chardev = g_strdup_printf("char%s", id);
            const char *pty = g_hash_table_lookup(ptys, chardev);

            if (chr->type != VGM_CHR_TYPE_PTY || !pty)
                continue;
            g_free(chr->path);
            chr->path = g_strdup(pty);
        }
    }
    /* the current memory: what the balloon holds, and the guest's part of
     * its virtio-mem devices, as libvirt reads it at a start (the
     * balloon's BALLOON_CHANGE events move it from here on) */
    if (balloon && def->devices.memballoon &&
        g_strcmp0(def->devices.memballoon->model, "none") != 0) {
        g_autoptr(JsonNode) bal = NULL;
        g_autoptr(GError) err = NULL;
        JsonObject *o;

        if (vgmQemuMonitorCommand(mon, "query-balloon", NULL, &bal, &err) &&
            JSON_NODE_HOLDS_OBJECT(bal) && (o = json_node_get_object(bal)) &&
            json_object_has_member(o, "actual")) {
            unsigned long long kib = (unsigned long long)json_object_get_int_member(o, "actual") / 1024;

            for (i = 0; i < def->devices.mems->len; i++) {
                const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);

                if (mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM)
                    kib += mem->current;
            }
            def->curMemory = MIN(kib, def->memory);
        } else {
            g_warning(_("domain '%1$s': cannot read what its balloon holds: %2$s"),
                      def->name, err ? err->message : "");
        }
    }
    /* where QEMU put each dimm and nvdimm (libvirt's live XML has the
     * base address; not a failure of the start when QEMU cannot say) */
    {
        g_autoptr(GError) err = NULL;

        if (!vgmDriverProcessReadDimms(mon, def, &err))
            g_warning(_("domain '%1$s': cannot read where QEMU put its memory devices: %2$s"),
                      def->name, err->message);
    }
    /* (a chain QEMU cannot say is left out of the live XML, not a
     * failure of the start) */
    {
        g_autoptr(GError) err = NULL;

        if (!vgmDriverDiskChainsDetect(mon, def, &err))
            g_warning(_("domain '%1$s': cannot read the backing chains of its disks: %2$s"),
                      def->name, err->message);
    }
    g_free(*xml);
    *xml = vgmDomainDefFormat(def);
    return TRUE;
}

VgmDriverStatus *
vgmDriverStartGetStatus(VgmDriverStart *start)
{
    return start->status;
}

/* The files the plan says QEMU reads (SEV's certificate and session) */
static gboolean
vgmDriverProcessWritePlanFiles(const VgmQemuPlan *plan, GError **error)
{
    guint i;

    for (i = 0; i < plan->files->len; i++) {
        const VgmQemuPlanFile *f = g_ptr_array_index(plan->files, i);

        if (!vgmFileWriteAtomic(f->path, f->content, strlen(f->content), 0600, error))
            return FALSE;
    }
    return TRUE;
}

/* What this run of @def leaves the driver not vouching for, as libvirt
 * taints a domain at its start: a command line a user added to, QEMU
 * running as root (virt-gmem has no security driver to confine it), an
 * interface's scripts, the host's own CPU, a machine type QEMU
 * deprecates (with what it is, for the domain's messages) */
static void
vgmDriverProcessTaints(VgmDriverStatus *status, const VgmDomainDef *def, const VgmQemuCmd *cmd,
                       const VgmQemuPlan *plan, gboolean scripts)
{
    if (cmd->customArgv)
        status->taints |= 1u << VGM_DRIVER_TAINT_CUSTOM_ARGV;
    if (geteuid() == 0)
        status->taints |= 1u << VGM_DRIVER_TAINT_HIGH_PRIVILEGES;
    if (scripts)
        status->taints |= 1u << VGM_DRIVER_TAINT_SHELL_SCRIPTS;
    if (def->cpu && def->cpu->mode == VGM_CPU_MODE_HOST_PASSTHROUGH)
        status->taints |= 1u << VGM_DRIVER_TAINT_HOST_CPU;
    if (plan->machine && plan->machine->deprecated) {
        status->taints |= 1u << VGM_DRIVER_TAINT_DEPRECATED_CONFIG;
        g_strfreev(status->deprecations);
        status->deprecations = g_new0(char *, 2);
        status->deprecations[0] = g_strdup_printf(_("machine type '%1$s'"), plan->machine->name);
    }
}

VgmDriverStart *
vgmDriverProcessPrepare(const VgmDriverStore *store, const VgmDomainDef *def,
                        unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverStart) start = g_new0(VgmDriverStart, 1);
    g_autofree char *emulator = vgmDriverProcessEmulator(def);
    g_autoptr(VgmBitmap) autoNodes = NULL;
    g_autoptr(VgmBitmap) autoCpus = NULL;
    g_auto(GStrv) argv = NULL;
    VgmDriverStatus *status;
    gboolean cpuHostChecked = FALSE;
    char *monitor;

    start->store = store;
    start->name = g_strdup(def->name);
    start->flags = flags;

    /* 1. what this QEMU can do, and the command line (rules 9 to 12) */
    if (!(start->caps = vgmQemuCapsCacheLookup(emulator, store->cacheDir, error)) ||
        !vgmDriverProcessPlacementAdvice(def, &autoNodes, &autoCpus, error) ||
        !(start->cmd = vgmDriverProcessBuild(store, def, start->caps, autoNodes, &start->plan,
                                             error)))
        return NULL;

    /* 2. what this host can do, before anything is spawned (under KVM a
     * custom CPU with check='partial' against the host's own CPU, as
     * libvirt compares it; what KVM cannot give of it QEMU leaves out) */
    if (start->plan->accelKVM && def->cpu && def->cpu->mode == VGM_CPU_MODE_CUSTOM &&
        def->cpu->model && def->cpu->check == VGM_CPU_CHECK_PARTIAL &&
        !vgmDriverCpuCheckGuest(store, emulator, def->cpu, &cpuHostChecked, error))
        return NULL;
    if (!vgmDriverProcessCheckHost(def, start->plan, error) ||
        !vgmDriverProcessCheckMemlock(def, error) ||
        !(start->fsRuns = vgmDriverFsPrepare(store, def, 0, error)) ||
        !(start->cgroup = vgmDriverCgroupNew(store, def, autoNodes, error)))
        return NULL;
    start->memlock = vgmDriverProcessMemlockLimit(def);

    /* 3. the status the caller writes before the spawn */
    start->status = status = vgmDriverStatusNew();
    status->name = g_strdup(def->name);
    memcpy(status->uuid, def->uuid, sizeof(status->uuid));
    status->state = VGM_DRIVER_STATUS_STARTING;
    status->starterPid = getpid();
    status->pidfile = vgmDriverStorePidfilePath(store, def->name);
    {
        g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, def->name);

        status->events = g_build_filename(runDir, "events.sock", NULL);
    }
    status->restartAtPoweroff = def->onPoweroff == VGM_DOMAIN_LIFECYCLE_RESTART;
    if (def->clock.offset == VGM_CLOCK_OFFSET_VARIABLE) {
        status->hasClockAdjustment0 = TRUE;
        status->clockAdjustment0 = vgmQemuClockAdjustment(&def->clock);
    }
    vgmDriverProcessAdjustCommandLine(start->cmd, status->pidfile, status->events,
                                      status->restartAtPoweroff);
    argv = vgmQemuCmdGetArgv(start->cmd);
    if (!(monitor = vgmDriverProcessMonitorPath(argv))) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, "%s",
                    _("the QEMU command line has no QMP monitor socket (-chardev socket,id=charmonitor)"));
        return NULL;
    }
    status->monitor = monitor;
    if (!vgmDriverProcessCheckSocketPath(monitor, error))
        return NULL;
    status->emulator = g_steal_pointer(&emulator);
    status->capsName = g_strdup(vgmQemuCapsGetName(start->caps));
    status->capsVersion = vgmDriverCapsVersion(start->caps);
    status->machine = g_strdup(start->plan->machine ? start->plan->machine->name : def->os.machine);
    status->startedAt = g_get_real_time() / G_USEC_PER_SEC;
    status->log = vgmDriverStoreLogPath(store, def->name);
    status->transient = !!(flags & VGM_DRIVER_START_TRANSIENT);
    status->paused = !!(flags & VGM_DRIVER_START_PAUSED);
    status->plan = vgmQemuPlanToJSON(start->plan);
    status->xml = vgmDriverDomainLiveXML(def, status->machine, start->plan->hostModel,
                                         start->plan->cpuDropped, start->plan->firmware,
                                         start->plan->defaultCpu);
    status->hugetlbfsDirs = vgmDriverProcessHugetlbfsDirs(def, start->plan);
    if (!(start->pins = vgmDriverProcessPinsOf(def, autoCpus, error)))
        return NULL;
    start->taps = vgmDriverNetManagedTaps(def);
    start->netOpens = vgmDriverNetOpens(def, start->plan);
    start->overlays = vgmDriverDiskOverlays(def);
    start->scripts = vgmDriverNetScripts(def);
    vgmDriverProcessTaints(status, def, start->cmd, start->plan, start->scripts->len > 0);
    start->passFds = g_array_new(FALSE, FALSE, sizeof(VgmDriverPassFd));
    start->cpuCheck = vgmDriverCpuCheckNew(def, start->plan->accelKVM, cpuHostChecked);
    memcpy(start->uuid, def->uuid, sizeof(start->uuid));
    /* an external TPM emulator is someone else's to run */
    if ((start->haveTpm = def->devices.tpm != NULL && !def->devices.tpm->externalPath)) {
        start->tpm = *def->devices.tpm;
        start->tpm.externalPath = NULL;
    }
    return g_steal_pointer(&start);
}

gboolean
vgmDriverProcessWriteSecrets(const VgmDriverStore *store, const GPtrArray *secrets, GError **error)
{
    for (guint i = 0; i < secrets->len; i++) {
        const VgmQemuCmdSecret *secret = g_ptr_array_index(secrets, i);
        g_autoptr(GBytes) value = NULL;
        const void *data;
        gsize len;

        if (secret->value) {
            value = g_bytes_new(secret->value, strlen(secret->value));
        } else if (!(value = vgmDriverSecretValueForRef(store, secret->usageType,
                                                        secret->byUUID ? secret->uuid : NULL,
                                                        secret->usage, error))) {
            g_prefix_error(error, _("cannot start with the %1$s of %2$s: "), secret->element,
                           secret->owner);
            return FALSE;
        }
        data = g_bytes_get_data(value, &len);
        if (!vgmFileWriteAtomic(secret->path, data, len, 0600, error))
            return FALSE;
    }
    return TRUE;
}

/* Takes back everything a start created: QEMU, the status file (which the
 * caller wrote), the runtime dir with the monitor socket and the pidfile,
 * the memory dirs. */
static void
vgmDriverStartUndo(VgmDriverStart *start, GSubprocess **proc)
{
    if (*proc) {
        g_subprocess_force_exit(*proc);
        g_subprocess_wait(*proc, NULL, NULL);
        g_clear_object(proc);
    }
    vgmDriverStoreDeleteStatus(start->store, start->name, NULL);
}

VgmDriverStatus *
vgmDriverProcessLaunch(VgmDriverStart *start, GError **error)
{
    const VgmDriverStore *store = start->store;
    VgmDriverStatus *status = start->status;
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, start->name);
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    gint64 deadline;
    goffset logOffset = 0;
    const char *pidStr;
    g_autofree char *spentAside = NULL;
    g_autoptr(GPtrArray) cpuFiltered = NULL;
    gboolean ran = FALSE;

    vgmDriverTestPause("start-before-spawn");

    /* 4. a fresh runtime dir (the caller checked that no QEMU of this
     * domain runs), the memory dirs, the log */
    if (!vgmFileMakePath(runDir, 0700, error) ||
        !vgmFileMakePath(memoryDir, 0755, error) ||
        !vgmFileMakePath(store->logDir, 0755, error))
        goto undo;
    g_unlink(status->pidfile);
    g_unlink(status->monitor);
    if (!g_str_has_prefix(status->monitor, runDir)) {
        g_autofree char *monDir = g_path_get_dirname(status->monitor);

        if (!vgmFileMakePath(monDir, 0700, error))
            goto undo;
    }
    if (!vgmDriverProcessWriteSecrets(store, start->cmd->secrets, error) ||
        !vgmDriverPrepareMemoryPaths(store, start->name, start->plan,
                                     status->hugetlbfsDirs, error) ||
        !vgmDriverProcessWritePlanFiles(start->plan, error) ||
        !vgmQemuFirmwarePrepareNvram(start->plan->firmware,
                                    (start->flags & VGM_DRIVER_START_RESET_NVRAM) != 0, error) ||
        !vgmDriverTpmStart(store, start->name, start->uuid, start->haveTpm ? &start->tpm : NULL,
                           error) ||
        !vgmDriverFsStart(store, start->name, start->fsRuns, error) ||
        !vgmDriverCgroupCreate(start->cgroup, TRUE, error))
        goto undo;
    /* the overlays of the transient disks (the status names them, so
     * that whoever cleans up after this run removes them) */
    for (guint o = 0; o < start->overlays->len; o++) {
        if (!vgmDriverDiskOverlayCreate(g_ptr_array_index(start->overlays, o), error))
            goto undo;
    }
    /* the macvtaps (the status names them, so that whoever cleans up
     * after this run removes them) and the taps the driver opens, whose
     * fds QEMU gets */
    for (guint m = 0; m < start->netOpens->len; m++) {
        if (!vgmDriverNetOpenFds(g_ptr_array_index(start->netOpens, m), runDir, start->passFds,
                                 error))
            goto undo;
    }
    /* 5. spawn */
    if (!(proc = vgmDriverProcessSpawn(start->cmd, start->caps, status->log, start->name,
                                       vgmDriverCgroupProcsFiles(start->cgroup),
                                       start->memlock, start->passFds, &logOffset, error)))
        goto undo;
    status->logOffset = logOffset;
    /* killed from here to the save below, the next command finds QEMU
     * through its pidfile or its command line */
    vgmDriverTestPause("start-before-pid");

    pidStr = g_subprocess_get_identifier(proc);
    deadline = g_get_monotonic_time() + (gint64)VGM_DRIVER_START_TIMEOUT_MS * 1000;
    if (!pidStr ||
        !vgmDriverProcIdentGet((pid_t)g_ascii_strtoll(pidStr, NULL, 10), &status->qemu, &err) ||
        !vgmDriverStoreSaveStatus(store, status, &err)) {
        goto failed;
    }
    vgmDriverTestPause("start-after-spawn");

    /* 6. the monitor, then QEMU's backends against the plan */
    if (!vgmQemuMonitorWaitSocket(proc, status->monitor, deadline, &err))
        goto failed;
    {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;

        if (!(mon = vgmQemuMonitorOpen(status->monitor, left > 1000 ? (unsigned int)left : 1000, &err)))
            goto failed;
    }
    vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_START_TIMEOUT_MS);
    if (!vgmDriverProcessVerify(mon, start->plan, &err) ||
        !vgmDriverCpuCheckRun(start->cpuCheck, mon, &cpuFiltered, &err) ||
        !vgmDriverProcessRunStartup(start->cmd, mon, start->incoming || start->migrating, &err) ||
        (start->incomingUri && !vgmDriverProcessStartIncoming(mon, start->incomingUri, &err)) ||
        !vgmDriverProcessReadLive(mon, &status->xml, !start->incoming && !start->migrating,
                                  &err) ||
        (cpuFiltered && !vgmDriverProcessLiveCpuFiltered(&status->xml, cpuFiltered, &err)))
        goto failed;
    /* 6b. CPU affinity, cgroups and scheduler policies, and the taps set
     * up (and into their bridges), before the guest runs */
    if (!vgmDriverProcessPinThreads(start->pins, mon, status->qemu.pid, &err) ||
        !vgmDriverCgroupApplyThreads(start->cgroup, mon, status->qemu.pid, &err))
        goto failed;
    for (guint t = 0; t < start->taps->len; t++) {
        if (!vgmDriverNetSetUpTap(g_ptr_array_index(start->taps, t), &err))
            goto failed;
    }
    for (guint t = 0; t < start->scripts->len; t++) {
        if (!vgmDriverNetRunScript(g_ptr_array_index(start->scripts, t), &err))
            goto failed;
    }

    /* 7. a saved guest's state loaded (a managed save image is spent
     * then: the guest must not be restored from it twice), then let the
     * guest run */
    if (start->incoming && !vgmDriverProcessWaitIncoming(proc, mon, &err))
        goto failed;
    if (start->spent) {
        /* put aside until the guest runs (a crash from here on leaves no
         * image to restore the guest from a second time); put back if
         * this start fails */
        spentAside = g_strdup_printf("%s.loaded", start->spent);
        if (rename(start->spent, spentAside) < 0) {
            vgmErrorSetSystem(&err, errno, _("cannot remove managed save image '%1$s'"),
                              start->spent);
            g_clear_pointer(&spentAside, g_free);
            goto failed;
        }
    }
    if (!(start->flags & VGM_DRIVER_START_PAUSED)) {
        if (!vgmQemuMonitorCommand(mon, "cont", NULL, NULL, &err))
            goto failed;
        ran = TRUE;
    }

    status->state = VGM_DRIVER_STATUS_RUNNING;
    status->starterPid = 0;
    if (!vgmDriverStoreSaveStatus(store, status, &err))
        goto failed;
    if (spentAside && g_unlink(spentAside) < 0 && errno != ENOENT)
        g_warning(_("cannot remove '%1$s': %2$s"), spentAside, g_strerror(errno));
    g_clear_pointer(&mon, vgmQemuMonitorFree);
    /* QEMU stays; the GSubprocess is only our handle on it */
    g_clear_object(&proc);
    start->status = NULL;
    return status;

 failed:
    g_clear_pointer(&mon, vgmQemuMonitorFree);
    if (proc) {
        gint64 until = g_get_monotonic_time() + 500 * 1000;

        /* a closed monitor or a missing socket usually means QEMU quit:
         * say so rather than what the monitor saw */
        while (g_subprocess_get_identifier(proc) && g_get_monotonic_time() < until)
            g_usleep(10 * 1000);
        if (!g_subprocess_get_identifier(proc)) {
            g_autoptr(GError) exited = NULL;

            /* (libvirt's code for it: an internal error) */
            vgmErrorSet(&exited, VGM_ERR_INTERNAL,
                        _("QEMU exited while domain '%1$s' was starting"), start->name);
            g_clear_error(&err);
            err = g_steal_pointer(&exited);
        }
    }
    vgmDriverStartUndo(start, &proc);
    /* (a guest that ran has moved on from the saved state) */
    if (spentAside && ran)
        g_unlink(spentAside);
    else if (spentAside && rename(spentAside, start->spent) < 0)
        g_warning(_("cannot rename '%1$s' to '%2$s': %3$s"), spentAside, start->spent,
                  g_strerror(errno));
    {
        g_autofree char *tail = vgmFileReadTail(status->log, logOffset, VGM_DRIVER_LOG_TAIL);
        g_auto(GStrv) lines = g_strsplit(tail, "\n", -1);
        g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func(g_free);

        /* the log's lines kept as lines (each escaped), as libvirt
         * quotes QEMU's last words, but for the notes of the ptys QEMU
         * opened, which say nothing of why it quit (libvirt leaves them
         * out too) */
        for (guint l = 0; lines[l]; l++) {
            if (*lines[l] && !strstr(lines[l], "char device redirected to"))
                g_ptr_array_add(kept, vgmErrorEscape(lines[l]));
        }
        g_ptr_array_add(kept, NULL);
        if (kept->len > 1) {
            g_autofree char *quoted = g_strjoinv("\n", (char **)kept->pdata);

            g_set_error(error, VGM_ERROR,
                        err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                        _("%1$s; QEMU log: %2$s"), err->message, quoted);
        } else
            g_propagate_error(error, g_steal_pointer(&err));
    }
    return NULL;

 undo:
    vgmDriverStartUndo(start, &proc);
    return NULL;
}
