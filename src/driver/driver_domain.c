/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_domain.c: define, undefine, start, destroy, shutdown, lookup and
 * the state of domains (see driver_domain.h).
 *
 * Every operation that changes a domain holds its lock from the first look
 * at it to the last write. Commands that only look (list, domstate,
 * dominfo) take the lock just to clean up, and only if it is free: a
 * domain another virt-gmem is working on is reported as that process left
 * it so far, never changed under its feet.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libxml/xpath.h>

#include "driver_domain.h"
#include "driver_caps.h"
#include "driver_cgroup.h"
#include "driver_conn.h"
#include "driver_device.h"
#include "driver_disk.h"
#include "driver_fs.h"
#include "driver_graphics.h"
#include "driver_vsock.h"
#include "driver_net.h"
#include "driver_process.h"
#include "driver_save.h"
#include "driver_snapshot.h"
#include "driver_tpm.h"
#include "driver_update.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_firmware.h"
#include "qemu/qemu_validate.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmkeycode.h"
#include "util/vgmxml.h"

/* translated where printed */
VGM_ENUM_IMPL(vgmDomainState, VGM_DOMAIN_STATE_LAST,
              N_("no state"),
              N_("running"),
              N_("idle"),
              N_("paused"),
              N_("in shutdown"),
              N_("shut off"),
              N_("crashed"),
              N_("pmsuspended"));

void
vgmDriverDomainFree(VgmDriverDomain *dom)
{
    if (!dom)
        return;
    g_free(dom->name);
    g_free(dom->broken);
    vgmDriverStatusFree(dom->status);
    if (dom->config)
        vgmDriverConfigUnref(dom->config);
    vgmDomainDefFree(dom->def);
    g_clear_pointer(&dom->diskDrops, g_ptr_array_unref);
    g_free(dom);
}

static void
vgmDriverDiskDropFree(VgmDriverDiskDrop *drop)
{
    g_free(drop->alias);
    g_free(drop->src);
    g_free(drop);
}

/* <source startupPolicy>: a disk whose local source is missing fails the
 * start (mandatory, requisite: a cold start is no restore) or is started
 * without it (optional: a CD-ROM or floppy empty, a disk left out), as
 * libvirt does; the live XML then shows what runs. Without a policy the
 * missing source is QEMU's error, as before. Appends to @drops. */
static gboolean
vgmDriverDomainApplyStartupPolicy(VgmDomainDef *def, GPtrArray *drops, GError **error)
{
    GPtrArray *disks = def->devices.disks;
    guint i = 0;

    while (i < disks->len) {
        VgmDiskDef *d = g_ptr_array_index(disks, i);
        VgmDriverDiskDrop *drop;

        if (!d->startupPolicy || !d->src || access(d->src, F_OK) == 0) {
            i++;
            continue;
        }
        if (d->startupPolicy != VGM_DISK_STARTUP_OPTIONAL) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot start domain '%1$s': the source '%2$s' of disk '%3$s' is missing, and its startupPolicy is '%4$s'"),
                        def->name, d->src, d->dst,
                        vgmDiskStartupPolicyTypeToString(d->startupPolicy));
            return FALSE;
        }
        drop = g_new0(VgmDriverDiskDrop, 1);
        drop->alias = vgmQemuDiskDeviceId(def, d);
        drop->removed = d->device == VGM_DISK_DEVICE_DISK;
        g_ptr_array_add(drops, drop);
        if (drop->removed) {
            drop->src = g_strdup(d->src);
            g_ptr_array_remove_index(disks, i);
            continue;
        }
        drop->src = g_steal_pointer(&d->src);
        g_clear_pointer(&d->backing, g_ptr_array_unref);
        d->backingEnd = FALSE;
        d->startupPolicy = VGM_DISK_STARTUP_DEFAULT;
        i++;
    }
    return TRUE;
}

gboolean
vgmDriverDomainIsActive(const VgmDriverDomain *dom)
{
    return dom->status != NULL;
}

/* ---- live XML ---- */

void
vgmDriverDomainKeepAsRan(VgmDomainDef *def)
{
    vgmQemuCpuNameRemovedFeatures(def->cpu, VGM_CPU_FEATURE_FORCE);
    /* a start since writes readonly='no' into the live XML of a pflash
     * given without it; one before made it read-only */
    if (def->os.loader && def->os.loaderType == VGM_LOADER_TYPE_PFLASH &&
        !def->os.loaderReadonly)
        def->os.loaderReadonly = VGM_TRISTATE_YES;
}

/* <os firmware='efi'> of running @live as the firmware @fw it runs */
static void
vgmDriverDomainLiveFirmware(VgmDomainDef *live, const VgmQemuFirmware *fw)
{
    VgmOsDef *os = &live->os;
    size_t i;

    os->firmware = VGM_OS_FIRMWARE_NONE;
    for (i = 0; i < os->nfwFeatures; i++)
        g_free(os->fwFeatures[i].name);
    g_clear_pointer(&os->fwFeatures, g_free);
    os->nfwFeatures = 0;
    g_free(os->loader);
    os->loader = g_strdup(fw->loader);
    os->loaderType = fw->type;
    os->loaderReadonly = fw->readonly ? VGM_TRISTATE_YES : VGM_TRISTATE_NO;
    os->loaderSecure = fw->secure ? VGM_TRISTATE_YES : VGM_TRISTATE_ABSENT;
    if (fw->nvram && !os->nvramNet) {
        g_free(os->nvram);
        os->nvram = g_strdup(fw->nvram);
    }
    if (fw->nvramTemplate) {
        g_free(os->nvramTemplate);
        os->nvramTemplate = g_strdup(fw->nvramTemplate);
    }
    if (fw->smm && live->features.features[VGM_FEATURE_SMM] == VGM_TRISTATE_ABSENT)
        live->features.features[VGM_FEATURE_SMM] = VGM_TRISTATE_YES;
}

char *
vgmDriverDomainLiveXML(const VgmDomainDef *def, const char *machine,
                       const VgmQemuCpuHostModel *hostModel, GHashTable *cpuDropped,
                       const VgmQemuFirmware *fw, const char *defaultCpu)
{
    g_autofree char *xml = vgmDomainDefFormat(def);
    g_autoptr(VgmDomainDef) live = NULL;
    g_autoptr(GError) err = NULL;
    gboolean newMachine = machine && g_strcmp0(def->os.machine, machine) != 0;
    gboolean newCpu = hostModel && vgmQemuCpuIsHostRelative(def->cpu);
    gboolean virtioMem = FALSE;
    /* as libvirt: a variable clock from the host's local time runs as
     * one from UTC, with the host's UTC offset at the start added to its
     * adjustment (a guest's RTC changes and a restore elsewhere then
     * need no time zone) */
    gboolean localClock = def->clock.offset == VGM_CLOCK_OFFSET_VARIABLE &&
                          g_strcmp0(def->clock.basis, "localtime") == 0;
    gboolean dropCpu = cpuDropped && g_hash_table_size(cpuDropped) > 0;
    /* as libvirt's start leaves a custom model: what QEMU got, no other
     * (it never falls back to another model) */
    gboolean forbid = def->cpu && def->cpu->mode == VGM_CPU_MODE_CUSTOM && def->cpu->model &&
                      def->cpu->fallback != VGM_CPU_FALLBACK_FORBID;
    /* a pflash without readonly is writable: said, so that a new QEMU
     * made of the live XML knows it from one of a start before 2026-12-06
     * (read-only: vgmDriverDomainKeepAsRan) */
    gboolean rwFlash = def->os.loader && def->os.loaderType == VGM_LOADER_TYPE_PFLASH &&
                       !def->os.loaderReadonly;
    /* the virtiofsd a share runs, named as libvirt's live XML names it */
    gboolean fsBinary = FALSE;
    /* firmware the descriptors gave: the files it runs from, as libvirt's
     * live XML names them (the <firmware> wishes that chose them are left
     * out: with a <loader> they would ask for a selection again) */
    gboolean chosenFw = fw && fw->loader && fw->descriptor &&
                        def->os.firmware == VGM_OS_FIRMWARE_EFI;
    /* and a loader's own varstore, where the driver named its file or
     * found its template, as libvirt's live XML has them */
    gboolean varstore = fw && !chosenFw && def->os.loader && fw->nvram && !def->os.nvramNet &&
                        (g_strcmp0(def->os.nvram, fw->nvram) != 0 ||
                         g_strcmp0(def->os.nvramTemplate, fw->nvramTemplate) != 0);
    /* and with what libvirt's CPU map removed from the model turned off */
    g_autoptr(GPtrArray) removed = vgmQemuCpuRemovedFeatures(def->cpu);
    /* and the memory QEMU got, its sizes aligned, as libvirt's live XML
     * reports it */
    gboolean memAlign = vgmQemuMemoryUnaligned(def);
    /* and the CPU model QEMU gave a domain without one, named */
    gboolean cpuDefault = defaultCpu && vgmQemuCpuLacksModel(def);
    guint i;

    /* (a virtio-mem device's <current>, 0 until the guest plugs some,
     * comes with the parse of a running domain's XML) */
    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);

        virtioMem |= mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM;
    }
    for (i = 0; i < def->devices.fss->len; i++) {
        const VgmFsDef *fs = g_ptr_array_index(def->devices.fss, i);

        fsBinary |= fs->driver == VGM_FS_DRIVER_VIRTIOFS && !fs->socket && !fs->binary;
    }
    if (!newMachine && !newCpu && !virtioMem && !localClock && !dropCpu && !forbid &&
        !removed->len && !rwFlash && !fsBinary && !chosenFw && !varstore && !memAlign &&
        !cpuDefault)
        return g_steal_pointer(&xml);
    /* a copy through the XML: the definition has no deep copy */
    if (!(live = vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE, &err))) {
        g_warning(_("the live XML of domain '%1$s' keeps its definition's machine and CPU: it does not read back (%2$s)"),
                  def->name, err->message);
        return g_steal_pointer(&xml);
    }
    if (newMachine) {
        g_free(live->os.machine);
        live->os.machine = g_strdup(machine);
    }
    if (newCpu)
        vgmQemuCpuHostModelToCustom(live->cpu, hostModel);
    if (forbid)
        live->cpu->fallback = VGM_CPU_FALLBACK_FORBID;
    if (rwFlash)
        live->os.loaderReadonly = VGM_TRISTATE_NO;
    if (chosenFw)
        vgmDriverDomainLiveFirmware(live, fw);
    if (varstore) {
        g_free(live->os.nvram);
        live->os.nvram = g_strdup(fw->nvram);
        g_free(live->os.nvramTemplate);
        live->os.nvramTemplate = g_strdup(fw->nvramTemplate);
    }
    if (fsBinary)
        vgmDriverFsNameBinaries(live);
    if (memAlign)
        vgmQemuMemoryAlign(live);
    if (cpuDefault)
        vgmQemuCpuSetDefault(live, defaultCpu);
    if (removed->len)
        vgmQemuCpuNameRemovedFeatures(live->cpu, VGM_CPU_FEATURE_DISABLE);
    if (dropCpu && live->cpu) {
        size_t j = 0;

        for (i = 0; i < live->cpu->nfeatures; i++) {
            g_autofree char *name = vgmQemuCpuFeatureName(live->cpu->features[i].name);

            if (g_hash_table_contains(cpuDropped, name))
                g_free(live->cpu->features[i].name);
            else
                live->cpu->features[j++] = live->cpu->features[i];
        }
        live->cpu->nfeatures = j;
    }
    if (localClock) {
        live->clock.adjustment = vgmQemuClockAdjustment(&def->clock);
        g_free(live->clock.basis);
        live->clock.basis = g_strdup("utc");
    }
    return vgmDomainDefFormat(live);
}

/* A run's live XML @xml read as a definition: what a run has and a
 * definition does not goes */
static char *
vgmDriverDomainLiveAsDefinition(const char *xml, GError **error)
{
    g_autoptr(VgmDomainDef) def = vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE,
                                                          error);

    return def ? vgmDomainDefFormat(def) : NULL;
}

char *
vgmDriverDomainFormatXML(const VgmDriverStore *store, const VgmDriverDomain *dom,
                         gboolean inactive, GError **error)
{
    const char *xml;
    const char *tag;
    const char *q;

    if (inactive || !dom->status) {
        if (dom->persistent) {
            g_autoptr(VgmDriverConfig) cfg = NULL;

            /* an inactive domain's lookup has just read it */
            if (dom->config && !dom->status)
                return vgmDriverStoreConfigXML(store, dom->name, dom->config, error);
            if (!(cfg = vgmDriverStoreGetConfig(store, dom->name, error)))
                return NULL;
            return vgmDriverStoreConfigXML(store, dom->name, cfg, error);
        }
        if (!dom->status) {
            vgmErrorSet(error, VGM_ERR_NO_DOMAIN,
                        _("domain '%1$s' is not defined"), dom->name);
            return NULL;
        }
        /* a transient domain's inactive XML is its live one read as a
         * definition (no id, aliases, ptys or ports chosen), as libvirt
         * formats it */
        if (inactive)
            return vgmDriverDomainLiveAsDefinition(dom->status->xml, error);
    }
    xml = dom->status->xml;
    /* <domain type='kvm'> -> <domain type='kvm' id='N'> */
    if (!(tag = strstr(xml, "<domain type='")) ||
        !(q = strchr(tag + strlen("<domain type='"), '\'')))
        return g_strdup(xml);
    return g_strdup_printf("%.*s id='%d'%s", (int)(q + 1 - xml), xml,
                           dom->status->id, q + 1);
}

/* ---- refreshing a domain ---- */

/* The reason words a stopped or running domain can carry over from what
 * happened to it, as static strings (dom->reason is not owned). */
static const char *const vgmDriverKeptReasons[] = {
    N_("shutdown"), N_("destroyed"), N_("crashed"), N_("failed"), N_("unpaused"), N_("saved"),
    N_("restored"), N_("from snapshot"), N_("migrated"),
};

static const char *
vgmDriverDomainKeptReason(const char *word, const char *fallback)
{
    size_t i;

    for (i = 0; word && i < G_N_ELEMENTS(vgmDriverKeptReasons); i++) {
        if (g_str_equal(word, vgmDriverKeptReasons[i]))
            return vgmDriverKeptReasons[i];
    }
    return fallback;
}

static void
vgmDriverDomainSetInactive(VgmDriverDomain *dom, const char *reason)
{
    g_clear_pointer(&dom->status, vgmDriverStatusFree);
    dom->id = -1;
    dom->state = VGM_DOMAIN_STATE_SHUTOFF;
    dom->reason = reason;
}

gboolean
vgmDriverDomainCleanup(const VgmDriverStore *store, VgmDriverDomain *dom,
                       GError **error)
{
    const VgmDriverStatusUpdate *other = dom->status->update;
    g_auto(VgmDriverProcIdent) found = { 0 };

    if (!vgmDriverProcessKill(&dom->status->qemu, VGM_DRIVER_KILL_GRACE_MS, error))
        return FALSE;
    /* the other QEMU of a live update that was interrupted */
    if (other &&
        !vgmDriverProcessKill(other->qemu.pid > 0 ? &other->qemu :
                              vgmDriverProcessFind(other->pidfile, other->monitor, &found) ?
                              &found : NULL,
                              VGM_DRIVER_KILL_GRACE_MS, error))
        return FALSE;
    return vgmDriverStoreDeleteStatus(store, dom->name, error);
}

/* Kills what is left of a start whose tool died and removes its status.
 * A tool killed between the spawn and writing the pid down leaves a
 * status without a pid: its QEMU is found through the pidfile (or its
 * command line). */
static gboolean
vgmDriverDomainCleanupStart(const VgmDriverStore *store, VgmDriverDomain *dom,
                            GError **error)
{
    g_auto(VgmDriverProcIdent) found = { 0 };
    const VgmDriverStatus *status = dom->status;

    if (status->qemu.pid <= 0 && status->pidfile &&
        vgmDriverProcessFind(status->pidfile, status->monitor, &found) &&
        !vgmDriverProcessKill(&found, VGM_DRIVER_KILL_GRACE_MS, error))
        return FALSE;
    return vgmDriverDomainCleanup(store, dom, error);
}

/* What a look at the store (a view, or the index) already told about a
 * domain's files, so that a list of many domains does not ask each one
 * again. */
typedef struct {
    gboolean hasConfig;
    gboolean hasStatus;
    gboolean hasStopped;
    const VgmDriverStoreView *view; /* for its cached configs, or NULL */
} VgmDriverDomainSeen;

static void
vgmDriverDomainSeenSet(VgmDriverDomainSeen *seen, guint files, const VgmDriverStoreView *view)
{
    seen->hasConfig = (files & VGM_DRIVER_STORE_HAS_CONFIG) != 0;
    seen->hasStatus = (files & VGM_DRIVER_STORE_HAS_STATUS) != 0;
    seen->hasStopped = (files & VGM_DRIVER_STORE_HAS_STOPPED) != 0;
    seen->view = view;
}

static gboolean
vgmDriverDomainRefresh(const VgmDriverStore *store, VgmDriverDomain *dom,
                       gboolean haveLock, const VgmDriverDomainSeen *seen,
                       GError **error);

typedef enum {
    VGM_DRIVER_CLEANUP_GO,      /* the caller holds the lock: clean up */
    VGM_DRIVER_CLEANUP_BUSY,    /* someone else holds it: leave the domain alone */
    VGM_DRIVER_CLEANUP_REDONE,  /* looked again under the lock; *ok says how it went */
} VgmDriverCleanupStep;

/*
 * A refresh found leftovers to clean up. With the caller's lock it goes
 * on. Without, it tries the lock without waiting, and when it gets it
 * looks at the domain again under it: what it read before may be stale
 * (a stop and a new start may have come in between), and acting on it
 * would remove the new run's status.
 */
static VgmDriverCleanupStep
vgmDriverDomainCleanupBegin(const VgmDriverStore *store, VgmDriverDomain *dom,
                            gboolean haveLock, gboolean *ok, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;

    if (haveLock)
        return VGM_DRIVER_CLEANUP_GO;
    if (!(lock = vgmDriverStoreLockDomain(store, dom->name, 0, NULL)))
        return VGM_DRIVER_CLEANUP_BUSY;
    *ok = vgmDriverDomainRefresh(store, dom, TRUE, NULL, error);
    return VGM_DRIVER_CLEANUP_REDONE;
}

/* Maps QEMU's run state to a domain state, or SHUTOFF for 'shutdown'
 * (the guest powered off and QEMU waits, -no-shutdown, to be ended). */
static void
vgmDriverDomainMapRunState(const char *qs, VgmDomainState *state,
                           const char **reason)
{
    static const struct {
        const char *qemu;
        VgmDomainState state;
        const char *reason;
    } map[] = {
        { "running", VGM_DOMAIN_STATE_RUNNING, N_("booted") },
        /* a verified domain still in prelaunch was started paused */
        { "prelaunch", VGM_DOMAIN_STATE_PAUSED, N_("user") },
        { "paused", VGM_DOMAIN_STATE_PAUSED, N_("user") },
        { "io-error", VGM_DOMAIN_STATE_PAUSED, N_("I/O error") },
        { "watchdog", VGM_DOMAIN_STATE_PAUSED, N_("watchdog") },
        { "debug", VGM_DOMAIN_STATE_PAUSED, N_("debug") },
        { "inmigrate", VGM_DOMAIN_STATE_PAUSED, N_("migrating") },
        { "postmigrate", VGM_DOMAIN_STATE_PAUSED, N_("migrating") },
        { "finish-migrate", VGM_DOMAIN_STATE_PAUSED, N_("migrating") },
        { "save-vm", VGM_DOMAIN_STATE_PAUSED, N_("saving") },
        { "restore-vm", VGM_DOMAIN_STATE_PAUSED, N_("from snapshot") },
        { "suspended", VGM_DOMAIN_STATE_PMSUSPENDED, N_("unknown") },
        { "guest-panicked", VGM_DOMAIN_STATE_CRASHED, N_("panicked") },
        { "shutdown", VGM_DOMAIN_STATE_SHUTOFF, N_("shutdown") },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_equal(map[i].qemu, qs)) {
            *state = map[i].state;
            *reason = map[i].reason;
            return;
        }
    }
    *state = VGM_DOMAIN_STATE_PAUSED;
    *reason = N_("unknown");
}

/*
 * Why a running domain's QEMU is gone, which no call of the driver ended.
 * QEMU removes its pidfile when it exits in order (the guest powered off,
 * a QMP quit, or SIGTERM, SIGINT and SIGHUP from another process, which it
 * logs as "terminating on signal" and reports as a host's SHUTDOWN): a
 * shutdown, as libvirt calls each. A QEMU that was killed (SIGKILL) or
 * crashed leaves it, and sent no SHUTDOWN: libvirt's "crashed".
 */
static const char *
vgmDriverDomainExitReason(const VgmDriverStatus *status)
{
    if (!status->pidfile || !status->log)
        return N_("unknown");
    return g_file_test(status->pidfile, G_FILE_TEST_EXISTS) ? N_("crashed") : N_("shutdown");
}

/*
 * A status file that cannot be used (@why). One that is not a status
 * (vgmDriverStatusParse failed) is moved aside to NAME.status.corrupt
 * with a warning, and the domain is shut off, when nobody works on the
 * domain and no QEMU of it runs (none started with its pidfile).
 * Otherwise, and when the file could not be read at all, it stays and the
 * domain cannot be looked at.
 */
static gboolean
vgmDriverDomainBadStatus(const VgmDriverStore *store, VgmDriverDomain *dom,
                         gboolean haveLock, GError *why, GError **error)
{
    g_auto(VgmDriverProcIdent) qemu = { 0 };
    g_autofree char *path = vgmDriverStoreStatusPath(store, dom->name);
    g_autofree char *pidfile = vgmDriverStorePidfilePath(store, dom->name);
    g_autofree char *moved = g_strconcat(path, ".corrupt", NULL);
    gboolean ok = FALSE;

    if (!g_error_matches(why, VGM_ERROR, VGM_ERR_INTERNAL)) {
        g_propagate_error(error, g_error_copy(why));
        return FALSE;
    }
    switch (vgmDriverDomainCleanupBegin(store, dom, haveLock, &ok, error)) {
    case VGM_DRIVER_CLEANUP_BUSY:
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("%1$s (another virt-gmem process is working on domain '%2$s')"),
                    why->message, dom->name);
        return FALSE;
    case VGM_DRIVER_CLEANUP_REDONE:
        return ok;
    case VGM_DRIVER_CLEANUP_GO:
        break;
    }
    if (vgmDriverProcessFind(pidfile, NULL, &qemu)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("%1$s; QEMU process %2$lld of domain '%3$s' still runs: stop it, then remove the file"),
                    why->message, (long long)qemu.pid, dom->name);
        return FALSE;
    }
    if (rename(path, moved) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot move unreadable status file '%1$s' to '%2$s'"),
                          path, moved);
        return FALSE;
    }
    g_printerr(_("warning: %1$s; moved it to '%2$s', domain '%3$s' is shut off\n"),
               why->message, moved, dom->name);
    /* the runtime dir and RAM files of the run it described */
    if (!vgmDriverStoreDeleteStatus(store, dom->name, error))
        return FALSE;
    vgmDriverDomainSetInactive(dom, N_("unknown"));
    return TRUE;
}

/* QEMU's action @value for its event @event (set-action) */
static gboolean
vgmDriverDomainSetAction(VgmQemuMonitor *mon, const char *event, const char *value,
                         GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_string_member(args, event, value);
    return vgmQemuMonitorCommand(mon, "set-action", args, NULL, error);
}

/* What QEMU does at the guest's power-off: pause, while a reboot is
 * asked for (the driver then resets the guest and lets it run), or exit
 * (poweroff); QMP set-action, QEMU 6.0 and newer */
static gboolean
vgmDriverDomainShutdownAction(VgmQemuMonitor *mon, const char *name, gboolean pause,
                              GError **error)
{
    g_autoptr(GError) err = NULL;

    if (vgmDriverDomainSetAction(mon, "shutdown", pause ? "pause" : "poweroff", &err))
        return TRUE;
    vgmErrorSet(error, err->code,
                pause ? _("domain '%1$s': QEMU cannot be made to wait at the guest's power-off for the reboot (set-action, QEMU 6.0 or newer): %2$s")
                      : _("domain '%1$s': QEMU cannot be made to exit at the guest's power-off again (set-action): %2$s"),
                name, err->message);
    return FALSE;
}

/* Records in the status of running domain @dom (lock held) whether its
 * guest's next power-off is a reboot, and tells QEMU; the record goes
 * first, so that a crash between the two leaves a QEMU that exits at a
 * power-off, whatever the record says */
static gboolean
vgmDriverDomainSetRebooting(const VgmDriverStore *store, VgmDriverDomain *dom,
                            VgmQemuMonitor *mon, gboolean rebooting, GError **error)
{
    if (dom->status->rebooting == rebooting)
        return TRUE;
    if (rebooting) {
        dom->status->rebooting = TRUE;
        if (!vgmDriverStoreSaveStatus(store, dom->status, error))
            return FALSE;
        if (vgmDriverDomainShutdownAction(mon, dom->name, TRUE, error))
            return TRUE;
        dom->status->rebooting = FALSE;
        vgmDriverStoreSaveStatus(store, dom->status, NULL);
        return FALSE;
    }
    /* (<on_poweroff>restart: QEMU keeps waiting at every power-off) */
    if (!dom->status->restartAtPoweroff &&
        !vgmDriverDomainShutdownAction(mon, dom->name, FALSE, error))
        return FALSE;
    dom->status->rebooting = FALSE;
    return vgmDriverStoreSaveStatus(store, dom->status, error);
}

/* The guest of @dom (lock held) powered off for the reboot that was asked
 * for, and QEMU waits: the machine is reset and runs again, as libvirt's
 * fake reboot does it (QEMU's RESET event tells the watcher) */
static gboolean
vgmDriverDomainFinishReboot(const VgmDriverStore *store, VgmDriverDomain *dom, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    gint64 until = g_get_monotonic_time() + VGM_DRIVER_QUERY_TIMEOUT_MS * 1000LL;

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, "system_reset", NULL, NULL, error) ||
        !vgmDriverDomainSetRebooting(store, dom, mon, FALSE, error))
        return FALSE;
    /* QEMU's main loop carries the reset out after the command returns:
     * until then, 'cont' is refused */
    for (;;) {
        g_autofree char *qs = vgmDriverProcessQueryStatus(mon, error);

        if (!qs)
            return FALSE;
        if (!g_str_equal(qs, "shutdown"))
            break;
        if (g_get_monotonic_time() > until) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("domain '%1$s': QEMU did not reset the guest for the reboot"),
                        dom->name);
            return FALSE;
        }
        g_usleep(10 * 1000);
    }
    if (!vgmQemuMonitorCommand(mon, "cont", NULL, NULL, error))
        return FALSE;
    g_clear_pointer(&dom->status->runReason, g_free);
    return vgmDriverStoreSaveStatus(store, dom->status, error);
}

/*
 * Sets dom->state/reason/id/status from the status file, the process and
 * its monitor, cleaning up a dead QEMU, a QEMU whose guest powered off and
 * a start whose tool died. @haveLock: the caller holds the domain lock.
 */

gboolean
vgmDriverDomainJobMark(const VgmDriverStore *store, VgmDriverDomain *dom, const char *kind,
                       gboolean resume, const char *target, GError **error)
{
    g_free(dom->status->job);
    g_free(dom->status->jobTarget);
    g_clear_pointer(&dom->status->jobTemp, g_free);
    dom->status->job = g_strdup(kind);
    dom->status->jobResume = resume;
    dom->status->jobTarget = g_strdup(target);
    dom->status->jobPid = getpid();
    return vgmDriverStoreSaveStatus(store, dom->status, error);
}

void
vgmDriverDomainJobUnmark(const VgmDriverStore *store, VgmDriverDomain *dom)
{
    g_autoptr(GError) err = NULL;

    if (!dom->status || !dom->status->job)
        return;
    g_clear_pointer(&dom->status->job, g_free);
    g_clear_pointer(&dom->status->jobTarget, g_free);
    g_clear_pointer(&dom->status->jobTemp, g_free);
    dom->status->jobResume = FALSE;
    dom->status->jobPid = 0;
    if (!vgmDriverStoreSaveStatus(store, dom->status, &err))
        g_warning(_("domain '%1$s': the end of a job cannot be written into its status: %2$s"),
                  dom->name, err->message);
}

/* QEMU's migration states of one under way */
static const char *const vgmDriverMigrationBusyStates[] = {
    "setup", "active", "pre-switchover", "device", "wait-unplug", "cancelling", NULL
};

/* The job of running domain @dom (its lock held) whose process died, as
 * libvirt recovers a save, dump or snapshot its daemon died in: QEMU's
 * migration into the file cancelled, the guest let run again if the job
 * found it running, the file's temporary removed, the mark gone. A save
 * whose image was whole and in place (its temporary renamed over it, QEMU's
 * migration completed) is finished instead: QEMU ended, the domain shut
 * off (saved); TRUE then. */
static gboolean
vgmDriverDomainJobRecover(const VgmDriverStore *store, VgmDriverDomain *dom)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;

    if ((mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, &err))) {
        gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        gboolean cancelled = FALSE;

        for (;;) {
            g_autoptr(JsonNode) mig = NULL;
            const char *st;

            if (!vgmQemuMonitorCommand(mon, "query-migrate", NULL, &mig, NULL) ||
                !JSON_NODE_HOLDS_OBJECT(mig))
                break;
            st = json_object_get_string_member_with_default(json_node_get_object(mig), "status",
                                                            "");
            if (g_str_equal(dom->status->job, "save") && g_str_equal(st, "completed") &&
                dom->status->jobTemp && dom->status->jobTarget &&
                !g_file_test(dom->status->jobTemp, G_FILE_TEST_EXISTS) &&
                g_file_test(dom->status->jobTarget, G_FILE_TEST_EXISTS)) {
                g_clear_pointer(&mon, vgmQemuMonitorFree);
                if (vgmDriverDomainCleanup(store, dom, &err)) {
                    g_message(_("domain '%1$s': its save, whose process died once the image '%2$s' was whole, is finished"),
                              dom->name, dom->status ? dom->status->jobTarget : "");
                    vgmDriverStoreSetStopReason(store, dom->name, "saved");
                    return TRUE;
                }
                g_warning(_("domain '%1$s': its save is whole, but QEMU cannot be ended: %2$s"),
                          dom->name, err->message);
                return FALSE;
            }
            if (!g_strv_contains(vgmDriverMigrationBusyStates, st) ||
                g_get_monotonic_time() > until)
                break;
            if (!cancelled)
                cancelled = vgmQemuMonitorCommand(mon, "migrate_cancel", NULL, NULL, NULL);
            g_usleep(50 * 1000);
        }
        if (dom->status->jobResume) {
            g_autofree char *qs = vgmDriverProcessQueryStatus(mon, NULL);

            if (qs && !g_str_equal(qs, "running") &&
                !vgmQemuMonitorCommand(mon, "cont", NULL, NULL, &err))
                g_warning(_("domain '%1$s' stays paused after its cut short %2$s: %3$s"),
                          dom->name, dom->status->job, err->message);
        }
    } else {
        g_warning(_("domain '%1$s': its cut short %2$s cannot be undone in QEMU: %3$s"),
                  dom->name, dom->status->job, err->message);
    }
    if (dom->status->jobTarget)
        vgmFileRemoveTemps(dom->status->jobTarget);
    g_message(_("domain '%1$s': its %2$s, whose process died, is undone"), dom->name,
              dom->status->job);
    vgmDriverDomainJobUnmark(store, dom);
    return FALSE;
}

static gboolean
vgmDriverDomainRefresh(const VgmDriverStore *store, VgmDriverDomain *dom,
                       gboolean haveLock, const VgmDriverDomainSeen *seen,
                       GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autofree char *qs = NULL;
    g_autoptr(GError) err = NULL;
    VgmDomainState state;
    const char *reason;
    const char *busy;
    gboolean ok = FALSE;

    g_clear_pointer(&dom->status, vgmDriverStatusFree);
    if (!(seen && !seen->hasStatus) &&
        !(dom->status = vgmDriverStoreLoadStatus(store, dom->name, &err)) && err)
        return vgmDriverDomainBadStatus(store, dom, haveLock, err, error);
    if (!dom->status) {
        g_autofree char *kept = NULL;

        if (!(seen && !seen->hasStopped))
            kept = vgmDriverStoreGetStopReason(store, dom->name);
        vgmDriverDomainSetInactive(dom, vgmDriverDomainKeptReason(kept, N_("unknown")));
        return TRUE;
    }
    dom->id = dom->status->id;
    memcpy(dom->uuid, dom->status->uuid, sizeof(dom->uuid));

    if (dom->status->update) {
        /* a live update: under way while its tool holds the lock (the
         * owner's state is the domain's), else interrupted */
        switch (vgmDriverDomainCleanupBegin(store, dom, haveLock, &ok, error)) {
        case VGM_DRIVER_CLEANUP_BUSY:
            break;
        case VGM_DRIVER_CLEANUP_REDONE:
            return ok;
        case VGM_DRIVER_CLEANUP_GO:
            if (!vgmDriverUpdateRecover(store, dom->status, error))
                return FALSE;
            break;
        }
    }

    /* a job whose process died (another's: this process's own jobs are
     * its to end) */
    if (dom->status->job && dom->status->jobPid != getpid() &&
        (dom->status->jobPid <= 0 || (kill(dom->status->jobPid, 0) < 0 && errno == ESRCH))) {
        switch (vgmDriverDomainCleanupBegin(store, dom, haveLock, &ok, error)) {
        case VGM_DRIVER_CLEANUP_BUSY:
            break;
        case VGM_DRIVER_CLEANUP_REDONE:
            return ok;
        case VGM_DRIVER_CLEANUP_GO:
            if (vgmDriverDomainJobRecover(store, dom)) {
                vgmDriverDomainSetInactive(dom, N_("saved"));
                return TRUE;
            }
            break;
        }
    }

    if (dom->status->state == VGM_DRIVER_STATUS_STARTING) {
        /* the starter holds the lock for the whole start: a free lock means
         * it died half-way, and its QEMU must go */
        switch (vgmDriverDomainCleanupBegin(store, dom, haveLock, &ok, error)) {
        case VGM_DRIVER_CLEANUP_BUSY:
            if (dom->status->qemu.pid > 0 && !vgmDriverProcIdentIsAlive(&dom->status->qemu)) {
                /* a start that just failed cleans itself */
                vgmDriverDomainSetInactive(dom, N_("failed"));
                return TRUE;
            }
            dom->state = VGM_DOMAIN_STATE_PAUSED;
            dom->reason = N_("starting up");
            return TRUE;
        case VGM_DRIVER_CLEANUP_REDONE:
            return ok;
        case VGM_DRIVER_CLEANUP_GO:
            break;
        }
        if (!vgmDriverDomainCleanupStart(store, dom, error))
            return FALSE;
        vgmDriverDomainSetInactive(dom, N_("failed"));
        return TRUE;
    }

    if (!vgmDriverProcIdentIsAlive(&dom->status->qemu)) {
        const char *why = vgmDriverDomainExitReason(dom->status);

        /* QEMU is gone: its leftovers go too, unless another virt-gmem is
         * busy with the domain */
        switch (vgmDriverDomainCleanupBegin(store, dom, haveLock, &ok, error)) {
        case VGM_DRIVER_CLEANUP_BUSY:
            break;
        case VGM_DRIVER_CLEANUP_REDONE:
            return ok;
        case VGM_DRIVER_CLEANUP_GO:
            if (!vgmDriverStoreDeleteStatus(store, dom->name, error))
                return FALSE;
            vgmDriverStoreSetStopReason(store, dom->name, why);
            break;
        }
        vgmDriverDomainSetInactive(dom, why);
        return TRUE;
    }

    /* a save of this process holds the monitor: the guest is paused for
     * it, as libvirt reports it (or for a snapshot or a dump; a live dump,
     * and a live snapshot while it writes the memory, let it run) */
    /* one read of the mark: the save may end between two; without one,
     * the monitor is this look's until it ends (a save waits for it) */
    busy = vgmDriverStoreLookBegin(store, dom->name);
    if (busy && vgmDriverProcIdentIsAlive(&dom->status->qemu)) {
        gboolean live = g_str_equal(busy, "dumping-live") || g_str_equal(busy, "snapshot-live") ||
                        g_str_equal(busy, "migrating-live");

        dom->state = live ? VGM_DOMAIN_STATE_RUNNING : VGM_DOMAIN_STATE_PAUSED;
        dom->reason = live ? vgmDriverDomainKeptReason(dom->status->runReason, N_("booted")) :
                      g_str_equal(busy, "snapshot") ? N_("snapshot") :
                      g_str_equal(busy, "dumping") ? N_("dumping") :
                      g_str_equal(busy, "migrating") ? N_("migrating") :
                      N_("saving");
        return TRUE;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, &err)) ||
        !(qs = vgmDriverProcessQueryStatus(mon, &err))) {
        g_clear_pointer(&mon, vgmQemuMonitorFree);
        if (!busy)
            vgmDriverStoreLookEnd(store, dom->name);
        if (!vgmDriverProcIdentIsAlive(&dom->status->qemu))
            return vgmDriverDomainRefresh(store, dom, haveLock, NULL, error);
        /* alive but not answering (another client on the monitor, or
         * QEMU is busy): it runs as far as we can tell */
        dom->state = VGM_DOMAIN_STATE_RUNNING;
        dom->reason = N_("unknown");
        return TRUE;
    }
    g_clear_pointer(&mon, vgmQemuMonitorFree);
    if (!busy)
        vgmDriverStoreLookEnd(store, dom->name);

    vgmDriverDomainMapRunState(qs, &state, &reason);
    if (state == VGM_DOMAIN_STATE_SHUTOFF) {
        /* the guest powered off and QEMU waits: for the reboot that was
         * asked for or <on_poweroff>restart (-no-shutdown), which restart
         * the guest, or a QEMU that an older virt-gmem started with
         * -no-shutdown for another <on_poweroff>, which ends now */
        switch (vgmDriverDomainCleanupBegin(store, dom, haveLock, &ok, error)) {
        case VGM_DRIVER_CLEANUP_BUSY:
            dom->state = VGM_DOMAIN_STATE_SHUTDOWN;
            dom->reason = N_("unknown");
            return TRUE;
        case VGM_DRIVER_CLEANUP_REDONE:
            return ok;
        case VGM_DRIVER_CLEANUP_GO:
            break;
        }
        if (dom->status->rebooting || dom->status->restartAtPoweroff) {
            if (vgmDriverDomainFinishReboot(store, dom, &err)) {
                dom->state = VGM_DOMAIN_STATE_RUNNING;
                dom->reason = N_("booted");
                return TRUE;
            }
            /* as libvirt, a reboot that cannot go on ends the guest */
            g_warning(_("domain '%1$s': the guest powered off for a reboot that failed, so it is shut off: %2$s"),
                      dom->name, err->message);
        }
        if (!vgmDriverDomainCleanup(store, dom, error))
            return FALSE;
        vgmDriverStoreSetStopReason(store, dom->name, "shutdown");
        vgmDriverDomainSetInactive(dom, N_("shutdown"));
        return TRUE;
    }
    dom->state = state;
    dom->reason = reason;
    if (state == VGM_DOMAIN_STATE_RUNNING && dom->status->runReason)
        dom->reason = vgmDriverDomainKeptReason(dom->status->runReason, reason);
    /* a restored guest left paused, as libvirt says it */
    if (state == VGM_DOMAIN_STATE_PAUSED && g_str_equal(reason, "user") &&
        (g_strcmp0(dom->status->runReason, "migrating") == 0 ||
         g_strcmp0(dom->status->runReason, VGM_DRIVER_MIGRATE_INCOMING_REASON) == 0))
        dom->reason = N_("migrating");
    /* and one a snapshot's revert left paused, or a client's monitor
     * command paused */
    if (state == VGM_DOMAIN_STATE_PAUSED && g_str_equal(reason, "user") &&
        (g_strcmp0(dom->status->runReason, "from snapshot") == 0 ||
         g_strcmp0(dom->status->runReason, "unknown") == 0))
        dom->reason = g_strcmp0(dom->status->runReason, "unknown") == 0 ? N_("unknown")
                                                                        : N_("from snapshot");
    return TRUE;
}

gboolean
vgmDriverDomainFillDef(const VgmDriverStore *store, VgmDriverDomain *dom, GError **error)
{
    if (dom->def)
        return TRUE;
    if (dom->status)
        dom->def = vgmDomainDefParseString(dom->status->xml, dom->status->log,
                                           VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE, error);
    else if (dom->config)
        dom->def = vgmDriverConfigParse(store, dom->name, dom->config, error);
    else
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("domain '%1$s' has no definition"), dom->name);
    return dom->def != NULL;
}

/* Loads domain @name: its status (refreshed) and definition (not with
 * VGM_DRIVER_LOOKUP_BRIEF in @what); @seen, if not NULL, says which of
 * its files a look at the store just found. */
static VgmDriverDomain *
vgmDriverDomainLoadSeen(const VgmDriverStore *store, const char *name,
                        gboolean haveLock, const VgmDriverDomainSeen *seen,
                        unsigned int what, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = g_new0(VgmDriverDomain, 1);
    g_autoptr(GError) err = NULL;

    dom->name = g_strdup(name);
    dom->id = -1;
    if (!vgmDriverDomainRefresh(store, dom, haveLock, seen, error))
        return NULL;
    dom->persistent = seen ? seen->hasConfig : vgmDriverStoreHasConfig(store, name);
    if (dom->status) {
        if (!(what & VGM_DRIVER_LOOKUP_BRIEF) && !vgmDriverDomainFillDef(store, dom, error))
            return NULL;
        return g_steal_pointer(&dom);
    }
    if (!dom->persistent) {
        /* a transient domain that stopped is gone */
        vgmErrorSet(error, VGM_ERR_NO_DOMAIN, _("domain '%1$s' is not defined"), name);
        return NULL;
    }
    if (!(dom->config = vgmDriverStoreGetConfigIn(store, seen ? seen->view : NULL, name,
                                                  &err))) {
        if (g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN)) {
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
        /* a config that cannot be read is still a domain: it is listed,
         * and undefine removes it */
        dom->broken = g_strdup(err->message);
        dom->def = vgmDomainDefNew();
        dom->def->name = g_strdup(name);
        vgmDriverStoreBrokenConfigUUID(store, name, dom->def->uuid);
        memcpy(dom->uuid, dom->def->uuid, sizeof(dom->uuid));
        return g_steal_pointer(&dom);
    }
    memcpy(dom->uuid, dom->config->uuid, sizeof(dom->uuid));
    if (!(what & VGM_DRIVER_LOOKUP_BRIEF) && !vgmDriverDomainFillDef(store, dom, error))
        return NULL;
    return g_steal_pointer(&dom);
}

static VgmDriverDomain *
vgmDriverDomainLoad(const VgmDriverStore *store, const char *name,
                    gboolean haveLock, GError **error)
{
    return vgmDriverDomainLoadSeen(store, name, haveLock, NULL, VGM_DRIVER_LOOKUP_FULL, error);
}

/* ---- finding domains ---- */

/* The uuid of domain @name from its status file, else its config, without
 * refreshing anything; @view (or NULL) says what a look at the store
 * found. FALSE when neither can be read; a config that cannot be parsed
 * gives vgmDriverStoreBrokenConfigUUID's uuid and sets *@broken. */
static gboolean
vgmDriverDomainPeekUUID(const VgmDriverStore *store, const char *name,
                        const VgmDriverStoreView *view,
                        unsigned char *uuid, gboolean *running, gboolean *broken)
{
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(VgmDriverConfig) cfg = NULL;
    g_autoptr(GError) err = NULL;

    *running = FALSE;
    *broken = FALSE;
    /* a domain holds its uuid while its QEMU lives, and from the moment a
     * start wrote its status, as long as that start is under way */
    if ((!view || (vgmDriverStoreViewFiles(view, name) & VGM_DRIVER_STORE_HAS_STATUS)) &&
        (status = vgmDriverStoreLoadStatus(store, name, NULL)) &&
        (vgmDriverProcIdentIsAlive(&status->qemu) ||
         (status->state == VGM_DRIVER_STATUS_STARTING && status->starterPid > 0 &&
          (kill(status->starterPid, 0) == 0 || errno == EPERM)))) {
        memcpy(uuid, status->uuid, 16);
        *running = TRUE;
        return TRUE;
    }
    if (!(cfg = vgmDriverStoreGetConfigIn(store, view, name, &err))) {
        if (g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN))
            return FALSE;
        vgmDriverStoreBrokenConfigUUID(store, name, uuid);
        *broken = TRUE;
        return TRUE;
    }
    memcpy(uuid, cfg->uuid, 16);
    return TRUE;
}

static gint
vgmDriverDomainCompareName(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names of @view, sorted, that may hold @uuid (the others hold
 * another): with the store's index, those with a status file and those
 * whose config has @uuid; without it, all of them.
 */
static GPtrArray *
vgmDriverDomainUUIDCandidates(const VgmDriverStore *store, const VgmDriverStoreView *view,
                              const unsigned char *uuid)
{
    g_autoptr(GPtrArray) byConfig = vgmDriverStoreConfigsWithUUID(store, view, uuid);
    g_autoptr(GHashTable) seen = NULL;
    GPtrArray *out;
    guint i;

    if (!byConfig)
        return g_ptr_array_ref(view->names);
    seen = g_hash_table_new(g_str_hash, g_str_equal);
    out = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < byConfig->len; i++) {
        char *n = g_ptr_array_index(byConfig, i);

        if (g_hash_table_add(seen, n))
            g_ptr_array_add(out, g_strdup(n));
    }
    for (i = 0; i < view->names->len; i++) {
        char *n = g_ptr_array_index(view->names, i);

        if ((vgmDriverStoreViewFiles(view, n) & VGM_DRIVER_STORE_HAS_STATUS) &&
            g_hash_table_add(seen, n))
            g_ptr_array_add(out, g_strdup(n));
    }
    g_ptr_array_sort(out, vgmDriverDomainCompareName);
    return out;
}

/* The name of the domain @ref names: a name, a running id or a uuid. */
static char *
vgmDriverDomainResolve(const VgmDriverStore *store, const char *ref,
                       GError **error)
{
    g_autoptr(VgmDriverStoreView) view = NULL;
    g_autoptr(GPtrArray) names = NULL;
    unsigned char uuid[16];
    gboolean isUUID;
    guint64 id = 0;
    guint i;

    if (vgmDriverStoreCheckName(ref, NULL) &&
        (vgmDriverStoreDomainFiles(store, ref) &
         (VGM_DRIVER_STORE_HAS_CONFIG | VGM_DRIVER_STORE_HAS_STATUS)))
        return g_strdup(ref);
    isUUID = vgmDomainUUIDParse(ref, uuid);
    if (!isUUID && !g_ascii_string_to_unsigned(ref, 10, 1, G_MAXINT, &id, NULL))
        goto notfound;
    if (!(view = vgmDriverStoreGetView(store, error)))
        return NULL;
    names = isUUID ? vgmDriverDomainUUIDCandidates(store, view, uuid) :
                     g_ptr_array_ref(view->names);
    for (i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);

        if (isUUID) {
            unsigned char other[16];
            gboolean running;
            gboolean broken;

            if (vgmDriverDomainPeekUUID(store, n, view, other, &running, &broken) &&
                memcmp(other, uuid, 16) == 0)
                return g_strdup(n);
        } else if (vgmDriverStoreViewFiles(view, n) & VGM_DRIVER_STORE_HAS_STATUS) {
            g_autoptr(VgmDriverStatus) status = vgmDriverStoreLoadStatus(store, n, NULL);

            if (status && status->id == (int)id &&
                vgmDriverProcIdentIsAlive(&status->qemu))
                return g_strdup(n);
        }
    }

 notfound:
    vgmErrorSet(error, VGM_ERR_NO_DOMAIN,
                _("no domain with matching name, id or uuid '%1$s'"), ref);
    return NULL;
}

VgmDriverDomain *
vgmDriverDomainLookup(const VgmDriverStore *store, const char *ref,
                      GError **error)
{
    g_autofree char *name = NULL;

    if (!(name = vgmDriverDomainResolve(store, ref, error)))
        return NULL;
    return vgmDriverDomainLoad(store, name, FALSE, error);
}

VgmDriverDomain *
vgmDriverDomainLockAndLoad(const VgmDriverStore *store, const char *ref,
                           VgmDriverLock **lock, GError **error)
{
    g_autofree char *name = NULL;

    if (!(name = vgmDriverDomainResolve(store, ref, error)) ||
        !(*lock = vgmDriverStoreLockDomain(store, name, VGM_DRIVER_LOCK_TIMEOUT_MS, error)))
        return NULL;
    return vgmDriverDomainLoad(store, name, TRUE, error);
}

static gint
vgmDriverDomainCompareListed(gconstpointer a, gconstpointer b)
{
    const VgmDriverDomain *da = *(VgmDriverDomain *const *)a;
    const VgmDriverDomain *db = *(VgmDriverDomain *const *)b;
    gboolean aa = vgmDriverDomainIsActive(da);
    gboolean ab = vgmDriverDomainIsActive(db);

    if (aa != ab)
        return aa ? -1 : 1;
    if (aa && da->id != db->id)
        return da->id < db->id ? -1 : 1;
    return strcmp(da->name, db->name);
}

GPtrArray *
vgmDriverDomainListAll(const VgmDriverStore *store, unsigned int what, GError **error)
{
    g_autoptr(VgmDriverStoreView) view = NULL;
    g_autoptr(GPtrArray) doms = NULL;
    guint i, nactive = 0;

    /* one look at the store says which files every domain has */
    if (!(view = vgmDriverStoreGetView(store, error)))
        return NULL;
    doms = g_ptr_array_new_full(view->names->len, (GDestroyNotify)vgmDriverDomainFree);
    for (i = 0; i < view->names->len; i++) {
        g_autoptr(GError) err = NULL;
        const char *n = g_ptr_array_index(view->names, i);
        VgmDriverDomainSeen seen;
        VgmDriverDomain *dom;

        vgmDriverDomainSeenSet(&seen, vgmDriverStoreViewFiles(view, n), view);
        if (!(dom = vgmDriverDomainLoadSeen(store, n, FALSE, &seen, what, &err))) {
            /* a transient domain that just stopped is no error, and one
             * domain that cannot be read does not hide the others */
            if (!g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN)) {
                g_autofree char *quoted = vgmErrorEscape(n);

                g_printerr(_("warning: domain '%1$s' is not listed: %2$s\n"),
                           quoted, err->message);
            }
            continue;
        }
        if (dom->broken) {
            g_autofree char *quoted = vgmErrorEscape(n);

            g_printerr(_("warning: the definition of domain '%1$s' cannot be read: %2$s\n"),
                       quoted, dom->broken);
        }
        if (vgmDriverDomainIsActive(dom))
            nactive++;
        g_ptr_array_add(doms, dom);
    }
    /* the view's names are sorted already: only running domains move */
    if (nactive > 0)
        g_ptr_array_sort(doms, vgmDriverDomainCompareListed);
    return g_steal_pointer(&doms);
}

/* Whether @path is taken by a channel of @def */
static gboolean
vgmDriverDomainChannelPathTaken(const VgmDomainDef *def, const char *path)
{
    guint j;

    for (j = 0; j < def->devices.channels->len; j++) {
        if (g_strcmp0(((VgmChrDef *)g_ptr_array_index(def->devices.channels, j))->path, path) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Whether @path is one of the channel sockets the driver names in the
 * run directory of a domain (RUN/domain-NAME/channelN): of domain @name,
 * or, @name NULL, of any */
static gboolean
vgmDriverDomainChannelPathOurs(const VgmQemuConfig *cfg, const char *name, const char *path)
{
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_autofree char *runDir = vgmQemuConfigDomainRunDir(cfg, name ? name : "");
    const char *rest;

    if (!path)
        return FALSE;
    dir = g_path_get_dirname(path);
    base = g_path_get_basename(path);
    if (name ? !g_str_equal(dir, runDir)
             : !g_str_has_prefix(dir, runDir) || strchr(dir + strlen(runDir), '/'))
        return FALSE;
    if (!g_str_has_prefix(base, "channel") || !base[strlen("channel")])
        return FALSE;
    for (rest = base + strlen("channel"); *rest; rest++) {
        if (!g_ascii_isdigit(*rest))
            return FALSE;
    }
    return TRUE;
}

/* The sockets of @def's unix channels that name none: the driver's, in
 * the domain's run directory (channelN), which the live XML then names:
 * a channel's place's, as a command line without a start names it, or,
 * where another channel has that one (a channel plugged after a detach
 * moved the others), the lowest free */
static void
vgmDriverDomainChannelSockets(const VgmQemuConfig *cfg, VgmDomainDef *def)
{
    guint i, n = 0;

    for (i = 0; i < def->devices.channels->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(def->devices.channels, i);
        g_autofree char *path = NULL;

        /* (a path of another domain's run, which a config defined before
         * such paths were dropped may hold, is named again) */
        if (chr->type != VGM_CHR_TYPE_UNIX || chr->fwdAddress ||
            (chr->path && (!vgmDriverDomainChannelPathOurs(cfg, NULL, chr->path) ||
                           vgmDriverDomainChannelPathOurs(cfg, def->name, chr->path))))
            continue;
        g_clear_pointer(&chr->path, g_free);
        path = vgmQemuChannelSocketPath(cfg, def->name, i);
        while (vgmDriverDomainChannelPathTaken(def, path)) {
            g_free(path);
            path = vgmQemuChannelSocketPath(cfg, def->name, n++);
        }
        chr->path = g_steal_pointer(&path);
    }
}

/* @def without the sockets the driver named for unix channels in a run
 * of some domain, as libvirt drops its own from a definition: a live XML
 * defined again (virsh dumpxml, define) or under another name must not
 * keep the old run's path, which a later start cannot bind */
static void
vgmDriverDomainDropChannelSockets(const VgmDriverStore *store, VgmDomainDef *def)
{
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir, store->logDir);

    for (guint i = 0; i < def->devices.channels->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(def->devices.channels, i);

        if (chr->type == VGM_CHR_TYPE_UNIX && vgmDriverDomainChannelPathOurs(cfg, NULL, chr->path))
            g_clear_pointer(&chr->path, g_free);
    }
}

/* ---- define and undefine ---- */

/* Fails when another domain has @def's uuid, or domain @def->name exists
 * with another uuid. Called with the domain and store locks held (so no
 * other process adds a config or a status meanwhile). */
static gboolean
vgmDriverDomainCheckUnique(const VgmDriverStore *store, const VgmDomainDef *def,
                           gboolean hadUUID, GError **error)
{
    g_autoptr(VgmDriverStoreView) view = NULL;
    g_autoptr(GPtrArray) names = NULL;
    char want[37];
    guint i;

    vgmDomainUUIDFormat(def->uuid, want);
    if (!(view = vgmDriverStoreGetView(store, error)))
        return FALSE;
    names = vgmDriverDomainUUIDCandidates(store, view, def->uuid);
    /* the domain of that name holds some uuid, whatever it is */
    if (names != view->names &&
        (vgmDriverStoreViewFiles(view, def->name) &
         (VGM_DRIVER_STORE_HAS_CONFIG | VGM_DRIVER_STORE_HAS_STATUS)) &&
        !g_ptr_array_find_with_equal_func(names, def->name, g_str_equal, NULL)) {
        g_ptr_array_add(names, g_strdup(def->name));
        g_ptr_array_sort(names, vgmDriverDomainCompareName);
    }
    for (i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        unsigned char uuid[16];
        char have[37];
        gboolean running;
        gboolean broken;

        if (!vgmDriverDomainPeekUUID(store, n, view, uuid, &running, &broken))
            continue;
        vgmDomainUUIDFormat(uuid, have);
        if (g_str_equal(n, def->name)) {
            /* a config that cannot be read may be replaced by any other */
            if (memcmp(uuid, def->uuid, 16) == 0 || broken)
                continue;
            if (!hadUUID)
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("domain '%1$s' already exists with uuid %2$s; the new definition has no <uuid> (so it got %3$s): add <uuid>%2$s</uuid> to update the domain"),
                            n, have, want);
            else
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("domain '%1$s' already exists with uuid %2$s; the new definition has uuid %3$s"),
                            n, have, want);
            return FALSE;
        }
        if (memcmp(uuid, def->uuid, 16) == 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("domain '%1$s' already exists with uuid %2$s; the new definition names it '%3$s'"),
                        n, have, def->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* As libvirt's define: the machine type named by one of QEMU's aliases
 * ('q35', 'pc'), or by none, is written as the binary's own versioned
 * name ('pc-q35-7.2'), so that a domain keeps the machine it was defined
 * with across an update of QEMU. Done on domain XML @root before it is
 * parsed, since the machine decides the devices a parse adds. A binary
 * that cannot be probed, or a name it does not know, leaves the XML as
 * given (a start then says why). */
static void
vgmDriverDomainCanonicalMachine(const VgmDriverStore *store, xmlNodePtr root)
{
    xmlNodePtr os = root ? vgmXMLChild(root, "os") : NULL;
    xmlNodePtr type = os ? vgmXMLChild(os, "type") : NULL;
    xmlNodePtr devices = vgmXMLChild(root, "devices");
    xmlNodePtr emu = devices ? vgmXMLChild(devices, "emulator") : NULL;
    g_autofree char *arch = type ? (char *)xmlGetProp(type, BAD_CAST "arch") : NULL;
    g_autofree char *name = type ? (char *)xmlGetProp(type, BAD_CAST "machine") : NULL;
    g_autofree char *given = emu ? (char *)xmlNodeGetContent(emu) : NULL;
    g_autofree char *emulator = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    const VgmQemuCapsMachine *machine;

    if (!type)
        return;
    emulator = given && *g_strstrip(given) ? g_strdup(given) : vgmDriverDefaultEmulator(arch);
    if (!(caps = vgmQemuCapsCacheLookup(emulator, store->cacheDir, NULL)) ||
        !(machine = vgmQemuCapsGetMachine(caps, name, NULL)) ||
        g_strcmp0(machine->name, name) == 0)
        return;
    xmlSetProp(type, BAD_CAST "machine", BAD_CAST machine->name);
}

/* What libvirt's define checks of the QEMU binary that is to run @def:
 * that it is there, runs the domain's architecture, has its machine type
 * and takes its vCPUs (the rest is the start's); and, as libvirt fills
 * them in, the <emulator> and the CPU model of a definition without them */
static gboolean
vgmDriverDomainCheckBinary(const VgmDriverStore *store, VgmDomainDef *def, GError **error)
{
    g_autofree char *emulator = def->devices.emulator ? g_strdup(def->devices.emulator) :
                                vgmDriverDefaultEmulator(def->os.arch);
    g_autoptr(VgmQemuCaps) caps = NULL;

    if (!(caps = vgmQemuCapsCacheLookup(emulator, store->cacheDir, error)) ||
        !vgmQemuValidateMachineType(def, caps, error))
        return FALSE;
    if (!def->devices.emulator)
        def->devices.emulator = g_steal_pointer(&emulator);
    vgmQemuCpuSetDefault(def, vgmQemuDefaultCpuModel(caps));
    return TRUE;
}

/* As libvirt's define: a read-only pflash loader that keeps its variables
 * gets the varstore the driver names after the domain written into the
 * definition (<nvram>NVRAMDIR/NAME_VARS.fd</nvram>), which stays as it is
 * through a rename; a firmware the driver picks (<os firmware='efi'>)
 * gets its varstore named at each start. */
static void
vgmDriverDomainFillNvram(const VgmDriverStore *store, VgmDomainDef *def)
{
    if (def->os.loader && !def->os.nvram)
        def->os.nvram = vgmDriverStoreDerivedNvram(store, def);
}

/* Parses the XML in @file, or the text @xml when @file is NULL, with the
 * machine type the binary's versioned one (vgmDriverDomainCanonicalMachine);
 * *@hadUUID says whether it gave a <uuid>. */
static VgmDomainDef *
vgmDriverDomainParseFile(const VgmDriverStore *store, const char *file, const char *xml,
                         gboolean *hadUUID, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    VgmDomainDef *def;
    xmlNodePtr root;

    if (!(doc = file ? vgmXMLParseFile(file, error) :
                       vgmXMLParseString(xml, NULL, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (root && xmlStrEqual(root->name, BAD_CAST "domain"))
        vgmDriverDomainCanonicalMachine(store, root);
    if (!(def = vgmDomainDefParseNode(doc, root, VGM_DOMAIN_PARSE_NONE, error)))
        return NULL;
    *hadUUID = vgmXMLChild(root, "uuid") != NULL;
    if (!vgmDriverStoreCheckName(def->name, error)) {
        vgmDomainDefFree(def);
        return NULL;
    }
    return def;
}

VgmDomainDef *
vgmDriverDomainDefine(const VgmDriverStore *store, const char *file,
                      GError **error)
{
    return vgmDriverDomainDefineXML(store, file, NULL, NULL, error);
}

VgmDomainDef *
vgmDriverDomainDefineXML(const VgmDriverStore *store, const char *file,
                         const char *xml, gboolean *existed, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverLock) storeLock = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    gboolean hadUUID = FALSE;

    /* (before the locks: a first probe of the binary takes a while) */
    if (!(def = vgmDriverDomainParseFile(store, file, xml, &hadUUID, error)) ||
        !vgmDriverDomainCheckBinary(store, def, error))
        return NULL;
    vgmDriverDomainFillNvram(store, def);
    vgmDriverDomainDropChannelSockets(store, def);
    if (!(lock = vgmDriverStoreLockDomain(store, def->name, VGM_DRIVER_LOCK_TIMEOUT_MS, error)) ||
        !(storeLock = vgmDriverStoreLockStore(store, error)) ||
        !vgmDriverDomainCheckUnique(store, def, hadUUID, error))
        return NULL;
    if (existed)
        *existed = vgmDriverStoreHasConfig(store, def->name);
    /* snapshot metadata of a name no domain has is what an undefine
     * (--snapshots-metadata) cut short left: not the new domain's */
    if (!vgmDriverStoreHasConfig(store, def->name) &&
        !(status = vgmDriverStoreLoadStatus(store, def->name, NULL))) {
        g_autofree char *snaps = vgmDriverStoreSnapshotDir(store, def->name);

        if (g_file_test(snaps, G_FILE_TEST_IS_DIR)) {
            g_message(_("removing the snapshot metadata '%1$s' that an earlier domain '%2$s' left"),
                      snaps, def->name);
            vgmFileRemoveTree(snaps);
        }
    }
    g_clear_pointer(&status, vgmDriverStatusFree);
    if (!vgmDriverStoreSaveConfig(store, def, error))
        return NULL;
    /* defining a running transient domain makes it persistent */
    if ((status = vgmDriverStoreLoadStatus(store, def->name, NULL)) &&
        status->transient) {
        status->transient = FALSE;
        if (!vgmDriverStoreSaveStatus(store, status, error))
            return NULL;
    }
    return g_steal_pointer(&def);
}

/* The UEFI varstore file of the persistent definition of @dom that exists
 * on disk, or NULL (also for one on a block device). */
static char *
vgmDriverDomainNvram(const VgmDriverStore *store, const VgmDomainDef *def)
{
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir, store->logDir);
    g_autofree char *path = def ? vgmQemuFirmwareNvramPath(def, cfg) : NULL;

    /* a varstore on a block device is the host's: undefine leaves it */
    if (!path || def->os.nvramBlock || !g_file_test(path, G_FILE_TEST_EXISTS))
        return NULL;
    return g_steal_pointer(&path);
}

gboolean
vgmDriverDomainRename(const VgmDriverStore *store, const char *ref, const char *newName,
                      unsigned char *uuid, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverLock) newLock = NULL;
    g_autoptr(VgmDriverLock) storeLock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDriverDomain) taken = NULL;
    g_autoptr(GError) err = NULL;

    if (!vgmDriverStoreCheckName(newName, error) ||
        !(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    /* libvirt's refusals, in its order */
    if (vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot rename domain '%1$s' while it runs"), dom->name);
        return FALSE;
    }
    if (!dom->persistent) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot rename transient domain '%1$s'"), dom->name);
        return FALSE;
    }
    if (vgmDriverSaveHasManaged(store, dom->name)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot rename domain '%1$s': it has a managed save image (start it, or remove the image)"),
                    dom->name);
        return FALSE;
    }
    if (g_str_equal(dom->name, newName)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' cannot be renamed to its own name"), dom->name);
        return FALSE;
    }
    if (dom->broken) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot rename domain '%1$s': its config cannot be read (%2$s)"),
                    dom->name, dom->broken);
        return FALSE;
    }
    if (!(newLock = vgmDriverStoreLockDomain(store, newName, VGM_DRIVER_LOCK_TIMEOUT_MS, error)) ||
        !(storeLock = vgmDriverStoreLockStore(store, error)))
        return FALSE;
    if ((taken = vgmDriverDomainLoadSeen(store, newName, TRUE, NULL, VGM_DRIVER_LOOKUP_BRIEF,
                                         &err)) ||
        !g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN)) {
        if (taken)
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot rename domain '%1$s' to '%2$s': a domain with that name exists"),
                        dom->name, newName);
        else
            g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    memcpy(uuid, dom->uuid, 16);
    return vgmDriverStoreRename(store, dom->name, newName, dom->uuid, error);
}

gboolean
vgmDriverDomainUndefine(const VgmDriverStore *store, const char *ref,
                        unsigned int flags, char **name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *nvram = NULL;
    g_autofree char *managed = NULL;

    if ((flags & VGM_UNDEFINE_NVRAM) && (flags & VGM_UNDEFINE_KEEP_NVRAM)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("cannot both keep and remove the UEFI varstore"));
        return FALSE;
    }
    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    if (!dom->persistent) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot undefine transient domain '%1$s'"), dom->name);
        return FALSE;
    }
    def = dom->config ? vgmDriverConfigParse(store, dom->name, dom->config, NULL) : NULL;
    if ((nvram = vgmDriverDomainNvram(store, def)) &&
        !(flags & (VGM_UNDEFINE_NVRAM | VGM_UNDEFINE_KEEP_NVRAM))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot undefine domain '%1$s' with its UEFI varstore '%2$s': ask to remove it (--nvram) or to keep it (--keep-nvram)"),
                    dom->name, nvram);
        return FALSE;
    }
    managed = vgmDriverSaveManagedPath(store, dom->name);
    if (g_file_test(managed, G_FILE_TEST_EXISTS) && !(flags & VGM_UNDEFINE_MANAGED_SAVE)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot undefine domain '%1$s' with a managed save image: ask to remove it (--managed-save)"),
                    dom->name);
        return FALSE;
    }
    {
        guint nsnap = vgmDriverSnapshotCount(store, dom->name);

        if (nsnap && !dom->status && !(flags & VGM_UNDEFINE_SNAPSHOTS_METADATA)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot undefine shut-off domain '%1$s', which has snapshots (%2$u): ask to remove their metadata (--snapshots-metadata)"),
                        dom->name, nsnap);
            return FALSE;
        }
    }
    if (dom->status) {
        /* it keeps running, as a transient domain */
        dom->status->transient = TRUE;
        if (!vgmDriverStoreSaveStatus(store, dom->status, error))
            return FALSE;
    }
    /* the image goes first: a domain left defined has lost its saved
     * state, an undefined one would keep an image nothing can start */
    if ((flags & VGM_UNDEFINE_MANAGED_SAVE) && g_unlink(managed) < 0 && errno != ENOENT) {
        vgmErrorSetSystem(error, errno, _("cannot remove managed save image '%1$s'"), managed);
        return FALSE;
    }
    vgmDriverSaveCleanManaged(store, dom->name);
    if (!vgmDriverStoreDeleteConfig(store, dom->name, error))
        return FALSE;
    /* (the snapshots' files are the images' index only: a failure to
     * remove one is a warning) */
    if (flags & VGM_UNDEFINE_SNAPSHOTS_METADATA) {
        g_autoptr(GError) snapErr = NULL;

        if (!vgmDriverSnapshotRemoveAll(store, dom->name, &snapErr))
            g_warning("%s", snapErr->message);
    }
    /* a domain that is no more does not autostart (libvirt removes its
     * link too) */
    {
        g_autofree char *autostart = vgmDriverStoreAutostartPath(store, dom->name);

        if (g_unlink(autostart) < 0 && errno != ENOENT)
            g_warning(_("cannot remove '%1$s': %2$s"), autostart, g_strerror(errno));
    }
    if (!dom->status)
        vgmDriverStoreSetStopReason(store, dom->name, NULL);
    /* the definition is gone: a varstore that cannot be removed is a
     * warning's worth, not a failure */
    if (nvram && (flags & VGM_UNDEFINE_NVRAM) && g_unlink(nvram) < 0 && errno != ENOENT)
        g_warning(_("cannot remove the UEFI varstore '%1$s': %2$s"), nvram, g_strerror(errno));
    /* the TPM's state goes too, unless kept; a running domain's swtpm
     * still writes it, so it stays (and a define of the same uuid finds
     * it again) */
    if (def && def->devices.tpm && !def->devices.tpm->externalPath && !dom->status &&
        !(flags & VGM_UNDEFINE_KEEP_TPM) &&
        ((flags & VGM_UNDEFINE_TPM) || def->devices.tpm->persistentState != VGM_TRISTATE_YES))
        vgmDriverTpmRemoveState(store, dom->uuid);
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;
}

gboolean
vgmDriverDomainGetAutostart(const VgmDriverStore *store, const char *name)
{
    g_autofree char *path = vgmDriverStoreAutostartPath(store, name);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

gboolean
vgmDriverDomainSetAutostart(const VgmDriverStore *store, const char *ref, gboolean autostart,
                            GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *path = NULL;
    g_autofree char *dir = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    if (!dom->persistent) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot set autostart for transient domain '%1$s'"), dom->name);
        return FALSE;
    }
    path = vgmDriverStoreAutostartPath(store, dom->name);
    if (!autostart) {
        if (g_unlink(path) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove '%1$s'"), path);
            return FALSE;
        }
        return TRUE;
    }
    dir = g_path_get_dirname(path);
    return vgmFileMakePath(dir, 0755, error) && vgmFileWriteAtomic(path, "", 0, 0644, error);
}

/* ---- start, destroy, shutdown ---- */

/* A save image a start loads (see vgmDriverStartSetIncoming) */
typedef struct {
    int fd;                     /* at the start of QEMU's stream (the
                                 * caller's: the start takes a copy) */
    const char *spent;          /* a managed save image, or NULL */
    const char *uri;            /* or: where QEMU listens for a migration */
} VgmDriverIncoming;

/* A persistent domain whose start failed reads shut off "failed", as
 * libvirt's does */
static void
vgmDriverDomainStartFailed(const VgmDriverStore *store, const char *name, unsigned int flags)
{
    if (!(flags & VGM_DRIVER_START_TRANSIENT) && vgmDriverStoreHasConfig(store, name))
        vgmDriverStoreSetStopReason(store, name, "failed");
}

/*
 * Starts @def. The uniqueness check, the id and the first status file
 * ('starting', before anything is spawned) happen under one hold of the
 * store lock: from then on the domain's uuid is taken and a crash leaves a
 * status the next command cleans up.
 */
static VgmDriverDomain *
vgmDriverDomainStartDef(const VgmDriverStore *store, VgmDomainDef *def,
                        unsigned int flags, gboolean hadUUID,
                        const VgmDriverIncoming *incoming, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = g_new0(VgmDriverDomain, 1);
    g_autoptr(VgmDriverStart) start = NULL;
    g_autoptr(VgmDriverGraphicsPorts) ports = NULL;
    int vsockFd = -1;
    VgmDriverStatus *status;

    /* the live XML names the binary that runs it, as libvirt's does */
    if (!def->devices.emulator)
        def->devices.emulator = vgmDriverProcessEmulator(def);
    /* a guest that ran elsewhere (a migration, a save image) keeps what
     * its QEMU had */
    if (incoming)
        vgmDriverDomainKeepAsRan(def);
    /* and not the sources a startupPolicy drops */
    dom->diskDrops = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverDiskDropFree);
    if (!vgmDriverDomainApplyStartupPolicy(def, dom->diskDrops, error))
        return NULL;
    /* and the overlays its transient disks write to */
    if (!vgmDriverDiskTransientPrepare(def, error))
        return NULL;
    /* and the bridges of its networks and the taps it names itself, as
     * libvirt's does */
    if (!vgmDriverNetResolveNetworks(store, def, error) ||
        !vgmDriverNetResolveListens(store, def, error))
        return NULL;
    vgmDriverNetNameTaps(def, 0);
    /* and the ids QEMU gets for its devices, which a hot-plug or unplug
     * of another one does not move */
    vgmQemuAssignAliases(def);
    /* and the ivshmem-server sockets of its doorbells and the sockets of
     * its unix channels, as libvirt writes them into the live XML (a
     * restore or live update keeps the ones the guest ran with) */
    {
        g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
        g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir, store->logDir);

        for (guint i = 0; i < def->devices.shmems->len; i++) {
            VgmShmemDef *shm = g_ptr_array_index(def->devices.shmems, i);

            if (shm->server && !shm->serverPath)
                shm->serverPath = vgmQemuShmemServerPath(cfg, shm->name, NULL);
        }
        vgmDriverDomainChannelSockets(cfg, def);
        /* and the sockets its displays listen on (virt-manager connects
         * to the one the live XML names) */
        for (guint i = 0; i < def->devices.graphics->len; i++) {
            VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);

            if (g->listenSocket && !g->socket)
                g->socket = vgmQemuGraphicsSocketPath(cfg, def->name,
                                                      g->type == VGM_GRAPHICS_SPICE);
        }
    }
    /* and its virtio ports closed, as QEMU has them until the guest opens
     * them (libvirtd reads it from QEMU as it starts) */
    for (guint i = 0; i < def->devices.channels->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(def->devices.channels, i);

        if (chr->fwdAddress)
            continue;
        chr->state = VGM_CHR_STATE_DISCONNECTED;
        if (g_strcmp0(chr->targetName, VGM_GUEST_AGENT_PORT) == 0)
            dom->agentChannel = TRUE;
    }
    /* and its graphics' ports, held (against this process's other starts)
     * until QEMU has bound them, when this returns */
    if (!(ports = vgmDriverGraphicsReservePorts(def, error)))
        return NULL;
    /* and its vsock's address, taken from here on */
    if (!vgmDriverVsockOpen(def, &vsockFd, error))
        return NULL;

    if (!(start = vgmDriverProcessPrepare(store, def, flags, error))) {
        if (vsockFd >= 0)
            close(vsockFd);
        vgmDriverDomainStartFailed(store, def->name, flags);
        return NULL;
    }
    if (vsockFd >= 0)
        vgmDriverStartPassFd(start, vsockFd, VGM_QEMU_VSOCK_FD);
    if (incoming && incoming->uri) {
        vgmDriverStartSetIncomingUri(start, incoming->uri);
    } else if (incoming) {
        int fd = dup(incoming->fd);

        if (fd < 0) {
            vgmErrorSetSystem(error, errno, "%s", _("cannot duplicate the save image's fd"));
            return NULL;
        }
        vgmDriverStartSetIncoming(start, fd, incoming->spent);
    }
    status = vgmDriverStartGetStatus(start);
    status->websocketPorts = vgmDriverGraphicsWebsocketPorts(ports);
    /* libvirt's reasons for a restored guest: it runs 'restored', or is
     * left paused 'migrating' (until it runs) */
    if (incoming)
        status->runReason = g_strdup(incoming->uri ? VGM_DRIVER_MIGRATE_INCOMING_REASON :
                                     (flags & VGM_DRIVER_START_PAUSED) ? "migrating" : "restored");
    {
        g_autoptr(VgmDriverLock) storeLock = NULL;

        if (!(storeLock = vgmDriverStoreLockStore(store, error)) ||
            !vgmDriverDomainCheckUnique(store, def, hadUUID, error) ||
            !vgmDriverStoreAllocateId(store, &status->id, error))
            return NULL;
        /* leftovers of an earlier run (the caller found it not running) */
        vgmDriverStoreDeleteStatus(store, def->name, NULL);
        if (!vgmDriverStoreSaveStatus(store, status, error))
            return NULL;
    }
    if (!(dom->status = vgmDriverProcessLaunch(start, error))) {
        vgmDriverDomainStartFailed(store, def->name, flags);
        return NULL;
    }
    vgmDriverStoreSetStopReason(store, def->name, NULL);
    dom->name = g_strdup(def->name);
    memcpy(dom->uuid, def->uuid, sizeof(dom->uuid));
    dom->id = dom->status->id;
    dom->state = (flags & VGM_DRIVER_START_PAUSED) ? VGM_DOMAIN_STATE_PAUSED :
                                                      VGM_DOMAIN_STATE_RUNNING;
    if (incoming)
        dom->reason = (flags & VGM_DRIVER_START_PAUSED) ? N_("migrating") : N_("restored");
    else
        dom->reason = (flags & VGM_DRIVER_START_PAUSED) ? N_("user") : N_("booted");
    dom->persistent = !(flags & VGM_DRIVER_START_TRANSIENT);
    return g_steal_pointer(&dom);
}

static VgmDriverDomain *vgmDriverDomainRestoreLocked(const VgmDriverStore *store,
                                                     const char *path, const char *name,
                                                     const char *dxml, gboolean spent,
                                                     unsigned int flags, GError **error);

/* Domain @ref, locked (*@lock), when it is not running */
static VgmDriverDomain *
vgmDriverDomainLockInactive(const VgmDriverStore *store, const char *ref, VgmDriverLock **lock,
                            GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, lock, error)))
        return NULL;
    if (vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is already running"), dom->name);
        return NULL;
    }
    return g_steal_pointer(&dom);
}

VgmDriverDomain *
vgmDriverDomainStart(const VgmDriverStore *store, const char *ref,
                     unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) def = NULL;

    if (!(dom = vgmDriverDomainLockInactive(store, ref, &lock, error)))
        return NULL;
    /* as libvirt: a managed save image is loaded (and spent) rather than
     * the guest booted, unless a boot is forced, which removes it */
    if (vgmDriverSaveHasManaged(store, dom->name)) {
        g_autofree char *managed = vgmDriverSaveManagedPath(store, dom->name);

        if (!(flags & VGM_DRIVER_START_FORCE_BOOT))
            return vgmDriverDomainRestoreLocked(store, managed, dom->name, NULL, TRUE,
                                                flags & ~VGM_DRIVER_START_TRANSIENT, error);
        if (g_unlink(managed) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove managed save image '%1$s'"),
                              managed);
            return NULL;
        }
    }
    /* (the store reads it unchecked, as libvirt loads its configs) */
    if (!(def = vgmDriverStoreLoadConfig(store, dom->name, error)) ||
        !vgmDomainDefValidate(def, error))
        return NULL;
    return vgmDriverDomainStartDef(store, def,
                                   flags & ~(VGM_DRIVER_START_TRANSIENT | VGM_DRIVER_START_RUNNING |
                                             VGM_DRIVER_START_FORCE_BOOT),
                                   TRUE, NULL, error);
}

VgmDriverDomain *
vgmDriverDomainCreate(const VgmDriverStore *store, const char *file,
                      unsigned int flags, GError **error)
{
    return vgmDriverDomainCreateXML(store, file, NULL, flags, error);
}

/* Whether @def, which is not defined or is the definition of an inactive
 * domain (its lock held), can be started: no other domain has its name or
 * uuid, and a definition of its name can be read. *@flags says whether
 * the domain started is transient. */
static gboolean
vgmDriverDomainCheckStartable(const VgmDriverStore *store, const VgmDomainDef *def,
                              unsigned int *flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *statusPath = NULL;

    statusPath = vgmDriverStoreStatusPath(store, def->name);
    {
        g_autoptr(VgmDriverLock) storeLock = NULL;

        /* fail early, before QEMU is probed; checked again when the status
         * is written */
        if (!(storeLock = vgmDriverStoreLockStore(store, error)) ||
            !vgmDriverDomainCheckUnique(store, def, TRUE, error))
            return FALSE;
    }
    if (vgmDriverStoreHasConfig(store, def->name) ||
        g_file_test(statusPath, G_FILE_TEST_EXISTS)) {
        g_autoptr(GError) err = NULL;

        if (!(dom = vgmDriverDomainLoad(store, def->name, TRUE, &err)) &&
            !g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN)) {
            g_propagate_error(error, g_steal_pointer(&err));
            return FALSE;
        }
        if (dom && vgmDriverDomainIsActive(dom)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' is already running"), def->name);
            return FALSE;
        }
        if (dom && dom->broken) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' is defined, but its definition cannot be read: %2$s"),
                        def->name, dom->broken);
            return FALSE;
        }
    }
    if (!vgmDriverStoreHasConfig(store, def->name))
        *flags |= VGM_DRIVER_START_TRANSIENT;
    else
        *flags &= ~VGM_DRIVER_START_TRANSIENT;
    return TRUE;
}

VgmDriverDomain *
vgmDriverDomainCreateXML(const VgmDriverStore *store, const char *file,
                         const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDriverLock) lock = NULL;
    gboolean hadUUID = FALSE;

    if (!(def = vgmDriverDomainParseFile(store, file, xml, &hadUUID, error)) ||
        !(lock = vgmDriverStoreLockDomain(store, def->name, VGM_DRIVER_LOCK_TIMEOUT_MS, error)))
        return NULL;
    if (!vgmDriverDomainCheckStartable(store, def, &flags, error))
        return NULL;
    return vgmDriverDomainStartDef(store, def, flags, TRUE, NULL, error);
}

VgmDriverDomain *
vgmDriverDomainGetActive(const VgmDriverStore *store, const char *ref,
                         VgmDriverLock **lock, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, lock, error)))
        return NULL;
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is not running"), dom->name);
        return NULL;
    }
    return g_steal_pointer(&dom);
}

/* ---- screenshots ---- */

int
vgmDriverDomainScreenshot(const VgmDriverStore *store, const char *ref, unsigned int screen,
                          char **mime, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *runDir = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *device = NULL;
    unsigned int head = 0;
    gboolean png;
    guint i;
    int fd;

    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)) ||
        !(def = vgmDomainDefParseString(dom->status->xml, dom->status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return -1;
    if (def->devices.videos->len == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' has no screen (<video>) to take a screenshot of"),
                    dom->name);
        return -1;
    }
    /* as libvirt: screen N is a head of a video device, counted across
     * them in their order; the first one is QEMU's default display */
    for (i = 0, head = screen; screen > 0 && i < def->devices.videos->len; i++) {
        const VgmVideoDef *v = g_ptr_array_index(def->devices.videos, i);
        unsigned int heads = v->heads ? v->heads : 1;

        if (head < heads) {
            device = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_VIDEO, i);
            break;
        }
        head -= heads;
    }
    if (screen > 0 && !device) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' has no screen %2$u (its <video> devices have fewer heads)"),
                    dom->name, screen);
        return -1;
    }
    if (!(caps = vgmQemuCapsCacheLookup(dom->status->emulator, store->cacheDir, error)))
        return -1;
    png = vgmQemuCapsGet(caps, VGM_QEMU_CAPS_SCREENDUMP_PNG);
    /* QEMU writes the picture into a file of the domain's run-time
     * directory; the caller gets it open, its name already gone */
    runDir = vgmDriverStoreDomainRunDir(store, dom->name);
    tmp = g_build_filename(runDir, "screendump.XXXXXX", NULL);
    if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot create a file in '%1$s'"), runDir);
        return -1;
    }
    json_object_set_string_member(args, "filename", tmp);
    if (device)
        json_object_set_string_member(args, "device", device);
    if (device && head > 0)
        json_object_set_int_member(args, "head", head);
    if (png)
        json_object_set_string_member(args, "format", "png");
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, "screendump", args, NULL, error)) {
        close(fd);
        g_unlink(tmp);
        return -1;
    }
    g_unlink(tmp);
    *mime = g_strdup(png ? "image/png" : "image/x-portable-pixmap");
    return fd;
}

/* ---- save and restore ---- */

/* The definition a save image's live XML @xml (of image @path) starts
 * again: its devices keep their addresses and QEMU ids, which the saved
 * state names; the tap names the driver gave are chosen again */
static VgmDomainDef *
vgmDriverDomainRestoreDef(const char *xml, const char *path, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    guint i;

    if (!(def = vgmDomainDefParseString(xml, path, VGM_DOMAIN_PARSE_LIVE, error)))
        return NULL;
    /* (no copy job comes with a saved guest) */
    for (i = 0; i < def->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        g_clear_pointer(&d->mirrorFile, g_free);
        g_clear_pointer(&d->mirrorFormat, g_free);
        d->mirrorReady = d->mirrorBlock = FALSE;
    }
    for (i = 0; i < def->devices.nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);

        if (net->ifname && net->managedTap != VGM_TRISTATE_NO &&
            (g_str_has_prefix(net->ifname, "vnet") || g_str_has_prefix(net->ifname, "macvtap")))
            g_clear_pointer(&net->ifname, g_free);
    }
    return g_steal_pointer(&def);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)

/* What a save image's XML may change (virsh save-image-define): what
 * the host provides or says about the guest, never what the guest sees,
 * which its saved state holds (libvirt's ABI check passes over these) */
static const char *const vgmDriverSaveMutable[] = {
    "/domain/@id", "/domain/title", "/domain/description", "/domain/metadata",
    "/domain/on_poweroff", "/domain/on_reboot", "/domain/on_crash", "/domain/on_lockfailure",
    "/domain/cputune", "/domain/memtune", "/domain/blkiotune", "/domain/numatune",
    "/domain/resource", "/domain/seclabel",
    "/domain/devices/disk/source", "/domain/devices/disk/driver",
    "/domain/devices/disk/backingStore", "/domain/devices/disk/iotune",
    "/domain/devices/interface/source", "/domain/devices/interface/target",
    "/domain/devices/interface/bandwidth", "/domain/devices/interface/link",
    "/domain/devices/graphics", "/domain/devices/*/alias",
    "/domain/devices/channel/target/@state",
    /* a character device's host side: the pty QEMU opened, a socket, a log */
    "/domain/devices/serial/source", "/domain/devices/console/source",
    "/domain/devices/parallel/source", "/domain/devices/channel/source",
    "/domain/devices/serial/log", "/domain/devices/console/log",
    "/domain/devices/parallel/log", "/domain/devices/channel/log",
    "/domain/devices/serial/@tty", "/domain/devices/console/@tty",
    NULL
};

/* Whether @alias is a user's ('ua-'), which libvirt keeps wherever it is */
static gboolean
vgmDriverAliasIsUsers(const char *alias)
{
    return g_str_has_prefix(alias, VGM_DEVICE_USER_ALIAS_PREFIX);
}

/* What libvirt leaves out of a migratable XML of @def, for a destination
 * (or an older libvirt) that adds it again by itself: the PC's one USB
 * controller when it is the default piix3-uhci at index 0, a lone
 * pci-root, the PS/2 keyboard, the audio backend every domain gets, and
 * (@live) the listen address a display server got by default */
static void
vgmDriverDomainDropImplicit(VgmDomainDef *def, gboolean live)
{
    GPtrArray *ctrls = def->devices.controllers;
    VgmControllerDef *usb = NULL;
    VgmControllerDef *pci = NULL;
    guint nusb = 0, npci = 0;
    guint i;

    for (i = 0; i < ctrls->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(ctrls, i);

        if (g_strcmp0(c->type, "usb") == 0 && nusb++ == 0)
            usb = c;
        else if (g_strcmp0(c->type, "pci") == 0 && npci++ == 0)
            pci = c;
    }
    if (nusb != 1 || vgmDomainPciMachineKind(def) != 1 || usb->index != 0 ||
        (usb->model && !g_str_equal(usb->model, "piix3-uhci")) ||
        vgmDriverAliasIsUsers(usb->alias))
        usb = NULL;
    if (npci != 1 || pci->index != 0 || g_strcmp0(pci->model, "pci-root") != 0 ||
        vgmDriverAliasIsUsers(pci->alias) || pci->havePcihole64)
        pci = NULL;
    for (i = ctrls->len; i-- > 0;) {
        gpointer c = g_ptr_array_index(ctrls, i);

        if (c == usb || c == pci)
            g_ptr_array_remove_index(ctrls, i);
    }
    for (i = def->devices.inputs->len; i-- > 0;) {
        const VgmInputDef *in = g_ptr_array_index(def->devices.inputs, i);

        if (in->type == VGM_INPUT_TYPE_KEYBOARD && in->bus == VGM_INPUT_BUS_PS2)
            g_ptr_array_remove_index(def->devices.inputs, i);
    }
    if (def->devices.audios->len == 1 &&
        vgmDomainAudioIsDefault(def, g_ptr_array_index(def->devices.audios, 0)))
        g_ptr_array_set_size(def->devices.audios, 0);
    for (i = 0; live && i < def->devices.graphics->len; i++) {
        VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);

        if (g_strcmp0(g->listen, VGM_QEMU_GRAPHICS_DEFAULT_LISTEN) == 0)
            g_clear_pointer(&g->listen, g_free);
    }
}

/* @def formatted, without what vgmDriverSaveMutable lists, and without
 * the devices every definition gets by default: a migratable XML leaves
 * them out, and its parse adds them again where a parse adds them (at
 * the end of their kind), so that, as libvirt compares migratable forms
 * of both, only devices the XML gives are compared */
static xmlDocPtr
vgmDriverSaveGuestView(const VgmDomainDef *def, GError **error)
{
    g_autofree char *full = vgmDomainDefFormat(def);
    g_autoptr(VgmDomainDef) copy = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    size_t i;

    if (!(copy = vgmDomainDefParseString(full, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                         VGM_DOMAIN_PARSE_LIVE, error)))
        return NULL;
    vgmDriverDomainDropImplicit(copy, FALSE);
    xml = vgmDomainDefFormat(copy);
    if (!(doc = vgmXMLParseString(xml, NULL, error)) || !(ctxt = xmlXPathNewContext(doc)))
        return NULL;
    for (i = 0; vgmDriverSaveMutable[i]; i++) {
        g_autoptr(xmlXPathObject) obj = xmlXPathEvalExpression((const xmlChar *)vgmDriverSaveMutable[i],
                                                               ctxt);
        int n;

        for (n = 0; obj && obj->nodesetval && n < obj->nodesetval->nodeNr; n++) {
            xmlNodePtr node = obj->nodesetval->nodeTab[n];

            if (node->type == XML_ATTRIBUTE_NODE) {
                xmlRemoveProp((xmlAttrPtr)node);
            } else {
                xmlUnlinkNode(node);
                xmlFreeNode(node);
            }
            obj->nodesetval->nodeTab[n] = NULL;
        }
    }
    return g_steal_pointer(&doc);
}

/* The path of the first place where element trees @a and @b differ (in
 * name, attributes, text or children), or NULL */
static char *
vgmDriverSaveFirstDifference(xmlNodePtr a, xmlNodePtr b, const char *parent)
{
    g_autofree char *path = g_strdup_printf("%s/%s", parent, (const char *)a->name);
    xmlAttrPtr attr;
    xmlNodePtr ca, cb;

    if (!xmlStrEqual(a->name, b->name))
        return g_steal_pointer(&path);
    for (attr = a->properties; attr; attr = attr->next) {
        g_autofree xmlChar *va = xmlGetProp(a, attr->name);
        g_autofree xmlChar *vb = xmlGetProp(b, attr->name);

        if (!vb || !xmlStrEqual(va, vb))
            return g_strdup_printf("%s/@%s", path, (const char *)attr->name);
    }
    for (attr = b->properties; attr; attr = attr->next) {
        if (!xmlHasProp(a, attr->name))
            return g_strdup_printf("%s/@%s", path, (const char *)attr->name);
    }
    for (ca = a->children, cb = b->children; ca || cb; ca = ca->next, cb = cb->next) {
        while (ca && ca->type != XML_ELEMENT_NODE && ca->type != XML_TEXT_NODE)
            ca = ca->next;
        while (cb && cb->type != XML_ELEMENT_NODE && cb->type != XML_TEXT_NODE)
            cb = cb->next;
        if (!ca && !cb)
            break;
        if (!ca || !cb || ca->type != cb->type)
            return g_steal_pointer(&path);
        if (ca->type == XML_TEXT_NODE) {
            if (!xmlStrEqual(ca->content, cb->content))
                return g_steal_pointer(&path);
            continue;
        }
        {
            char *diff = vgmDriverSaveFirstDifference(ca, cb, path);

            if (diff)
                return diff;
        }
    }
    return NULL;
}

/* Whether @newDef, for save image @path, keeps what the guest of its
 * saved definition @saved sees: only what vgmDriverSaveMutable lists may
 * differ */
static gboolean
vgmDriverSaveCheckGuestView(const VgmDomainDef *saved, const VgmDomainDef *newDef,
                            const char *path, GError **error)
{
    g_autoptr(xmlDoc) a = NULL;
    g_autoptr(xmlDoc) b = NULL;
    g_autofree char *diff = NULL;

    if (!(a = vgmDriverSaveGuestView(saved, error)) ||
        !(b = vgmDriverSaveGuestView(newDef, error)))
        return FALSE;
    if ((diff = vgmDriverSaveFirstDifference(xmlDocGetRootElement(a), xmlDocGetRootElement(b),
                                             ""))) {
        if (!path)
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("the destination XML changes %1$s of the migrating guest: only what the host provides (disk, interface and character device sources, graphics, tuning, title, description, metadata, lifecycle actions) may change"),
                        diff);
        else
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("the new XML changes %1$s of the guest of save image '%2$s': only what the host provides (disk, interface and character device sources, graphics, tuning, title, description, metadata, lifecycle actions) may change"),
                        diff, path);
        return FALSE;
    }
    return TRUE;
}

/* @xml, given for save image @path in place of the guest's definition
 * @savedXml (a save's --xml, a restore's, save-image-define), checked as
 * a restore checks it (vgmDriverSaveCheckGuestView): its canonical XML */
static char *
vgmDriverSaveCheckNewXML(const VgmDriverStore *store, const char *savedXml, const char *xml,
                         const char *path, GError **error)
{
    g_autoptr(VgmDomainDef) saved = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;

    if (!(saved = vgmDomainDefParseString(savedXml, path, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                          VGM_DOMAIN_PARSE_LIVE, error)) ||
        !(doc = vgmXMLParseString(xml, NULL, error)))
        return NULL;
    /* (a machine named by QEMU's alias, 'pc' in the domain's original
     * XML, is the versioned one the saved guest runs, as a define reads
     * it) */
    root = xmlDocGetRootElement(doc);
    if (root && xmlStrEqual(root->name, BAD_CAST "domain"))
        vgmDriverDomainCanonicalMachine(store, root);
    if (!(def = vgmDomainDefParseNode(doc, root, VGM_DOMAIN_PARSE_LIVE | VGM_DOMAIN_PARSE_EDITED,
                                      error)) ||
        !vgmDriverSaveCheckGuestView(saved, def, path, error))
        return NULL;
    return vgmDomainDefFormat(def);
}

/* Starts the domain saved in image @path (its lock held), whose XML
 * names it @name, with the image's definition or @dxml (checked as
 * save-image-define checks it); @spent: the image is the domain's
 * managed save image, spent once loaded. Without
 * VGM_DRIVER_START_RUNNING or _PAUSED the guest runs again if it ran at
 * the save. */
static VgmDriverDomain *
vgmDriverDomainRestoreLocked(const VgmDriverStore *store, const char *path, const char *name,
                             const char *dxml, gboolean spent, unsigned int flags,
                             GError **error)
{
    g_autofree char *xml = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    VgmDriverIncoming incoming = { -1, spent ? path : NULL };
    VgmDriverDomain *dom;
    gboolean running;

    if (!vgmDriverSaveImageOpen(path, &xml, &running, &incoming.fd, error))
        return NULL;
    if (dxml) {
        g_autofree char *saved = g_steal_pointer(&xml);

        if (!(xml = vgmDriverSaveCheckNewXML(store, saved, dxml, path, error))) {
            close(incoming.fd);
            return NULL;
        }
    }
    if (!(def = vgmDriverDomainRestoreDef(xml, path, error)) ||
        (name && g_strcmp0(def->name, name) != 0 &&
         (vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                      _("save image '%1$s' holds domain '%2$s', not '%3$s'"),
                      path, def->name, name), TRUE)) ||
        !vgmDriverDomainCheckStartable(store, def, &flags, error)) {
        close(incoming.fd);
        return NULL;
    }
    if (!running && !(flags & VGM_DRIVER_START_RUNNING))
        flags |= VGM_DRIVER_START_PAUSED;
    dom = vgmDriverDomainStartDef(store, def, flags & ~VGM_DRIVER_START_RUNNING, TRUE,
                                  &incoming, error);
    if ((flags & VGM_DRIVER_START_BYPASS_CACHE) && !vgmFileDropCache(incoming.fd))
        g_warning(_("the save image '%1$s' stays in the page cache: %2$s"), path,
                  g_strerror(errno));
    close(incoming.fd);
    /* (as libvirtd 9.0 tells them: a start asked to leave the guest of a
     * managed save image paused is SUSPENDED/PAUSED, a restore's is
     * SUSPENDED/RESTORED, asked or not) */
    if (dom)
        dom->restored = (flags & VGM_DRIVER_START_PAUSED) && spent ?
                        VGM_DRIVER_RESTORED_PAUSED : VGM_DRIVER_RESTORED;
    return dom;
}

VgmDriverDomain *
vgmDriverDomainStartLiveXML(const VgmDriverStore *store, const char *name, const char *xml,
                            unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) def = NULL;

    if (!(dom = vgmDriverDomainLockInactive(store, name, &lock, error)) ||
        !(def = vgmDriverDomainRestoreDef(xml, NULL, error)))
        return NULL;
    if (memcmp(def->uuid, dom->uuid, sizeof(dom->uuid)) != 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the XML to start domain '%1$s' from is another domain's (its uuid)"),
                    dom->name);
        return NULL;
    }
    /* (a domain renamed since keeps its name; the parse validated the rest) */
    g_free(def->name);
    def->name = g_strdup(dom->name);
    if (!vgmDriverDomainCheckStartable(store, def, &flags, error))
        return NULL;
    return vgmDriverDomainStartDef(store, def,
                                   flags & ~(VGM_DRIVER_START_RUNNING | VGM_DRIVER_START_FORCE_BOOT),
                                   TRUE, NULL, error);
}

VgmDriverDomain *
vgmDriverDomainRestore(const VgmDriverStore *store, const char *path, const char *dxml,
                       unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    gboolean running;

    if (!g_path_is_absolute(path)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image path '%1$s' is not absolute"), path);
        return NULL;
    }
    /* the name first, for the lock */
    if (!vgmDriverSaveImageOpen(path, &xml, &running, NULL, error) ||
        !(def = vgmDomainDefParseString(xml, path, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                        VGM_DOMAIN_PARSE_NO_ADDRESSES, error)) ||
        !(lock = vgmDriverStoreLockDomain(store, def->name, VGM_DRIVER_LOCK_TIMEOUT_MS, error)))
        return NULL;
    return vgmDriverDomainRestoreLocked(store, path, def->name, dxml, FALSE, flags, error);
}

/* Why the guest of @def cannot be saved, or TRUE */
static gboolean
vgmDriverDomainCheckSavable(const VgmDomainDef *def, GError **error)
{
    const VgmShmemDef *shm;
    guint i;

    if (def->sec) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' cannot be saved or migrated: its memory is encrypted (<launchSecurity type='%2$s'>)"),
                    def->name, vgmLaunchSecurityTypeToString(def->sec->type));
        return FALSE;
    }
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (d->transient) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' cannot be saved or migrated: its transient disk '%2$s' writes to an overlay that ends with its QEMU"),
                        def->name, d->dst);
            return FALSE;
        }
        /* as libvirt: a copy job ends with its QEMU */
        if (d->mirrorFile) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' cannot be saved or migrated: disk '%2$s' has a copy job running (end it with virsh blockjob --abort)"),
                        def->name, d->dst);
            return FALSE;
        }
    }
    if ((shm = vgmDomainDefUnmigratableShmem(def))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' cannot be saved or migrated: its <shmem name='%2$s'> is not the memory's master (only a <shmem role='master'> is saved with the guest)"),
                    def->name, shm->name);
        return FALSE;
    }
    /* (vCPUs plugged after the start are plugged again in the QEMU that
     * loads the state, before it reads the stream: -incoming defer) */
    /* (see vgmDriverUpdateBuild) */
    if (def->cpu && def->cpu->mode == VGM_CPU_MODE_HOST_MODEL) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' cannot be saved or migrated: its running <cpu mode='host-model'> is not recorded as the named model it runs (it was started by an older virt-gmem); restart it once"),
                    def->name);
        return FALSE;
    }
    return TRUE;
}

static gboolean vgmDriverDomainMigrateToFd(VgmQemuMonitor *mon, int fd, VgmDriverJob *job,
                                           GError **error);
static gboolean vgmDriverDomainMigrateWait(VgmQemuMonitor *mon, VgmDriverJob *job,
                                           GError **error);

gboolean
vgmDriverDomainSaveMemory(VgmQemuMonitor *mon, const VgmDomainDef *def, const char *path,
                          const char *xml, gboolean running, VgmDriverJob *job, GError **error)
{
    g_autofree char *tmp = NULL;
    gboolean ok;
    int fd;

    if (!vgmDriverDomainCheckSavable(def, error) ||
        !vgmDriverDomainNoBlockJob(mon, def, NULL, VGM_DRIVER_BLOCK_JOB_BLOCKS_SAVE, error) ||
        (fd = vgmDriverSaveImageCreate(path, xml, running, &tmp, error)) < 0)
        return FALSE;
    /* (as long as the guest's memory takes to write) */
    vgmQemuMonitorSetTimeout(mon, 0);
    ok = vgmDriverDomainMigrateToFd(mon, fd, job, error);
    vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
    if (!ok) {
        close(fd);
        g_unlink(tmp);
        return FALSE;
    }
    return vgmFileCommitTemp(fd, tmp, path, 0600, error);
}

/* QEMU's progress (query-migrate's "ram") kept in @job; TRUE when an
 * abort is asked for */
static gboolean
vgmDriverDomainJobUpdate(VgmDriverJob *job, JsonObject *o)
{
    JsonObject *ram = o && json_object_has_member(o, "ram") ?
        json_object_get_object_member(o, "ram") : NULL;
    gboolean abort;

    g_mutex_lock(&job->lock);
    if (ram) {
        job->memTotal = (guint64)json_object_get_int_member_with_default(ram, "total", 0);
        job->memProcessed = (guint64)json_object_get_int_member_with_default(ram, "transferred", 0);
        job->memRemaining = (guint64)json_object_get_int_member_with_default(ram, "remaining", 0);
        /* QEMU's mbps: megabits per second */
        job->memBps = (guint64)(json_object_get_double_member_with_default(ram, "mbps", 0) *
                                1000 * 1000 / 8);
    }
    abort = job->abort;
    g_mutex_unlock(&job->lock);
    return abort;
}

/* Migrates the paused guest of @mon into @fd (QEMU gets a copy) and
 * waits until QEMU has written all of it, keeping @job's progress (or
 * NULL); an abort asked for cancels it */
static gboolean
vgmDriverDomainMigrateToFd(VgmQemuMonitor *mon, int fd, VgmDriverJob *job, GError **error)
{
    g_autoptr(JsonObject) getfd = json_object_new();
    g_autoptr(JsonObject) params = json_object_new();
    g_autoptr(JsonObject) migrate = json_object_new();

    json_object_set_string_member(getfd, "fdname", VGM_DRIVER_SAVE_FDNAME);
    /* a paused guest's memory goes at disk speed, not QEMU's network
     * default */
    json_object_set_int_member(params, "max-bandwidth", VGM_DRIVER_SAVE_BANDWIDTH);
    json_object_set_string_member(migrate, "uri", "fd:" VGM_DRIVER_SAVE_FDNAME);
    if (!vgmQemuMonitorCommandWithFd(mon, "getfd", getfd, fd, NULL, error) ||
        !vgmQemuMonitorCommand(mon, "migrate-set-parameters", params, NULL, error) ||
        !vgmQemuMonitorCommand(mon, "migrate", migrate, NULL, error))
        return FALSE;
    return vgmDriverDomainMigrateWait(mon, job, error);
}

/* Waits until QEMU's outgoing migration is over, keeping @job's progress
 * (or NULL) and its figures once completed; an abort asked for cancels
 * it */
static gboolean
vgmDriverDomainMigrateWait(VgmQemuMonitor *mon, VgmDriverJob *job, GError **error)
{
    gboolean cancelled = FALSE;

    for (;;) {
        g_autoptr(JsonObject) set = json_object_new();
        gboolean any = FALSE;

        /* what vgmDriverMigrateSetMaxDowntime / SetMaxSpeed left for it */
        if (job) {
            g_mutex_lock(&job->lock);
            if (job->haveSetDowntime) {
                json_object_set_int_member(set, "downtime-limit", (gint64)job->setDowntimeMs);
                job->downtimeMs = job->setDowntimeMs;
                job->haveSetDowntime = FALSE;
                any = TRUE;
            }
            if (job->haveSetBandwidth) {
                json_object_set_int_member(set, "max-bandwidth", (gint64)job->setBandwidth);
                job->haveSetBandwidth = FALSE;
                any = TRUE;
            }
            g_mutex_unlock(&job->lock);
        }
        if (any) {
            g_autoptr(GError) setErr = NULL;

            /* (what QEMU refuses leaves the migration as it was) */
            if (!vgmQemuMonitorCommand(mon, "migrate-set-parameters", set, NULL, &setErr))
                g_warning(_("QEMU refused a migration parameter as it migrated: %1$s"),
                          setErr->message);
        }

        g_autoptr(JsonNode) ret = NULL;
        JsonObject *o;
        const char *st;

        if (!vgmQemuMonitorCommand(mon, "query-migrate", NULL, &ret, error))
            return FALSE;
        o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
        st = o ? json_object_get_string_member_with_default(o, "status", "") : "";
        if (g_str_equal(st, "completed")) {
            /* (what libvirt keeps as the completed job's statistics) */
            if (job && o) {
                g_mutex_lock(&job->lock);
                job->done = json_object_ref(o);
                g_mutex_unlock(&job->lock);
            }
            return TRUE;
        }
        if (cancelled && (g_str_equal(st, "cancelled") || g_str_equal(st, "failed"))) {
            vgmErrorSet(error, VGM_ERR_OPERATION_ABORTED, "%s",
                        _("the job was aborted by a client (virDomainAbortJob)"));
            return FALSE;
        }
        if (g_str_equal(st, "failed") || g_str_equal(st, "cancelled")) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("QEMU's migration %1$s: %2$s"), st,
                        json_object_get_string_member_with_default(o, "error-desc",
                                                                   _("no reason given")));
            return FALSE;
        }
        if (job && !cancelled && vgmDriverDomainJobUpdate(job, o)) {
            if (!vgmQemuMonitorCommand(mon, "migrate_cancel", NULL, NULL, error))
                return FALSE;
            cancelled = TRUE;
        }
        g_usleep(10 * 1000);
    }
}

gboolean
vgmDriverDomainSave(const VgmDriverStore *store, const char *ref, const char *path,
                    const char *dxml, unsigned int flags, gboolean *wasRunning, char **name,
                    VgmDriverJob *job, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *target = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *imageXml = NULL;
    gboolean running, keep;
    int fd;

    if (path && !g_path_is_absolute(path)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image path '%1$s' is not absolute"), path);
        return FALSE;
    }
    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)))
        return FALSE;
    if (!path && !dom->persistent) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is transient: a managed save needs a persistent domain"),
                    dom->name);
        return FALSE;
    }
    target = path ? g_strdup(path) : vgmDriverSaveManagedPath(store, dom->name);
    if (!path) {
        g_autofree char *dir = g_path_get_dirname(target);

        if (!vgmFileMakePath(dir, 0700, error))
            return FALSE;
        vgmDriverSaveCleanManaged(store, dom->name);
    }
    if (!(def = vgmDomainDefParseString(dom->status->xml, dom->status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)) ||
        !vgmDriverDomainCheckSavable(def, error) ||
        (dxml && !(imageXml = vgmDriverSaveCheckNewXML(store, dom->status->xml, dxml, target, error))))
        return FALSE;
    /* (a websocket port the start chose is chosen again by the restore,
     * as libvirt's image asks for -1; an XML given keeps what it says) */
    if (!imageXml && !(imageXml = vgmDriverDomainImageXML(dom->status->xml,
                                                          dom->status->websocketPorts, error)))
        return FALSE;
    /* from before the save takes QEMU's monitor, which has one client at
     * a time, a look at the domain reads it paused (saving) rather than
     * wait for the monitor until the save is over */
    vgmDriverStoreSetBusy(store, dom->name, "saving");
    /* libvirt's order: the guest paused, its state written, QEMU ended */
    running = dom->state == VGM_DOMAIN_STATE_RUNNING;
    if (!vgmDriverDomainJobMark(store, dom, "save", running, target, error) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmDriverDomainNoBlockJob(mon, def, NULL, VGM_DRIVER_BLOCK_JOB_BLOCKS_SAVE, error) ||
        (running && !vgmQemuMonitorCommand(mon, "stop", NULL, NULL, error))) {
        vgmDriverDomainJobUnmark(store, dom);
        vgmDriverStoreSetBusy(store, dom->name, NULL);
        return FALSE;
    }
    if (running && job)
        job->pausedAt = g_get_monotonic_time();
    vgmDriverTestPause("save-after-stop");
    keep = (flags & VGM_DRIVER_SAVE_RUNNING) ? TRUE :
           (flags & VGM_DRIVER_SAVE_PAUSED) ? FALSE : running;
    if ((fd = vgmDriverSaveImageCreate(target, imageXml, keep, &tmp, &err)) < 0)
        goto resume;
    /* (a process that dies from now on leaves the temporary to remove, or
     * the image renamed over the target, whole) */
    dom->status->jobTemp = g_strdup(tmp);
    if (!vgmDriverStoreSaveStatus(store, dom->status, &err)) {
        close(fd);
        g_unlink(tmp);
        goto resume;
    }
    /* (the save as a whole has no bound: the guest's memory takes what
     * the disk takes; each poll of it gets the monitor's default wait) */
    vgmQemuMonitorSetTimeout(mon, 0);
    if (!vgmDriverDomainMigrateToFd(mon, fd, job, &err)) {
        close(fd);
        g_unlink(tmp);
        goto resume;
    }
    vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
    if ((flags & VGM_DRIVER_SAVE_BYPASS_CACHE) && !vgmFileDropCache(fd))
        g_warning(_("the save image '%1$s' of domain '%2$s' stays in the page cache: %3$s"),
                  target, dom->name, g_strerror(errno));
    vgmDriverTestPause("save-before-commit");
    if (!vgmFileCommitTemp(fd, tmp, target, 0600, &err))
        goto resume;
    vgmDriverTestPause("save-after-commit");
    g_clear_pointer(&mon, vgmQemuMonitorFree);
    vgmDriverStoreSetBusy(store, dom->name, NULL);
    /* the image is whole: QEMU's part is over */
    if (!vgmDriverDomainCleanup(store, dom, error))
        return FALSE;
    vgmDriverStoreSetStopReason(store, dom->name, "saved");
    if (wasRunning)
        *wasRunning = running;
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;

 resume:
    /* a save that failed leaves the guest as it was */
    if (running && mon) {
        g_autoptr(GError) contErr = NULL;

        vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
        if (!vgmQemuMonitorCommand(mon, "cont", NULL, NULL, &contErr))
            g_warning(_("domain '%1$s' stays paused after its save failed: %2$s"),
                      dom->name, contErr->message);
    }
    vgmDriverDomainJobUnmark(store, dom);
    vgmDriverStoreSetBusy(store, dom->name, NULL);
    vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                _("cannot save domain '%1$s': %2$s"), dom->name, err->message);
    return FALSE;
}

/* ---- migration (libvirt's version 3: begin, prepare, perform, finish,
 * confirm) ---- */

/* @def's VNC websockets on a port its start chose (@ports, nullable)
 * asking for -1 again; whether there was one */
static gboolean
vgmDriverDomainResetChosenPorts(VgmDomainDef *def, const GArray *ports)
{
    gboolean reset = FALSE;

    for (guint i = 0; ports && i < def->devices.graphics->len; i++) {
        VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);

        for (guint k = 0; g->websocket > 0 && k < ports->len; k++) {
            if (g_array_index(ports, int, k) == g->websocket) {
                g->websocket = -1;
                reset = TRUE;
            }
        }
    }
    return reset;
}

char *
vgmDriverDomainImageXML(const char *xml, const GArray *websocketPorts, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    gboolean changed = FALSE;
    size_t k;
    guint i;

    if (!(def = vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                        VGM_DOMAIN_PARSE_LIVE, error)))
        return NULL;
    if (websocketPorts && websocketPorts->len)
        changed = vgmDriverDomainResetChosenPorts(def, websocketPorts);
    /* the ptys this run's QEMU opened are no part of the image, as in
     * libvirt's: the restore's QEMU opens its own */
    {
        GPtrArray *lists[] = { def->devices.serials, def->devices.parallels,
                               def->devices.consoles, def->devices.channels };

        for (k = 0; k < G_N_ELEMENTS(lists); k++) {
            for (i = 0; lists[k] && i < lists[k]->len; i++) {
                VgmChrDef *chr = g_ptr_array_index(lists[k], i);

                if (chr->type == VGM_CHR_TYPE_PTY && chr->path) {
                    g_clear_pointer(&chr->path, g_free);
                    changed = TRUE;
                }
            }
        }
    }
    return changed ? vgmDomainDefFormat(def) : g_strdup(xml);
}

/* @xml without what this daemon named under its root: the sockets of
 * its unix channels and of its displays (the destination names its own;
 * libvirt drops its default paths from a migratable XML too); and a VNC
 * websocket on a port the start chose (in @websocketPorts, nullable) is
 * -1 again, for the destination to choose (the source's QEMU holds it) */
static char *
vgmDriverDomainMigratableXML(const VgmDriverStore *store, const char *xml,
                             const GArray *websocketPorts, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir, store->logDir);
    gboolean dropped = FALSE;

    if (!(def = vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                        VGM_DOMAIN_PARSE_LIVE, error)))
        return NULL;
    for (guint i = 0; i < def->devices.channels->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(def->devices.channels, i);

        if (chr->type == VGM_CHR_TYPE_UNIX &&
            vgmDriverDomainChannelPathOurs(cfg, def->name, chr->path)) {
            g_clear_pointer(&chr->path, g_free);
            dropped = TRUE;
        }
    }
    for (guint i = 0; i < def->devices.graphics->len; i++) {
        VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);
        g_autofree char *ours = vgmQemuGraphicsSocketPath(cfg, def->name,
                                                          g->type == VGM_GRAPHICS_SPICE);

        if (g->listenSocket && g_strcmp0(g->socket, ours) == 0) {
            g_clear_pointer(&g->socket, g_free);
            dropped = TRUE;
        }
    }
    dropped |= vgmDriverDomainResetChosenPorts(def, websocketPorts);
    return dropped ? vgmDomainDefFormat(def) : g_strdup(xml);
}

char *
vgmDriverDomainUpdateCpuXML(const VgmDriverStore *store, const char *xml, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuCpuHostModel) hm = NULL;
    g_autofree char *emulator = NULL;
    VgmCpuFallback fallback;

    if (!(def = vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE, error)))
        return NULL;
    if (!vgmQemuCpuIsHostRelative(def->cpu))
        return g_strdup(xml);
    emulator = vgmDriverProcessEmulator(def);
    if (!(caps = vgmQemuCapsCacheLookup(emulator, store->cacheDir, error)) ||
        !(hm = vgmQemuCpuExpandHostModel(def->cpu, caps,
                                         def->virtType == VGM_DOMAIN_VIRT_KVM ?
                                         VGM_QEMU_CAPS_ACCEL_KVM : VGM_QEMU_CAPS_ACCEL_TCG,
                                         error)))
        return NULL;
    fallback = def->cpu->fallback;
    vgmQemuCpuHostModelToCustom(def->cpu, hm);
    /* a definition's model may still fall back (the live one may not) */
    def->cpu->fallback = fallback == VGM_CPU_FALLBACK_FORBID ? VGM_CPU_FALLBACK_FORBID :
                                                               VGM_CPU_FALLBACK_ALLOW;
    return vgmDomainDefFormat(def);
}

/* @xml read as a definition, not as a run's: what the run has and a
 * definition does not goes (the id, the aliases, the ptys, the ports
 * chosen, the state of the channels), and the devices a start adds
 * (@live: @xml is a run's) */
static char *
vgmDriverDomainAsDefinition(const char *xml, gboolean live, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;

    if (!(def = vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE, error)))
        return NULL;
    vgmDriverDomainDropImplicit(def, live);
    return vgmDomainDefFormat(def);
}

char *
vgmDriverDomainFormatMigratable(const VgmDriverStore *store, const VgmDriverDomain *dom,
                                gboolean inactive, GError **error)
{
    /* (a transient domain's inactive XML is its live one) */
    gboolean live = dom->status && (!inactive || !dom->persistent);
    g_autofree char *xml = live ? vgmDriverDomainMigratableXML(store, dom->status->xml,
                                                               dom->status->websocketPorts,
                                                               error) :
                                  vgmDriverDomainFormatXML(store, dom, TRUE, error);

    return xml ? vgmDriverDomainAsDefinition(xml, live, error) : NULL;
}

gboolean
vgmDriverDomainMigrateBegin(const VgmDriverStore *store, const char *name, const char *dxml,
                            const char *persistentIn, char **xml, char **persistentXml,
                            GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *out = NULL;
    guint nsnap;

    if (!(dom = vgmDriverDomainGetActive(store, name, &lock, error)) ||
        !(def = vgmDomainDefParseString(dom->status->xml, dom->status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)) ||
        !vgmDriverDomainCheckSavable(def, error))
        return FALSE;
    /* as libvirt: the snapshots' metadata and internal states stay here */
    if ((nsnap = vgmDriverSnapshotCount(store, dom->name)) > 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot migrate domain '%1$s', which has snapshots (%2$u): delete them first"),
                    dom->name, nsnap);
        return FALSE;
    }
    /* a destination XML changes what the host provides, never what the
     * guest sees: as a save image's XML is checked */
    if (dxml && !(out = vgmDriverSaveCheckNewXML(store, dom->status->xml, dxml, NULL, error)))
        return FALSE;
    if (!out)
        out = g_strdup(dom->status->xml);
    if (!(*xml = vgmDriverDomainMigratableXML(store, out, dom->status->websocketPorts, error)))
        return FALSE;
    /* the definition the destination defines: the one given, else this
     * one's (its live XML for a transient domain), as migratable */
    if (persistentXml) {
        g_autofree char *config = persistentIn ? g_strdup(persistentIn) :
                                  vgmDriverDomainFormatXML(store, dom, TRUE, error);

        if (!config || !(*persistentXml = vgmDriverDomainMigratableXML(store, config, NULL, error))) {
            g_clear_pointer(xml, g_free);
            return FALSE;
        }
    }
    return TRUE;
}

VgmDriverDomain *
vgmDriverDomainMigratePrepare(const VgmDriverStore *store, const char *xml, const char *uri,
                              GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDriverLock) lock = NULL;
    VgmDriverIncoming incoming = { -1, NULL, uri };
    unsigned int flags = VGM_DRIVER_START_PAUSED;

    if (!(def = vgmDriverDomainRestoreDef(xml, NULL, error)) ||
        !(lock = vgmDriverStoreLockDomain(store, def->name, VGM_DRIVER_LOCK_TIMEOUT_MS, error)) ||
        !vgmDriverDomainCheckStartable(store, def, &flags, error))
        return NULL;
    return vgmDriverDomainStartDef(store, def, flags, TRUE, &incoming, error);
}

VgmDriverDomain *
vgmDriverDomainMigrateFinish(const VgmDriverStore *store, const char *name, gboolean resume,
                             GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    gint64 deadline = g_get_monotonic_time() + VGM_DRIVER_MIGRATE_FINISH_TIMEOUT_MS * 1000;

    if (!(dom = vgmDriverDomainGetActive(store, name, &lock, error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return NULL;
    /* the source is done when this is called: what is left is QEMU's
     * load of the last of the stream */
    for (;;) {
        g_autofree char *st = NULL;

        if (!(st = vgmDriverProcessQueryStatus(mon, error)))
            return NULL;
        if (!g_str_equal(st, "inmigrate"))
            break;
        if (g_get_monotonic_time() > deadline) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("domain '%1$s' has not received all of its migration stream after %2$d s"),
                        dom->name, VGM_DRIVER_MIGRATE_FINISH_TIMEOUT_MS / 1000);
            return NULL;
        }
        g_usleep(20 * 1000);
    }
    /* (the status first: once the guest has run here, nothing may fail) */
    g_free(dom->status->runReason);
    dom->status->runReason = g_strdup(resume ? "migrated" : "user");
    if (!vgmDriverStoreSaveStatus(store, dom->status, error) ||
        (resume && !vgmQemuMonitorCommand(mon, "cont", NULL, NULL, error)))
        return NULL;
    dom->state = resume ? VGM_DOMAIN_STATE_RUNNING : VGM_DOMAIN_STATE_PAUSED;
    dom->reason = resume ? N_("migrated") : N_("user");
    return g_steal_pointer(&dom);
}

/* Ends the QEMU of running domain @ref and records @reason as the stop's
 * reason (what a destroy and a migration's end share) */
static gboolean
vgmDriverDomainStopFor(const VgmDriverStore *store, const char *ref, const char *reason,
                       char **name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)) ||
        !vgmDriverDomainCleanup(store, dom, error))
        return FALSE;
    vgmDriverStoreSetStopReason(store, dom->name, reason);
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;
}

gboolean
vgmDriverDomainMigrateStop(const VgmDriverStore *store, const char *name, const char *reason,
                           GError **error)
{
    return vgmDriverDomainStopFor(store, name, reason, NULL, error);
}

gboolean
vgmDriverDomainMigrateOut(const VgmDriverStore *store, const char *name,
                          const VgmDriverMigrateOut *req, VgmDriverJob *job,
                          gboolean *wasRunning, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) params = json_object_new();
    g_autoptr(JsonObject) caps = json_object_new();
    g_autoptr(JsonObject) converge = json_object_new();
    g_autoptr(JsonObject) migrate = json_object_new();
    JsonArray *list;
    gboolean running, paused = FALSE, ok;

    if (!(dom = vgmDriverDomainGetActive(store, name, &lock, error)))
        return FALSE;
    if (!(def = vgmDomainDefParseString(dom->status->xml, dom->status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)) ||
        !vgmDriverDomainCheckSavable(def, error))
        return FALSE;
    running = dom->state == VGM_DOMAIN_STATE_RUNNING;
    /* a look at the domain while QEMU's monitor is taken reads it as the
     * migration has it: running while a live one copies, else paused */
    vgmDriverStoreSetBusy(store, dom->name, running && req->live ? "migrating-live" : "migrating");
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, &err)) ||
        !vgmDriverDomainNoBlockJob(mon, def, NULL, VGM_DRIVER_BLOCK_JOB_BLOCKS_MIGRATE, &err))
        goto failed;
    if (running && !req->live) {
        if (!vgmQemuMonitorCommand(mon, "stop", NULL, NULL, &err))
            goto failed;
        paused = TRUE;
        if (job)
            job->pausedAt = g_get_monotonic_time();
    }
    /* each migration says all it wants: what an earlier one set (a save's
     * bandwidth) does not linger */
    json_object_set_int_member(params, "max-bandwidth",
                               (gint64)MIN(req->bandwidthMiB, (guint64)G_MAXINT64 / (1024 * 1024)) *
                               1024 * 1024);
    json_object_set_string_member(converge, "capability", "auto-converge");
    json_object_set_boolean_member(converge, "state", req->autoConverge);
    list = json_array_new();
    json_array_add_object_element(list, g_steal_pointer(&converge));
    json_object_set_array_member(caps, "capabilities", list);
    json_object_set_string_member(migrate, "uri", req->uri);
    /* (what virDomainMigrateGetMaxDowntime reads while it runs) */
    if (job) {
        g_autoptr(JsonNode) cur = NULL;
        JsonObject *o;

        if (!vgmQemuMonitorCommand(mon, "query-migrate-parameters", NULL, &cur, &err))
            goto failed;
        o = JSON_NODE_HOLDS_OBJECT(cur) ? json_node_get_object(cur) : NULL;
        g_mutex_lock(&job->lock);
        job->downtimeMs = o ? (guint64)json_object_get_int_member_with_default(o, "downtime-limit",
                                                                                0) : 0;
        g_mutex_unlock(&job->lock);
    }
    if (!vgmQemuMonitorCommand(mon, "migrate-set-capabilities", caps, NULL, &err) ||
        !vgmQemuMonitorCommand(mon, "migrate-set-parameters", params, NULL, &err) ||
        !vgmQemuMonitorCommand(mon, "migrate", migrate, NULL, &err))
        goto failed;
    vgmQemuMonitorSetTimeout(mon, 0);
    ok = vgmDriverDomainMigrateWait(mon, job, &err);
    vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
    if (!ok)
        goto failed;
    vgmDriverStoreSetBusy(store, dom->name, NULL);
    if (wasRunning)
        *wasRunning = running;
    return TRUE;

 failed:
    /* QEMU lets a guest it paused for a failed migration run again; the
     * pause this made is undone here */
    if (paused && mon) {
        g_autoptr(GError) contErr = NULL;

        if (!vgmQemuMonitorCommand(mon, "cont", NULL, NULL, &contErr))
            g_warning(_("domain '%1$s' stays paused after its migration failed: %2$s"),
                      dom->name, contErr->message);
    }
    vgmDriverStoreSetBusy(store, dom->name, NULL);
    vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                _("cannot migrate domain '%1$s': %2$s"), dom->name, err->message);
    return FALSE;
}

gboolean
vgmDriverDomainMigrateStale(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainGetActive(store, name, &lock, error)) ||
        g_strcmp0(dom->status->runReason, VGM_DRIVER_MIGRATE_INCOMING_REASON) != 0 ||
        !vgmDriverDomainCleanup(store, dom, error))
        return FALSE;
    vgmDriverStoreSetStopReason(store, dom->name, "failed");
    return TRUE;
}

gboolean
vgmDriverDomainMigrateParam(const VgmDriverStore *store, const char *name, const char *param,
                            gboolean set, guint64 *value, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    JsonObject *o;

    if (!(dom = vgmDriverDomainGetActive(store, name, &lock, error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    if (set) {
        json_object_set_int_member(args, param, (gint64)*value);
        return vgmQemuMonitorCommand(mon, "migrate-set-parameters", args, NULL, error);
    }
    if (!vgmQemuMonitorCommand(mon, "query-migrate-parameters", NULL, &ret, error))
        return FALSE;
    o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    if (!o || !json_object_has_member(o, param)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("QEMU's query-migrate-parameters has no '%1$s'"), param);
        return FALSE;
    }
    *value = (guint64)json_object_get_int_member(o, param);
    return TRUE;
}

gboolean
vgmDriverDomainMigrateResume(const VgmDriverStore *store, const char *name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autofree char *st = NULL;

    if (!(dom = vgmDriverDomainGetActive(store, name, &lock, error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !(st = vgmDriverProcessQueryStatus(mon, error)))
        return FALSE;
    if (g_str_equal(st, "running"))
        return TRUE;
    return vgmQemuMonitorCommand(mon, "cont", NULL, NULL, error);
}

/* ---- core dumps (virDomainCoreDump) ---- */

/* QEMU's dump-guest-memory format of each libvirt
 * virDomainCoreDumpFormat */
static const char *const vgmDriverDumpFormats[] = {
    [VGM_DRIVER_DUMP_FORMAT_RAW] = "elf",
    [VGM_DRIVER_DUMP_FORMAT_KDUMP_ZLIB] = "kdump-zlib",
    [VGM_DRIVER_DUMP_FORMAT_KDUMP_LZO] = "kdump-lzo",
    [VGM_DRIVER_DUMP_FORMAT_KDUMP_SNAPPY] = "kdump-snappy",
    [VGM_DRIVER_DUMP_FORMAT_WIN_DMP] = "win-dmp",
};

/* Whether QEMU @mon writes dumps in @format (query-dump-guest-memory-capability) */
static gboolean
vgmDriverDumpFormatCheck(VgmQemuMonitor *mon, const char *format, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    JsonObject *o;
    JsonArray *formats;
    guint i;

    if (!vgmQemuMonitorCommand(mon, "query-dump-guest-memory-capability", NULL, &ret, error))
        return FALSE;
    o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    formats = o && json_object_has_member(o, "formats") ?
              json_object_get_array_member(o, "formats") : NULL;
    for (i = 0; formats && i < json_array_get_length(formats); i++) {
        if (g_strcmp0(json_array_get_string_element(formats, i), format) == 0)
            return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("this QEMU does not write memory dumps in format '%1$s'"), format);
    return FALSE;
}

/* The dump itself into @fd: the guest's memory (dump-guest-memory), or
 * its whole state as QEMU migrates it, the migration bandwidth given
 * back afterwards */
static gboolean
vgmDriverDumpWrite(VgmQemuMonitor *mon, int fd, const VgmDriverDumpRequest *req,
                   VgmDriverJob *job, GError **error)
{
    g_autoptr(JsonNode) params = NULL;
    g_autoptr(JsonObject) getfd = json_object_new();
    g_autoptr(JsonObject) args = json_object_new();
    gint64 bandwidth = -1;
    gboolean ok;

    if (req->memoryOnly) {
        json_object_set_string_member(getfd, "fdname", VGM_DRIVER_DUMP_FDNAME);
        json_object_set_boolean_member(args, "paging", FALSE);
        json_object_set_string_member(args, "protocol", "fd:" VGM_DRIVER_DUMP_FDNAME);
        json_object_set_string_member(args, "format", vgmDriverDumpFormats[req->format]);
        return vgmDriverDumpFormatCheck(mon, vgmDriverDumpFormats[req->format], error) &&
               vgmQemuMonitorCommandWithFd(mon, "getfd", getfd, fd, NULL, error) &&
               vgmQemuMonitorCommand(mon, "dump-guest-memory", args, NULL, error);
    }
    if (vgmQemuMonitorCommand(mon, "query-migrate-parameters", NULL, &params, NULL) &&
        JSON_NODE_HOLDS_OBJECT(params))
        bandwidth = json_object_get_int_member_with_default(json_node_get_object(params),
                                                            "max-bandwidth", -1);
    ok = vgmDriverDomainMigrateToFd(mon, fd, job, error);
    if (bandwidth >= 0) {
        g_autoptr(JsonObject) back = json_object_new();

        json_object_set_int_member(back, "max-bandwidth", bandwidth);
        vgmQemuMonitorCommand(mon, "migrate-set-parameters", back, NULL, NULL);
    }
    return ok;
}

gboolean
vgmDriverDomainCoreDump(const VgmDriverStore *store, const char *ref,
                        const VgmDriverDumpRequest *req, VgmDriverJob *job,
                        VgmDriverDumpOutcome *out, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *qs = NULL;
    gboolean running;
    int fd = -1;

    memset(out, 0, sizeof(*out));
    if (!g_path_is_absolute(req->path)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("dump file path '%1$s' is not absolute"),
                    req->path);
        return FALSE;
    }
    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)))
        return FALSE;
    out->pid = dom->status->qemu.pid;
    out->id = dom->id;
    /* as libvirt: the guest paused while it is written, unless live; a
     * look at the domain meanwhile reads it paused for a dump */
    running = dom->state == VGM_DOMAIN_STATE_RUNNING;
    vgmDriverStoreSetBusy(store, dom->name, req->live ? "dumping-live" : "dumping");
    if (!vgmDriverDomainJobMark(store, dom, "dump", running, req->path, &err) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, &err)))
        goto fail;
    if (running && !req->live) {
        if (!vgmQemuMonitorCommand(mon, "stop", NULL, NULL, &err))
            goto fail;
        out->paused = TRUE;
        if (job)
            job->pausedAt = g_get_monotonic_time();
    }
    if ((fd = vgmFileOpenTemp(req->path, &tmp, &err)) < 0)
        goto resume;
    /* (as long as the guest's memory takes to write) */
    vgmQemuMonitorSetTimeout(mon, 0);
    if (!vgmDriverDumpWrite(mon, fd, req, job, &err)) {
        close(fd);
        g_unlink(tmp);
        goto resume;
    }
    vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
    if (req->bypassCache && !vgmFileDropCache(fd))
        g_warning(_("the dump '%1$s' of domain '%2$s' stays in the page cache: %3$s"),
                  req->path, dom->name, g_strerror(errno));
    if (!vgmFileCommitTemp(fd, tmp, req->path, 0600, &err))
        goto resume;
    if (req->crash) {
        g_clear_pointer(&mon, vgmQemuMonitorFree);
        vgmDriverStoreSetBusy(store, dom->name, NULL);
        if (!vgmDriverDomainCleanup(store, dom, error))
            return FALSE;
        vgmDriverStoreSetStopReason(store, dom->name, "crashed");
        out->crashed = TRUE;
        return TRUE;
    }
    if (req->reset && !vgmQemuMonitorCommand(mon, "system_reset", NULL, NULL, &err))
        goto resume;
    out->reset = req->reset;
 resume:
    /* the guest runs on as it did (a migration into the file paused it
     * too, live or not) */
    vgmQemuMonitorSetTimeout(mon, VGM_DRIVER_QUERY_TIMEOUT_MS);
    if (running && (qs = vgmDriverProcessQueryStatus(mon, NULL)) &&
        !g_str_equal(qs, "running")) {
        g_autoptr(GError) contErr = NULL;

        if (!vgmQemuMonitorCommand(mon, "cont", NULL, NULL, &contErr)) {
            g_warning(_("domain '%1$s' stays paused after its dump: %2$s"), dom->name,
                      contErr->message);
            out->resumed = FALSE;
        } else {
            out->resumed = TRUE;
            /* (running means "unpaused" from now on, as after a resume) */
            if (g_strcmp0(dom->status->runReason, "unpaused") != 0) {
                g_free(dom->status->runReason);
                dom->status->runReason = g_strdup("unpaused");
                vgmDriverStoreSaveStatus(store, dom->status, NULL);
            }
        }
    }
 fail:
    vgmDriverDomainJobUnmark(store, dom);
    vgmDriverStoreSetBusy(store, dom->name, NULL);
    if (!err)
        return TRUE;
    vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                _("cannot dump domain '%1$s' into '%2$s': %3$s"), dom->name, req->path,
                err->message);
    return FALSE;
}

gboolean
vgmDriverDomainManagedSaveRemove(const VgmDriverStore *store, const char *ref, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *path = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    path = vgmDriverSaveManagedPath(store, dom->name);
    if (g_unlink(path) < 0) {
        if (errno == ENOENT)
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("domain '%1$s' has no managed save image"), dom->name);
        else
            vgmErrorSetSystem(error, errno, _("cannot remove managed save image '%1$s'"), path);
        return FALSE;
    }
    return TRUE;
}

/* The save image a call names: @path (absolute), or with @path NULL
 * domain @ref's managed image, its lock taken into *@lock and the path
 * into *@managed */
static const char *
vgmDriverDomainSaveImagePath(const VgmDriverStore *store, const char *ref, const char *path,
                             VgmDriverLock **lock, char **managed, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (path) {
        if (!g_path_is_absolute(path)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("save image path '%1$s' is not absolute"), path);
            return NULL;
        }
        return path;
    }
    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, lock, error)))
        return NULL;
    *managed = vgmDriverSaveManagedPath(store, dom->name);
    if (!g_file_test(*managed, G_FILE_TEST_EXISTS)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' has no managed save image"), dom->name);
        return NULL;
    }
    return *managed;
}

char *
vgmDriverDomainSaveImageXML(const VgmDriverStore *store, const char *ref, const char *path,
                            GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autofree char *managed = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *migratable = NULL;
    gboolean running;

    if (!(path = vgmDriverDomainSaveImagePath(store, ref, path, &lock, &managed, error)) ||
        !vgmDriverSaveImageOpen(path, &xml, &running, NULL, error))
        return NULL;
    /* as libvirt keeps it in its images: the migratable definition */
    migratable = vgmDriverDomainMigratableXML(store, xml, NULL, error);
    return migratable ? vgmDriverDomainAsDefinition(migratable, TRUE, error) : NULL;
}

gboolean
vgmDriverDomainSaveImageDefine(const VgmDriverStore *store, const char *ref, const char *path,
                               const char *xml, int running, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autofree char *managed = NULL;
    g_autofree char *savedXml = NULL;
    g_autofree char *newXml = NULL;
    gboolean ran;

    if (!(path = vgmDriverDomainSaveImagePath(store, ref, path, &lock, &managed, error)))
        return FALSE;
    if (!xml)
        return vgmDriverSaveImageUpdate(path, NULL, running, error);
    return vgmDriverSaveImageOpen(path, &savedXml, &ran, NULL, error) &&
           (newXml = vgmDriverSaveCheckNewXML(store, savedXml, xml, path, error)) &&
           vgmDriverSaveImageUpdate(path, newXml, running, error);
}

gboolean
vgmDriverDomainDestroy(const VgmDriverStore *store, const char *ref,
                       char **name, GError **error)
{
    return vgmDriverDomainStopFor(store, ref, "destroyed", name, error);
}

gboolean
vgmDriverDomainShutdown(const VgmDriverStore *store, const char *ref,
                        char **name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    /* a power-off asked for now is no reboot, as in libvirt, unless
     * <on_poweroff> is restart, which libvirt makes a reboot of it */
    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmDriverDomainSetRebooting(store, dom, mon, dom->status->restartAtPoweroff, error) ||
        !vgmQemuMonitorCommand(mon, "system_powerdown", NULL, NULL, error))
        return FALSE;
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;
}

gboolean
vgmDriverDomainReboot(const VgmDriverStore *store, const char *ref, char **name,
                      GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    /* the guest is asked to power off (ACPI); its power-off then becomes
     * a reset, unless <on_reboot> is destroy: as in libvirt, the reboot
     * then ends the domain */
    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)) ||
        !vgmDriverDomainFillDef(store, dom, error) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmDriverDomainSetRebooting(store, dom, mon,
                                     dom->def->onReboot != VGM_DOMAIN_LIFECYCLE_DESTROY, error))
        return FALSE;
    if (!vgmQemuMonitorCommand(mon, "system_powerdown", NULL, NULL, error)) {
        vgmDriverDomainSetRebooting(store, dom, mon, FALSE, NULL);
        return FALSE;
    }
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;
}

int
vgmDriverDomainOpenGraphics(const VgmDriverStore *store, const char *ref, unsigned int idx,
                            gboolean skipAuth, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) getfd = json_object_new();
    g_autoptr(JsonObject) add = json_object_new();
    const VgmGraphicsDef *g;
    int pair[2];

    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)) ||
        !vgmDriverDomainFillDef(store, dom, error))
        return -1;
    /* (libvirt's code for it is an internal error's) */
    if (idx >= dom->def->devices.graphics->len) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("domain '%1$s' has no graphics device %2$u (it has %3$u)"),
                    dom->name, idx, dom->def->devices.graphics->len);
        return -1;
    }
    g = g_ptr_array_index(dom->def->devices.graphics, idx);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
        vgmErrorSet(error, VGM_ERR_SYSTEM, _("cannot make a socket pair for the %1$s client of domain '%2$s': %3$s"),
                    vgmGraphicsTypeToString(g->type), dom->name, g_strerror(errno));
        return -1;
    }
    /* QEMU's end goes in by name (getfd), then becomes a client of the
     * server (add_client) */
    json_object_set_string_member(getfd, "fdname", "graphicsfd");
    json_object_set_string_member(add, "protocol", vgmGraphicsTypeToString(g->type));
    json_object_set_string_member(add, "fdname", "graphicsfd");
    json_object_set_boolean_member(add, "skipauth", skipAuth);
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommandWithFd(mon, "getfd", getfd, pair[1], NULL, error) ||
        !vgmQemuMonitorCommand(mon, "add_client", add, NULL, error)) {
        close(pair[0]);
        close(pair[1]);
        return -1;
    }
    close(pair[1]);
    return pair[0];
}

/* QMP @command on running domain @ref, which must be in @want (else the
 * error @wrong, a format of the name). */
static gboolean
vgmDriverDomainRunControl(const VgmDriverStore *store, const char *ref,
                          const char *command, VgmDomainState want,
                          const char *wrong, const char *runReason,
                          char **name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)))
        return FALSE;
    if (dom->state != want) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _(wrong), dom->name);
        return FALSE;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, command, NULL, NULL, error))
        return FALSE;
    /* what running means from now on (libvirt: "unpaused" after a resume) */
    if (g_strcmp0(dom->status->runReason, runReason) != 0) {
        g_free(dom->status->runReason);
        dom->status->runReason = g_strdup(runReason);
        if (!vgmDriverStoreSaveStatus(store, dom->status, error))
            return FALSE;
    }
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;
}

gboolean
vgmDriverDomainSuspend(const VgmDriverStore *store, const char *ref,
                       char **name, GError **error)
{
    return vgmDriverDomainRunControl(store, ref, "stop", VGM_DOMAIN_STATE_RUNNING,
                                     N_("domain '%1$s' is not running (it is paused or shutting down)"),
                                     NULL, name, error);
}

gboolean
vgmDriverDomainReset(const VgmDriverStore *store, const char *ref, char **name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    /* QEMU resets the machine in whatever state it is, as libvirt's reset
     * does; a paused guest stays paused */
    /* (and, as in libvirt, a reboot asked for is over) */
    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, "system_reset", NULL, NULL, error) ||
        !vgmDriverDomainSetRebooting(store, dom, mon, FALSE, error))
        return FALSE;
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;
}

/* QMP command @cmd, without arguments, for running domain @ref */
static gboolean
vgmDriverDomainRunSimple(const VgmDriverStore *store, const char *ref, const char *cmd,
                         char **name, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, cmd, NULL, NULL, error))
        return FALSE;
    if (name)
        *name = g_strdup(dom->name);
    return TRUE;
}

gboolean
vgmDriverDomainInjectNMI(const VgmDriverStore *store, const char *ref, char **name,
                         GError **error)
{
    return vgmDriverDomainRunSimple(store, ref, "inject-nmi", name, error);
}

gboolean
vgmDriverDomainPMWakeup(const VgmDriverStore *store, const char *ref, char **name,
                        GError **error)
{
    return vgmDriverDomainRunSimple(store, ref, "system_wakeup", name, error);
}

gboolean
vgmDriverDomainSendKey(const VgmDriverStore *store, const char *ref, unsigned int codeset,
                       unsigned int holdtime, const unsigned int *codes, guint n,
                       GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    JsonArray *keys = json_array_new();
    guint i;

    json_object_set_array_member(args, "keys", keys);
    if (n == 0 || n > VGM_DOMAIN_SEND_KEY_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("a key press takes 1 to %1$d keys, not %2$u"), VGM_DOMAIN_SEND_KEY_MAX, n);
        return FALSE;
    }
    if (codeset >= VGM_KEYCODE_SET_LAST) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unknown key code set %1$u"), codeset);
        return FALSE;
    }
    /* QEMU takes each key as its number, whatever set it came in */
    for (i = 0; i < n; i++) {
        JsonObject *key = json_object_new();
        int qnum = vgmKeycodeToQnum(codeset, codes[i]);

        if (qnum < 0) {
            json_object_unref(key);
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("key code %1$u is no key of code set '%2$s'"),
                        codes[i], vgmKeycodeSetTypeToString(codeset));
            return FALSE;
        }
        json_object_set_string_member(key, "type", "number");
        json_object_set_int_member(key, "data", qnum);
        json_array_add_object_element(keys, key);
    }
    if (holdtime)
        json_object_set_int_member(args, "hold-time", holdtime);
    return (dom = vgmDriverDomainGetActive(store, ref, &lock, error)) &&
           (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmQemuMonitorCommand(mon, "send-key", args, NULL, error);
}

/* The persistent definition of @dom changed by @change, which gets it
 * parsed and gives back the XML of the changed definition (or refuses
 * the change): checked as a define checks it and saved atomically */
static VgmDomainDef *
vgmDriverDomainChangedConfig(const VgmDriverStore *store, const VgmDriverDomain *dom,
                             char *(*change)(VgmDomainDef *def, gconstpointer data, GError **error),
                             gconstpointer data, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDriverConfig) loaded = NULL;
    const VgmDriverConfig *config = dom->config;
    g_autofree char *xml = NULL;

    if (!dom->persistent) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is transient: it has no persistent config to change"),
                    dom->name);
        return NULL;
    }
    /* (the load of a running domain leaves its config out) */
    if (!config && !(config = loaded = vgmDriverStoreGetConfigIn(store, NULL, dom->name, error)))
        return NULL;
    if (!(def = vgmDriverConfigParse(store, dom->name, config, error)) ||
        !(xml = change(def, data, error)))
        return NULL;
    return vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_NONE, error);
}

/* ... and saved atomically */
static gboolean
vgmDriverDomainChangeConfig(const VgmDriverStore *store, const VgmDriverDomain *dom,
                            char *(*change)(VgmDomainDef *def, gconstpointer data, GError **error),
                            gconstpointer data, GError **error)
{
    g_autoptr(VgmDomainDef) checked = vgmDriverDomainChangedConfig(store, dom, change, data, error);

    return checked && vgmDriverStoreSaveConfig(store, checked, error);
}

/* What a change of running domain @dom (lock held) does to it and its
 * live XML, with the data of vgmDriverDomainAffect's @data */
typedef gboolean (*VgmDriverDomainLiveFunc)(const VgmDriverStore *store, VgmDriverDomain *dom,
                                            gconstpointer data, GError **error);

/* A change of domain @dom (lock held) made where libvirt's AFFECT flags
 * say: with neither, the live domain while it runs, else the config. A
 * change of both checks the config's change first, then makes the live
 * one, then saves the config: a refusal of either changes neither.
 * *@wentLive (when given) says whether the running domain was changed. */
static gboolean
vgmDriverDomainAffect(const VgmDriverStore *store, VgmDriverDomain *dom, unsigned int flags,
                      char *(*change)(VgmDomainDef *def, gconstpointer data, GError **error),
                      VgmDriverDomainLiveFunc live, gconstpointer data, gboolean *wentLive,
                      GError **error)
{
    gboolean active = vgmDriverDomainIsActive(dom);
    g_autoptr(VgmDomainDef) checked = NULL;

    if (wentLive)
        *wentLive = FALSE;
    if (!(flags & VGM_DOMAIN_AFFECT_LIVE) && ((flags & VGM_DOMAIN_AFFECT_CONFIG) || !active))
        return vgmDriverDomainChangeConfig(store, dom, change, data, error);
    if (!active) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is not running"), dom->name);
        return FALSE;
    }
    if ((flags & VGM_DOMAIN_AFFECT_CONFIG) &&
        !(checked = vgmDriverDomainChangedConfig(store, dom, change, data, error)))
        return FALSE;
    if (!live(store, dom, data, error))
        return FALSE;
    if (wentLive)
        *wentLive = TRUE;
    /* (the live change is made: a config that cannot be written now is
     * the error to report) */
    return !checked || vgmDriverStoreSaveConfig(store, checked, error);
}

typedef struct {
    unsigned int nvcpus;
    gboolean maximum;
} VgmDriverVcpusChange;

/* The vCPU counts of a persistent definition: the maximum (<vcpu>N</vcpu>)
 * or the ones it starts with (<vcpu current=''>), changed in its XML, so
 * that everything that names vCPUs (pins, NUMA cells, the topology) is
 * checked again as a define checks it */
static char *
vgmDriverDomainChangeVcpus(VgmDomainDef *def, gconstpointer data, GError **error)
{
    const VgmDriverVcpusChange *c = data;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *count = g_strdup_printf("%u", c->nvcpus);
    xmlChar *text = NULL;
    xmlNodePtr vcpu;
    char *ret;
    int len = 0;
    unsigned int current = def->vcpusCurrent ? def->vcpusCurrent : def->vcpus;

    if (def->vcpuList) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' lists each vCPU in <vcpus>: change that list in its XML"),
                    def->name);
        return NULL;
    }
    if (!c->maximum && c->nvcpus > def->vcpus) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot start domain '%1$s' with %2$u vCPUs: its maximum is %3$u"),
                    def->name, c->nvcpus, def->vcpus);
        return NULL;
    }
    xml = vgmDomainDefFormat(def);
    if (!(doc = vgmXMLParseString(xml, NULL, error)))
        return NULL;
    if (!(vcpu = vgmXMLChild(xmlDocGetRootElement(doc), "vcpu"))) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, "%s", _("the canonical XML has no <vcpu>"));
        return NULL;
    }
    if (c->maximum) {
        xmlNodeSetContent(vcpu, (const xmlChar *)count);
        /* the vCPUs beyond the new maximum go, as in libvirt */
        current = MIN(current, c->nvcpus);
    } else {
        current = c->nvcpus;
    }
    if (current == (c->maximum ? c->nvcpus : def->vcpus)) {
        xmlUnsetProp(vcpu, (const xmlChar *)"current");
    } else {
        g_autofree char *cur = g_strdup_printf("%u", current);

        xmlSetProp(vcpu, (const xmlChar *)"current", (const xmlChar *)cur);
    }
    xmlDocDumpMemory(doc, &text, &len);
    ret = g_strndup((const char *)text, len);
    xmlFree(text);
    return ret;
}

static gboolean vgmDriverDomainSetVcpusLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                                            unsigned int nvcpus, GError **error);

/* setvcpus --live: the maximum is QEMU's, fixed at its start */
static gboolean
vgmDriverDomainVcpusLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                         GError **error)
{
    const VgmDriverVcpusChange *change = data;

    if (change->maximum) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot change the maximum vCPUs of running domain '%1$s': QEMU's is fixed at its start"),
                    dom->name);
        return FALSE;
    }
    return vgmDriverDomainSetVcpusLive(store, dom, change->nvcpus, error);
}

gboolean
vgmDriverDomainSetVcpus(const VgmDriverStore *store, const char *ref, unsigned int nvcpus,
                        unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverVcpusChange change = { nvcpus, (flags & VGM_DOMAIN_VCPU_MAXIMUM) != 0 };

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeVcpus,
                                 vgmDriverDomainVcpusLive, &change, NULL, error);
}

typedef struct {
    const char *xml;
    VgmDriverDeviceOp op;
    char **removed;
} VgmDriverDeviceChange;

/* What memory device @mem adds to the current memory: its size, or, for
 * a running guest's virtio-mem device, what the guest plugged of it */
static unsigned long long
vgmDriverMemoryDeviceCurrent(const VgmMemoryDef *mem, gboolean live)
{
    if (live && mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM)
        return mem->current;
    return mem->size;
}

/* As libvirt: memory devices plugged or unplugged between @oldDef and
 * @newDef add to or take from the total (with NUMA cells the parse summed
 * it already) and the current size; of a running guest (@live) the
 * current size is the balloon's plus what its virtio-mem devices hold */
static void
vgmDriverDomainMemoryDevicesMoved(const VgmDomainDef *oldDef, VgmDomainDef *newDef,
                                  gboolean live)
{
    long long delta = (long long)vgmDomainDefGetMemoryDevicesTotal(newDef) -
                      (long long)vgmDomainDefGetMemoryDevicesTotal(oldDef);
    long long curDelta = 0;
    guint i;

    for (i = 0; i < newDef->devices.mems->len; i++)
        curDelta += vgmDriverMemoryDeviceCurrent(g_ptr_array_index(newDef->devices.mems, i), live);
    for (i = 0; i < oldDef->devices.mems->len; i++)
        curDelta -= vgmDriverMemoryDeviceCurrent(g_ptr_array_index(oldDef->devices.mems, i), live);
    if (delta == 0 && curDelta == 0)
        return;
    if (vgmDomainDefNumaCells(newDef) == 0)
        newDef->memory = (unsigned long long)((long long)oldDef->memory + delta);
    newDef->curMemory = (unsigned long long)MAX((long long)oldDef->curMemory + curDelta, 0);
    newDef->curMemory = MIN(newDef->curMemory, newDef->memory);
}

static char *
vgmDriverDomainApplyDevice(VgmDomainDef *def, gconstpointer data, GError **error)
{
    const VgmDriverDeviceChange *c = data;
    g_autofree char *xml = vgmDomainDefFormat(def);
    g_autofree char *changed = vgmDriverDeviceChangeXML(xml, c->xml, c->op, error);
    g_autoptr(VgmDomainDef) newDef = NULL;

    if (!changed)
        return NULL;
    /* (a definition the parse refuses is refused by the caller's) */
    if (def->devices.mems->len == 0 && !strstr(c->xml, "<memory"))
        return g_steal_pointer(&changed);
    if (!(newDef = vgmDomainDefParseString(changed, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE, NULL)))
        return g_steal_pointer(&changed);
    if (newDef->devices.mems->len == def->devices.mems->len &&
        vgmDomainDefGetMemoryDevicesTotal(newDef) == vgmDomainDefGetMemoryDevicesTotal(def))
        return g_steal_pointer(&changed);
    vgmDriverDomainMemoryDevicesMoved(def, newDef, FALSE);
    return vgmDomainDefFormat(newDef);
}

/* ---- hot-plug ---- */

/* The QEMU id of a vCPU the driver plugs (vgmCmdVcpuHotplug's) */
#define VGM_DRIVER_VCPU_ID_PREFIX "vcpu"

/* The command-line options QEMU can also take on the monitor, with the
 * command that adds one and the one that takes it back (by the member
 * named) */
static const struct {
    const char *option;
    const char *add;
    const char *del;
    const char *key;
} vgmDriverHotplugOptions[] = {
    { "-object", "object-add", "object-del", "id" },
    { "-blockdev", "blockdev-add", "blockdev-del", "node-name" },
    { "-netdev", "netdev_add", "netdev_del", "id" },
    { "-device", "device_add", "device_del", "id" },
    /* (its arguments are vgmQemuChardevToQMP's of the option) */
    { "-chardev", "chardev-add", "chardev-remove", "id" },
};

static int
vgmDriverHotplugOption(const char *arg)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDriverHotplugOptions); i++) {
        if (g_str_equal(arg, vgmDriverHotplugOptions[i].option))
            return (int)i;
    }
    return -1;
}

/* Splits @cmd's arguments into the pluggable options ("N\x1fVALUE", N
 * the index in vgmDriverHotplugOptions, in order), the watchdog's action
 * (@watchdogAction, which QMP sets) and the rest joined (each argument
 * followed by a NUL) */
static void
vgmDriverHotplugSplit(const VgmQemuCmd *cmd, GPtrArray *opts, char **watchdogAction,
                      GString *rest)
{
    guint i;

    for (i = 0; i < cmd->args->len; i++) {
        const char *arg = g_ptr_array_index(cmd->args, i);
        int o = vgmDriverHotplugOption(arg);

        if (g_str_equal(arg, "-watchdog-action") && i + 1 < cmd->args->len) {
            g_free(*watchdogAction);
            *watchdogAction = g_strdup(g_ptr_array_index(cmd->args, ++i));
            continue;
        }
        if (o >= 0 && i + 1 < cmd->args->len) {
            g_ptr_array_add(opts, g_strdup_printf("%d\x1f%s", o,
                                                  (const char *)g_ptr_array_index(cmd->args, ++i)));
            continue;
        }
        g_string_append_len(rest, arg, strlen(arg) + 1);
    }
}

static char *
vgmDriverHotplugStartupText(JsonObject *exec)
{
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), exec);

    return json_to_string(node, FALSE);
}

/* Option @opt (vgmDriverHotplugSplit's) as a detach compares it: without
 * a device's "bootindex", which the detach of the disk that had the first
 * one moves to another in a new rendering, though QEMU's devices keep
 * theirs (as under libvirt) */
static char *
vgmDriverHotplugDetachKey(const char *opt)
{
    static GRegex *bootindex;

    if (g_once_init_enter(&bootindex)) {
        GRegex *re = g_regex_new(",\"bootindex\":[0-9]+(?=[,}])|\"bootindex\":[0-9]+,", 0, 0,
                                 NULL);

        g_once_init_leave(&bootindex, re);
    }
    return g_regex_replace_literal(bootindex, opt, -1, 0, "", 0, NULL);
}

/* What changes between the QEMU of live definition @oldDef and the one
 * @newDef would have */
typedef struct {
    VgmQemuCmd *oldCmd;
    VgmQemuCmd *newCmd;
    GPtrArray *oldOpts;         /* vgmDriverHotplugSplit's */
    GPtrArray *newOpts;
    GPtrArray *added;           /* of newOpts, in its order */
    GPtrArray *removed;         /* of oldOpts, in its order */
    char *oldWatchdogAction;    /* -watchdog-action's, or NULL */
    char *newWatchdogAction;
    GPtrArray *newSecrets;      /* of newCmd's secrets (VgmQemuCmdSecret), the
                                 * files the old command line has not */
    GPtrArray *goneSecrets;     /* of oldCmd's, the files the new one has not */
} VgmDriverHotplugDiff;

static void
vgmDriverHotplugDiffClear(VgmDriverHotplugDiff *d)
{
    g_clear_pointer(&d->oldCmd, vgmQemuCmdFree);
    g_clear_pointer(&d->newCmd, vgmQemuCmdFree);
    g_clear_pointer(&d->added, g_ptr_array_unref);
    g_clear_pointer(&d->removed, g_ptr_array_unref);
    g_clear_pointer(&d->oldOpts, g_ptr_array_unref);
    g_clear_pointer(&d->newOpts, g_ptr_array_unref);
    g_clear_pointer(&d->oldWatchdogAction, g_free);
    g_clear_pointer(&d->newWatchdogAction, g_free);
    g_clear_pointer(&d->newSecrets, g_ptr_array_unref);
    g_clear_pointer(&d->goneSecrets, g_ptr_array_unref);
}

/* The secrets of @from whose files @than has not (borrowed) */
static GPtrArray *
vgmDriverHotplugSecretsBeyond(const VgmQemuCmd *from, const VgmQemuCmd *than)
{
    GPtrArray *beyond = g_ptr_array_new();

    for (guint i = 0; from->secrets && i < from->secrets->len; i++) {
        const VgmQemuCmdSecret *s = g_ptr_array_index(from->secrets, i);
        guint j;

        for (j = 0; than->secrets && j < than->secrets->len; j++) {
            if (g_str_equal(s->path, ((const VgmQemuCmdSecret *)g_ptr_array_index(than->secrets, j))->path))
                break;
        }
        if (!than->secrets || j == than->secrets->len)
            g_ptr_array_add(beyond, (gpointer)s);
    }
    return beyond;
}

/* Removes the files of secrets @secrets (VgmQemuCmdSecret) */
static void
vgmDriverHotplugSecretsRemove(const GPtrArray *secrets)
{
    for (guint i = 0; secrets && i < secrets->len; i++)
        g_unlink(((const VgmQemuCmdSecret *)g_ptr_array_index(secrets, i))->path);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverHotplugDiff, vgmDriverHotplugDiffClear)

/* Renders both definitions of running domain @dom and compares their
 * command lines: only pluggable options may differ (else a refusal of
 * the attach, or with @detach the detach) */
static gboolean
vgmDriverHotplugCompare(const VgmDriverStore *store, const VgmDriverDomain *dom,
                        const VgmDomainDef *oldDef, const VgmDomainDef *newDef,
                        gboolean detach, VgmDriverHotplugDiff *d, GError **error)
{
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuPlan) oldPlan = NULL;
    g_autoptr(VgmQemuPlan) newPlan = NULL;
    g_autoptr(GString) oldRest = g_string_new(NULL);
    g_autoptr(GString) newRest = g_string_new(NULL);
    g_autoptr(GHashTable) had = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) has = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) oldKeys = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) newKeys = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    guint i;

    if (!(caps = vgmQemuCapsCacheLookup(dom->status->emulator, store->cacheDir, error)) ||
        !(d->oldCmd = vgmDriverProcessBuild(store, oldDef, caps, NULL, &oldPlan, error)))
        return FALSE;
    if (!(d->newCmd = vgmDriverProcessBuild(store, newDef, caps, NULL, &newPlan, &err))) {
        vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_CONFIG_UNSUPPORTED,
                    _("QEMU binary '%1$s' cannot run domain '%2$s' so: %3$s"),
                    dom->status->emulator, dom->name, err->message);
        return FALSE;
    }
    d->oldOpts = g_ptr_array_new_with_free_func(g_free);
    d->newOpts = g_ptr_array_new_with_free_func(g_free);
    d->added = g_ptr_array_new();
    d->removed = g_ptr_array_new();
    vgmDriverHotplugSplit(d->oldCmd, d->oldOpts, &d->oldWatchdogAction, oldRest);
    vgmDriverHotplugSplit(d->newCmd, d->newOpts, &d->newWatchdogAction, newRest);
    for (i = 0; i < d->oldOpts->len; i++) {
        const char *opt = g_ptr_array_index(d->oldOpts, i);

        g_ptr_array_add(oldKeys, detach ? vgmDriverHotplugDetachKey(opt) : g_strdup(opt));
        g_hash_table_add(had, g_strdup(g_ptr_array_index(oldKeys, i)));
    }
    for (i = 0; i < d->newOpts->len; i++) {
        const char *opt = g_ptr_array_index(d->newOpts, i);

        g_ptr_array_add(newKeys, detach ? vgmDriverHotplugDetachKey(opt) : g_strdup(opt));
        g_hash_table_add(has, g_strdup(g_ptr_array_index(newKeys, i)));
        if (!g_hash_table_contains(had, g_ptr_array_index(newKeys, i)))
            g_ptr_array_add(d->added, g_ptr_array_index(d->newOpts, i));
    }
    for (i = 0; i < d->oldOpts->len; i++) {
        if (!g_hash_table_contains(has, g_ptr_array_index(oldKeys, i)))
            g_ptr_array_add(d->removed, g_ptr_array_index(d->oldOpts, i));
    }
    /* the secrets QEMU reads from files: those of the device's objects */
    d->newSecrets = vgmDriverHotplugSecretsBeyond(d->newCmd, d->oldCmd);
    d->goneSecrets = vgmDriverHotplugSecretsBeyond(d->oldCmd, d->newCmd);
    if (oldRest->len != newRest->len || memcmp(oldRest->str, newRest->str, oldRest->len) != 0) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    detach ? _("the device cannot be detached from running domain '%1$s': QEMU would need other options than a device's (a host resource the driver prepares at a start, or a change to other devices); change the config (--config) for the next start")
                           : _("the device cannot be attached to running domain '%1$s': QEMU would need other options than a device's (a host resource the driver prepares at a start, or a change to other devices); change the config (--config) for the next start"),
                    dom->name);
        return FALSE;
    }
    return TRUE;
}

/* The JSON object of pluggable option @opt, and the index of its kind */
static JsonObject *
vgmDriverHotplugParse(const char *opt, JsonParser *parser, int *kind)
{
    JsonNode *root;
    g_autofree char *json = NULL;

    *kind = atoi(opt);
    /* a character device's option is QEMU's key=value form */
    if (g_str_equal(vgmDriverHotplugOptions[*kind].option, "-chardev")) {
        g_autoptr(JsonObject) args = vgmQemuChardevToQMP(strchr(opt, '\x1f') + 1);
        g_autoptr(JsonNode) node = NULL;

        if (!args)
            return NULL;
        node = json_node_init_object(json_node_alloc(), args);
        json = json_to_string(node, FALSE);
    }
    if (!json_parser_load_from_data(parser, json ? json : strchr(opt, '\x1f') + 1, -1, NULL) ||
        !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
        return NULL;
    return json_node_get_object(root);
}

/* What vgmDriverHotplugTakeBack leaves to QEMU's guest or to the caller */
typedef enum {
    VGM_DRIVER_TAKE_BACK_EVERYTHING = 0,
    VGM_DRIVER_TAKE_BACK_NO_DEVICES = 1 << 0,   /* their unplug is the guest's */
    VGM_DRIVER_TAKE_BACK_NO_NODES = 1 << 1,     /* vgmDriverHotplugDropNodes's */
    VGM_DRIVER_TAKE_BACK_NO_NETDEVS = 1 << 2,   /* removed by the caller */
} VgmDriverTakeBackFlags;

/* Takes back pluggable options @opts[0..@n) of running domain @dom, the
 * last first, but for those @flags leave out */
static void
vgmDriverHotplugTakeBack(const VgmDriverDomain *dom, VgmQemuMonitor *mon, GPtrArray *opts,
                         guint n, unsigned int flags)
{
    while (n-- > 0) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(JsonObject) args = json_object_new();
        g_autoptr(GError) err = NULL;
        const char *option;
        JsonObject *obj;
        int o;

        if (!(obj = vgmDriverHotplugParse(g_ptr_array_index(opts, n), parser, &o)))
            continue;
        option = vgmDriverHotplugOptions[o].option;
        if (((flags & VGM_DRIVER_TAKE_BACK_NO_DEVICES) && g_str_equal(option, "-device")) ||
            ((flags & VGM_DRIVER_TAKE_BACK_NO_NODES) && g_str_equal(option, "-blockdev")) ||
            ((flags & VGM_DRIVER_TAKE_BACK_NO_NETDEVS) && g_str_equal(option, "-netdev")))
            continue;
        json_object_set_string_member(args, vgmDriverHotplugOptions[o].key,
                                      json_object_get_string_member_with_default(obj, vgmDriverHotplugOptions[o].key, ""));
        /* (a character device stays busy until QEMU has finalized the
         * device that used it, which may come after the device is gone
         * from QOM: tried again for a second; a guestfwd's went with its
         * network) */
        for (guint tries = 0;; tries++) {
            g_clear_error(&err);
            if (vgmQemuMonitorCommand(mon, vgmDriverHotplugOptions[o].del, args, NULL, &err) ||
                (g_str_equal(option, "-chardev") && err && strstr(err->message, "not found")))
                break;
            if (!g_str_equal(option, "-chardev") || !err || !strstr(err->message, "busy") ||
                tries >= 20) {
                g_warning(_("domain '%1$s': QEMU refused %2$s: %3$s"),
                          dom->name, vgmDriverHotplugOptions[o].del, err ? err->message : "");
                break;
            }
            g_usleep(50 * 1000);
        }
    }
}

/* The block nodes of the disks whose options @opts are, after their
 * device went: the nodes these options name, and every other node of the
 * driver's of the same disk number (vgm-N-...) QEMU still has. A block
 * job may have changed a disk's chain since its options were written: an
 * active commit's pivot puts the device on a backing node (vgm-N-bK), a
 * copy's pivot on QEMU's own node over the old backing nodes. Each is
 * deleted once nothing uses it, so the passes go until one deletes
 * nothing; what is left is only logged (the device is gone). */
#define VGM_DRIVER_DROP_NODES_WAIT_MS 3000
#define VGM_DRIVER_DROP_NODES_POLL_MS 50

static void
vgmDriverHotplugDropNodes(const VgmDriverDomain *dom, VgmQemuMonitor *mon, GPtrArray *opts)
{
    g_autoptr(GPtrArray) named = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) numbers = g_array_new(FALSE, FALSE, sizeof(guint));
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;
    JsonArray *arr;
    gboolean progress = TRUE;
    gint64 deadline = g_get_monotonic_time() + VGM_DRIVER_DROP_NODES_WAIT_MS * 1000;
    guint i, k;

    for (i = 0; i < opts->len; i++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        const char *name;
        guint n;
        int o;

        if (!(obj = vgmDriverHotplugParse(g_ptr_array_index(opts, i), parser, &o)) ||
            !g_str_equal(vgmDriverHotplugOptions[o].option, "-blockdev"))
            continue;
        name = json_object_get_string_member_with_default(obj, "node-name", "");
        g_ptr_array_add(named, g_strdup(name));
        if (sscanf(name, "vgm-%u-", &n) == 1)
            g_array_append_val(numbers, n);
    }
    if (named->len == 0)
        return;
    json_object_set_boolean_member(args, "flat", TRUE);
    if (!vgmQemuMonitorCommand(mon, "query-named-block-nodes", args, &ret, &err)) {
        /* (then the nodes the options name, as they are) */
        g_warning(_("domain '%1$s': cannot list QEMU's images to close those of a detached disk: %2$s"),
                  dom->name, err->message);
        for (i = 0; i < named->len; i++)
            g_ptr_array_add(todo, g_strdup(g_ptr_array_index(named, i)));
    }
    arr = ret && JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        const char *name = o ? json_object_get_string_member_with_default(o, "node-name", "") : "";
        gboolean ours = g_ptr_array_find_with_equal_func(named, name, g_str_equal, NULL);
        guint n;

        if (!ours && sscanf(name, "vgm-%u-", &n) == 1) {
            for (k = 0; k < numbers->len && !ours; k++)
                ours = g_array_index(numbers, guint, k) == n;
        }
        if (ours && !g_ptr_array_find_with_equal_func(todo, name, g_str_equal, NULL))
            g_ptr_array_add(todo, g_strdup(name));
    }
    for (;;) {
        while (progress && todo->len > 0) {
            progress = FALSE;
            g_clear_error(&err);
            for (i = todo->len; i > 0; i--) {
                g_autoptr(JsonObject) del = json_object_new();
                g_autoptr(GError) e = NULL;

                json_object_set_string_member(del, "node-name", g_ptr_array_index(todo, i - 1));
                if (vgmQemuMonitorCommand(mon, "blockdev-del", del, NULL, &e)) {
                    g_ptr_array_remove_index(todo, i - 1);
                    progress = TRUE;
                } else if (!err) {
                    err = g_steal_pointer(&e);
                }
            }
        }
        /* (QEMU may still hold the top node for a moment after it said the
         * device is gone, as seen under load: asked again for a while) */
        if (todo->len == 0 || g_get_monotonic_time() > deadline)
            break;
        g_usleep(VGM_DRIVER_DROP_NODES_POLL_MS * 1000);
        progress = TRUE;
    }
    if (todo->len > 0)
        g_warning(_("domain '%1$s': image nodes of a detached disk are still open (%2$s): %3$s"),
                  dom->name, (const char *)g_ptr_array_index(todo, 0), err ? err->message : "");
}

/* What the host keeps of the interfaces of @from that @to lacks (an
 * Open vSwitch port, a <downscript> to run), undone: they are gone
 * from the running domain */
static void
vgmDriverHotplugNetsGone(const VgmDomainDef *from, const VgmDomainDef *to)
{
    guint i, j;

    for (i = 0; i < from->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(from->devices.nets, i);
        gboolean kept = FALSE;

        for (j = 0; j < to->devices.nets->len && !kept; j++) {
            const VgmNetDef *other = g_ptr_array_index(to->devices.nets, j);

            kept = g_strcmp0(net->alias, other->alias) == 0;
        }
        if (!kept)
            vgmDriverNetCleanupOne(net);
    }
}

/* The interface of @newDef added beyond @oldDef whose network back end
 * is QEMU's @netdev, or NULL */
static const VgmNetDef *
vgmDriverHotplugNetOf(const VgmDomainDef *oldDef, const VgmDomainDef *newDef, const char *netdev)
{
    guint i;

    for (i = oldDef->devices.nets->len; netdev && i < newDef->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(newDef->devices.nets, i);

        if (net->alias && g_str_has_prefix(netdev, "host") && g_str_equal(netdev + 4, net->alias))
            return net;
    }
    return NULL;
}

/* The host side of interface @net of @def, whose back end QEMU has just
 * made: its tap set up (into its bridge) and its <script> run, before
 * the guest sees the device, as at a start */
static gboolean
vgmDriverHotplugTap(const VgmDomainDef *def, const VgmNetDef *net, GError **error)
{
    g_autoptr(VgmDriverTap) tap = vgmDriverNetTapOf(def, net);
    g_autoptr(VgmDriverNetScript) script = vgmDriverNetScriptOf(net);

    if (tap && !vgmDriverNetSetUpTap(tap, error))
        return FALSE;
    return !script || vgmDriverNetRunScript(script, error);
}

/* A copy of @def as a running domain's */
static VgmDomainDef *
vgmDriverHotplugCopyDef(const VgmDomainDef *def, GError **error)
{
    g_autofree char *xml = vgmDomainDefFormat(def);

    return vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                   error);
}

/* Live definition @oldDef with the controllers of @newDef (the devices
 * otherwise @oldDef's) */
static VgmDomainDef *
vgmDriverHotplugControllersOnly(const VgmDomainDef *oldDef, const VgmDomainDef *newDef,
                                GError **error)
{
    g_autoptr(VgmDomainDef) mid = vgmDriverHotplugCopyDef(oldDef, error);
    g_autoptr(VgmDomainDef) from = mid ? vgmDriverHotplugCopyDef(newDef, error) : NULL;
    GPtrArray *swap;

    if (!from)
        return NULL;
    swap = mid->devices.controllers;
    mid->devices.controllers = from->devices.controllers;
    from->devices.controllers = swap;
    return g_steal_pointer(&mid);
}

/* Adds the devices of @newDef that running domain @dom's live definition
 * @oldDef lacks, through its monitor: what the command line of @newDef
 * has beyond the one of @oldDef (objects, block nodes, networks,
 * character devices, devices, in its order), when nothing else of it
 * differs, and its start-up commands beyond the old ones (a disk's
 * throttling). A new interface's tap is set up once QEMU made it, the
 * secrets its objects read are written before. What else the driver
 * prepares on the host at a start (overlays, macvtaps) is refused. A
 * failure takes back what was added. */
static gboolean
vgmDriverDomainHotplug(const VgmDriverStore *store, const VgmDriverDomain *dom,
                       const VgmDomainDef *oldDef, const VgmDomainDef *newDef, char **deviceId,
                       GError **error)
{
    g_auto(VgmDriverHotplugDiff) d = { 0 };
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GHashTable) ran = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const VgmNetDef *net;
    guint i, done;

    for (i = oldDef->devices.disks->len; i < newDef->devices.disks->len; i++) {
        const VgmDiskDef *disk = g_ptr_array_index(newDef->devices.disks, i);

        if (disk->transient) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT, "%s",
                        _("a <transient/> disk cannot be attached to a running domain: its overlay is made at the start"));
            return FALSE;
        }
    }
    if (!vgmDriverHotplugCompare(store, dom, oldDef, newDef, FALSE, &d, error))
        return FALSE;
    if (d.removed->len > 0 || d.added->len == 0) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the device cannot be attached to running domain '%1$s': it would change what runs rather than add to it"),
                    dom->name);
        return FALSE;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    /* the secrets its objects read (an image's passphrase, a network
     * disk's login), written before QEMU makes them, as at a start */
    if (!vgmDriverProcessWriteSecrets(store, d.newSecrets, error)) {
        vgmDriverHotplugSecretsRemove(d.newSecrets);
        return FALSE;
    }
    /* a watchdog plugged acts as its XML says from the first: its action
     * is set before the device comes, as libvirt sets it (one unplugged
     * leaves QEMU's action, as libvirt does) */
    if (d.newWatchdogAction && g_strcmp0(d.oldWatchdogAction, d.newWatchdogAction) != 0) {
        g_autoptr(JsonObject) args = json_object_new();
        g_autoptr(GError) err = NULL;

        json_object_set_string_member(args, "action", d.newWatchdogAction);
        if (!vgmQemuMonitorCommand(mon, "watchdog-set-action", args, NULL, &err)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU refused the watchdog action '%1$s' of running domain '%2$s': %3$s"),
                        d.newWatchdogAction, dom->name, err->message);
            return FALSE;
        }
    }
    for (done = 0; done < d.added->len; done++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) err = NULL;
        JsonObject *obj;
        int o;

        if (!(obj = vgmDriverHotplugParse(g_ptr_array_index(d.added, done), parser, &o))) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("the device cannot be attached to running domain '%1$s': one of its options is not in QEMU's JSON form"),
                        dom->name);
            break;
        }
        if (!vgmQemuMonitorCommand(mon, vgmDriverHotplugOptions[o].add, obj, NULL, &err)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU refused to add %1$s to running domain '%2$s': %3$s"),
                        vgmDriverHotplugOptions[o].option, dom->name, err->message);
            break;
        }
        if (g_str_equal(vgmDriverHotplugOptions[o].option, "-netdev") &&
            (net = vgmDriverHotplugNetOf(oldDef, newDef,
                                         json_object_get_string_member_with_default(obj, "id", NULL))) &&
            !vgmDriverHotplugTap(newDef, net, error)) {
            done++;
            break;
        }
    }
    if (done < d.added->len) {
        /* (a device a guest does not let go of stays, as QEMU's unplug
         * asks the guest) */
        vgmDriverHotplugTakeBack(dom, mon, d.added, done, VGM_DRIVER_TAKE_BACK_EVERYTHING);
        vgmDriverHotplugNetsGone(newDef, oldDef);
        vgmDriverHotplugSecretsRemove(d.newSecrets);
        return FALSE;
    }
    for (i = 0; d.oldCmd->startup && i < d.oldCmd->startup->len; i++)
        g_hash_table_add(ran, vgmDriverHotplugStartupText(g_ptr_array_index(d.oldCmd->startup, i)));
    for (i = 0; d.newCmd->startup && i < d.newCmd->startup->len; i++) {
        JsonObject *exec = g_ptr_array_index(d.newCmd->startup, i);
        g_autofree char *text = vgmDriverHotplugStartupText(exec);
        g_autoptr(GError) err = NULL;

        if (g_hash_table_contains(ran, text))
            continue;
        if (!vgmQemuMonitorCommand(mon, json_object_get_string_member(exec, "execute"),
                                   json_object_get_object_member(exec, "arguments"),
                                   NULL, &err)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("QEMU refused %1$s for the device attached to running domain '%2$s': %3$s"),
                        json_object_get_string_member(exec, "execute"), dom->name,
                        err->message);
            vgmDriverHotplugTakeBack(dom, mon, d.added, d.added->len, VGM_DRIVER_TAKE_BACK_EVERYTHING);
            vgmDriverHotplugNetsGone(newDef, oldDef);
            vgmDriverHotplugSecretsRemove(d.newSecrets);
            return FALSE;
        }
    }
    /* the device's QEMU id, which libvirt's DEVICE_ADDED names: the last
     * -device added (the others are its backends); of a memory device,
     * libvirt names its memory backend */
    for (i = 0; deviceId && i < d.added->len; i++) {
        static const char *const memoryDevices[] = {
            "pc-dimm", "nvdimm", "virtio-mem-pci", "virtio-pmem-pci", NULL,
        };
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        int o;

        if ((obj = vgmDriverHotplugParse(g_ptr_array_index(d.added, i), parser, &o)) &&
            g_str_equal(vgmDriverHotplugOptions[o].option, "-device")) {
            const char *driver = json_object_get_string_member_with_default(obj, "driver", "");

            g_free(*deviceId);
            *deviceId = g_strdup(json_object_get_string_member_with_default(
                obj, g_strv_contains(memoryDevices, driver) ? "memdev" : "id", NULL));
        }
    }
    return TRUE;
}

/* Whether disks @a and @b have the same <backingStore> chain */
static gboolean
vgmDriverDiskSameChain(const VgmDiskDef *a, const VgmDiskDef *b)
{
    guint na = a->backing ? a->backing->len : 0;
    guint nb = b->backing ? b->backing->len : 0;
    guint k;

    if (na != nb || a->backingEnd != b->backingEnd)
        return FALSE;
    for (k = 0; k < na; k++) {
        if (g_strcmp0(((VgmDiskBackingLayer *)g_ptr_array_index(a->backing, k))->path,
                      ((VgmDiskBackingLayer *)g_ptr_array_index(b->backing, k))->path) != 0)
            return FALSE;
    }
    return TRUE;
}

/* The number image @path has below disk @d, 0 if none */
static unsigned int
vgmDriverDiskImageIndex(const VgmDiskDef *d, const char *path)
{
    guint k;

    for (k = 0; d->backing && k < d->backing->len; k++) {
        const VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, k);

        if (g_strcmp0(l->path, path) == 0)
            return l->index;
    }
    return 0;
}

/* The definitions of running domain @dom (lock held) before and after
 * @op of device @xml on its live XML */
/* Each disk's node number (vgm-N-... in QEMU): the one it has, the
 * place's for a disk of a status written before they were kept, the same
 * in @newDef for the same disk (by target) and medium, the next free
 * (past the numbers of the images below disks too) for a disk plugged or
 * a medium changed; then the numbers of images that have none */
static void
vgmDriverDiskNodesKeep(VgmDomainDef *oldDef, VgmDomainDef *newDef)
{
    unsigned int top = 0;
    gboolean kept = FALSE;
    guint i, j;

    for (i = 0; i < oldDef->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(oldDef->devices.disks, i);

        kept |= d->nodeIndex != 0;
        top = MAX(top, MAX(d->nodeIndex, i + 1));
        /* (past the numbers of the images below too) */
        for (j = 0; d->backing && j < d->backing->len; j++)
            top = MAX(top, ((VgmDiskBackingLayer *)g_ptr_array_index(d->backing, j))->index);
    }
    /* (with numbers kept, one without is a new one: its place's may be
     * another disk's; a drive without a medium has no nodes, and no
     * number until one is inserted, as libvirt's live XML shows it) */
    for (i = 0; i < oldDef->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(oldDef->devices.disks, i);

        if (!d->nodeIndex && vgmDiskHasMedium(d))
            d->nodeIndex = kept ? ++top : i + 1;
    }
    for (i = 0; i < newDef->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(newDef->devices.disks, i);
        const VgmDiskDef *same = NULL;
        gboolean changed;

        for (j = 0; j < oldDef->devices.disks->len && !same; j++) {
            const VgmDiskDef *o = g_ptr_array_index(oldDef->devices.disks, j);

            if (g_str_equal(o->dst, d->dst))
                same = o;
        }
        changed = same && !vgmDiskSameMedium(same, d);

        /* a medium inserted, changed or ejected is a new source, with the
         * next free number: libvirt's live XML then shows it even for the
         * empty drive an eject leaves (<source index='N'/>) */
        d->nodeIndex = changed ? ++top : same ? same->nodeIndex : 0;
        /* a new medium whose XML still has the old one's chain (a live
         * XML edited in place: its <source> changed or went) gets the
         * chain QEMU opens below it instead */
        if (changed && vgmDriverDiskSameChain(same, d)) {
            g_clear_pointer(&d->backing, g_ptr_array_unref);
            d->backingEnd = FALSE;
        }
        /* (the numbers of images below are those the images had: the
         * XML given cannot choose them) */
        for (j = 0; d->backing && j < d->backing->len; j++) {
            VgmDiskBackingLayer *l = g_ptr_array_index(d->backing, j);

            l->index = same && !changed ? vgmDriverDiskImageIndex(same, l->path) : 0;
        }
    }
    for (i = 0; i < newDef->devices.disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(newDef->devices.disks, i);

        if (!d->nodeIndex && vgmDiskHasMedium(d))
            d->nodeIndex = ++top;
    }
    vgmDriverDiskIndexesAssign(newDef);
}

static gboolean
vgmDriverDomainLiveDefs(const VgmDriverDomain *dom, const char *xml, VgmDriverDeviceOp op,
                        VgmDomainDef **oldDef, VgmDomainDef **newDef, GError **error)
{
    g_autofree char *newXml = NULL;

    if (!(*oldDef = vgmDriverDomainLiveDef(dom, error)) ||
        !(newXml = vgmDriverDeviceChangeXML(dom->status->xml, xml, op, error)) ||
        !(*newDef = vgmDomainDefParseString(newXml, NULL,
                                            VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE |
                                            VGM_DOMAIN_PARSE_HOTPLUG, error)))
        return FALSE;
    /* each device's QEMU id: the one it has (one a status written before
     * the ids were kept gets its place's, vgmDriverDomainLiveDef's), a
     * device plugged the next */
    vgmQemuAssignAliases(*newDef);
    vgmDriverDiskNodesKeep(*oldDef, *newDef);
    /* a virtio-mem device being plugged has nothing plugged yet,
     * whatever its XML says */
    if (op == VGM_DRIVER_DEVICE_ATTACH) {
        guint i;

        for (i = (*oldDef)->devices.mems->len; i < (*newDef)->devices.mems->len; i++) {
            VgmMemoryDef *mem = g_ptr_array_index((*newDef)->devices.mems, i);

            mem->current = 0;
        }
    }
    /* what the guest plugged of a device updated in place is QEMU's to
     * say, not the caller's XML's */
    if (op == VGM_DRIVER_DEVICE_UPDATE) {
        guint i;

        for (i = 0; i < (*newDef)->devices.mems->len && i < (*oldDef)->devices.mems->len; i++) {
            const VgmMemoryDef *a = g_ptr_array_index((*oldDef)->devices.mems, i);
            VgmMemoryDef *b = g_ptr_array_index((*newDef)->devices.mems, i);

            b->haveCurrent = a->haveCurrent;
            b->current = a->current;
        }
    }
    vgmDriverDomainMemoryDevicesMoved(*oldDef, *newDef, TRUE);
    /* a USB device finds its port among the hubs the domain runs with:
     * the hub the parse adds when all ports are taken cannot be plugged
     * itself (libvirt: "No free USB ports") */
    if (op == VGM_DRIVER_DEVICE_ATTACH &&
        (*newDef)->devices.hubs->len > (*oldDef)->devices.hubs->len) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("no free USB port in running domain '%1$s' for the device: add a <hub type='usb'> to its config for the next start (or detach a USB device first)"),
                    dom->name);
        return FALSE;
    }
    /* then checked as a define checks it */
    return vgmDomainDefValidate(*newDef, error);
}

gboolean
vgmDriverDomainSaveLive(const VgmDriverStore *store, VgmDriverDomain *dom, const VgmDomainDef *def,
                        GError **error)
{
    g_autofree char *saved = g_steal_pointer(&dom->status->xml);

    dom->status->xml = vgmDomainDefFormat(def);
    if (vgmDriverStoreSaveStatus(store, dom->status, error))
        return TRUE;
    g_free(dom->status->xml);
    dom->status->xml = g_steal_pointer(&saved);
    return FALSE;
}

VgmDomainDef *
vgmDriverDomainLiveDef(const VgmDriverDomain *dom, GError **error)
{
    VgmDomainDef *def = vgmDomainDefParseString(dom->status->xml, NULL,
                                                VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                                VGM_DOMAIN_PARSE_LIVE, error);

    if (def)
        vgmQemuAssignAliases(def);
    return def;
}

gboolean
vgmDriverDomainDiskTopNodes(const VgmDriverStore *store, const VgmDriverDomain *dom,
                            const VgmDomainDef *def, const VgmDiskDef *d, JsonObject **storage,
                            JsonObject **format, GError **error)
{
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuPlan) plan = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autofree char *storageName = NULL;
    g_autofree char *formatName = NULL;
    const char *names[2];
    JsonObject **out[2] = { storage, format };
    guint i, k, n = vgmQemuDiskNodeIndex(def, d);

    names[0] = storageName = g_strdup_printf("vgm-%u-storage", n);
    names[1] = formatName = g_strdup_printf("vgm-%u-format", n);
    if (!(caps = vgmQemuCapsCacheLookup(dom->status->emulator, store->cacheDir, error)) ||
        !(cmd = vgmDriverProcessBuild(store, def, caps, NULL, &plan, error)))
        return FALSE;
    *storage = *format = NULL;
    for (i = 0; i + 1 < cmd->args->len; i++) {
        g_autoptr(JsonParser) parser = NULL;
        JsonNode *root;
        const char *name;

        if (!g_str_equal(g_ptr_array_index(cmd->args, i), "-blockdev"))
            continue;
        parser = json_parser_new();
        if (!json_parser_load_from_data(parser, g_ptr_array_index(cmd->args, i + 1), -1, NULL) ||
            !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
            continue;
        name = json_object_get_string_member_with_default(json_node_get_object(root),
                                                          "node-name", "");
        for (k = 0; k < G_N_ELEMENTS(names); k++) {
            if (g_str_equal(name, names[k]) && !*out[k])
                *out[k] = json_object_ref(json_node_get_object(root));
        }
    }
    if (*storage && *format)
        return TRUE;
    g_clear_pointer(storage, json_object_unref);
    g_clear_pointer(format, json_object_unref);
    vgmErrorSet(error, VGM_ERR_INTERNAL,
                _("a start of domain '%1$s' would give disk '%2$s' no nodes named '%3$s' and '%4$s'"),
                def->name, d->dst, names[0], names[1]);
    return FALSE;
}

/* A running domain's vCPUs as a <vcpus> list (libvirt's live XML lists
 * them too): without one, the current count started with QEMU, the rest
 * pluggable */
static void
vgmDriverVcpusListed(VgmDomainDef *def)
{
    unsigned int current = def->vcpusCurrent ? def->vcpusCurrent : def->vcpus;
    unsigned int i;

    if (def->vcpuList)
        return;
    def->vcpuList = g_new0(VgmDomainVcpu, MAX(def->vcpus, 1));
    for (i = 0; i < def->vcpus; i++) {
        def->vcpuList[i].online = i < current;
        def->vcpuList[i].hotpluggable = i < current ? VGM_TRISTATE_NO : VGM_TRISTATE_YES;
    }
}

/* The order the enabled vCPUs of @def came in, as libvirt keeps it in
 * the live XML once one is plugged or unplugged: numbered from 1, those
 * QEMU started with first (by id), vCPU @added (or none, -1) last; the
 * others have none */
static void
vgmDriverVcpusKeepOrder(VgmDomainDef *def, int added)
{
    g_autoptr(GArray) online = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    unsigned int i, k;

    for (i = 0; i < def->vcpus; i++) {
        VgmDomainVcpu *v = &def->vcpuList[i];

        if (!v->online) {
            v->order = 0;
            continue;
        }
        if ((int)i == added)
            v->order = G_MAXUINT;
        /* (by order, then id: an insertion sort of a few vCPUs) */
        for (k = 0; k < online->len; k++) {
            const VgmDomainVcpu *o = &def->vcpuList[g_array_index(online, unsigned int, k)];

            if (o->order > v->order)
                break;
        }
        g_array_insert_val(online, k, i);
    }
    for (k = 0; k < online->len; k++)
        def->vcpuList[g_array_index(online, unsigned int, k)].order = k + 1;
}

/* vCPU @id of running domain @dom (lock held) comes or goes (@online) in
 * its live XML, which is saved */
static gboolean
vgmDriverDomainVcpuSet(const VgmDriverStore *store, VgmDriverDomain *dom, unsigned int id,
                       gboolean online, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    unsigned int count = 0, i;

    if (!(def = vgmDomainDefParseString(dom->status->xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;
    vgmDriverVcpusListed(def);
    if (id >= def->vcpus)
        return TRUE;
    def->vcpuList[id].online = online;
    vgmDriverVcpusKeepOrder(def, online ? (int)id : -1);
    for (i = 0; i < def->vcpus; i++)
        count += def->vcpuList[i].online;
    def->vcpusCurrent = count == def->vcpus ? 0 : count;
    return vgmDriverDomainSaveLive(store, dom, def, error);
}

/* The pending unplugs of @dom's status (an object), made when @create */
static JsonObject *
vgmDriverDomainUnplugs(VgmDriverDomain *dom, gboolean create)
{
    if (!dom->status->unplugs || !JSON_NODE_HOLDS_OBJECT(dom->status->unplugs)) {
        if (!create)
            return NULL;
        if (dom->status->unplugs)
            json_node_unref(dom->status->unplugs);
        dom->status->unplugs = json_node_init_object(json_node_alloc(), json_object_new());
        json_object_unref(json_node_get_object(dom->status->unplugs));
    }
    return json_node_get_object(dom->status->unplugs);
}

/* Whether QEMU device @id of running domain @dom is gone */
static gboolean
vgmDriverDomainDeviceGone(VgmQemuMonitor *mon, const char *id, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *props;
    guint i;

    json_object_set_string_member(args, "path", "/machine/peripheral");
    if (!vgmQemuMonitorCommand(mon, "qom-list", args, &ret, error))
        return FALSE;
    props = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; props && i < json_array_get_length(props); i++) {
        JsonObject *p = json_array_get_object_element(props, i);

        if (p && g_strcmp0(json_object_get_string_member_with_default(p, "name", NULL), id) == 0)
            return FALSE;
    }
    return TRUE;
}

/* The guest let QEMU device @id of running domain @dom (lock held) go:
 * its back ends go too (block nodes, the network, objects), and the live
 * XML drops the device */
static gboolean
vgmDriverDomainFinishUnplug(const VgmDriverStore *store, VgmDriverDomain *dom,
                            VgmQemuMonitor *mon, const char *id, GError **error)
{
    JsonObject *unplugs = vgmDriverDomainUnplugs(dom, FALSE);
    g_autoptr(VgmDomainDef) oldDef = NULL;
    g_autoptr(VgmDomainDef) newDef = NULL;
    g_auto(VgmDriverHotplugDiff) d = { 0 };
    g_autofree char *xml = NULL;

    if (!unplugs || !json_object_has_member(unplugs, id))
        return TRUE;
    xml = g_strdup(json_object_get_string_member_with_default(unplugs, id, ""));
    json_object_remove_member(unplugs, id);
    /* a vCPU (recorded without XML) goes offline */
    if (!*xml && g_str_has_prefix(id, VGM_DRIVER_VCPU_ID_PREFIX)) {
        guint64 n;

        if (!g_ascii_string_to_unsigned(id + strlen(VGM_DRIVER_VCPU_ID_PREFIX), 10, 0,
                                        G_MAXUINT, &n, error)) {
            vgmDriverStoreSaveStatus(store, dom->status, NULL);
            return FALSE;
        }
        return vgmDriverDomainVcpuSet(store, dom, (unsigned int)n, FALSE, error);
    }
    if (!vgmDriverDomainLiveDefs(dom, xml, VGM_DRIVER_DEVICE_DETACH, &oldDef, &newDef, error) ||
        !vgmDriverHotplugCompare(store, dom, oldDef, newDef, TRUE, &d, error)) {
        vgmDriverStoreSaveStatus(store, dom->status, NULL);
        return FALSE;
    }
    vgmDriverHotplugDropNodes(dom, mon, d.removed);
    vgmDriverHotplugTakeBack(dom, mon, d.removed, d.removed->len,
                             VGM_DRIVER_TAKE_BACK_NO_DEVICES | VGM_DRIVER_TAKE_BACK_NO_NODES);
    vgmDriverHotplugNetsGone(oldDef, newDef);
    vgmDriverHotplugSecretsRemove(d.goneSecrets);
    return vgmDriverDomainSaveLive(store, dom, newDef, error);
}

#define VGM_DRIVER_UNPLUG_WAIT_MS 5000

/* Asks the guest of running domain @dom (lock held) to let QEMU device
 * @id go (device_del), recorded first in its status with @xml (the
 * device's; "" for a vCPU), since QEMU may say the guest let go at any
 * time, and waits 5 s for that, as libvirt waits. Gone (*@gone), its
 * removal is finished. A guest that refuses (QEMU's DEVICE_UNPLUG_GUEST_ERROR
 * or an ACPI eject status of failure, which the daemon's watch hears)
 * ends the wait with an error, as libvirt's detach fails; the record
 * stays, since the guest may still let go. A device_del QEMU refuses
 * drops the record, unless @pending (asked for before: the guest may
 * still let go). */
static gboolean
vgmDriverDomainUnplugWait(const VgmDriverStore *store, VgmDriverDomain *dom,
                          VgmQemuMonitor *mon, const char *id, const char *xml,
                          gboolean pending, gboolean *gone, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    gboolean ok = TRUE;
    gint64 until;

    *gone = FALSE;
    json_object_set_string_member(vgmDriverDomainUnplugs(dom, TRUE), id, xml);
    if (!vgmDriverStoreSaveStatus(store, dom->status, error))
        return FALSE;
    json_object_set_string_member(args, "id", id);
    vgmDriverStoreUnplugWait(store, dom->name, id, TRUE);
    if (!vgmQemuMonitorCommand(mon, "device_del", args, NULL, error)) {
        vgmDriverStoreUnplugWait(store, dom->name, id, FALSE);
        if (!pending) {
            json_object_remove_member(vgmDriverDomainUnplugs(dom, TRUE), id);
            vgmDriverStoreSaveStatus(store, dom->status, NULL);
        }
        return FALSE;
    }
    until = g_get_monotonic_time() + VGM_DRIVER_UNPLUG_WAIT_MS * 1000LL;
    do {
        g_autoptr(GError) err = NULL;

        if (vgmDriverDomainDeviceGone(mon, id, &err)) {
            ok = *gone = vgmDriverDomainFinishUnplug(store, dom, mon, id, error);
            break;
        }
        if (err) {
            g_propagate_error(error, g_steal_pointer(&err));
            ok = FALSE;
            break;
        }
        if (vgmDriverStoreUnplugRefused(store, dom->name, id, FALSE)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the guest of domain '%1$s' refused to let device '%2$s' go"),
                        dom->name, id);
            ok = FALSE;
            break;
        }
        g_usleep(100 * 1000);
    } while (g_get_monotonic_time() < until);
    vgmDriverStoreUnplugWait(store, dom->name, id, FALSE);
    return ok;
}

/* Detaches device @xml from running domain @dom (lock held), as libvirt
 * does: QEMU asks the guest to let it go (device_del), and the driver
 * waits 5 s for that. Gone, its back ends go and the live XML drops it;
 * refused by the guest, the call fails (vgmDriverDomainUnplugWait); else
 * it still succeeds and the daemon finishes the removal when QEMU says the
 * guest let go (DEVICE_DELETED), or the next detach of the device does. */
static gboolean
vgmDriverDomainDetachLive(const VgmDriverStore *store, VgmDriverDomain *dom, const char *xml,
                          char **removed, GError **error)
{
    g_autoptr(VgmDomainDef) oldDef = NULL;
    g_autoptr(VgmDomainDef) newDef = NULL;
    g_auto(VgmDriverHotplugDiff) d = { 0 };
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autofree char *id = NULL;
    gboolean pending, gone;
    guint i;
    int o;

    if (!vgmDriverDomainLiveDefs(dom, xml, VGM_DRIVER_DEVICE_DETACH, &oldDef, &newDef, error))
        return FALSE;
    /* (as libvirt: the ISA ib700 stays; QEMU's ISA bus unplugs nothing) */
    if (oldDef->devices.watchdog && !newDef->devices.watchdog &&
        !g_str_equal(oldDef->devices.watchdog->model, "i6300esb")) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the <watchdog model='%1$s'> of running domain '%2$s' cannot be detached: only an i6300esb, a PCI device, can; detach it from the config (--config) for the next start"),
                    oldDef->devices.watchdog->model, dom->name);
        return FALSE;
    }
    if (!vgmDriverHotplugCompare(store, dom, oldDef, newDef, TRUE, &d, error))
        return FALSE;
    for (i = 0; i < d.removed->len; i++) {
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *dev = vgmDriverHotplugParse(g_ptr_array_index(d.removed, i), p, &o);

        if (!dev || !g_str_equal(vgmDriverHotplugOptions[o].option, "-device"))
            continue;
        if (id) {
            g_clear_pointer(&id, g_free);
            break;
        }
        id = g_strdup(json_object_get_string_member_with_default(dev, "id", ""));
    }
    /* a guestfwd channel is a user network's forward and its character
     * device, with no device of the guest's: both removed at once, as
     * libvirt removes them */
    if (!id && d.added->len == 0 && d.removed->len > 0) {
        g_autofree char *netdevId = NULL;
        gboolean others = FALSE;

        for (i = 0; i < d.removed->len; i++) {
            g_autoptr(JsonParser) p = json_parser_new();
            JsonObject *obj = vgmDriverHotplugParse(g_ptr_array_index(d.removed, i), p, &o);
            const char *option = obj ? vgmDriverHotplugOptions[o].option : "";

            if (g_str_equal(option, "-netdev") && !netdevId)
                netdevId = g_strdup(json_object_get_string_member_with_default(obj, "id", ""));
            else if (!g_str_equal(option, "-chardev"))
                others = TRUE;
        }
        if (netdevId && !others && newDef->devices.channels->len < oldDef->devices.channels->len) {
            g_autoptr(JsonObject) args = json_object_new();

            /* the forward first: while QEMU has it, the channel stays */
            json_object_set_string_member(args, "id", netdevId);
            if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
                !vgmQemuMonitorCommand(mon, "netdev_del", args, NULL, error))
                return FALSE;
            /* (its character device, when QEMU did not take it with it) */
            vgmDriverHotplugTakeBack(dom, mon, d.removed, d.removed->len,
                                     VGM_DRIVER_TAKE_BACK_NO_NETDEVS);
            if (!vgmDriverDomainSaveLive(store, dom, newDef, error))
                return FALSE;
            *removed = g_steal_pointer(&netdevId);
            return TRUE;
        }
    }
    if (d.added->len > 0 || !id || !*id) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the device cannot be detached from running domain '%1$s': QEMU would have to unplug something else than one device"),
                    dom->name);
        return FALSE;
    }
    /* as libvirt: not a disk with a copy job running, and only what its
     * bus unplugs: a disk on virtio, USB or SCSI, a CD-ROM on USB or SCSI
     * (QEMU's IDE and AHCI buses and its floppy drive unplug nothing) */
    for (i = 0; i < oldDef->devices.disks->len; i++) {
        const VgmDiskDef *disk = g_ptr_array_index(oldDef->devices.disks, i);
        g_autofree char *diskId = vgmQemuDiskDeviceId(oldDef, disk);
        gboolean unpluggable = disk->bus == VGM_DISK_BUS_USB || disk->bus == VGM_DISK_BUS_SCSI ||
                               (disk->bus == VGM_DISK_BUS_VIRTIO &&
                                disk->device != VGM_DISK_DEVICE_CDROM);

        if (g_str_equal(diskId, id) &&
            (!unpluggable || disk->device == VGM_DISK_DEVICE_FLOPPY)) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("disk '%1$s' cannot be detached from running domain '%2$s': a %3$s on bus '%4$s' cannot be unplugged (a disk on virtio, usb or scsi can, and a cdrom on usb or scsi)"),
                        disk->dst, dom->name, vgmDiskDeviceTypeToString(disk->device),
                        vgmDiskBusTypeToString(disk->bus));
            return FALSE;
        }

        if (disk->mirrorFile && g_str_equal(diskId, id)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("disk '%1$s' of domain '%2$s' has a copy job running: end it first (virsh blockjob --abort)"),
                        disk->dst, dom->name);
            return FALSE;
        }
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmDriverDomainNoBlockJob(mon, oldDef, id, VGM_DRIVER_BLOCK_JOB_BLOCKS_DETACH, error))
        return FALSE;
    /* asked for before, and let go of while nobody heard it: finished
     * now */
    pending = vgmDriverDomainUnplugs(dom, FALSE) &&
              json_object_has_member(vgmDriverDomainUnplugs(dom, FALSE), id);
    if (pending) {
        g_autoptr(GError) err = NULL;

        if (vgmDriverDomainDeviceGone(mon, id, &err)) {
            if (!vgmDriverDomainFinishUnplug(store, dom, mon, id, error))
                return FALSE;
            *removed = g_steal_pointer(&id);
            return TRUE;
        }
    }
    if (!vgmDriverDomainUnplugWait(store, dom, mon, id, xml, pending, &gone, error))
        return FALSE;
    if (gone)
        *removed = g_steal_pointer(&id);
    return TRUE;
}

/* A QMP command on a removable medium's device @id, and what it failed
 * for */
static gboolean
vgmDriverDomainTrayCommand(VgmQemuMonitor *mon, const char *cmd, const char *id,
                           const char *node, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_string_member(args, "id", id);
    if (node)
        json_object_set_string_member(args, "node-name", node);
    if (g_str_equal(cmd, "blockdev-open-tray"))
        json_object_set_boolean_member(args, "force", TRUE);
    return vgmQemuMonitorCommand(mon, cmd, args, NULL, error);
}

/* The -device option of QEMU device @id among pluggable options @opts
 * (its object, in @parser), or NULL */
static JsonObject *
vgmDriverHotplugFindDevice(GPtrArray *opts, const char *id, JsonParser *parser)
{
    guint i;

    for (i = 0; i < opts->len; i++) {
        JsonObject *obj;
        int o;

        if ((obj = vgmDriverHotplugParse(g_ptr_array_index(opts, i), parser, &o)) &&
            g_str_equal(vgmDriverHotplugOptions[o].option, "-device") &&
            g_strcmp0(json_object_get_string_member_with_default(obj, "id", NULL), id) == 0)
            return obj;
    }
    return NULL;
}

/* The -blockdev options of @opts that make the node @top and what it
 * stands on (its file and backing nodes), in @opts' order */
static GPtrArray *
vgmDriverHotplugChain(GPtrArray *opts, const char *top)
{
    g_autoptr(GHashTable) want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *chain = g_ptr_array_new();
    gboolean grew = TRUE;
    guint i;

    if (!top)
        return chain;
    g_hash_table_add(want, g_strdup(top));
    /* the options come bottom-up: a few passes find every layer */
    while (grew) {
        grew = FALSE;
        for (i = 0; i < opts->len; i++) {
            g_autoptr(JsonParser) parser = json_parser_new();
            JsonObject *obj;
            const char *const links[] = { "file", "backing" };
            size_t l;
            int o;

            if (!(obj = vgmDriverHotplugParse(g_ptr_array_index(opts, i), parser, &o)) ||
                !g_str_equal(vgmDriverHotplugOptions[o].option, "-blockdev") ||
                !g_hash_table_contains(want, json_object_get_string_member_with_default(obj, "node-name", "")))
                continue;
            for (l = 0; l < G_N_ELEMENTS(links); l++) {
                JsonNode *n = json_object_get_member(obj, links[l]);

                if (n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING &&
                    g_hash_table_add(want, g_strdup(json_node_get_string(n))))
                    grew = TRUE;
            }
        }
    }
    for (i = 0; i < opts->len; i++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        int o;

        if ((obj = vgmDriverHotplugParse(g_ptr_array_index(opts, i), parser, &o)) &&
            g_str_equal(vgmDriverHotplugOptions[o].option, "-blockdev") &&
            g_hash_table_contains(want, json_object_get_string_member_with_default(obj, "node-name", "")))
            g_ptr_array_add(chain, g_ptr_array_index(opts, i));
    }
    return chain;
}

/* Adds block nodes @chain (bottom-up) to the QEMU of @dom; a failure
 * deletes what was added */
static gboolean
vgmDriverHotplugAddChain(const VgmDriverDomain *dom, VgmQemuMonitor *mon, GPtrArray *chain,
                         GError **error)
{
    guint i;

    for (i = 0; i < chain->len; i++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        int o;

        if (!(obj = vgmDriverHotplugParse(g_ptr_array_index(chain, i), parser, &o)) ||
            !vgmQemuMonitorCommand(mon, "blockdev-add", obj, NULL, error)) {
            if (obj == NULL)
                vgmErrorSet(error, VGM_ERR_INTERNAL, "%s", _("a block node that is not JSON"));
            vgmDriverHotplugTakeBack(dom, mon, chain, i, VGM_DRIVER_TAKE_BACK_NO_DEVICES);
            return FALSE;
        }
    }
    return TRUE;
}

/* A medium (the top node @top of @chain, or none) put into the drive of
 * QEMU device @id, whose tray is open and which is empty, and the tray
 * closed */
static gboolean
vgmDriverDomainInsertMedium(const VgmDriverDomain *dom, VgmQemuMonitor *mon, const char *id,
                            GPtrArray *chain, const char *top, GError **error)
{
    if (top && !vgmDriverHotplugAddChain(dom, mon, chain, error))
        return FALSE;
    if (top && !vgmDriverDomainTrayCommand(mon, "blockdev-insert-medium", id, top, error)) {
        vgmDriverHotplugTakeBack(dom, mon, chain, chain->len, VGM_DRIVER_TAKE_BACK_NO_DEVICES);
        return FALSE;
    }
    return vgmDriverDomainTrayCommand(mon, "blockdev-close-tray", id, NULL, error);
}

static gboolean
vgmDriverBandwidthRateEqual(const VgmNetBandwidthRate *a, const VgmNetBandwidthRate *b)
{
    if (!a || !b)
        return a == b;
    return a->average == b->average && a->peak == b->peak && a->burst == b->burst &&
           a->floor == b->floor;
}

static gboolean
vgmDriverBandwidthEqual(const VgmNetBandwidth *a, const VgmNetBandwidth *b)
{
    return vgmDriverBandwidthRateEqual(a->in, b->in) && vgmDriverBandwidthRateEqual(a->out, b->out);
}

/* Interface @net of @newDef, the live definition of running domain @dom
 * with device @xml updated, differs from @had, the one it has: what
 * libvirt changes while the guest runs, when nothing else of the
 * definition changed. Its link state (QEMU's set_link on the guest's
 * device), its <bandwidth> (the tap shaped again) and the bridge or
 * network of a bridge or network interface (the tap moved into the other
 * bridge), in that order of checks. */
static gboolean
vgmDriverDomainUpdateNet(const VgmDriverStore *store, VgmDriverDomain *dom,
                         const VgmDomainDef *oldDef, VgmDomainDef *newDef, VgmNetDef *net,
                         const VgmNetDef *had, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autofree char *before = vgmDomainDefFormat(oldDef);
    g_autofree char *after = NULL;
    g_autoptr(VgmDriverTap) oldTap = NULL;
    g_autoptr(VgmDriverTap) newTap = NULL;
    VgmNetDef now = *net;
    gboolean link = net->linkDown != had->linkDown;
    gboolean shape = !vgmDriverBandwidthEqual(&net->bandwidth, &had->bandwidth);
    gboolean move;

    /* what a start gave the interface, kept when the update does not
     * give it (as libvirt keeps the tap's name) */
    if (!net->ifname)
        net->ifname = g_strdup(had->ifname);
    if (g_strcmp0(net->source, had->source) == 0 && !net->actualBridge) {
        net->actualBridge = g_strdup(had->actualBridge);
        net->actualHostBridge = had->actualHostBridge;
    } else if (net->type == VGM_NET_TYPE_NETWORK &&
             !vgmDriverNetResolveNetwork(store, net, error))
        return FALSE;
    move = g_strcmp0(net->source, had->source) != 0;
    now = *net;
    net->linkDown = had->linkDown;
    net->bandwidth = had->bandwidth;
    net->source = had->source;
    net->actualBridge = had->actualBridge;
    net->actualHostBridge = had->actualHostBridge;
    after = vgmDomainDefFormat(newDef);
    *net = now;
    if (!g_str_equal(before, after)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("cannot update interface '%1$s' of running domain '%2$s' so: only its link state (<link state>), <bandwidth> and the bridge or network of its <source> can change while it runs; change the config (--config) for the next start"),
                    net->mac, dom->name);
        return FALSE;
    }
    if (move || shape) {
        oldTap = vgmDriverNetTapOf(oldDef, had);
        newTap = vgmDriverNetTapOf(newDef, net);
        if (!oldTap || !newTap || (move && (oldTap->ovs || newTap->ovs || !newTap->bridge))) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("cannot update interface '%1$s' of running domain '%2$s' so: its %3$s can change only on a tap of the driver's in a Linux bridge"),
                        net->mac, dom->name, move ? _("bridge") : _("<bandwidth>"));
            return FALSE;
        }
        if ((shape || move) && geteuid() != 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot update interface '%1$s' of running domain '%2$s': moving or shaping its tap needs root"),
                        net->mac, dom->name);
            return FALSE;
        }
    }
    if (move && !vgmDriverNetMoveTap(newTap->ifname, oldTap->bridge, newTap->bridge,
                                     newTap->isolated,
                                     newTap->macTableLibvirt ? newTap->mac : NULL, error))
        return FALSE;
    if (shape && !vgmDriverNetReshape(newTap, error)) {
        g_autoptr(GError) undo = NULL;

        if (move && !vgmDriverNetMoveTap(newTap->ifname, newTap->bridge, oldTap->bridge,
                                         oldTap->isolated,
                                         oldTap->macTableLibvirt ? oldTap->mac : NULL, &undo))
            g_warning(_("domain '%1$s': tap '%2$s' stays in bridge '%3$s': %4$s"),
                      dom->name, newTap->ifname, newTap->bridge, undo->message);
        return FALSE;
    }
    if (link) {
        g_autoptr(JsonObject) args = json_object_new();

        json_object_set_string_member(args, "name", net->alias);
        json_object_set_boolean_member(args, "up", net->linkDown != VGM_TRISTATE_YES);
        if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
            !vgmQemuMonitorCommand(mon, "set_link", args, NULL, error))
            return FALSE;
    }
    return vgmDriverDomainSaveLive(store, dom, newDef, error);
}

/* Graphics @g of @newDef, the live definition of running domain @dom
 * with device @xml updated, has another password, expiry or connected=
 * than @was: set, as libvirt sets it (set_password, expire_password),
 * when nothing else of the definition changed. (An update without a
 * password was given the one QEMU has before.) If QEMU takes the
 * password and not its expiry, it has the new password and the live XML
 * the old one, as under libvirt. */
static gboolean
vgmDriverDomainUpdateGraphics(const VgmDriverStore *store, VgmDriverDomain *dom,
                              const VgmDomainDef *oldDef, VgmDomainDef *newDef, VgmGraphicsDef *g,
                              const VgmGraphicsDef *was, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    g_autofree char *before = vgmDomainDefFormat(oldDef);
    g_autofree char *after = NULL;
    VgmGraphicsDef now;
    guint i;

    /* ports the server chose at the start: an update that leaves them to
     * it (autoport, a websocket of -1) keeps them, as libvirt compares
     * the ports of a server given them only */
    if (was->autoport == VGM_TRISTATE_YES && g->autoport != VGM_TRISTATE_NO &&
        (!g->havePort || g->port == -1)) {
        g->port = was->port;
        g->havePort = was->havePort;
        g->autoport = was->autoport;
    }
    if (g->websocket == -1 && was->websocket > 0)
        g->websocket = was->websocket;
    now = *g;
    g->passwd = was->passwd;
    g->passwdExpires = was->passwdExpires;
    g->passwdValidTo = was->passwdValidTo;
    g->connected = was->connected;
    after = vgmDomainDefFormat(newDef);
    *g = now;
    if (!g_str_equal(before, after)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("cannot update the %1$s graphics of running domain '%2$s' so: only its password (passwd, passwdValidTo, connected) can change while it runs; change the config (--config) for the next start"),
                    vgmGraphicsTypeToString(g->type), dom->name);
        return FALSE;
    }
    vgmQemuGraphicsPasswordCommands(g, cmds);
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    for (i = 0; i < cmds->len; i++) {
        JsonObject *exec = g_ptr_array_index(cmds, i);

        if (!vgmQemuMonitorCommand(mon, json_object_get_string_member(exec, "execute"),
                                   json_object_get_object_member(exec, "arguments"), NULL, error))
            return FALSE;
    }
    return vgmDriverDomainSaveLive(store, dom, newDef, error);
}

/* Whether live definitions @a and @b define the same domain, the
 * run-time state a definition drops and the backing chains QEMU opened
 * (which libvirt's update does not compare) aside: an update that
 * changes nothing, which libvirt takes */
static gboolean
vgmDriverDomainSameDefinition(const VgmDomainDef *a, const VgmDomainDef *b)
{
    g_autofree char *xa = vgmDomainDefFormat(a);
    g_autofree char *xb = vgmDomainDefFormat(b);
    g_autoptr(VgmDomainDef) da = NULL;
    g_autoptr(VgmDomainDef) db = NULL;
    VgmDomainDef *both[2];
    g_autofree char *fa = NULL;
    g_autofree char *fb = NULL;
    guint i, k;

    if (g_str_equal(xa, xb))
        return TRUE;
    if (!(da = vgmDomainDefParseString(xa, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE, NULL)) ||
        !(db = vgmDomainDefParseString(xb, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE, NULL)))
        return FALSE;
    both[0] = da;
    both[1] = db;
    for (k = 0; k < G_N_ELEMENTS(both); k++) {
        for (i = 0; i < both[k]->devices.disks->len; i++) {
            VgmDiskDef *disk = g_ptr_array_index(both[k]->devices.disks, i);

            g_clear_pointer(&disk->backing, g_ptr_array_unref);
            disk->backingEnd = FALSE;
        }
    }
    fa = vgmDomainDefFormat(da);
    fb = vgmDomainDefFormat(db);
    return g_str_equal(fa, fb);
}

/* Virtio-mem device @mem of @newDef, the live definition of running
 * domain @dom with device @xml updated, asks for another size than
 * @was: the guest is asked for it (QEMU's requested-size, as libvirt
 * sets it), when nothing else of the definition changed */
static gboolean
vgmDriverDomainUpdateRequested(const VgmDriverStore *store, VgmDriverDomain *dom,
                               const VgmDomainDef *oldDef, VgmDomainDef *newDef,
                               VgmMemoryDef *mem, unsigned long long was, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *before = vgmDomainDefFormat(oldDef);
    g_autofree char *after = NULL;
    g_autofree char *path = NULL;
    unsigned long long now = mem->requested;

    mem->requested = was;
    after = vgmDomainDefFormat(newDef);
    mem->requested = now;
    if (mem->model != VGM_MEMORY_MODEL_VIRTIO_MEM || !g_str_equal(before, after)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("cannot update memory device '%1$s' of running domain '%2$s' so: only a virtio-mem device's <requested> size can change while it runs; change the config (--config) for the next start"),
                    mem->alias, dom->name);
        return FALSE;
    }
    if (now > mem->size) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the requested size of memory device '%1$s' (%2$llu KiB) is above its size (%3$llu KiB)"),
                    mem->alias, now, mem->size);
        return FALSE;
    }
    path = g_strdup_printf("/machine/peripheral/%s", mem->alias);
    json_object_set_string_member(args, "path", path);
    json_object_set_string_member(args, "property", "requested-size");
    json_object_set_int_member(args, "value", (gint64)(now * 1024));
    return (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmQemuMonitorCommand(mon, "qom-set", args, NULL, error) &&
           vgmDriverDomainSaveLive(store, dom, newDef, error);
}

/* The options of @chain (-blockdev) whose nodes QEMU (@mon) has; all of
 * them when it cannot say */
static GPtrArray *
vgmDriverHotplugChainOpened(VgmQemuMonitor *mon, GPtrArray *chain)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GHashTable) have = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *opened = g_ptr_array_new();
    JsonArray *arr;
    guint i;

    json_object_set_boolean_member(args, "flat", TRUE);
    arr = vgmQemuMonitorCommand(mon, "query-named-block-nodes", args, &ret, NULL) &&
          JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *o = json_array_get_object_element(arr, i);
        const char *name = o ? json_object_get_string_member_with_default(o, "node-name", NULL) : NULL;

        if (name)
            g_hash_table_add(have, (gpointer)name);
    }
    for (i = 0; i < chain->len; i++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        int o;

        if (!arr || ((obj = vgmDriverHotplugParse(g_ptr_array_index(chain, i), parser, &o)) &&
                     g_hash_table_contains(have, json_object_get_string_member_with_default(obj, "node-name", ""))))
            g_ptr_array_add(opened, g_ptr_array_index(chain, i));
    }
    return opened;
}

/* The chain QEMU opened below a disk of running domain @dom that a
 * plug or a new medium gave live definition @def, as a start has it
 * (vgmDriverDiskChainsDetect; over @mon, or a connection of its own);
 * the change stands without it, its live XML then shows none */
static void
vgmDriverDomainChainsDetectLogged(const VgmDriverDomain *dom, VgmQemuMonitor *mon,
                                  VgmDomainDef *def)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuMonitor) own = NULL;

    if ((!mon && !(mon = own = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS,
                                                       &err))) ||
        !vgmDriverDiskChainsDetect(mon, def, &err))
        g_warning(_("domain '%1$s': cannot read the backing chain of a disk QEMU opened: %2$s"),
                  dom->name, err->message);
}

/* Device XML @xml without the password attributes of a <graphics>
 * given without its passwd (as dumpxml without --security-info writes
 * it: with passwdValidTo or connected, which a definition cannot have
 * alone): such an update leaves the display's password as it is, as
 * libvirt takes it (vgmDriverDomainUpdateLive gives it the one QEMU has).
 * NULL: @xml as it is. */
static char *
vgmDriverDomainGraphicsNoPasswd(const char *xml)
{
    static const char *const attrs[] = { "passwdValidTo", "connected" };
    g_autoptr(xmlDoc) doc = vgmXMLParseString(xml, NULL, NULL);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlChar *text = NULL;
    gboolean changed = FALSE;
    char *ret;
    int len = 0;
    size_t i;

    if (!root || !xmlStrEqual(root->name, BAD_CAST "graphics") ||
        xmlHasProp(root, BAD_CAST "passwd"))
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(attrs); i++)
        changed |= xmlUnsetProp(root, BAD_CAST attrs[i]) == 0;
    if (!changed)
        return NULL;
    xmlDocDumpMemory(doc, &text, &len);
    ret = g_strndup((const char *)text, len);
    xmlFree(text);
    return ret;
}

/* Updates device @xml of running domain @dom (lock held): an
 * interface's link state, a virtio-mem device's requested size, or the
 * medium of a CD-ROM or floppy, changed
 * (or ejected, or inserted) as libvirt does it with block nodes: the tray
 * opened, the old medium removed and its nodes deleted, the new one's
 * nodes added and inserted, the tray closed; a failure puts the old
 * medium back. Anything else about the disk must stay as it is. */
static gboolean
vgmDriverDomainUpdateLive(const VgmDriverStore *store, VgmDriverDomain *dom, const char *xml,
                          char **removed G_GNUC_UNUSED, GError **error)
{
    g_autoptr(VgmDomainDef) oldDef = NULL;
    g_autoptr(VgmDomainDef) newDef = NULL;
    g_auto(VgmDriverHotplugDiff) d = { 0 };
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonParser) oldParser = json_parser_new();
    g_autoptr(JsonParser) newParser = json_parser_new();
    g_autoptr(GPtrArray) oldChain = NULL;
    g_autoptr(GPtrArray) newChain = NULL;
    g_autoptr(GHashTable) medium = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GError) err = NULL;
    g_autofree char *id = NULL;
    JsonObject *oldDev, *newDev;
    const char *oldTop, *newTop;
    const VgmDiskDef *oldDisk = NULL;
    const VgmDiskDef *newDisk = NULL;
    g_autofree char *noPasswd = vgmDriverDomainGraphicsNoPasswd(xml);
    guint i;

    if (!vgmDriverDomainLiveDefs(dom, noPasswd ? noPasswd : xml, VGM_DRIVER_DEVICE_UPDATE,
                                 &oldDef, &newDef, error))
        return FALSE;
    for (i = 0; i < newDef->devices.nets->len && i < oldDef->devices.nets->len; i++) {
        VgmNetDef *a = g_ptr_array_index(oldDef->devices.nets, i);
        VgmNetDef *b = g_ptr_array_index(newDef->devices.nets, i);

        /* (state='up' given where none was, or back: set_link up, as
         * libvirt does for any change of the attribute) */
        if (g_strcmp0(a->mac, b->mac) == 0 &&
            (a->linkDown != b->linkDown || g_strcmp0(a->source, b->source) != 0 ||
             !vgmDriverBandwidthEqual(&a->bandwidth, &b->bandwidth)))
            return vgmDriverDomainUpdateNet(store, dom, oldDef, newDef, b, a, error);
    }
    for (i = 0; i < newDef->devices.graphics->len && i < oldDef->devices.graphics->len; i++) {
        const VgmGraphicsDef *a = g_ptr_array_index(oldDef->devices.graphics, i);
        VgmGraphicsDef *b = g_ptr_array_index(newDef->devices.graphics, i);

        /* a display given without its password and with the
         * attributes dumpxml writes without --security-info keeps the one
         * QEMU has, with its expiry; given plainly without one, it asks
         * for the password to go, which QEMU cannot do while it runs (an
         * empty one locks every client out): libvirt drops it from the
         * live XML and leaves QEMU asking for it */
        if (a->type == b->type && !b->passwd && a->passwd && !noPasswd) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("cannot remove the password of the %1$s graphics of running domain '%2$s': QEMU keeps password authentication until it stops; give the <graphics> element with its passwd (dumpxml --security-info) to change the password, or change the config (--config) for the next start"),
                        vgmGraphicsTypeToString(a->type), dom->name);
            return FALSE;
        }
        if (a->type == b->type && !b->passwd && a->passwd) {
            b->passwd = g_strdup(a->passwd);
            b->passwdExpires = a->passwdExpires;
            b->passwdValidTo = a->passwdValidTo;
            b->connected = g_strdup(a->connected);
        }
        if (a->type == b->type &&
            ((b->passwd && g_strcmp0(a->passwd, b->passwd) != 0) ||
             (b->passwd && (a->passwdExpires != b->passwdExpires ||
                            a->passwdValidTo != b->passwdValidTo)) ||
             g_strcmp0(a->connected, b->connected) != 0))
            return vgmDriverDomainUpdateGraphics(store, dom, oldDef, newDef, b, a, error);
    }
    for (i = 0; i < newDef->devices.mems->len && i < oldDef->devices.mems->len; i++) {
        VgmMemoryDef *a = g_ptr_array_index(oldDef->devices.mems, i);
        VgmMemoryDef *b = g_ptr_array_index(newDef->devices.mems, i);

        /* (its <current> is the live one: vgmDriverDomainLiveDefs) */
        if (a->requested != b->requested)
            return vgmDriverDomainUpdateRequested(store, dom, oldDef, newDef, b, a->requested,
                                                  error);
    }
    for (i = 0; i < newDef->devices.disks->len && i < oldDef->devices.disks->len; i++) {
        const VgmDiskDef *a = g_ptr_array_index(oldDef->devices.disks, i);
        const VgmDiskDef *b = g_ptr_array_index(newDef->devices.disks, i);

        if (g_strcmp0(a->dst, b->dst) == 0 && !vgmDiskSameMedium(a, b)) {
            oldDisk = a;
            newDisk = b;
        }
    }
    /* a device given as it is: nothing to do (as libvirt, which
     * succeeds) */
    if (!newDisk && vgmDriverDomainSameDefinition(oldDef, newDef))
        return TRUE;
    /* a medium's startupPolicy alone: what the next start does without
     * it, which QEMU has nothing of (libvirt takes it too) */
    if (!newDisk && oldDef->devices.disks->len == newDef->devices.disks->len) {
        g_autofree VgmDiskStartupPolicy *given =
            g_new0(VgmDiskStartupPolicy, newDef->devices.disks->len + 1);
        gboolean same;

        for (i = 0; i < newDef->devices.disks->len; i++) {
            VgmDiskDef *b = g_ptr_array_index(newDef->devices.disks, i);

            given[i] = b->startupPolicy;
            b->startupPolicy = ((const VgmDiskDef *)g_ptr_array_index(oldDef->devices.disks, i))->startupPolicy;
        }
        same = vgmDriverDomainSameDefinition(oldDef, newDef);
        for (i = 0; i < newDef->devices.disks->len; i++)
            ((VgmDiskDef *)g_ptr_array_index(newDef->devices.disks, i))->startupPolicy = given[i];
        if (same) {
            /* (the live disks as they are, their chains kept, with the
             * policies given) */
            g_autoptr(VgmDomainDef) live = vgmDriverDomainLiveDef(dom, error);

            if (!live)
                return FALSE;
            for (i = 0; i < live->devices.disks->len && i < newDef->devices.disks->len; i++)
                ((VgmDiskDef *)g_ptr_array_index(live->devices.disks, i))->startupPolicy = given[i];
            return vgmDriverDomainSaveLive(store, dom, live, error);
        }
    }
    if (!newDisk || oldDef->devices.disks->len != newDef->devices.disks->len ||
        (newDisk->device != VGM_DISK_DEVICE_CDROM && newDisk->device != VGM_DISK_DEVICE_FLOPPY) ||
        oldDisk->device != newDisk->device) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("cannot update a device of running domain '%1$s' so: only the medium of a CD-ROM or floppy (its <source>), an interface's link state, a display's password or a virtio-mem device's requested size can be changed while it runs; change the config (--config) for the next start"),
                    dom->name);
        return FALSE;
    }
    if (!vgmDriverHotplugCompare(store, dom, oldDef, newDef, FALSE, &d, error))
        return FALSE;
    id = vgmQemuDiskDeviceId(newDef, newDisk);
    if (!(oldDev = vgmDriverHotplugFindDevice(d.oldOpts, id, oldParser)) ||
        !(newDev = vgmDriverHotplugFindDevice(d.newOpts, id, newParser))) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("no QEMU device '%1$s' for disk '%2$s'"),
                    id, newDisk->dst);
        return FALSE;
    }
    oldTop = json_object_get_string_member_with_default(oldDev, "drive", NULL);
    newTop = json_object_get_string_member_with_default(newDev, "drive", NULL);
    oldChain = vgmDriverHotplugChain(d.oldOpts, oldTop);
    newChain = vgmDriverHotplugChain(d.newOpts, newTop);
    /* only the medium's nodes, and the device's drive, may differ */
    for (i = 0; i < oldChain->len; i++)
        g_hash_table_add(medium, g_ptr_array_index(oldChain, i));
    for (i = 0; i < newChain->len; i++)
        g_hash_table_add(medium, g_ptr_array_index(newChain, i));
    for (i = 0; i < d.added->len + d.removed->len; i++) {
        const char *opt = i < d.added->len ? g_ptr_array_index(d.added, i)
                                           : g_ptr_array_index(d.removed, i - d.added->len);
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *obj;
        int o;

        if (g_hash_table_contains(medium, opt))
            continue;
        if (!(obj = vgmDriverHotplugParse(opt, parser, &o)) ||
            !g_str_equal(vgmDriverHotplugOptions[o].option, "-device") ||
            g_strcmp0(json_object_get_string_member_with_default(obj, "id", NULL), id) != 0)
            break;
    }
    if (i < d.added->len + d.removed->len) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("cannot change the medium of '%1$s' in running domain '%2$s': QEMU would need other changes than the medium's"),
                    newDisk->dst, dom->name);
        return FALSE;
    }
    /* a local medium that is not there fails before the tray moves, as
     * libvirt's check of the source fails */
    if (vgmDiskHasMedium(newDisk) && !newDisk->net && newDisk->src &&
        (newDisk->type == VGM_DISK_TYPE_FILE || newDisk->type == VGM_DISK_TYPE_BLOCK) &&
        access(newDisk->src, F_OK) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot access the new medium '%1$s' of '%2$s'"),
                          newDisk->src, newDisk->dst);
        return FALSE;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmDriverDomainTrayCommand(mon, "blockdev-open-tray", id, NULL, error))
        return FALSE;
    if (oldTop) {
        g_autoptr(GPtrArray) opened = NULL;

        if (!vgmDriverDomainTrayCommand(mon, "blockdev-remove-medium", id, NULL, error)) {
            vgmDriverDomainTrayCommand(mon, "blockdev-close-tray", id, NULL, NULL);
            return FALSE;
        }
        /* (the nodes QEMU has: images it opened below the medium itself
         * have QEMU's names, and go with the medium's own) */
        opened = vgmDriverHotplugChainOpened(mon, oldChain);
        vgmDriverHotplugTakeBack(dom, mon, opened, opened->len, VGM_DRIVER_TAKE_BACK_NO_DEVICES);
    }
    if (!vgmDriverDomainInsertMedium(dom, mon, id, newChain, newTop, error)) {
        /* the old medium back, as it was */
        if (!vgmDriverDomainInsertMedium(dom, mon, id, oldChain, oldTop, &err))
            g_warning(_("domain '%1$s': the old medium of '%2$s' cannot be put back: %3$s"),
                      dom->name, newDisk->dst, err->message);
        return FALSE;
    }
    vgmDriverDomainChainsDetectLogged(dom, mon, newDef);
    return vgmDriverDomainSaveLive(store, dom, newDef, error);
}

/* ---- vCPU hot-plug ---- */

/* vCPU @id of running domain @dom (lock held) plugged into its QEMU: the
 * device_add its live definition with the vCPU online adds to its start,
 * nothing else of it changed; then QEMU's threads placed and pinned
 * again, as <cputune> says */
static gboolean
vgmDriverDomainPlugVcpu(const VgmDriverStore *store, VgmDriverDomain *dom, VgmQemuMonitor *mon,
                        VgmDomainDef *oldDef, VgmDomainDef *newDef, unsigned int id,
                        GError **error)
{
    g_auto(VgmDriverHotplugDiff) d = { 0 };
    g_autoptr(GHashTable) ran = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(VgmDriverCgroup) cg = NULL;
    g_autofree char *want = g_strdup_printf(VGM_DRIVER_VCPU_ID_PREFIX "%u", id);
    JsonObject *plug = NULL;
    guint i;

    if (!vgmDriverHotplugCompare(store, dom, oldDef, newDef, FALSE, &d, error))
        return FALSE;
    for (i = 0; d.oldCmd->startup && i < d.oldCmd->startup->len; i++)
        g_hash_table_add(ran, vgmDriverHotplugStartupText(g_ptr_array_index(d.oldCmd->startup, i)));
    for (i = 0; d.newCmd->startup && i < d.newCmd->startup->len; i++) {
        JsonObject *exec = g_ptr_array_index(d.newCmd->startup, i);
        JsonObject *args = json_object_get_object_member(exec, "arguments");
        g_autofree char *text = vgmDriverHotplugStartupText(exec);

        if (!g_hash_table_contains(ran, text) && args &&
            g_strcmp0(json_object_get_string_member_with_default(args, "id", NULL), want) == 0)
            plug = exec;
    }
    if (!plug || d.added->len > 0 || d.removed->len > 0) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("the start of running domain '%1$s' would not plug vCPU %2$u alone"),
                    dom->name, id);
        return FALSE;
    }
    if (!vgmQemuMonitorCommand(mon, "device_add", json_object_get_object_member(plug, "arguments"),
                               NULL, error)) {
        g_prefix_error(error, _("QEMU cannot plug vCPU %1$u: "), id);
        return FALSE;
    }
    if (!vgmDriverDomainVcpuSet(store, dom, id, TRUE, error))
        return FALSE;
    /* the new vCPU's thread started in QEMU's main group with its
     * affinity */
    return (cg = vgmDriverCgroupNew(store, newDef, NULL, error)) &&
           vgmDriverCgroupApplyThreads(cg, mon, dom->status->qemu.pid, error) &&
           vgmDriverProcessPin(newDef, NULL, mon, dom->status->qemu.pid, error);
}

/* Asks the guest of running domain @dom (lock held) to let vCPU @id go
 * (device_del) and waits 5 s for it, as libvirt waits; gone, the live
 * XML has it offline. A guest that does not let go in time gives an
 * error, and the daemon finishes the removal when QEMU says the guest
 * let go (DEVICE_DELETED). */
static gboolean
vgmDriverDomainUnplugVcpu(const VgmDriverStore *store, VgmDriverDomain *dom,
                          VgmQemuMonitor *mon, unsigned int id, GError **error)
{
    g_autofree char *qid = g_strdup_printf(VGM_DRIVER_VCPU_ID_PREFIX "%u", id);
    gboolean gone;

    if (!vgmDriverDomainUnplugWait(store, dom, mon, qid, "", FALSE, &gone, error))
        return FALSE;
    if (!gone) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("the guest of domain '%1$s' did not let vCPU %2$u go within 5 s; it is removed when the guest does"),
                    dom->name, id);
        return FALSE;
    }
    return TRUE;
}

/* Plugs offline vCPU @id of running domain @dom (lock held, live
 * definition @oldDef with its vCPUs listed): the live definition with it
 * online, checked as a start would check it, is what QEMU gets */
static gboolean
vgmDriverDomainEnableVcpu(const VgmDriverStore *store, VgmDriverDomain *dom, VgmQemuMonitor *mon,
                          VgmDomainDef *oldDef, unsigned int id, GError **error)
{
    g_autoptr(VgmDomainDef) newDef = NULL;
    unsigned int online = 0, i;

    if (!(newDef = vgmDomainDefParseString(dom->status->xml, NULL,
                                           VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                           error)))
        return FALSE;
    vgmDriverVcpusListed(newDef);
    for (i = 0; i < newDef->vcpus; i++)
        online += newDef->vcpuList[i].online;
    newDef->vcpuList[id].online = TRUE;
    vgmDriverVcpusKeepOrder(newDef, (int)id);
    newDef->vcpusCurrent = online + 1 == newDef->vcpus ? 0 : online + 1;
    return vgmDomainDefValidate(newDef, error) &&
           vgmDriverDomainPlugVcpu(store, dom, mon, oldDef, newDef, id, error);
}

/* Plugs or unplugs vCPUs of running domain @dom (lock held) until
 * @nvcpus run, as libvirt does: the lowest offline ones plugged first,
 * the last plugged unplugged first; the vCPUs QEMU started with stay.
 * Each change is kept in the live XML as it is made. */
static gboolean
vgmDriverDomainSetVcpusLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                            unsigned int nvcpus, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;

    for (;;) {
        g_autoptr(VgmDomainDef) oldDef = NULL;
        unsigned int online = 0, pick = G_MAXUINT, i;

        if (!(oldDef = vgmDomainDefParseString(dom->status->xml, NULL,
                                               VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                               error)))
            return FALSE;
        vgmDriverVcpusListed(oldDef);
        for (i = 0; i < oldDef->vcpus; i++)
            online += oldDef->vcpuList[i].online;
        if (nvcpus > oldDef->vcpus) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("cannot run %1$u vCPUs in domain '%2$s': its maximum is %3$u"),
                        nvcpus, dom->name, oldDef->vcpus);
            return FALSE;
        }
        if (online == nvcpus)
            return TRUE;
        for (i = 0; i < oldDef->vcpus; i++) {
            const VgmDomainVcpu *v = &oldDef->vcpuList[i];

            if (v->hotpluggable != VGM_TRISTATE_YES || v->online == (online < nvcpus))
                continue;
            /* plug: the lowest id; unplug: the highest order, then id */
            if (online < nvcpus ? pick == G_MAXUINT :
                pick == G_MAXUINT || v->order >= oldDef->vcpuList[pick].order)
                pick = i;
        }
        if (pick == G_MAXUINT) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("domain '%1$s' cannot run fewer than the %2$u vCPUs QEMU started with"),
                        dom->name, online);
            return FALSE;
        }
        if (!mon && !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
            return FALSE;
        if (online > nvcpus) {
            if (!vgmDriverDomainUnplugVcpu(store, dom, mon, pick, error))
                return FALSE;
            continue;
        }
        if (!vgmDriverDomainEnableVcpu(store, dom, mon, oldDef, pick, error))
            return FALSE;
    }
}

gboolean
vgmDriverDomainDeviceDeleted(const VgmDriverStore *store, const char *name, const char *id,
                             gboolean *finished, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    JsonObject *unplugs;
    gboolean device;

    *finished = FALSE;
    if (!(dom = vgmDriverDomainLockAndLoad(store, name, &lock, error)))
        return FALSE;
    /* (a domain that ended since has nothing left to remove) */
    if (!vgmDriverDomainIsActive(dom) ||
        !(unplugs = vgmDriverDomainUnplugs(dom, FALSE)) || !json_object_has_member(unplugs, id))
        return TRUE;
    /* (a vCPU, recorded without XML, is no device libvirt reports) */
    device = *json_object_get_string_member_with_default(unplugs, id, "") != '\0';
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmDriverDomainFinishUnplug(store, dom, mon, id, error))
        return FALSE;
    *finished = device;
    return TRUE;
}

/* The devices of @def a running domain can be given (but controllers),
 * counted */
static guint
vgmDriverHotplugDevices(const VgmDomainDef *def)
{
    const GPtrArray *const lists[] = {
        def->devices.disks, def->devices.nets, def->devices.inputs, def->devices.rngs,
        def->devices.mems, def->devices.shmems, def->devices.channels, def->devices.consoles,
        def->devices.serials, def->devices.redirdevs, def->devices.fss,
    };
    guint n = def->devices.watchdog != NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(lists); i++)
        n += lists[i]->len;
    return n;
}

/* What @newDef has beyond @oldDef that reaches a socket of someone
 * else's through a character device the start prepares around (a
 * vhost-user backend, an ivshmem server), which is plugged at a start
 * only: its description, or NULL */
static char *
vgmDriverHotplugStartOnly(const VgmDomainDef *oldDef, const VgmDomainDef *newDef)
{
    guint i;

    for (i = oldDef->devices.nets->len; i < newDef->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(newDef->devices.nets, i);

        if (net->type == VGM_NET_TYPE_VHOSTUSER)
            return g_strdup_printf("<interface type='vhostuser'> '%s'", net->mac);
    }
    for (i = oldDef->devices.disks->len; i < newDef->devices.disks->len; i++) {
        const VgmDiskDef *disk = g_ptr_array_index(newDef->devices.disks, i);

        if (disk->type == VGM_DISK_TYPE_VHOSTUSER)
            return g_strdup_printf("<disk type='vhostuser'> '%s'", disk->dst);
    }
    for (i = oldDef->devices.shmems->len; i < newDef->devices.shmems->len; i++) {
        const VgmShmemDef *shm = g_ptr_array_index(newDef->devices.shmems, i);

        if (shm->server)
            return g_strdup_printf("<shmem name='%s'> with a <server>", shm->name);
    }
    return NULL;
}

/* Attaches device @xml to running domain @dom (lock held): its live
 * definition with the device, checked as a define, hot-plugged, and
 * kept as the live XML */
static gboolean
vgmDriverDomainAttachLive(const VgmDriverStore *store, VgmDriverDomain *dom, const char *xml,
                          char **added, GError **error)
{
    g_autoptr(VgmDomainDef) oldDef = NULL;
    g_autoptr(VgmDomainDef) newDef = NULL;
    g_autoptr(GPtrArray) fsRuns = NULL;
    gboolean controllersFirst = FALSE;
    gint64 chrs;
    guint i;

    if (!vgmDriverDomainLiveDefs(dom, xml, VGM_DRIVER_DEVICE_ATTACH, &oldDef, &newDef, error))
        return FALSE;
    {
        g_autofree char *startOnly = vgmDriverHotplugStartOnly(oldDef, newDef);

        if (startOnly) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("%1$s cannot be attached to running domain '%2$s': QEMU reaches its backend's socket through what a start prepares; attach it to the config (--config) for the next start"),
                        startOnly, dom->name);
            return FALSE;
        }
    }
    /* (as libvirt: a 9p share's -fsdev is QEMU's from its start) */
    for (i = oldDef->devices.fss->len; i < newDef->devices.fss->len; i++) {
        const VgmFsDef *fs = g_ptr_array_index(newDef->devices.fss, i);

        if (fs->driver != VGM_FS_DRIVER_VIRTIOFS) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("<filesystem> '%1$s' cannot be attached to running domain '%2$s': only a virtiofs share can (a 9p one is QEMU's from its start); attach it to the config (--config) for the next start"),
                        fs->target, dom->name);
            return FALSE;
        }
    }
    /* a PCI controller the address needed (a root port, a bridge) cannot
     * be plugged itself, nor one attached as such (QEMU's PCIe root and
     * root ports take no hot-plugged bridge or port); the SCSI controllers
     * a SCSI disk's controller number needs are plugged before it, as
     * libvirt plugs them */
    {
        guint newPci = 0, newOther = 0;
        const VgmControllerDef *pci = NULL;

        for (i = 0; i < newDef->devices.controllers->len; i++) {
            const VgmControllerDef *c = g_ptr_array_index(newDef->devices.controllers, i);
            gboolean had = FALSE;
            guint k;

            for (k = 0; k < oldDef->devices.controllers->len && !had; k++) {
                const VgmControllerDef *o = g_ptr_array_index(oldDef->devices.controllers, k);

                had = g_str_equal(o->type, c->type) && o->index == c->index;
            }
            if (had)
                continue;
            if (g_str_equal(c->type, "pci")) {
                newPci++;
                pci = c;
            } else {
                newOther++;
            }
        }
        if (newPci > 0 && newOther == 0 &&
            vgmDriverHotplugDevices(newDef) == vgmDriverHotplugDevices(oldDef)) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("<controller type='pci' model='%1$s'> cannot be attached to running domain '%2$s': a PCI controller is not hot-pluggable; attach it to the config (--config) for the next start"),
                        pci->model ? pci->model : "", dom->name);
            return FALSE;
        }
        if (newPci > 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("no free hot-pluggable PCI slot in running domain '%1$s' for the device: add free pcie-root-port controllers to its config (or give the device an address on one)"),
                        dom->name);
            return FALSE;
        }
        controllersFirst = newOther > 0 &&
                           vgmDriverHotplugDevices(newDef) != vgmDriverHotplugDevices(oldDef);
    }
    /* an interface's host side as a start prepares it: its network's
     * bridge, its tap's name, which must be free (or, not managed,
     * exist) */
    for (i = oldDef->devices.nets->len; i < newDef->devices.nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(newDef->devices.nets, i);

        if (vgmQemuNetDriverOpens(net)) {
            vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                        _("interface '%1$s' cannot be attached to running domain '%2$s': QEMU gets the file descriptors of its %3$s at a start; attach it to the config (--config) for the next start"),
                        net->mac, dom->name,
                        net->type == VGM_NET_TYPE_DIRECT ? _("macvtap") : _("tap (its <backend>)"));
            return FALSE;
        }
        if (!vgmDriverNetResolveNetwork(store, net, error))
            return FALSE;
    }
    vgmDriverNetNameTaps(newDef, oldDef->devices.nets->len);
    for (i = oldDef->devices.nets->len; i < newDef->devices.nets->len; i++) {
        if (!vgmDriverNetCheckTap(g_ptr_array_index(newDef->devices.nets, i), error))
            return FALSE;
    }
    chrs = (gint64)(newDef->devices.channels->len + newDef->devices.consoles->len +
                    newDef->devices.serials->len) -
           (gint64)(oldDef->devices.channels->len + oldDef->devices.consoles->len +
                    oldDef->devices.serials->len);
    /* (libvirt plugs the PCI watchdog only: ib700 sits on the ISA bus) */
    if (newDef->devices.watchdog && !oldDef->devices.watchdog &&
        !g_str_equal(newDef->devices.watchdog->model, "i6300esb")) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("a <watchdog model='%1$s'> cannot be attached to running domain '%2$s': only an i6300esb, a PCI device, can; attach it to the config (--config) for the next start"),
                    newDef->devices.watchdog->model, dom->name);
        return FALSE;
    }
    if (vgmDriverHotplugDevices(newDef) == vgmDriverHotplugDevices(oldDef) &&
        newDef->devices.controllers->len == oldDef->devices.controllers->len) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the device cannot be attached to running domain '%1$s': a disk, an interface, an input device, an RNG, a memory device, an ivshmem-plain <shmem>, a controller, a channel, a console, a serial port, a USB redirection, a virtiofs <filesystem> or an i6300esb watchdog can"),
                    dom->name);
        return FALSE;
    }
    /* a unix channel's socket, as a start names it */
    {
        g_autofree char *memoryDir = vgmDriverStoreMemoryDir(store);
        g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNew(store->runDir, memoryDir, store->logDir);

        vgmDriverDomainChannelSockets(cfg, newDef);
    }
    /* a virtiofs share's virtiofsd, run as a start runs it, listening
     * before QEMU connects to it (and ended if the plug fails; once
     * plugged, it ends when QEMU lets go of its socket) */
    if (!(fsRuns = vgmDriverFsPrepare(store, newDef, oldDef->devices.fss->len, error)) ||
        !vgmDriverFsStart(store, dom->name, fsRuns, error))
        return FALSE;
    /* the controllers the device needs go in on their own first and stay,
     * in QEMU and the live XML, whatever becomes of the device, as libvirt
     * plugs them (QEMU's unplug of a PCI controller waits for the guest:
     * taken back with the device, it could linger unlisted) */
    if (controllersFirst) {
        g_autoptr(VgmDomainDef) mid = vgmDriverHotplugControllersOnly(oldDef, newDef, error);

        if (!mid || !vgmDriverDomainHotplug(store, dom, oldDef, mid, NULL, error) ||
            !vgmDriverDomainSaveLive(store, dom, mid, error)) {
            vgmDriverFsRunsStop(fsRuns);
            return FALSE;
        }
        vgmDomainDefFree(oldDef);
        oldDef = g_steal_pointer(&mid);
    }
    if (!vgmDriverDomainHotplug(store, dom, oldDef, newDef, added, error)) {
        vgmDriverFsRunsStop(fsRuns);
        return FALSE;
    }
    vgmDriverFsNameBinaries(newDef);
    /* the pty QEMU opened for a character device, or where it put a
     * dimm, which the live XML names (the device stays plugged when QEMU
     * cannot say) */
    if (chrs > 0 || newDef->devices.mems->len > oldDef->devices.mems->len) {
        g_autoptr(VgmQemuMonitor) mon = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *live = vgmDomainDefFormat(newDef);
        VgmDomainDef *read;

        if ((mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, &err)) &&
            vgmDriverProcessReadLive(mon, &live, FALSE, &err) &&
            (read = vgmDomainDefParseString(live, NULL,
                                            VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                            &err))) {
            vgmDomainDefFree(newDef);
            newDef = read;
        } else {
            g_warning(_("domain '%1$s': cannot read what QEMU made of the device attached: %2$s"),
                      dom->name, err ? err->message : "");
        }
    }
    if (newDef->devices.disks->len > oldDef->devices.disks->len)
        vgmDriverDomainChainsDetectLogged(dom, NULL, newDef);
    return vgmDriverDomainSaveLive(store, dom, newDef, error);
}

static gboolean
vgmDriverDomainDeviceLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                          GError **error)
{
    const VgmDriverDeviceChange *c = data;

    switch (c->op) {
    case VGM_DRIVER_DEVICE_ATTACH:
        return vgmDriverDomainAttachLive(store, dom, c->xml, c->removed, error);
    case VGM_DRIVER_DEVICE_DETACH:
        return vgmDriverDomainDetachLive(store, dom, c->xml, c->removed, error);
    case VGM_DRIVER_DEVICE_UPDATE:
        return vgmDriverDomainUpdateLive(store, dom, c->xml, c->removed, error);
    case VGM_DRIVER_DEVICE_LAST:
        break;
    }
    g_assert_not_reached();
}

gboolean
vgmDriverDomainChangeDevice(const VgmDriverStore *store, const char *ref, const char *xml,
                            VgmDriverDeviceOp op, unsigned int flags, char **removed,
                            GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverDeviceChange change = { xml, op, removed };

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainApplyDevice,
                                 vgmDriverDomainDeviceLive, &change, NULL, error);
}

typedef struct {
    VgmDriverPinKind kind;
    unsigned int id;
    const VgmBitmap *cpus;
} VgmDriverPinChange;

/* @def with the pin @data asks for (<vcpupin>, <emulatorpin> or
 * <iothreadpin>), or a refusal naming what @def does not have */
static gboolean
vgmDriverDomainApplyPin(VgmDomainDef *def, const VgmDriverPinChange *c, GError **error)
{
    guint i;

    switch (c->kind) {
    case VGM_DRIVER_PIN_VCPU:
        if (c->id >= def->vcpus) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("cannot pin vCPU %1$u of domain '%2$s': it has %3$u vCPUs"),
                        c->id, def->name, def->vcpus);
            return FALSE;
        }
        if (!def->vcpupin)
            def->vcpupin = g_new0(VgmBitmap *, def->vcpus);
        vgmBitmapFree(def->vcpupin[c->id]);
        def->vcpupin[c->id] = vgmBitmapCopy(c->cpus);
        return TRUE;
    case VGM_DRIVER_PIN_EMULATOR:
        vgmBitmapFree(def->emulatorpin);
        def->emulatorpin = vgmBitmapCopy(c->cpus);
        return TRUE;
    case VGM_DRIVER_PIN_IOTHREAD:
        for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
            VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);

            if (t->id == c->id) {
                vgmBitmapFree(t->cpumask);
                t->cpumask = vgmBitmapCopy(c->cpus);
                return TRUE;
            }
        }
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot pin I/O thread %1$u of domain '%2$s': it has no such I/O thread"),
                    c->id, def->name);
        return FALSE;
    case VGM_DRIVER_PIN_LAST:
        break;
    }
    g_assert_not_reached();
}

static char *
vgmDriverDomainChangePin(VgmDomainDef *def, gconstpointer data, GError **error)
{
    return vgmDriverDomainApplyPin(def, data, error) ? vgmDomainDefFormat(def) : NULL;
}

/* The pin @c of running domain @dom (lock held): its live definition
 * changed, then QEMU's threads pinned again as it says (those without a
 * pin of their own keep their CPUs), and kept as the live XML */
static gboolean
vgmDriverDomainPinLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                       GError **error)
{
    const VgmDriverPinChange *c = data;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    if (!(def = vgmDomainDefParseString(dom->status->xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;
    /* as libvirt: a vCPU QEMU does not run has no thread to pin */
    if (c->kind == VGM_DRIVER_PIN_VCPU && c->id < def->vcpus &&
        !(def->vcpuList ? def->vcpuList[c->id].online :
          c->id < (def->vcpusCurrent ? def->vcpusCurrent : def->vcpus))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot pin vCPU %1$u of running domain '%2$s': it is not online"),
                    c->id, dom->name);
        return FALSE;
    }
    return vgmDriverDomainApplyPin(def, c, error) &&
           vgmDomainDefValidate(def, error) &&
           (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmDriverProcessPin(def, NULL, mon, dom->status->qemu.pid, error) &&
           vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainPin(const VgmDriverStore *store, const char *ref, VgmDriverPinKind kind,
                   unsigned int id, const VgmBitmap *cpus, unsigned int flags,
                   gboolean *wentLive, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverPinChange change = { kind, id, cpus };

    if (!cpus || vgmBitmapCount(cpus) == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a pin needs at least one CPU"));
        return FALSE;
    }
    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangePin,
                                 vgmDriverDomainPinLive, &change, wentLive, error);
}

typedef struct {
    unsigned int id;
    gboolean add;
} VgmDriverIOThreadChange;

static gboolean
vgmDriverDomainApplyIOThread(VgmDomainDef *def, const VgmDriverIOThreadChange *c, GError **error)
{
    return c->add ? vgmDomainIOThreadAdd(def, c->id, error) : vgmDomainIOThreadDel(def, c->id, error);
}

static char *
vgmDriverDomainChangeIOThread(VgmDomainDef *def, gconstpointer data, GError **error)
{
    return vgmDriverDomainApplyIOThread(def, data, error) ? vgmDomainDefFormat(def) : NULL;
}

/* The I/O thread @data of running domain @dom (lock held): a new one
 * plugged as a start would make it (object-add), one no device uses
 * taken out (object-del); the live XML follows */
static gboolean
vgmDriverDomainIOThreadLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                            GError **error)
{
    const VgmDriverIOThreadChange *c = data;
    const unsigned int flags = VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE;
    g_autoptr(VgmDomainDef) oldDef = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *id = g_strdup_printf("iothread%u", c->id);

    if (!(oldDef = vgmDomainDefParseString(dom->status->xml, NULL, flags, error)) ||
        !(def = vgmDomainDefParseString(dom->status->xml, NULL, flags, error)) ||
        !vgmDriverDomainApplyIOThread(def, c, error) || !vgmDomainDefValidate(def, error))
        return FALSE;
    if (c->add) {
        /* a thread group of its own with the bandwidth is made at a start */
        if (def->cputune.iothreadPeriod || def->cputune.iothreadQuota) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("cannot add I/O thread %1$u to running domain '%2$s': its <cputune> limits each I/O thread's CPU time (iothread_period, iothread_quota) in a cgroup of the thread's own, which the driver makes at a start; add it to the config (--config) for the next start"),
                        c->id, dom->name);
            return FALSE;
        }
        if (!vgmDriverDomainHotplug(store, dom, oldDef, def, NULL, error))
            return FALSE;
        /* the new thread runs where its <iothreadpin> or <vcpu cpuset>
         * says, else on every CPU, as libvirt places it (not on the
         * emulator's CPUs, which QEMU's thread inherited); numad's
         * placement is a start's */
        if (def->cpuPlacement != VGM_DOMAIN_CPU_PLACEMENT_AUTO &&
            (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
             !vgmDriverProcessPin(def, NULL, mon, dom->status->qemu.pid, error)))
            return FALSE;
        return vgmDriverDomainSaveLive(store, dom, def, error);
    }
    json_object_set_string_member(args, "id", id);
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    if (!vgmQemuMonitorCommand(mon, "object-del", args, NULL, error)) {
        g_prefix_error(error, _("cannot remove I/O thread %1$u of running domain '%2$s': "),
                       c->id, dom->name);
        return FALSE;
    }
    return vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainIOThread(const VgmDriverStore *store, const char *ref, unsigned int id,
                        gboolean add, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverIOThreadChange change = { id, add };

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeIOThread,
                                 vgmDriverDomainIOThreadLive, &change, NULL, error);
}

/* QEMU's iothread properties of each parameter */
static const char *const vgmDriverIOThreadProps[VGM_DRIVER_IOTHREAD_PARAM_LAST] = {
    [VGM_DRIVER_IOTHREAD_POLL_MAX_NS] = "poll-max-ns",
    [VGM_DRIVER_IOTHREAD_POLL_GROW] = "poll-grow",
    [VGM_DRIVER_IOTHREAD_POLL_SHRINK] = "poll-shrink",
    [VGM_DRIVER_IOTHREAD_POOL_MIN] = "thread-pool-min",
    [VGM_DRIVER_IOTHREAD_POOL_MAX] = "thread-pool-max",
};

/* Thread @c->id of @def with the pool sizes @c sets, checked as libvirt
 * checks them (@live: the running domain's) */
static VgmDomainIOThread *
vgmDriverDomainIOThreadParamsApply(VgmDomainDef *def, const VgmDriverIOThreadParams *c,
                                   gboolean live, GError **error)
{
    VgmDomainIOThread *t = vgmDomainIOThreadFind(def, c->id);
    int min, max;
    int k;

    if (!t) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no I/O thread %2$u"), def->name, c->id);
        return NULL;
    }
    for (k = VGM_DRIVER_IOTHREAD_POOL_MIN; live && k <= VGM_DRIVER_IOTHREAD_POOL_MAX; k++) {
        if (c->set[k] && c->value[k] < 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot set %1$s of I/O thread %2$u of running domain '%3$s' to %4$" G_GINT64_FORMAT ": QEMU has no way back to its default"),
                        vgmDriverIOThreadProps[k], c->id, def->name, c->value[k]);
            return NULL;
        }
    }
    min = c->set[VGM_DRIVER_IOTHREAD_POOL_MIN] ? (int)c->value[VGM_DRIVER_IOTHREAD_POOL_MIN] : t->poolMin;
    max = c->set[VGM_DRIVER_IOTHREAD_POOL_MAX] ? (int)c->value[VGM_DRIVER_IOTHREAD_POOL_MAX] : t->poolMax;
    if (min > max) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("thread_pool_min (%1$d) of I/O thread %2$u cannot be greater than its thread_pool_max (%3$d)"),
                    min, c->id, max);
        return NULL;
    }
    t->poolMin = min;
    t->poolMax = max;
    return t;
}

static char *
vgmDriverDomainChangeIOThreadParams(VgmDomainDef *def, gconstpointer data, GError **error)
{
    const VgmDriverIOThreadParams *c = data;

    if (!vgmDriverDomainIOThreadParamsApply(def, c, FALSE, error))
        return NULL;
    if (c->set[VGM_DRIVER_IOTHREAD_POLL_MAX_NS] || c->set[VGM_DRIVER_IOTHREAD_POLL_GROW] ||
        c->set[VGM_DRIVER_IOTHREAD_POLL_SHRINK]) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT, "%s",
                    _("the config keeps no I/O thread polling (poll_max_ns, poll_grow, poll_shrink): set it on the running domain (--live)"));
        return NULL;
    }
    return vgmDomainDefFormat(def);
}

static gboolean
vgmDriverDomainIOThreadQomSet(VgmQemuMonitor *mon, const char *path, int k, gint64 value,
                              GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_string_member(args, "path", path);
    json_object_set_string_member(args, "property", vgmDriverIOThreadProps[k]);
    json_object_set_int_member(args, "value", value);
    return vgmQemuMonitorCommand(mon, "qom-set", args, NULL, error);
}

/* The parameters @data of a running domain's I/O thread: QEMU's iothread
 * object's properties (the pool's maximum first when it grows past the
 * old maximum, so that QEMU never sees a minimum above it), then the live
 * XML's pool sizes */
static gboolean
vgmDriverDomainIOThreadParamsLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                                  gconstpointer data, GError **error)
{
    const VgmDriverIOThreadParams *c = data;
    static const int order[] = {
        VGM_DRIVER_IOTHREAD_POLL_MAX_NS, VGM_DRIVER_IOTHREAD_POLL_GROW,
        VGM_DRIVER_IOTHREAD_POLL_SHRINK, VGM_DRIVER_IOTHREAD_POOL_MIN, VGM_DRIVER_IOTHREAD_POOL_MAX,
    };
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autofree char *path = g_strdup_printf("/objects/iothread%u", c->id);
    gboolean maxFirst = FALSE;
    size_t i;

    if (!(def = vgmDomainDefParseString(dom->status->xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    if (c->set[VGM_DRIVER_IOTHREAD_POOL_MIN] && c->set[VGM_DRIVER_IOTHREAD_POOL_MAX]) {
        g_autoptr(JsonObject) args = json_object_new();
        g_autoptr(JsonNode) ret = NULL;

        json_object_set_string_member(args, "path", path);
        json_object_set_string_member(args, "property", "thread-pool-max");
        if (!vgmQemuMonitorCommand(mon, "qom-get", args, &ret, error))
            return FALSE;
        maxFirst = JSON_NODE_HOLDS_VALUE(ret) &&
                   json_node_get_int(ret) < c->value[VGM_DRIVER_IOTHREAD_POOL_MIN];
    }
    if (!vgmDriverDomainIOThreadParamsApply(def, c, TRUE, error))
        return FALSE;
    for (i = 0; i < G_N_ELEMENTS(order); i++) {
        int k = order[i];

        if (maxFirst && k >= VGM_DRIVER_IOTHREAD_POOL_MIN)
            k = k == VGM_DRIVER_IOTHREAD_POOL_MIN ? VGM_DRIVER_IOTHREAD_POOL_MAX
                                                  : VGM_DRIVER_IOTHREAD_POOL_MIN;
        if (c->set[k] && !vgmDriverDomainIOThreadQomSet(mon, path, k, c->value[k], error)) {
            g_prefix_error(error, _("cannot set %1$s of I/O thread %2$u of running domain '%3$s': "),
                           vgmDriverIOThreadProps[k], c->id, dom->name);
            return FALSE;
        }
    }
    return vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainSetIOThreadParams(const VgmDriverStore *store, const char *ref,
                                 const VgmDriverIOThreadParams *c, unsigned int flags,
                                 GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeIOThreadParams,
                                 vgmDriverDomainIOThreadParamsLive, c, NULL, error);
}

/* Each lifecycle event: its element and its field of the definition */
/* (the driver's numbering is libvirt's, as the definition's) */
G_STATIC_ASSERT((int)VGM_DRIVER_LIFECYCLE_POWEROFF == (int)VGM_DOMAIN_LIFECYCLE_EVENT_POWEROFF &&
                (int)VGM_DRIVER_LIFECYCLE_REBOOT == (int)VGM_DOMAIN_LIFECYCLE_EVENT_REBOOT &&
                (int)VGM_DRIVER_LIFECYCLE_CRASH == (int)VGM_DOMAIN_LIFECYCLE_EVENT_CRASH);

typedef struct {
    VgmDriverLifecycle type;
    VgmDomainLifecycleAction action;
} VgmDriverLifecycleChange;

static void
vgmDriverDomainApplyLifecycle(VgmDomainDef *def, const VgmDriverLifecycleChange *c)
{
    *vgmDomainLifecycleField(def, (VgmDomainLifecycleEvent)c->type) = c->action;
}

/* (the config's XML is then checked as a define checks it) */
static char *
vgmDriverDomainChangeLifecycle(VgmDomainDef *def, gconstpointer data, GError **error G_GNUC_UNUSED)
{
    vgmDriverDomainApplyLifecycle(def, data);
    return vgmDomainDefFormat(def);
}

/* The lifecycle change @data of running domain @dom (lock held), made
 * as a start with the new definition would have made QEMU:
 * - a power-off that restarts has QEMU wait (shutdown=pause) and the
 *   status say so, one that ends the domain has QEMU exit (the record
 *   first on the way in, QEMU first on the way out, so that a crash in
 *   between leaves a QEMU that exits at a power-off);
 * - a reboot resets the guest or, with destroy, is a power-off;
 * - with a <panic> device, a crash pauses the guest (preserve) or is a
 *   power-off; without one nothing in QEMU acts on it.
 * The live XML follows. */
static gboolean
vgmDriverDomainLifecycleLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                             gconstpointer data, GError **error)
{
    const VgmDriverLifecycleChange *c = data;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;
    gboolean restart = c->action == VGM_DOMAIN_LIFECYCLE_RESTART;
    gboolean ok = TRUE;

    if (!(def = vgmDomainDefParseString(dom->status->xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;
    vgmDriverDomainApplyLifecycle(def, c);
    if (!vgmDomainDefValidate(def, error) ||
        !(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    switch (c->type) {
    case VGM_DRIVER_LIFECYCLE_POWEROFF:
        if (restart == dom->status->restartAtPoweroff)
            break;
        if (restart) {
            dom->status->restartAtPoweroff = TRUE;
            if (!vgmDriverStoreSaveStatus(store, dom->status, error))
                return FALSE;
            ok = vgmDriverDomainSetAction(mon, "shutdown", "pause", &err);
            if (!ok) {
                dom->status->restartAtPoweroff = FALSE;
                vgmDriverStoreSaveStatus(store, dom->status, NULL);
            }
        } else {
            /* (a reboot asked for keeps QEMU waiting until it is done) */
            ok = dom->status->rebooting || vgmDriverDomainSetAction(mon, "shutdown", "poweroff", &err);
            if (ok) {
                dom->status->restartAtPoweroff = FALSE;
                if (!vgmDriverStoreSaveStatus(store, dom->status, error))
                    return FALSE;
            }
        }
        break;
    case VGM_DRIVER_LIFECYCLE_REBOOT:
        ok = vgmDriverDomainSetAction(mon, "reboot", restart ? "reset" : "shutdown", &err);
        break;
    case VGM_DRIVER_LIFECYCLE_CRASH:
        if (def->devices.panics->len > 0)
            ok = vgmDriverDomainSetAction(mon, "panic",
                                          c->action == VGM_DOMAIN_LIFECYCLE_PRESERVE ? "pause"
                                                                                     : "shutdown",
                                          &err);
        break;
    case VGM_DRIVER_LIFECYCLE_LAST:
        break;
    }
    if (!ok) {
        vgmErrorSet(error, err->code,
                    _("cannot set <%1$s> of running domain '%2$s' to %3$s: QEMU's set-action failed: %4$s"),
                    vgmDomainLifecycleElement((VgmDomainLifecycleEvent)c->type), dom->name,
                    vgmDomainLifecycleActionTypeToString(c->action), err->message);
        return FALSE;
    }
    return vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainSetLifecycleAction(const VgmDriverStore *store, const char *ref,
                                  VgmDriverLifecycle type, VgmDomainLifecycleAction action,
                                  unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverLifecycleChange change = { type, action };

    g_return_val_if_fail((guint)type < VGM_DRIVER_LIFECYCLE_LAST, FALSE);
    g_return_val_if_fail(action > VGM_DOMAIN_LIFECYCLE_DEFAULT &&
                         action < VGM_DOMAIN_LIFECYCLE_LAST, FALSE);
    if (!vgmDomainLifecycleActionCheck((VgmDomainLifecycleEvent)type, action,
                                       VGM_ERR_CONFIG_UNSUPPORTED, error))
        return FALSE;
    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeLifecycle,
                                 vgmDriverDomainLifecycleLive, &change, NULL, error);
}

typedef struct {
    const VgmBitmap *map;
    gboolean enable;
} VgmDriverVcpuChange;

/* The vCPUs of @map, which must all exist in @def (@live: the running
 * domain's definition, else the config) */
static gboolean
vgmDriverVcpuMapCheck(const VgmDomainDef *def, const VgmBitmap *map, gboolean live,
                      GError **error)
{
    int last = vgmBitmapLast(map);

    if (last >= (int)def->vcpus) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    live ? _("vCPU %1$d is not in the live definition of domain '%2$s', which has %3$u")
                         : _("vCPU %1$d is not in the config of domain '%2$s', which has %3$u"),
                    last, def->name, def->vcpus);
        return FALSE;
    }
    return TRUE;
}

/* setvcpu --config, as libvirt: the vCPUs of the map enabled or
 * disabled and hotpluggable, the order of every vCPU dropped; vCPU 0 and
 * a vCPU before one QEMU starts with are refused, the rest is checked
 * as a define checks it */
static char *
vgmDriverDomainChangeVcpu(VgmDomainDef *def, gconstpointer data, GError **error)
{
    const VgmDriverVcpuChange *c = data;
    int first = vgmBitmapNext(c->map, -1);
    unsigned int online = 0, i;

    if (!vgmDriverVcpuMapCheck(def, c->map, FALSE, error))
        return NULL;
    if (vgmBitmapIsSet(c->map, 0)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("vCPU 0 of domain '%1$s' cannot be enabled or disabled: QEMU always starts with it"),
                    def->name);
        return NULL;
    }
    vgmDriverVcpusListed(def);
    for (i = (unsigned int)first + 1; i < def->vcpus; i++) {
        const VgmDomainVcpu *v = &def->vcpuList[i];

        if (!vgmBitmapIsSet(c->map, i) && v->online && v->hotpluggable == VGM_TRISTATE_NO) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("vCPU %1$d cannot be changed: vCPU %2$u after it is one QEMU starts with (hotpluggable='no'), and those come first"),
                        first, i);
            return NULL;
        }
    }
    for (i = 0; i < def->vcpus; i++) {
        VgmDomainVcpu *v = &def->vcpuList[i];

        v->given = TRUE;
        v->order = 0;
        if (vgmBitmapIsSet(c->map, i)) {
            v->online = c->enable;
            v->hotpluggable = VGM_TRISTATE_YES;
        }
        online += v->online;
    }
    def->vcpusCurrent = online == def->vcpus ? 0 : online;
    return vgmDomainDefFormat(def);
}

/* setvcpu --live, as libvirt: one vCPU QEMU can plug or unplug, in the
 * other state than asked for */
static gboolean
vgmDriverDomainVcpuLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                        GError **error)
{
    const VgmDriverVcpuChange *c = data;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    int id = -1;

    if (!(def = vgmDomainDefParseString(dom->status->xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)) ||
        !vgmDriverVcpuMapCheck(def, c->map, TRUE, error))
        return FALSE;
    vgmDriverVcpusListed(def);
    while ((id = vgmBitmapNext(c->map, id)) >= 0) {
        const VgmDomainVcpu *v = &def->vcpuList[id];

        if (v->online == c->enable) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        c->enable ? _("vCPU %1$d of domain '%2$s' is already enabled")
                                  : _("vCPU %1$d of domain '%2$s' is already disabled"),
                        id, dom->name);
            return FALSE;
        }
        if (v->online && v->hotpluggable == VGM_TRISTATE_NO) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("vCPU %1$d of domain '%2$s' cannot be unplugged: QEMU started with it"),
                        id, dom->name);
            return FALSE;
        }
    }
    if (vgmBitmapCount(c->map) != 1) {
        g_autofree char *map = vgmBitmapFormat(c->map);

        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("cannot change vCPUs %1$s of running domain '%2$s' at once: a running domain's vCPUs are enabled or disabled one at a time"),
                    map, dom->name);
        return FALSE;
    }
    id = vgmBitmapLast(c->map);
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return FALSE;
    return c->enable ? vgmDriverDomainEnableVcpu(store, dom, mon, def, (unsigned int)id, error)
                     : vgmDriverDomainUnplugVcpu(store, dom, mon, (unsigned int)id, error);
}

gboolean
vgmDriverDomainSetVcpu(const VgmDriverStore *store, const char *ref, const VgmBitmap *map,
                       gboolean enable, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverVcpuChange change = { map, enable };

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeVcpu,
                                 vgmDriverDomainVcpuLive, &change, NULL, error);
}

typedef struct {
    int type;
    const char *metadata;
    const char *key;
    const char *uri;
} VgmDriverMetadataChange;

/* The element of namespace @uri among <metadata>'s children, or NULL */
static xmlNodePtr
vgmDriverMetadataFind(xmlNodePtr metadata, const char *uri)
{
    xmlNodePtr cur;

    for (cur = metadata ? metadata->children : NULL; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && cur->ns && cur->ns->href &&
            g_strcmp0((const char *)cur->ns->href, uri) == 0)
            return cur;
    }
    return NULL;
}

/* Elements of @node's tree: with @ns, those without a namespace put in
 * it; without, those in namespace @uri taken out of it */
static void
vgmDriverMetadataNs(xmlNodePtr node, xmlNsPtr ns, const char *uri)
{
    xmlNodePtr cur;

    if (node->type != XML_ELEMENT_NODE)
        return;
    if (ns && !node->ns)
        xmlSetNs(node, ns);
    else if (!ns && node->ns && g_strcmp0((const char *)node->ns->href, uri) == 0)
        xmlSetNs(node, NULL);
    for (cur = node->children; cur; cur = cur->next)
        vgmDriverMetadataNs(cur, ns, uri);
}

/* @def's metadata changed as @c says (libvirt's rules: a title on one
 * line; an element with a key and a namespace URI, put in that namespace
 * under that prefix, replacing the one of the same URI) */
static gboolean
vgmDriverDomainApplyMetadata(VgmDomainDef *def, const VgmDriverMetadataChange *c,
                             GError **error)
{
    gboolean set = c->metadata && *c->metadata;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr node, old;
    xmlNsPtr ns;

    switch (c->type) {
    case VGM_DOMAIN_METADATA_DESCRIPTION:
    case VGM_DOMAIN_METADATA_TITLE:
        if (c->key || c->uri) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                        _("a title or description takes no key and no namespace URI"));
            return FALSE;
        }
        if (c->type == VGM_DOMAIN_METADATA_TITLE && set && strchr(c->metadata, '\n')) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                        _("a title must fit on one line"));
            return FALSE;
        }
        if (c->type == VGM_DOMAIN_METADATA_TITLE) {
            g_free(def->title);
            def->title = set ? g_strdup(c->metadata) : NULL;
        } else {
            g_free(def->description);
            def->description = set ? g_strdup(c->metadata) : NULL;
        }
        return TRUE;
    case VGM_DOMAIN_METADATA_ELEMENT:
        if (!c->uri || !*c->uri) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                        _("metadata of type 'element' needs a namespace URI"));
            return FALSE;
        }
        if (set && (!c->key || !*c->key || xmlValidateNCName((const xmlChar *)c->key, 0) != 0)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("metadata key '%1$s' is not a valid XML namespace prefix"),
                        c->key ? c->key : "");
            return FALSE;
        }
        if (set) {
            if (!(doc = vgmXMLParseString(c->metadata, _("the metadata"), error)))
                return FALSE;
            node = xmlDocGetRootElement(doc);
        }
        if (!def->metadata) {
            xmlDocPtr mdoc;

            if (!set)
                return TRUE;
            mdoc = xmlNewDoc((const xmlChar *)"1.0");
            def->metadata = xmlNewDocNode(mdoc, NULL, (const xmlChar *)"metadata", NULL);
            xmlDocSetRootElement(mdoc, def->metadata);
        }
        if ((old = vgmDriverMetadataFind(def->metadata, c->uri))) {
            xmlUnlinkNode(old);
            xmlFreeNode(old);
        }
        if (!set)
            return TRUE;
        /* the namespace declared on the element and given to every
         * element of it that has none, as libvirt does */
        node = xmlDocCopyNode(node, def->metadata->doc, 1);
        ns = xmlNewNs(node, (const xmlChar *)c->uri, (const xmlChar *)c->key);
        vgmDriverMetadataNs(node, ns, NULL);
        xmlAddChild(def->metadata, node);
        return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unknown metadata type %1$d"), c->type);
    return FALSE;
}

static char *
vgmDriverDomainChangeMetadata(VgmDomainDef *def, gconstpointer data, GError **error)
{
    return vgmDriverDomainApplyMetadata(def, data, error) ? vgmDomainDefFormat(def) : NULL;
}

static gboolean
vgmDriverDomainMetadataLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                            gconstpointer data, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;

    return (def = vgmDomainDefParseString(dom->status->xml, NULL,
                                          VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                          error)) &&
           vgmDriverDomainApplyMetadata(def, data, error) &&
           vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainSetMetadata(const VgmDriverStore *store, const char *ref, int type,
                           const char *metadata, const char *key, const char *uri,
                           unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverMetadataChange change = { type, metadata, key, uri };

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeMetadata,
                                 vgmDriverDomainMetadataLive, &change, NULL, error);
}

char *
vgmDriverDomainGetMetadata(const VgmDomainDef *def, int type, const char *uri, GError **error)
{
    const char *text = NULL;
    xmlNodePtr node;

    switch (type) {
    case VGM_DOMAIN_METADATA_DESCRIPTION:
        text = def->description;
        break;
    case VGM_DOMAIN_METADATA_TITLE:
        text = def->title;
        break;
    case VGM_DOMAIN_METADATA_ELEMENT:
        if (!uri || !*uri) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                        _("metadata of type 'element' needs a namespace URI"));
            return NULL;
        }
        if ((node = vgmDriverMetadataFind(def->metadata, uri))) {
            /* as libvirt gives it: out of its namespace, whose declaration
             * goes */
            g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *)"1.0");
            xmlNodePtr copy = xmlDocCopyNode(node, doc, 1);
            xmlNsPtr *link;
            xmlBufferPtr buf = xmlBufferCreate();
            char *out;

            xmlDocSetRootElement(doc, copy);
            vgmDriverMetadataNs(copy, NULL, uri);
            for (link = &copy->nsDef; *link; link = &(*link)->next) {
                if (g_strcmp0((const char *)(*link)->href, uri) == 0) {
                    xmlNsPtr gone = *link;

                    *link = gone->next;
                    gone->next = NULL;
                    xmlFreeNs(gone);
                    break;
                }
            }
            xmlNodeDump(buf, doc, copy, 0, 1);
            out = g_strdup((const char *)xmlBufferContent(buf));
            xmlBufferFree(buf);
            return out;
        }
        vgmErrorSet(error, VGM_ERR_NO_DOMAIN_METADATA,
                    _("domain '%1$s' has no element of namespace '%2$s' in its <metadata>"),
                    def->name, uri);
        return NULL;
    default:
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unknown metadata type %1$d"), type);
        return NULL;
    }
    if (!text) {
        vgmErrorSet(error, VGM_ERR_NO_DOMAIN_METADATA, _("domain '%1$s' has no <%2$s>"),
                    def->name, type == VGM_DOMAIN_METADATA_TITLE ? "title" : "description");
        return NULL;
    }
    return g_strdup(text);
}

typedef struct {
    VgmDriverTuneKind kind;
    const GPtrArray *params;
} VgmDriverTuneChange;

static char *
vgmDriverDomainChangeTune(VgmDomainDef *def, gconstpointer data, GError **error)
{
    const VgmDriverTuneChange *c = data;

    return vgmDriverTuneApply(def, c->kind, c->params, FALSE, error) ?
        vgmDomainDefFormat(def) : NULL;
}

/* The controls of running domain @dom (lock held) changed in its live
 * definition, applied to its cgroups as a start applies them, and kept
 * as the live XML */
static gboolean
vgmDriverDomainTuneLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                        GError **error)
{
    const VgmDriverTuneChange *c = data;
    g_autoptr(VgmDomainDef) old = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    const unsigned int parse = VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE;

    if (!(old = vgmDomainDefParseString(dom->status->xml, NULL, parse, error)) ||
        !(def = vgmDomainDefParseString(dom->status->xml, NULL, parse, error)) ||
        !vgmDriverTuneApply(def, c->kind, c->params, TRUE, error))
        return FALSE;
    /* a running domain's <numatune> changes only its memory nodes, in
     * the cpuset (what else passed changed nothing) */
    if (c->kind == VGM_DRIVER_TUNE_NUMA) {
        if (vgmBitmapEqual(old->numatune.nodeset, def->numatune.nodeset) ||
            !def->numatune.nodeset)
            return old->numatune.memorySet == def->numatune.memorySet ||
                   vgmDriverDomainSaveLive(store, dom, def, error);
        return vgmDriverProcessCheckNumaNodes(def, error) &&
               vgmDriverCgroupSetMemsLive(store, def, def->numatune.nodeset,
                                          dom->status->qemu.pid, error) &&
               vgmDriverDomainSaveLive(store, dom, def, error);
    }
    return vgmDomainDefValidate(def, error) &&
           (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmDriverCgroupApplyLive(store, old, def, mon, dom->status->qemu.pid, error) &&
           vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainSetTune(const VgmDriverStore *store, const char *ref, VgmDriverTuneKind kind,
                       const GPtrArray *params, unsigned int flags, gboolean *wentLive,
                       GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverTuneChange change = { kind, params };

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeTune,
                                 vgmDriverDomainTuneLive, &change, wentLive, error);
}

/* ---- a disk's I/O throttling (virDomainSetBlockIoTune) ---- */

/* libvirt's groups of <iotune> values a change replaces together: any of
 * a group given sets the whole group (the others to 0) */
static const struct {
    VgmDiskIotuneField first;
    guint n;
} vgmDriverIotuneGroups[] = {
    { VGM_DISK_IOTUNE_TOTAL_BYTES, 3 },
    { VGM_DISK_IOTUNE_TOTAL_IOPS, 3 },
    { VGM_DISK_IOTUNE_TOTAL_BYTES_MAX, 3 },
    { VGM_DISK_IOTUNE_TOTAL_IOPS_MAX, 3 },
    { VGM_DISK_IOTUNE_SIZE_IOPS, 1 },
    { VGM_DISK_IOTUNE_TOTAL_BYTES_MAX_LENGTH, 3 },
    { VGM_DISK_IOTUNE_TOTAL_IOPS_MAX_LENGTH, 3 },
};

/* The throttling of disk @c->disk (its target or source) changed as
 * @c says in @def; with @live the disk needs a medium */
static gboolean
vgmDriverIotuneApply(VgmDomainDef *def, const VgmDriverIotuneChange *c, gboolean live,
                     GError **error)
{
    VgmDiskDef *d = (VgmDiskDef *)vgmDriverFindDisk(def, c->disk);
    VgmDiskIotune *t;
    gboolean any = FALSE;
    guint g, k;

    if (!d) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no disk '%2$s' (a target or a source path)"), def->name,
                    c->disk);
        return FALSE;
    }
    if (live && !vgmDiskHasMedium(d)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("disk '%1$s' of domain '%2$s' has no medium to throttle"), d->dst,
                    def->name);
        return FALSE;
    }
    if (!d->iotune)
        d->iotune = g_new0(VgmDiskIotune, 1);
    t = d->iotune;
    for (g = 0; g < G_N_ELEMENTS(vgmDriverIotuneGroups); g++) {
        guint first = vgmDriverIotuneGroups[g].first;
        gboolean given = FALSE;

        for (k = first; k < first + vgmDriverIotuneGroups[g].n; k++)
            given |= (c->given & (G_GUINT64_CONSTANT(1) << k)) != 0;
        for (k = first; given && k < first + vgmDriverIotuneGroups[g].n; k++)
            t->v[k] = c->v[k];
    }
    if (c->groupGiven) {
        g_free(t->groupName);
        t->groupName = c->groupName && *c->groupName ? g_strdup(c->groupName) : NULL;
    }
    if (!vgmDiskIotuneCheckSplit(t, d->dst, VGM_ERR_INVALID_ARG, error))
        return FALSE;
    /* as libvirt: a maximum needs its rate, a maximum's length its
     * maximum */
    for (k = VGM_DISK_IOTUNE_TOTAL_BYTES; k <= VGM_DISK_IOTUNE_WRITE_IOPS; k++) {
        static const guint needs[][2] = {
            { VGM_DISK_IOTUNE_TOTAL_BYTES_MAX - VGM_DISK_IOTUNE_TOTAL_BYTES, 0 },
            { VGM_DISK_IOTUNE_TOTAL_BYTES_MAX_LENGTH - VGM_DISK_IOTUNE_TOTAL_BYTES,
              VGM_DISK_IOTUNE_TOTAL_BYTES_MAX - VGM_DISK_IOTUNE_TOTAL_BYTES },
        };

        for (g = 0; g < G_N_ELEMENTS(needs); g++) {
            if (t->v[k + needs[g][0]] && !t->v[k + needs[g][1]]) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("value '%1$s' of disk '%2$s' cannot be set if '%3$s' is not set"),
                            vgmDiskIotuneFieldTypeToString(k + needs[g][0]), d->dst,
                            vgmDiskIotuneFieldTypeToString(k + needs[g][1]));
                return FALSE;
            }
        }
    }
    for (k = 0; k < VGM_DISK_IOTUNE_LAST; k++)
        any |= t->v[k] != 0;
    /* (no limit left: no <iotune>, as libvirt writes it) */
    if (!any && !t->groupName)
        g_clear_pointer(&d->iotune, vgmDiskIotuneFree);
    return TRUE;
}

static char *
vgmDriverDomainChangeIotune(VgmDomainDef *def, gconstpointer data, GError **error)
{
    return vgmDriverIotuneApply(def, data, FALSE, error) ? vgmDomainDefFormat(def) : NULL;
}

/* The throttling of a disk of running domain @dom (lock held): QEMU's
 * block_set_io_throttle with every limit the disk has now, then the live
 * XML */
static gboolean
vgmDriverDomainIotuneLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                          GError **error)
{
    const VgmDriverIotuneChange *c = data;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = NULL;
    g_autofree char *id = NULL;
    const VgmDiskDef *d;

    if (!(def = vgmDomainDefParseString(dom->status->xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)) ||
        !vgmDriverIotuneApply(def, c, TRUE, error))
        return FALSE;
    d = vgmDriverFindDisk(def, c->disk);
    id = vgmQemuDiskThrottleId(def, d);
    args = vgmQemuDiskThrottleArgs(id, d->iotune);
    return (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmQemuMonitorCommand(mon, "block_set_io_throttle", args, NULL, error) &&
           vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainSetIotune(const VgmDriverStore *store, const char *ref,
                         const VgmDriverIotuneChange *change, unsigned int flags,
                         gboolean *wentLive, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeIotune,
                                 vgmDriverDomainIotuneLive, change, wentLive, error);
}

/* ---- an interface's bandwidth (virDomainSetInterfaceParameters) ---- */

/* The <bandwidth> of interface @c->device changed in @def as @c says */
static VgmNetDef *
vgmDriverBandwidthApply(VgmDomainDef *def, const VgmDriverBandwidthChange *c, GError **error)
{
    VgmNetDef *net = vgmDomainNetFind(def, c->device, error);
    const struct {
        gboolean given;
        const VgmNetBandwidthRate *rate;
        VgmNetBandwidthRate **slot;
        const char *dir;
    } dirs[] = {
        { c->inGiven, &c->in, net ? &net->bandwidth.in : NULL, "inbound" },
        { c->outGiven, &c->out, net ? &net->bandwidth.out : NULL, "outbound" },
    };
    size_t d;

    if (!net)
        return NULL;
    for (d = 0; d < G_N_ELEMENTS(dirs); d++) {
        if (!dirs[d].given)
            continue;
        /* (libvirt drops a peak or burst without an average unsaid) */
        if (!dirs[d].rate->average && (dirs[d].rate->peak || dirs[d].rate->burst)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("%1$s.peak and %1$s.burst of interface '%2$s' need %1$s.average (0 removes the %1$s limit)"),
                        dirs[d].dir, net->mac);
            return NULL;
        }
        if (dirs[d].rate->floor) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("%1$s.floor of interface '%2$s' guarantees bandwidth through a virtual network's QoS, which virt-gmem does not have"),
                        dirs[d].dir, net->mac);
            return NULL;
        }
        g_clear_pointer(dirs[d].slot, g_free);
        if (dirs[d].rate->average)
            *dirs[d].slot = g_memdup2(dirs[d].rate, sizeof(VgmNetBandwidthRate));
    }
    if ((net->bandwidth.in || net->bandwidth.out) && !vgmQemuValidateNetBandwidth(net, error))
        return NULL;
    return net;
}

static char *
vgmDriverDomainChangeBandwidth(VgmDomainDef *def, gconstpointer data, GError **error)
{
    return vgmDriverBandwidthApply(def, data, error) ? vgmDomainDefFormat(def) : NULL;
}

/* The <bandwidth> of an interface of running domain @dom (lock held):
 * its tap shaped anew, then the live XML */
static gboolean
vgmDriverDomainBandwidthLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                             gconstpointer data, GError **error)
{
    const VgmDriverBandwidthChange *c = data;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDriverTap) before = NULL;
    g_autoptr(VgmDriverTap) tap = NULL;
    const VgmNetDef *net;

    if (!(def = vgmDomainDefParseString(dom->status->xml, NULL,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;
    /* (the shaping it has now, put back if the new one fails) */
    if ((net = vgmDomainNetFind(def, c->device, NULL)))
        before = vgmDriverNetTapOf(def, net);
    if (!(net = vgmDriverBandwidthApply(def, c, error)))
        return FALSE;
    if (!(tap = vgmDriverNetTapOf(def, net))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("interface '%1$s' of domain '%2$s' has no tap the driver made and could shape"),
                    net->mac, def->name);
        return FALSE;
    }
    if (geteuid() != 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("<bandwidth> of interface '%1$s' needs root: tc shapes the tap"), net->mac);
        return FALSE;
    }
    if (!vgmDriverNetReshape(tap, error) || !vgmDriverDomainSaveLive(store, dom, def, error)) {
        g_autoptr(GError) undo = NULL;

        /* (the tap shaped as the live XML still says) */
        if (before && !vgmDriverNetReshape(before, &undo))
            g_warning(_("domain '%1$s': the old <bandwidth> of interface '%2$s' is not set again: %3$s"),
                      def->name, net->mac, undo->message);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverDomainSetBandwidth(const VgmDriverStore *store, const char *ref,
                            const VgmDriverBandwidthChange *change, unsigned int flags,
                            GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeBandwidth,
                                 vgmDriverDomainBandwidthLive, change, NULL, error);
}

typedef struct {
    unsigned long long kib;
    gboolean maximum;
} VgmDriverMemoryChange;

/* The memory of @def changed as @data says (TRUE), or refused */
static gboolean
vgmDriverDomainApplyMemory(VgmDomainDef *def, const VgmDriverMemoryChange *c, GError **error)
{

    if (c->maximum) {
        /* libvirt's rule: the total of a NUMA guest is its cells' */
        if (vgmDomainDefNumaCells(def) > 0) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, "%s",
                        _("the memory of a domain with NUMA cells is the sum of its cells: change the cells in its XML"));
            return FALSE;
        }
        def->memory = c->kib;
        if (def->curMemory > c->kib)
            def->curMemory = c->kib;
        return TRUE;
    }
    if (c->kib > def->memory) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("cannot set the memory of domain '%1$s' to %2$llu KiB: its maximum is %3$llu KiB"),
                    def->name, c->kib, def->memory);
        return FALSE;
    }
    def->curMemory = c->kib;
    return TRUE;
}

static char *
vgmDriverDomainChangeMemory(VgmDomainDef *def, gconstpointer data, GError **error)
{
    return vgmDriverDomainApplyMemory(def, data, error) ? vgmDomainDefFormat(def) : NULL;
}

/* setmem --live: the guest's balloon driver gives the rest back */
static gboolean
vgmDriverDomainMemoryLive(const VgmDriverStore *store, VgmDriverDomain *dom, gconstpointer data,
                          GError **error)
{
    const VgmDriverMemoryChange *change = data;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();

    if (change->maximum) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot change the maximum memory of running domain '%1$s': QEMU's memory is fixed at its start"),
                    dom->name);
        return FALSE;
    }
    if (!(def = vgmDomainDefParseString(dom->status->xml, dom->status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;
    if (!def->devices.memballoon || g_strcmp0(def->devices.memballoon->model, "none") == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("cannot change the memory of running domain '%1$s': it has no balloon device (<memballoon model='none'/>)"),
                    dom->name);
        return FALSE;
    }
    if (!vgmDriverDomainApplyMemory(def, change, error))
        return FALSE;
    json_object_set_int_member(args, "value", (gint64)(change->kib * 1024));
    /* (the live <currentMemory> is what the balloon holds: QEMU's
     * BALLOON_CHANGE moves it once the guest's driver gave the memory
     * back, as libvirt's does) */
    return (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmQemuMonitorCommand(mon, "balloon", args, NULL, error);
}

gboolean
vgmDriverDomainSetMemory(const VgmDriverStore *store, const char *ref, unsigned long long kib,
                         unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverMemoryChange change = { kib, (flags & VGM_DOMAIN_MEM_MAXIMUM) != 0 };

    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeMemory,
                                 vgmDriverDomainMemoryLive, &change, NULL, error);
}

/* The balloon statistics period of @def set to @data's seconds, or a
 * refusal naming what @def lacks */
static gboolean
vgmDriverDomainApplyStatsPeriod(VgmDomainDef *def, const int *period, GError **error)
{
    VgmMemballoonDef *mb = def->devices.memballoon;

    if (!mb || g_strcmp0(mb->model, "none") == 0) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' has no balloon device (<memballoon model='virtio'>) whose statistics period could be set"),
                    def->name);
        return FALSE;
    }
    mb->havePeriod = *period != 0;
    mb->period = (unsigned int)*period;
    return TRUE;
}

static char *
vgmDriverDomainChangeStatsPeriod(VgmDomainDef *def, gconstpointer data, GError **error)
{
    return vgmDriverDomainApplyStatsPeriod(def, data, error) ? vgmDomainDefFormat(def) : NULL;
}

/* dommemstat --period --live: the balloon asks the guest for its
 * statistics that often (QOM guest-stats-polling-interval) */
static gboolean
vgmDriverDomainStatsPeriodLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                               gconstpointer data, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *path = NULL;

    if (!(def = vgmDomainDefParseString(dom->status->xml, dom->status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)) ||
        !vgmDriverDomainApplyStatsPeriod(def, data, error))
        return FALSE;
    path = g_strdup_printf("/machine/peripheral/%s",
                           def->devices.memballoon ?
                           vgmQemuSingleId(def->devices.memballoon->alias, VGM_QEMU_BALLOON_ID) :
                           VGM_QEMU_BALLOON_ID);
    json_object_set_string_member(args, "path", path);
    json_object_set_string_member(args, "property", "guest-stats-polling-interval");
    json_object_set_int_member(args, "value", *(const int *)data);
    return (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmQemuMonitorCommand(mon, "qom-set", args, NULL, error) &&
           vgmDriverDomainSaveLive(store, dom, def, error);
}

gboolean
vgmDriverDomainSetMemoryStatsPeriod(const VgmDriverStore *store, const char *ref, int period,
                                    unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (period < 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the balloon statistics period %1$d is negative"), period);
        return FALSE;
    }
    if (!(dom = vgmDriverDomainLockAndLoad(store, ref, &lock, error)))
        return FALSE;
    return vgmDriverDomainAffect(store, dom, flags, vgmDriverDomainChangeStatsPeriod,
                                 vgmDriverDomainStatsPeriodLive, &period, NULL, error);
}

void
vgmDriverDomainTaintLocked(const VgmDriverStore *store, VgmDriverDomain *dom, VgmDriverTaint taint)
{
    g_autoptr(GError) err = NULL;

    if (!dom->status || (dom->status->taints & (1u << taint)))
        return;
    dom->status->taints |= 1u << taint;
    if (!vgmDriverStoreSaveStatus(store, dom->status, &err))
        g_warning(_("domain '%1$s': cannot record its taint '%2$s': %3$s"), dom->name,
                  vgmDriverTaintTypeToString(taint), err->message);
}

void
vgmDriverDomainTaint(const VgmDriverStore *store, const char *ref, VgmDriverTaint taint)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainGetActive(store, ref, &lock, NULL);

    if (dom)
        vgmDriverDomainTaintLocked(store, dom, taint);
}

char **
vgmDriverDomainMessages(const VgmDriverDomain *dom, unsigned int flags)
{
    GPtrArray *out = g_ptr_array_new();
    const VgmDriverStatus *st = vgmDriverDomainIsActive(dom) ? dom->status : NULL;
    /* what each taint says, after "tainted: " */
    static const char *const meanings[VGM_DRIVER_TAINT_LAST] = {
        [VGM_DRIVER_TAINT_CUSTOM_ARGV] = N_("arguments a user added to QEMU's command line"),
        [VGM_DRIVER_TAINT_CUSTOM_MONITOR] = N_("QEMU monitor commands a client sent"),
        [VGM_DRIVER_TAINT_HIGH_PRIVILEGES] = N_("QEMU runs as root, confined by no security driver"),
        [VGM_DRIVER_TAINT_SHELL_SCRIPTS] = N_("interface scripts run for the network setup"),
        [VGM_DRIVER_TAINT_HOST_CPU] = N_("the host's own CPU passed through"),
        [VGM_DRIVER_TAINT_CUSTOM_GA_COMMAND] = N_("guest agent commands a client sent"),
        [VGM_DRIVER_TAINT_DEPRECATED_CONFIG] = N_("configuration QEMU deprecates"),
    };
    int t;

    if (st && (!flags || (flags & VGM_DOMAIN_MESSAGE_TAINTING))) {
        for (t = 0; t < VGM_DRIVER_TAINT_LAST; t++) {
            if (st->taints & (1u << t))
                g_ptr_array_add(out, g_strdup_printf(_("tainted: %1$s"), _(meanings[t])));
        }
    }
    if (st && st->deprecations && (!flags || (flags & VGM_DOMAIN_MESSAGE_DEPRECATION))) {
        for (char **d = st->deprecations; *d; d++)
            g_ptr_array_add(out, g_strdup_printf(_("deprecated configuration: %1$s"), *d));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

char *
vgmDriverDomainMonitorCommand(const VgmDriverStore *store, const char *ref, const char *cmd,
                              gboolean hmp, int *paused, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) args = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    char *out;

    *paused = -1;
    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)))
        return NULL;
    /* the driver no longer vouches for what QEMU runs (libvirt's taint,
     * whether the command works or not) */
    vgmDriverDomainTaintLocked(store, dom, VGM_DRIVER_TAINT_CUSTOM_MONITOR);
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)))
        return NULL;
    before = vgmDriverProcessQueryStatus(mon, NULL);
    if (!hmp) {
        out = vgmQemuMonitorCommandText(mon, cmd, error);
    } else {
        /* a human monitor command: its text output */
        args = json_object_new();
        json_object_set_string_member(args, "command-line", cmd);
        if (!vgmQemuMonitorCommand(mon, "human-monitor-command", args, &ret, error))
            return NULL;
        if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_STRING) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                        _("QEMU's answer to human-monitor-command is not text"));
            return NULL;
        }
        out = g_strdup(json_node_get_string(ret));
    }
    /* a client stopped the guest or let it run behind the driver's back:
     * as libvirt takes QEMU's STOP and RESUME */
    if (out && before && (after = vgmDriverProcessQueryStatus(mon, NULL)) &&
        g_str_equal(before, "running") != g_str_equal(after, "running") &&
        (g_str_equal(after, "running") || g_str_equal(after, "paused"))) {
        *paused = g_str_equal(after, "paused");
        g_free(dom->status->runReason);
        dom->status->runReason = g_strdup(*paused ? "unknown" : "unpaused");
        if (!vgmDriverStoreSaveStatus(store, dom->status, NULL))
            g_warning(_("domain '%1$s': a monitor command paused or resumed it, which its status cannot keep"),
                      dom->name);
    }
    return out;
}

gboolean
vgmDriverDomainSetAgentTimeout(const VgmDriverStore *store, const char *ref, int timeout,
                               GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)))
        return FALSE;
    dom->status->agentTimeout = timeout;
    return vgmDriverStoreSaveStatus(store, dom->status, error);
}

gboolean
vgmDriverDomainResume(const VgmDriverStore *store, const char *ref,
                      char **name, GError **error)
{
    return vgmDriverDomainRunControl(store, ref, "cont", VGM_DOMAIN_STATE_PAUSED,
                                     N_("domain '%1$s' is not paused"), "unpaused", name, error);
}

gboolean
vgmDriverDomainLiveUpdate(const VgmDriverStore *store, const char *ref,
                          const char *emulator, gint64 *pauseUs, GError **error)
{
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainGetActive(store, ref, &lock, error)))
        return FALSE;
    if (dom->status->state != VGM_DRIVER_STATUS_RUNNING) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is still starting"), dom->name);
        return FALSE;
    }
    return vgmDriverUpdateRun(store, dom->status, dom->def, emulator, pauseUs, error);
}

/* ---- exact lookups ---- */

VgmDriverDomain *
vgmDriverDomainLookupByName(const VgmDriverStore *store, const char *name,
                            unsigned int what, GError **error)
{
    guint files;

    if (vgmDriverStoreCheckName(name, NULL) &&
        ((files = vgmDriverStoreDomainFiles(store, name)) &
         (VGM_DRIVER_STORE_HAS_CONFIG | VGM_DRIVER_STORE_HAS_STATUS))) {
        VgmDriverDomainSeen seen;

        /* which files it has is known (the index, or a look at each): the
         * load need not look for the others again */
        vgmDriverDomainSeenSet(&seen, files, NULL);
        return vgmDriverDomainLoadSeen(store, name, FALSE, &seen, what, error);
    }
    vgmErrorSet(error, VGM_ERR_NO_DOMAIN, _("no domain with matching name '%1$s'"), name);
    return NULL;
}

VgmDriverDomain *
vgmDriverDomainLookupByUUID(const VgmDriverStore *store, const unsigned char *uuid,
                            unsigned int what, GError **error)
{
    g_autoptr(VgmDriverStoreView) view = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autofree char *hint = NULL;
    char str[37];
    guint i;

    /* the name this uuid had last: right unless the domain was renamed
     * or removed meanwhile, which the load tells */
    if ((hint = vgmDriverStoreUUIDHint(store, uuid))) {
        g_autoptr(VgmDriverDomain) dom = vgmDriverDomainLookupByName(store, hint, what, NULL);

        if (dom && memcmp(dom->uuid, uuid, 16) == 0)
            return g_steal_pointer(&dom);
    }
    if (!(view = vgmDriverStoreGetView(store, error)))
        return NULL;
    names = vgmDriverDomainUUIDCandidates(store, view, uuid);
    for (i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        unsigned char other[16];
        gboolean running;
        gboolean broken;

        if (vgmDriverDomainPeekUUID(store, n, view, other, &running, &broken) &&
            memcmp(other, uuid, 16) == 0) {
            vgmDriverStoreSetUUIDHint(store, uuid, n);
            return vgmDriverDomainLookupByName(store, n, what, error);
        }
    }
    vgmDomainUUIDFormat(uuid, str);
    vgmErrorSet(error, VGM_ERR_NO_DOMAIN, _("no domain with matching uuid '%1$s'"), str);
    return NULL;
}

VgmDriverDomain *
vgmDriverDomainLookupByID(const VgmDriverStore *store, int id, GError **error)
{
    g_autoptr(VgmDriverStoreView) view = NULL;
    guint i;

    if (id > 0 && (view = vgmDriverStoreGetView(store, NULL))) {
        for (i = 0; i < view->names->len; i++) {
            const char *n = g_ptr_array_index(view->names, i);
            g_autoptr(VgmDriverStatus) status = NULL;
            g_autoptr(VgmDriverDomain) dom = NULL;

            if (!(vgmDriverStoreViewFiles(view, n) & VGM_DRIVER_STORE_HAS_STATUS) ||
                !(status = vgmDriverStoreLoadStatus(store, n, NULL)) ||
                status->id != id || !vgmDriverProcIdentIsAlive(&status->qemu))
                continue;
            /* the refresh may find it just stopped */
            if ((dom = vgmDriverDomainLoad(store, n, FALSE, NULL)) &&
                vgmDriverDomainIsActive(dom) && dom->id == id)
                return g_steal_pointer(&dom);
        }
    }
    vgmErrorSet(error, VGM_ERR_NO_DOMAIN, _("no domain with matching id %1$d"), id);
    return NULL;
}
