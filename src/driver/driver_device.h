/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_device.h: a device attached to, detached from or updated in a
 * domain definition (libvirt's virDomainAttachDeviceFlags,
 * virDomainDetachDeviceFlags and virDomainUpdateDeviceFlags on the
 * persistent config).
 */
#pragma once

#include <glib.h>

typedef enum {
    VGM_DRIVER_DEVICE_ATTACH = 0,
    VGM_DRIVER_DEVICE_DETACH,
    VGM_DRIVER_DEVICE_UPDATE,

    VGM_DRIVER_DEVICE_LAST
} VgmDriverDeviceOp;

/*
 * The domain XML @domainXml with the device element @deviceXml (one
 * element of <devices>) attached (appended to <devices>), detached (the
 * one device it names removed) or updated (the device it names replaced
 * by it), as libvirt does it to a persistent config: which elements each
 * operation takes, how a device is named (a disk by its target, an
 * interface by its MAC, a controller by type and index, ...; an <alias>
 * or <address> given must match too) and which attaches are refused as
 * duplicates. The result still has to be checked as a define checks it.
 * Errors: VGM_ERR_XML (not one known device element),
 * VGM_ERR_NO_SUPPORT (an element libvirt does not change so),
 * VGM_ERR_DEVICE_MISSING (detach: nothing matches), VGM_ERR_INVALID_ARG
 * (update: nothing matches), VGM_ERR_OPERATION_FAILED (more than one
 * matches), VGM_ERR_OPERATION_INVALID (attach: a duplicate).
 */
char *vgmDriverDeviceChangeXML(const char *domainXml, const char *deviceXml,
                               VgmDriverDeviceOp op, GError **error);
/* The XML of the device of @domainXml whose <alias name=''> is @alias
 * (libvirt's virDomainDetachDeviceAlias names a device so); NULL with
 * VGM_ERR_DEVICE_MISSING when none has it */
char *vgmDriverDeviceFindAlias(const char *domainXml, const char *alias, GError **error);
