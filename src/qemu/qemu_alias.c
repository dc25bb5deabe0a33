/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_alias.c: the QEMU ids of a domain's devices, named as libvirt names
 * them. A device's id is its <alias name=''/> when it has one (a running
 * domain's device keeps the id it got at the start or its plug);
 * otherwise its kind's prefix and the number libvirt gives it among the
 * devices of its kind (rng0, input2, ...), or for disks and controllers
 * their bus and unit.
 *
 * The lowering asks for each device's id here (vgmQemuListDeviceId and
 * the per-kind helpers); the driver writes them into a running domain's
 * definition with vgmQemuAssignAliases, so that its live XML shows them
 * and a later plug or unplug moves none of them.
 */
#include "config.h"

#include <string.h>

#include "qemu/qemu_alias.h"
#include "qemu/qemu_command.h"

char *
vgmQemuDeviceId(const char *alias, const char *prefix, guint index)
{
    if (alias && alias[0])
        return g_strdup(alias);
    return g_strdup_printf("%s%u", prefix, index);
}

/* The devices numbered among those of a list of VgmDevicesDef: the list,
 * the alias buffer in its elements, the prefix, and how libvirt numbers
 * those without an alias at a start: by their place, or each after the
 * highest number taken (a user alias takes none). A device plugged into a
 * running domain gets the number after the highest either way. */
static const struct {
    size_t list;
    size_t alias;
    const char *prefix;
    gboolean byPlace;
} vgmQemuAliasLists[VGM_QEMU_ALIAS_LIST_LAST] = {
#define VGM_QEMU_ALIAS_LIST_ENTRY(which, member, type, prefix, byPlace) \
    [which] = { G_STRUCT_OFFSET(VgmDevicesDef, member), G_STRUCT_OFFSET(type, alias), \
                prefix, byPlace }
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_SERIAL, serials, VgmChrDef, "serial", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_PARALLEL, parallels, VgmChrDef, "parallel", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_CHANNEL, channels, VgmChrDef, "channel", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_REDIRDEV, redirdevs, VgmChrDef, "redir", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_INPUT, inputs, VgmInputDef, "input", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_SOUND, sounds, VgmSoundDef, "sound", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_VIDEO, videos, VgmVideoDef, "video", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_SHMEM, shmems, VgmShmemDef, "shmem", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_HUB, hubs, VgmHubDef, "hub", TRUE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_RNG, rngs, VgmRngDef, "rng", FALSE),
    VGM_QEMU_ALIAS_LIST_ENTRY(VGM_QEMU_ALIAS_FS, fss, VgmFsDef, "fs", FALSE),
#undef VGM_QEMU_ALIAS_LIST_ENTRY
};

/* The number N of an alias "<prefix>N", or -1 */
static gint64
vgmQemuAliasNumber(const char *alias, const char *prefix)
{
    guint64 n;

    if (!g_str_has_prefix(alias, prefix) ||
        !g_ascii_string_to_unsigned(alias + strlen(prefix), 10, 0, G_MAXINT, &n, NULL))
        return -1;
    return (gint64)n;
}

/* The ids of list @which's devices, in one pass: a device's alias, or
 * the number a start or plug gives it after the devices before it (the
 * numbers after the highest an alias holds; by place, a device keeps
 * its place's number when it is free) */
GPtrArray *
vgmQemuListDeviceIds(const VgmDomainDef *def, VgmQemuAliasList which)
{
    GPtrArray *list = G_STRUCT_MEMBER(GPtrArray *, &def->devices, vgmQemuAliasLists[which].list);
    size_t offset = vgmQemuAliasLists[which].alias;
    const char *prefix = vgmQemuAliasLists[which].prefix;
    GPtrArray *ids = g_ptr_array_new_full(list->len, g_free);
    gint64 next = 0;
    guint i;

    for (i = 0; i < list->len; i++) {
        const char *alias = G_STRUCT_MEMBER_P(g_ptr_array_index(list, i), offset);

        if (alias[0])
            next = MAX(next, vgmQemuAliasNumber(alias, prefix) + 1);
    }
    for (i = 0; i < list->len; i++) {
        const char *alias = G_STRUCT_MEMBER_P(g_ptr_array_index(list, i), offset);
        gint64 n;

        if (alias[0]) {
            g_ptr_array_add(ids, g_strdup(alias));
            continue;
        }
        n = vgmQemuAliasLists[which].byPlace ? MAX((gint64)i, next) : next;
        next = n + 1;
        g_ptr_array_add(ids, g_strdup_printf("%s%" G_GINT64_FORMAT, prefix, n));
    }
    return ids;
}

char *
vgmQemuListDeviceId(const VgmDomainDef *def, VgmQemuAliasList which, guint index)
{
    GPtrArray *list = G_STRUCT_MEMBER(GPtrArray *, &def->devices, vgmQemuAliasLists[which].list);
    const char *alias = G_STRUCT_MEMBER_P(g_ptr_array_index(list, index),
                                          vgmQemuAliasLists[which].alias);
    g_autoptr(GPtrArray) ids = NULL;

    if (alias[0])
        return g_strdup(alias);
    ids = vgmQemuListDeviceIds(def, which);
    return g_strdup(g_ptr_array_index(ids, index));
}

/* The id libvirt gives controller @type @index of @model */
static char *
vgmQemuControllerDefaultId(const VgmDomainDef *def, const char *type, const char *model,
                           unsigned int index)
{
    if (g_str_equal(type, "pci")) {
        /* the root bus is QEMU's own, named by the machine */
        if (g_strcmp0(model, "pcie-root") == 0)
            return g_strdup("pcie.0");
        return g_strdup_printf("pci.%u", index);
    }
    if (g_str_equal(type, "usb"))
        return index ? g_strdup_printf("usb%u", index) : g_strdup("usb");
    /* q35's own AHCI and the PC's own IDE controller are QEMU's "ide" */
    if (vgmQemuControllerIsMachines(def, type, index))
        return g_strdup("ide");
    return g_strdup_printf("%s%u", type, index);
}

gboolean
vgmQemuControllerIsMachines(const VgmDomainDef *def, const char *type, unsigned int index)
{
    return index == 0 &&
           (g_str_equal(type, "pci") || g_str_equal(type, "ide") ||
            (g_str_equal(type, "sata") && vgmDomainPciMachineKind(def) == 2));
}

char *
vgmQemuControllerId(const VgmDomainDef *def, const VgmControllerDef *c)
{
    if (c->alias[0])
        return g_strdup(c->alias);
    return vgmQemuControllerDefaultId(def, c->type, c->model, c->index);
}

char *
vgmQemuControllerBusId(const VgmDomainDef *def, const char *type, unsigned int index)
{
    const char *model = NULL;
    guint i;

    for (i = 0; i < def->devices.controllers->len; i++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, i);

        /* (a USB companion is on its master's bus) */
        if (!g_str_equal(c->type, type) || c->index != index || c->haveMaster)
            continue;
        /* the machine's own buses keep QEMU's names, whatever the alias
         * (as libvirt writes them) */
        if (c->alias[0] && !vgmQemuControllerIsMachines(def, type, index))
            return g_strdup(c->alias);
        model = c->model;
        break;
    }
    return vgmQemuControllerDefaultId(def, type, model, index);
}

/* A console's id: a serial console is its serial port (the port of its
 * number), a virtio console consoleN */
char *
vgmQemuConsoleId(const VgmDomainDef *def, guint index)
{
    const VgmChrDef *chr = g_ptr_array_index(def->devices.consoles, index);

    /* (whatever alias the console itself was given) */
    if ((!chr->targetType || !g_str_equal(chr->targetType, "virtio")) &&
        index < def->devices.serials->len) {
        return vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_SERIAL, index);
    }
    return vgmQemuDeviceId(chr->alias, "console", index);
}

/* The alias buffer of smartcard @sc: a passthrough card's is its
 * character device's, which holds the element */
static char *
vgmQemuSmartcardAlias(VgmSmartcardDef *sc)
{
    return sc->chr ? sc->chr->alias : sc->alias;
}

char *
vgmQemuSmartcardId(const VgmSmartcardDef *sc, guint index)
{
    return vgmQemuDeviceId(sc->chr ? sc->chr->alias : sc->alias, "smartcard", index);
}

/* The devices of which a domain has at most one, and their ids */
static const struct {
    size_t member;              /* the pointer in VgmDevicesDef */
    size_t alias;
    const char *id;
} vgmQemuAliasSingles[] = {
    { G_STRUCT_OFFSET(VgmDevicesDef, memballoon), G_STRUCT_OFFSET(VgmMemballoonDef, alias),
      VGM_QEMU_BALLOON_ID },
    { G_STRUCT_OFFSET(VgmDevicesDef, watchdog), G_STRUCT_OFFSET(VgmWatchdogDef, alias),
      "watchdog0" },
    { G_STRUCT_OFFSET(VgmDevicesDef, tpm), G_STRUCT_OFFSET(VgmTpmDef, alias), "tpm0" },
    { G_STRUCT_OFFSET(VgmDevicesDef, iommu), G_STRUCT_OFFSET(VgmIommuDef, alias), "iommu0" },
    { G_STRUCT_OFFSET(VgmDevicesDef, vsock), G_STRUCT_OFFSET(VgmVsockDef, alias), "vsock0" },
};

const char *
vgmQemuSingleId(const char *alias, const char *id)
{
    return alias && alias[0] ? alias : id;
}

void
vgmQemuAssignAliases(VgmDomainDef *def)
{
    VgmDevicesDef *devs = &def->devices;
    size_t k;
    guint i;

    for (i = 0; i < devs->disks->len; i++) {
        VgmDiskDef *d = g_ptr_array_index(devs->disks, i);
        g_autofree char *id = vgmQemuDiskDeviceId(def, d);

        g_strlcpy(d->alias, id, sizeof(d->alias));
    }
    for (i = 0; i < devs->controllers->len; i++) {
        VgmControllerDef *c = g_ptr_array_index(devs->controllers, i);
        g_autofree char *id = vgmQemuControllerId(def, c);

        g_strlcpy(c->alias, id, sizeof(c->alias));
    }
    for (k = 0; k < G_N_ELEMENTS(vgmQemuAliasLists); k++) {
        GPtrArray *list = G_STRUCT_MEMBER(GPtrArray *, devs, vgmQemuAliasLists[k].list);
        /* (all numbered before any is written: a number depends on the
         * aliases the devices had) */
        g_autoptr(GPtrArray) ids = vgmQemuListDeviceIds(def, k);

        for (i = 0; i < list->len; i++)
            g_strlcpy(G_STRUCT_MEMBER_P(g_ptr_array_index(list, i), vgmQemuAliasLists[k].alias),
                      g_ptr_array_index(ids, i), VGM_DEVICE_ALIAS_MAX);
    }
    /* (after the serial ports, whose ids serial consoles take) */
    for (i = 0; i < devs->consoles->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(devs->consoles, i);
        g_autofree char *id = vgmQemuConsoleId(def, i);

        g_strlcpy(chr->alias, id, sizeof(chr->alias));
    }
    for (i = 0; i < devs->smartcards->len; i++) {
        VgmSmartcardDef *sc = g_ptr_array_index(devs->smartcards, i);
        char *alias = vgmQemuSmartcardAlias(sc);

        if (!alias[0])
            g_snprintf(alias, VGM_DEVICE_ALIAS_MAX, "smartcard%u", i);
    }
    for (k = 0; k < G_N_ELEMENTS(vgmQemuAliasSingles); k++) {
        gpointer dev = G_STRUCT_MEMBER(gpointer, devs, vgmQemuAliasSingles[k].member);
        char *alias;

        /* (a balloon of model 'none' is no device) */
        if (!dev || (dev == (gpointer)devs->memballoon &&
                     g_strcmp0(devs->memballoon->model, "none") == 0))
            continue;
        alias = G_STRUCT_MEMBER_P(dev, vgmQemuAliasSingles[k].alias);
        if (!alias[0])
            g_strlcpy(alias, vgmQemuAliasSingles[k].id, VGM_DEVICE_ALIAS_MAX);
    }
    /* interfaces and memory devices: their own fields */
    vgmDomainDefAssignLiveAliases(def);
}
