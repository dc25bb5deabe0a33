/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_inspect.c: what a client reads out of a domain besides its
 * definition and statistics, as libvirt's QEMU driver gives it: bytes of
 * its guest's memory (virDomainMemoryPeek, QEMU's memsave and pmemsave)
 * and of its raw disks (virDomainBlockPeek), its perf events
 * (virDomainGetPerfEvents, virDomainSetPerfEvents) and its launch
 * security measurement (virDomainGetLaunchSecurityInfo), and the host's
 * SEV facts (virNodeGetSEVInfo).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "driver_conn.h"
#include "driver_domain.h"
#include "driver_process.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* The most one peek reads: libvirt's wire limit of its answer */
#define VGM_PEEK_MAX (4u * 1024 * 1024)

/* virDomainMemoryFlags */
#define VGM_MEMORY_VIRTUAL (1u << 0)
#define VGM_MEMORY_PHYSICAL (1u << 1)

static gboolean
vgmInspectPeekSize(guint size, GError **error)
{
    if (size > VGM_PEEK_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("a peek reads at most %1$u bytes, not %2$u: read in pieces"),
                    VGM_PEEK_MAX, size);
        return FALSE;
    }
    return TRUE;
}

GBytes *
vgmDriverMemoryPeek(VgmDriver *drv, const char *name, guint64 offset, guint size,
                    unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *dir = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *buf = NULL;
    gboolean ok;
    ssize_t got = 0;
    int fd;

    if (!vgmDriverCheckFlags(flags, VGM_MEMORY_VIRTUAL | VGM_MEMORY_PHYSICAL, error))
        return NULL;
    if (flags != VGM_MEMORY_VIRTUAL && flags != VGM_MEMORY_PHYSICAL) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a memory peek reads either virtual (VIR_MEMORY_VIRTUAL) or physical (VIR_MEMORY_PHYSICAL) addresses: give exactly one of them"));
        return NULL;
    }
    if (!vgmInspectPeekSize(size, error) ||
        !(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    /* QEMU writes the bytes into a file of the domain's run directory */
    dir = vgmDriverStoreDomainRunDir(vgmDriverGetStore(drv), dom->name);
    tmp = g_build_filename(dir, "memory-peek.XXXXXX", NULL);
    if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot make a file in '%1$s'"), dir);
        return NULL;
    }
    json_object_set_int_member(args, "val", (gint64)offset);
    json_object_set_int_member(args, "size", size);
    json_object_set_string_member(args, "filename", tmp);
    buf = g_malloc(size ? size : 1);
    ok = (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
         vgmQemuMonitorCommand(mon, flags == VGM_MEMORY_VIRTUAL ? "memsave" : "pmemsave", args,
                               NULL, error);
    while (ok && (guint)got < size) {
        ssize_t n = pread(fd, buf + got, size - got, got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                vgmErrorSetSystem(error, errno, _("cannot read '%1$s'"), tmp);
            else
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("QEMU wrote %1$zd of the %2$u bytes asked for at 0x%3$" G_GINT64_MODIFIER "x"),
                            got, size, offset);
            ok = FALSE;
            break;
        }
        got += n;
    }
    close(fd);
    unlink(tmp);
    if (!ok)
        return NULL;
    return g_bytes_new_take(g_steal_pointer(&buf), size);
}

GBytes *
vgmDriverBlockPeek(VgmDriver *drv, const char *name, const char *path, guint64 offset,
                   guint size, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *buf = NULL;
    const VgmDiskDef *disk;
    ssize_t got = 0;
    int fd;

    if (!vgmDriverCheckFlags(flags, 0, error) || !vgmInspectPeekSize(size, error))
        return NULL;
    if (offset > (guint64)G_MAXINT64 - size) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("offset %1$" G_GUINT64_FORMAT " is beyond any image"), offset);
        return NULL;
    }
    if (!(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    if (!(disk = vgmDriverFindDisk(dom->def, path))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no disk '%2$s' (a target or a source path)"),
                    dom->name, path);
        return NULL;
    }
    /* as libvirt: the bytes of a raw image are the guest's */
    if (disk->type == VGM_DISK_TYPE_VHOSTUSER || disk->net || !disk->src ||
        (disk->type != VGM_DISK_TYPE_FILE && disk->type != VGM_DISK_TYPE_BLOCK)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("disk '%1$s' has no local image to peek at (a peek reads a file or block device)"),
                    disk->dst);
        return NULL;
    }
    /* (a disk that names no format is opened as raw) */
    if (disk->driverType && !g_str_equal(disk->driverType, "raw")) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("disk '%1$s': a peek reads only an image of format 'raw', not '%2$s'"),
                    disk->dst, disk->driverType);
        return NULL;
    }
    if ((fd = open(disk->src, O_RDONLY | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open '%1$s'"), disk->src);
        return NULL;
    }
    buf = g_malloc(size ? size : 1);
    while ((guint)got < size) {
        ssize_t n = pread(fd, buf + got, size - got, (off_t)(offset + got));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vgmErrorSetSystem(error, errno, _("cannot read '%1$s'"), disk->src);
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        got += n;
    }
    close(fd);
    if ((guint)got < size) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("'%1$s' has only %2$zd bytes from offset %3$" G_GUINT64_FORMAT ", not %4$u"),
                    path, got, offset, size);
        return NULL;
    }
    return g_bytes_new_take(g_steal_pointer(&buf), size);
}

/* ---- perf events ---- */

/* libvirt's perf event names, in its order */
static const char *const vgmPerfEvents[] = {
    "cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references", "cache_misses",
    "branch_instructions", "branch_misses", "bus_cycles", "stalled_cycles_frontend",
    "stalled_cycles_backend", "ref_cpu_cycles", "cpu_clock", "task_clock", "page_faults",
    "context_switches", "cpu_migrations", "page_faults_min", "page_faults_maj",
    "alignment_faults", "emulation_faults",
};

GPtrArray *
vgmDriverGetPerfEvents(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) config = NULL;
    GPtrArray *out;
    guint i;

    if (!vgmDriverReadDef(drv, dom, flags, 0, &config, error))
        return NULL;
    /* (a definition enables none: <perf> is refused) */
    out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    for (i = 0; i < G_N_ELEMENTS(vgmPerfEvents); i++)
        vgmTypedParamAdd(out, vgmPerfEvents[i], VGM_TYPED_PARAM_BOOLEAN)->v.b = FALSE;
    return out;
}

gboolean
vgmDriverSetPerfEvents(VgmDriver *drv, VgmDriverDomain *dom, const GPtrArray *params,
                       unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) config = NULL;
    VgmTypedParamSpec spec[G_N_ELEMENTS(vgmPerfEvents)];
    const VgmTypedParam *found[G_N_ELEMENTS(vgmPerfEvents)];
    guint i;

    for (i = 0; i < G_N_ELEMENTS(vgmPerfEvents); i++)
        spec[i] = (VgmTypedParamSpec){ vgmPerfEvents[i], VGM_TYPED_PARAM_BOOLEAN };
    if (!vgmTypedParamsCheck(params, spec, G_N_ELEMENTS(spec), _("perf events"), found, error) ||
        !vgmDriverReadDef(drv, dom, flags, 0, &config, error))
        return FALSE;
    for (i = 0; i < G_N_ELEMENTS(vgmPerfEvents); i++) {
        if (found[i] && found[i]->v.b) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("domain '%1$s': perf event '%2$s' cannot be enabled: virt-gmem does not count host perf events (<perf> is not supported)"),
                        dom->name, vgmPerfEvents[i]);
            return FALSE;
        }
    }
    /* every event asked to be off is off already */
    return TRUE;
}

/* ---- launch security ---- */

gboolean
vgmDriverSetLaunchSecurityState(VgmDriver *drv, const char *name, const GPtrArray *params,
                                unsigned int flags, GError **error)
{
    static const VgmTypedParamSpec spec[] = {
        { "sev-secret-header", VGM_TYPED_PARAM_STRING },
        { "sev-secret", VGM_TYPED_PARAM_STRING },
        { "sev-secret-set-address", VGM_TYPED_PARAM_ULLONG },
    };
    const VgmTypedParam *found[G_N_ELEMENTS(spec)] = { NULL };
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !vgmTypedParamsCheck(params, spec, G_N_ELEMENTS(spec), "launch security state", found,
                             error) ||
        !(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return FALSE;
    /* as libvirt 9.0: SEV's launch secret only (SEV-SNP and TDX guests
     * attest otherwise) */
    if (!dom->def->sec || dom->def->sec->type != VGM_LAUNCH_SECURITY_SEV) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("domain '%1$s' is not an SEV guest: a launch secret is injected into SEV guests only"),
                    dom->name);
        return FALSE;
    }
    if (!found[0] || !found[1]) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the launch secret of domain '%1$s' needs both sev-secret-header and sev-secret"),
                    dom->name);
        return FALSE;
    }
    if (!vgmDriverDomainIsActive(dom) || dom->state != VGM_DOMAIN_STATE_PAUSED) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' must be paused (started with --paused) for its launch secret"),
                    dom->name);
        return FALSE;
    }
    json_object_set_string_member(args, "packet-header", found[0]->v.s);
    json_object_set_string_member(args, "secret", found[1]->v.s);
    if (found[2])
        json_object_set_int_member(args, "gpa", (gint64)found[2]->v.ul);
    return (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmQemuMonitorCommand(mon, "sev-inject-launch-secret", args, NULL, error);
}

GPtrArray *
vgmDriverGetLaunchSecurityInfo(VgmDriver *drv, const char *name, unsigned int flags,
                               GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) measure = NULL;
    g_autoptr(JsonNode) sev = NULL;
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    static const char *const fields[] = { "api-major", "api-minor", "build-id", "policy" };
    JsonObject *o;
    guint i;

    /* (the client library adds VIR_TYPED_PARAM_STRING_OKAY) */
    if (!vgmDriverCheckFlags(flags, VGM_TYPED_PARAM_STRING_OKAY, error) ||
        !(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    /* as libvirt 9.0: a measurement of an SEV guest; nothing of others */
    if (!dom->def->sec || dom->def->sec->type != VGM_LAUNCH_SECURITY_SEV)
        return g_steal_pointer(&out);
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"),
                    dom->name);
        return NULL;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, "query-sev-launch-measure", NULL, &measure, error) ||
        !vgmQemuMonitorCommand(mon, "query-sev", NULL, &sev, error))
        return NULL;
    if (!JSON_NODE_HOLDS_OBJECT(measure) || !JSON_NODE_HOLDS_OBJECT(sev) ||
        !json_object_has_member(json_node_get_object(measure), "data")) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("domain '%1$s': QEMU gave no SEV launch measurement"), dom->name);
        return NULL;
    }
    vgmTypedParamAdd(out, "sev-measurement", VGM_TYPED_PARAM_STRING)->v.s =
        g_strdup(json_object_get_string_member(json_node_get_object(measure), "data"));
    o = json_node_get_object(sev);
    for (i = 0; i < G_N_ELEMENTS(fields); i++) {
        g_autofree char *field = g_strdup_printf("sev-%s", fields[i]);

        vgmTypedParamAdd(out, field, VGM_TYPED_PARAM_UINT)->v.ui =
            (guint32)json_object_get_int_member_with_default(o, fields[i], 0);
    }
    return g_steal_pointer(&out);
}

GPtrArray *
vgmDriverNodeGetSEVInfo(VgmDriver *drv G_GNUC_UNUSED, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_TYPED_PARAM_STRING_OKAY, error))
        return NULL;
    vgmErrorSet(error, VGM_ERR_NO_SUPPORT, "%s",
                _("the host's SEV platform data (its certificates, C-bit position) are not reported: virt-gmem does not ask QEMU for them"));
    return NULL;
}

/* ---- save and restore by typed parameters ---- */

static const VgmTypedParamSpec vgmSaveParamSpec[] = {
    { "file", VGM_TYPED_PARAM_STRING },
    { "dxml", VGM_TYPED_PARAM_STRING },
};

gboolean
vgmDriverSaveParams(VgmDriver *drv, const char *name, const GPtrArray *params,
                    unsigned int flags, GError **error)
{
    const VgmTypedParam *found[G_N_ELEMENTS(vgmSaveParamSpec)];

    if (!vgmTypedParamsCheck(params, vgmSaveParamSpec, G_N_ELEMENTS(vgmSaveParamSpec), _("save"),
                             found, error))
        return FALSE;
    /* as libvirt: no file is the managed save */
    return vgmDriverSave(drv, name, found[0] ? found[0]->v.s : NULL,
                         found[1] ? found[1]->v.s : NULL, flags, error);
}

VgmDriverDomain *
vgmDriverRestoreParams(VgmDriver *drv, const GPtrArray *params, unsigned int flags,
                       GError **error)
{
    const VgmTypedParam *found[G_N_ELEMENTS(vgmSaveParamSpec)];

    if (!vgmTypedParamsCheck(params, vgmSaveParamSpec, G_N_ELEMENTS(vgmSaveParamSpec),
                             _("restore"), found, error))
        return NULL;
    if (!found[0]) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a restore needs the image to restore from (parameter 'file')"));
        return NULL;
    }
    return vgmDriverRestore(drv, found[0]->v.s, found[1] ? found[1]->v.s : NULL, flags, error);
}
