/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"

/* The QEMU id of a device numbered by its place: @alias when it has one,
 * else @prefix and @index ("rng1") */
char *vgmQemuDeviceId(const char *alias, const char *prefix, guint index);
/* The id of a device of which a domain has at most one: @alias when it
 * has one, else @id */
const char *vgmQemuSingleId(const char *alias, const char *id);
/* Controller @c's id, as libvirt names it ("pci.1", "usb", "scsi0", q35's
 * own AHCI "ide"); its children's bus is named after it */
char *vgmQemuControllerId(const VgmDomainDef *def, const VgmControllerDef *c);
/* Console @index's id: a serial console's is its serial port's */
char *vgmQemuConsoleId(const VgmDomainDef *def, guint index);
char *vgmQemuSmartcardId(const VgmSmartcardDef *sc, guint index);

/* Writes every device's id into its alias (those that have one keep it;
 * a device without one plugged into a running domain gets the number
 * after the highest of its kind), as a running domain's definition has
 * them */
void vgmQemuAssignAliases(VgmDomainDef *def);
