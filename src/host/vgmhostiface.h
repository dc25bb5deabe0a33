/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmhostiface.h: the host's network interfaces as libvirt's interface
 * driver (its udev backend) shows them.
 *
 * virConnectListAllInterfaces, virInterfaceGetXMLDesc and the calls
 * around them (virsh iface-list, iface-dumpxml, iface-mac, iface-name)
 * read the interfaces of sysfs's net class at each call: an interface is
 * active when its operstate is "up"; bridge ports and tun/tap devices are
 * not listed (a bridge shows its ports); the XML is an ethernet, bridge,
 * bond or vlan interface with its MTU, link, MAC address and members, as
 * libvirt formats it. Read-only, as libvirt's udev backend: nothing is
 * defined, started or stopped.
 */
#pragma once

#include <glib.h>

typedef struct {
    char *name;
    char *mac;        /* NULL when sysfs shows none */
    char *operstate;  /* "up", "down", "unknown", ... */
} VgmHostIface;

void vgmHostIfaceFree(VgmHostIface *iface);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmHostIface, vgmHostIfaceFree)

/* The host's interfaces (VgmHostIface, sorted by name) under the sysfs
 * root @sysfs (NULL: "/sys"), without bridge ports and tun/tap devices.
 * Fails only when the net class cannot be read. */
GPtrArray *vgmHostIfaceList(const char *sysfs, GError **error);

/* Interface @name of @sysfs, whatever it is (a bridge's port, a tap), or
 * NULL with VGM_ERR_NO_INTERFACE when the host has none of that name */
VgmHostIface *vgmHostIfaceGet(const char *sysfs, const char *name, GError **error);

/* Interface @name's XML, read now from @sysfs and, for a VLAN, the procfs
 * root @procfs (NULL: "/proc"). An interface the host lacks is
 * VGM_ERR_NO_INTERFACE; one whose facts cannot be read (a bond without its
 * bonding directory, a VLAN without its /proc/net/vlan entry) an error
 * that says which. */
char *vgmHostIfaceFormat(const char *sysfs, const char *procfs, const char *name,
                         GError **error);
