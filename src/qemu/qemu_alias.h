/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"

/* The QEMU id of a device numbered by its place: @alias when it has one,
 * else @prefix and @index ("rng1") */
char *vgmQemuDeviceId(const char *alias, const char *prefix, guint index);
/* The lists of devices numbered among their kind */
typedef enum {
    VGM_QEMU_ALIAS_SERIAL,
    VGM_QEMU_ALIAS_PARALLEL,
    VGM_QEMU_ALIAS_CHANNEL,
    VGM_QEMU_ALIAS_REDIRDEV,
    VGM_QEMU_ALIAS_INPUT,
    VGM_QEMU_ALIAS_SOUND,
    VGM_QEMU_ALIAS_VIDEO,
    VGM_QEMU_ALIAS_SHMEM,
    VGM_QEMU_ALIAS_HUB,
    VGM_QEMU_ALIAS_RNG,
    VGM_QEMU_ALIAS_FS,

    VGM_QEMU_ALIAS_LIST_LAST
} VgmQemuAliasList;

/* The id of device @index of list @which: its alias, or its kind's
 * prefix and the number libvirt gives it (rng0, input2, ...) */
char *vgmQemuListDeviceId(const VgmDomainDef *def, VgmQemuAliasList which, guint index);
/* The ids of all of list @which's devices, computed in one pass (a loop
 * over a list takes them from here: the id of one device looks at the
 * devices before it) */
GPtrArray *vgmQemuListDeviceIds(const VgmDomainDef *def, VgmQemuAliasList which);
/* The id of a device of which a domain has at most one: @alias when it
 * has one, else @id */
const char *vgmQemuSingleId(const char *alias, const char *id);
/* Controller @c's id, as libvirt names it ("pci.1", "usb", "scsi0", q35's
 * own AHCI "ide"); its children's bus is named after it */
char *vgmQemuControllerId(const VgmDomainDef *def, const VgmControllerDef *c);
/* Whether controller @type @index is the machine's own (the PCI root,
 * the PC's IDE, q35's AHCI): QEMU names its bus, whatever the alias */
gboolean vgmQemuControllerIsMachines(const VgmDomainDef *def, const char *type,
                                     unsigned int index);
/* The id of the bus owner controller @type @index (its children's "bus"
 * is that and ".N"): its alias, except on the machine's own */
char *vgmQemuControllerBusId(const VgmDomainDef *def, const char *type, unsigned int index);
/* Console @index's id: a serial console's is its serial port's */
char *vgmQemuConsoleId(const VgmDomainDef *def, guint index);
char *vgmQemuSmartcardId(const VgmSmartcardDef *sc, guint index);

/* Writes every device's id into its alias (those that have one keep it;
 * a device without one plugged into a running domain gets the number
 * after the highest of its kind), as a running domain's definition has
 * them */
void vgmQemuAssignAliases(VgmDomainDef *def);
