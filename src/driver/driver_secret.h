/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_secret.h: libvirt's secret API, a store of secret values (a
 * vTPM's passphrase, a disk's key) that clients define and set and the
 * driver reads when it starts a domain (an encrypted TPM state).
 *
 * A secret has a uuid, a usage (libvirt's virSecretUsageType: none,
 * volume, ceph, iscsi, tls, vtpm, with its id: a path, a name or a
 * target), whether it is ephemeral (never written to disk: it lives in
 * the memory of the process that defined it, which is the daemon's for
 * its clients) and whether it is private (its value never goes back to a
 * client; the driver itself reads it).
 *
 * Layout (beside the domains' dirs of driver_store.h), each file 0600 and
 * written with vgmFileWriteAtomic:
 *   ROOT/etc/secrets/UUID.xml        the definition, canonical XML
 *   ROOT/etc/secrets/UUID.base64     the value, base64
 * Changes are serialised in the process by one mutex.
 *
 * Errors: no such secret (or no value) VGM_ERR_NO_SECRET, the value of a
 * private secret VGM_ERR_INVALID_SECRET, bad XML VGM_ERR_XML, a usage or
 * flag clash VGM_ERR_OPERATION_FAILED. A call that fails changes nothing.
 */
#pragma once

#include <glib.h>

#include "driver_store.h"

typedef struct _VgmDriver VgmDriver;

/* libvirt's virSecretUsageType */
typedef enum {
    VGM_SECRET_USAGE_NONE = 0,
    VGM_SECRET_USAGE_VOLUME,
    VGM_SECRET_USAGE_CEPH,
    VGM_SECRET_USAGE_ISCSI,
    VGM_SECRET_USAGE_TLS,
    VGM_SECRET_USAGE_VTPM,

    VGM_SECRET_USAGE_LAST
} VgmSecretUsage;

typedef struct {
    unsigned char uuid[16];
    VgmSecretUsage usageType;
    char *usageID;              /* "" for usage none */
} VgmSecret;

void vgmSecretFree(VgmSecret *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSecret, vgmSecretFree)

/* virConnectListAllSecretsFlags: EPHEMERAL 1, NO_EPHEMERAL 2, PRIVATE 4,
 * NO_PRIVATE 8; secrets sorted by uuid. */
GPtrArray *vgmDriverSecretList(VgmDriver *drv, unsigned int flags, GError **error);
VgmSecret *vgmDriverSecretLookupByUUID(VgmDriver *drv, const unsigned char *uuid,
                                       GError **error);
VgmSecret *vgmDriverSecretLookupByUsage(VgmDriver *drv, int usageType, const char *usageID,
                                        GError **error);
/* Defines the secret in @xml, or redefines the one of its uuid (same
 * usage, and a private one stays private); its value stays. */
VgmSecret *vgmDriverSecretDefineXML(VgmDriver *drv, const char *xml, unsigned int flags,
                                    GError **error);
char *vgmDriverSecretGetXMLDesc(VgmDriver *drv, const unsigned char *uuid, unsigned int flags,
                                GError **error);
gboolean vgmDriverSecretSetValue(VgmDriver *drv, const unsigned char *uuid,
                                 const guint8 *value, gsize len, unsigned int flags,
                                 GError **error);
/* @forClient: a client asks (a private secret's value is refused); else
 * the driver reads it for its own use. */
GBytes *vgmDriverSecretGetValue(VgmDriver *drv, const unsigned char *uuid, unsigned int flags,
                                gboolean forClient, GError **error);
gboolean vgmDriverSecretUndefine(VgmDriver *drv, const unsigned char *uuid, GError **error);
/* For the driver's own use (an encrypted TPM's start): the value of
 * secret @uuid of @store, which must be of @usage. */
GBytes *vgmDriverSecretValueFor(const VgmDriverStore *store, const unsigned char *uuid,
                                VgmSecretUsage usage, GError **error);
/* The same for a secret of usage @usageType (libvirt's name: 'ceph',
 * 'iscsi', ...) named by @uuid or, when that is NULL, by its usage id
 * @usageID */
GBytes *vgmDriverSecretValueForRef(const VgmDriverStore *store, const char *usageType,
                                   const unsigned char *uuid, const char *usageID,
                                   GError **error);
