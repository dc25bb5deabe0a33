/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_alias.c: the QEMU ids of a domain's devices, named as libvirt names
 * them. A device's id is its <alias name=''/> when it has one (a running
 * domain's device keeps the id it got at the start or its plug);
 * otherwise its kind's prefix and its place among the devices of its kind
 * (rng0, rng1, ...), or for disks and controllers their bus and unit.
 *
 * The lowering asks for each device's id here (vgmQemuDeviceId and the
 * per-kind helpers); the driver writes them into a running domain's
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

/* The devices numbered by their place in a list of VgmDevicesDef: the
 * list, the alias buffer in its elements, the prefix */
typedef struct {
    size_t list;
    size_t alias;
    const char *prefix;
} VgmQemuAliasKind;

#define VGM_QEMU_ALIAS_KIND(member, type, prefix) \
    { G_STRUCT_OFFSET(VgmDevicesDef, member), G_STRUCT_OFFSET(type, alias), prefix }

static const VgmQemuAliasKind vgmQemuAliasKinds[] = {
    VGM_QEMU_ALIAS_KIND(serials, VgmChrDef, "serial"),
    VGM_QEMU_ALIAS_KIND(parallels, VgmChrDef, "parallel"),
    VGM_QEMU_ALIAS_KIND(channels, VgmChrDef, "channel"),
    VGM_QEMU_ALIAS_KIND(redirdevs, VgmChrDef, "redir"),
    VGM_QEMU_ALIAS_KIND(inputs, VgmInputDef, "input"),
    VGM_QEMU_ALIAS_KIND(sounds, VgmSoundDef, "sound"),
    VGM_QEMU_ALIAS_KIND(videos, VgmVideoDef, "video"),
    VGM_QEMU_ALIAS_KIND(rngs, VgmRngDef, "rng"),
    VGM_QEMU_ALIAS_KIND(shmems, VgmShmemDef, "shmem"),
    VGM_QEMU_ALIAS_KIND(fss, VgmFsDef, "fs"),
    VGM_QEMU_ALIAS_KIND(hubs, VgmHubDef, "hub"),
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

/* Numbers the devices of @list without an alias: each its place, or past
 * the highest number an alias of @prefix already has (a device plugged
 * into a running domain), as libvirt numbers them */
static void
vgmQemuAssignNumbered(GPtrArray *list, size_t aliasOffset, const char *prefix)
{
    gint64 next = 0;
    guint i;

    for (i = 0; i < list->len; i++) {
        const char *alias = G_STRUCT_MEMBER_P(g_ptr_array_index(list, i), aliasOffset);

        if (alias[0])
            next = MAX(next, vgmQemuAliasNumber(alias, prefix) + 1);
    }
    for (i = 0; i < list->len; i++) {
        char *alias = G_STRUCT_MEMBER_P(g_ptr_array_index(list, i), aliasOffset);
        gint64 n;

        if (alias[0])
            continue;
        n = MAX((gint64)i, next);
        g_snprintf(alias, VGM_DEVICE_ALIAS_MAX, "%s%" G_GINT64_FORMAT, prefix, n);
        next = n + 1;
    }
}

char *
vgmQemuControllerId(const VgmDomainDef *def, const VgmControllerDef *c)
{
    if (c->alias[0])
        return g_strdup(c->alias);
    if (g_str_equal(c->type, "pci")) {
        /* the root bus is QEMU's own, named by the machine */
        if (g_strcmp0(c->model, "pcie-root") == 0)
            return g_strdup("pcie.0");
        return g_strdup_printf("pci.%u", c->index);
    }
    if (g_str_equal(c->type, "usb"))
        return c->index ? g_strdup_printf("usb%u", c->index) : g_strdup("usb");
    /* q35's own AHCI and the PC's own IDE controller are QEMU's "ide" */
    if ((g_str_equal(c->type, "sata") && c->index == 0 && vgmDomainPciMachineKind(def) == 2) ||
        (g_str_equal(c->type, "ide") && c->index == 0))
        return g_strdup("ide");
    return g_strdup_printf("%s%u", c->type, c->index);
}

/* A console's id: a serial console is its serial port (the port of its
 * number), a virtio console consoleN */
char *
vgmQemuConsoleId(const VgmDomainDef *def, guint index)
{
    const VgmChrDef *chr = g_ptr_array_index(def->devices.consoles, index);

    if (chr->alias[0])
        return g_strdup(chr->alias);
    if (!chr->targetType || !g_str_equal(chr->targetType, "virtio")) {
        if (index < def->devices.serials->len) {
            const VgmChrDef *serial = g_ptr_array_index(def->devices.serials, index);

            return vgmQemuDeviceId(serial->alias, "serial", index);
        }
    }
    return vgmQemuDeviceId(NULL, "console", index);
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
    for (k = 0; k < G_N_ELEMENTS(vgmQemuAliasKinds); k++)
        vgmQemuAssignNumbered(G_STRUCT_MEMBER(GPtrArray *, devs, vgmQemuAliasKinds[k].list),
                              vgmQemuAliasKinds[k].alias, vgmQemuAliasKinds[k].prefix);
    /* (after the serial ports, whose ids serial consoles take) */
    for (i = 0; i < devs->consoles->len; i++) {
        g_autofree char *id = vgmQemuConsoleId(def, i);
        VgmChrDef *chr = g_ptr_array_index(devs->consoles, i);

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

        if (!dev)
            continue;
        alias = G_STRUCT_MEMBER_P(dev, vgmQemuAliasSingles[k].alias);
        if (!alias[0])
            g_strlcpy(alias, vgmQemuAliasSingles[k].id, VGM_DEVICE_ALIAS_MAX);
    }
    /* interfaces and memory devices: their own fields */
    vgmDomainDefAssignLiveAliases(def);
}
