/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmnodedev.h: the host's devices as libvirt's node device driver lists
 * them.
 *
 * virConnectListAllNodeDevices, virNodeDeviceGetXMLDesc and the calls
 * around them (virsh nodedev-list, nodedev-dumpxml; Nova's PCI and SR-IOV
 * inventory; virt-manager's list of host interfaces for macvtap) are
 * answered from sysfs, with udev's database (/run/udev/data) for the
 * properties only udev knows (disk serials and types, USB names, device
 * links) where udev runs, and pci.ids for PCI names, as libvirt's udev
 * driver gets them. Each scan reads the host afresh (the driver keeps one
 * for a second), and each device's XML is read when it is asked for.
 *
 * Reported: the computer (system), PCI devices (with SR-IOV functions,
 * IOMMU groups, NUMA node, mediated device types, header type and PCI
 * Express links), USB devices and interfaces, network interfaces (link
 * state and speed, offload features), SCSI hosts (Fibre Channel and vport
 * capabilities), targets (FC remote ports) and devices, disks and optical
 * drives, SCSI generic devices and DRM devices. Not reported: mediated
 * devices themselves, vDPA, s390's CCW, CSS and AP devices and PCI VPD;
 * the capabilities of those are never set on a device.
 */
#pragma once

#include <glib.h>

#include "util/vgmenum.h"
#include "util/vgmxml.h"

/* libvirt's virNodeDevCapType, in its order: capability N is bit N of
 * virConnectListAllNodeDevices' flags. */
typedef enum {
    VGM_NODEDEV_CAP_SYSTEM,
    VGM_NODEDEV_CAP_PCI,
    VGM_NODEDEV_CAP_USB_DEV,
    VGM_NODEDEV_CAP_USB_INTERFACE,
    VGM_NODEDEV_CAP_NET,
    VGM_NODEDEV_CAP_SCSI_HOST,
    VGM_NODEDEV_CAP_SCSI_TARGET,
    VGM_NODEDEV_CAP_SCSI,
    VGM_NODEDEV_CAP_STORAGE,
    VGM_NODEDEV_CAP_FC_HOST,
    VGM_NODEDEV_CAP_VPORTS,
    VGM_NODEDEV_CAP_SCSI_GENERIC,
    VGM_NODEDEV_CAP_DRM,
    VGM_NODEDEV_CAP_MDEV_TYPES,
    VGM_NODEDEV_CAP_MDEV,
    VGM_NODEDEV_CAP_CCW,
    VGM_NODEDEV_CAP_CSS,
    VGM_NODEDEV_CAP_VDPA,
    VGM_NODEDEV_CAP_AP_CARD,
    VGM_NODEDEV_CAP_AP_QUEUE,
    VGM_NODEDEV_CAP_AP_MATRIX,
    VGM_NODEDEV_CAP_VPD,

    VGM_NODEDEV_CAP_LAST
} VgmNodeDevCap;

VGM_ENUM_DECL(vgmNodeDevCap);

/* Where the host's facts are read; a NULL member is the real host's. */
typedef struct {
    const char *sysfs;   /* "/sys" */
    const char *udevDb;  /* "/run/udev/data": absent when udev does not run */
    const char *pciIds;  /* "/usr/share/misc/pci.ids" */
    gboolean noEthtool;  /* do not ask the kernel for a net device's
                          * offloads (a fake sysfs has no such devices) */
} VgmNodeDevHost;

typedef struct {
    char *name;         /* libvirt's name: "pci_0000_00_02_0", "computer" */
    char *path;         /* the device's directory under the sysfs root;
                         * NULL for the computer */
    char *parent;       /* NULL for the computer */
    VgmNodeDevCap type; /* the capability the device is */
    guint64 caps;       /* bit per VgmNodeDevCap: the type and the nested
                         * capabilities it has (fc_host, vports, mdev_types) */
} VgmNodeDev;

void vgmNodeDevFree(VgmNodeDev *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmNodeDev, vgmNodeDevFree)

/*
 * The host's devices (VgmNodeDev, sorted by name, the computer among
 * them), each with the parent libvirt gives it: the nearest device above
 * it in sysfs that is itself listed, else the computer. A device whose
 * facts cannot be read (gone while being read, a disk of a kind libvirt
 * does not list, such as a loop device) is left out. Fails only when the
 * sysfs root cannot be read.
 */
GPtrArray *vgmNodeDevScan(const VgmNodeDevHost *host, GError **error);

/* The device called @name in @devs, or NULL. */
const VgmNodeDev *vgmNodeDevFind(GPtrArray *devs, const char *name);

/* The names of @dev's capabilities, its type first (libvirt's
 * virNodeDeviceListCaps). */
GPtrArray *vgmNodeDevCapNames(const VgmNodeDev *dev);

/* @dev's XML as libvirt's virNodeDeviceGetXMLDesc writes it, its facts
 * read now. A device gone since the scan is VGM_ERR_NO_NODE_DEVICE. */
char *vgmNodeDevFormat(const VgmNodeDevHost *host, const VgmNodeDev *dev, GError **error);

/* The SCSI host whose Fibre Channel port has WWNN @wwnn and WWPN @wwpn
 * (hex, as nodedev XML shows them; case and a 0x prefix ignored), or
 * NULL. */
const VgmNodeDev *vgmNodeDevFindSCSIHostByWWN(const VgmNodeDevHost *host, GPtrArray *devs,
                                              const char *wwnn, const char *wwpn);

/* Attribute @attr of the sysfs directory @dir (a device's), without the
 * white space around it and fit for XML text, or NULL when it is missing,
 * unreadable or empty (as libvirt reads sysfs attributes) */
char *vgmHostSysfsAttr(const char *dir, const char *attr);
/* Whether the sysfs directory @dir has attribute (or entry) @attr */
gboolean vgmHostSysfsAttrExists(const char *dir, const char *attr);

/* A network interface's <link speed state/> as libvirt writes it, from
 * the operstate and speed of its sysfs directory @dir: the speed only of
 * a link that is up, nothing when neither is known. */
void vgmHostNetLinkFormat(VgmBuf *buf, const char *dir);
