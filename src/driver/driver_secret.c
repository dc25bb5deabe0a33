/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_secret.c: secrets (see driver_secret.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "driver_secret.h"
#include "driver_conn.h"
#include "driver_store.h"
#include "conf/domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

#define VGM_SECRET_XML_MAX (64 * 1024)
#define VGM_SECRET_VALUE_MAX 65536      /* libvirt's REMOTE_SECRET_VALUE_MAX */

/* virConnectListAllSecretsFlags */
#define VGM_LIST_SECRETS_EPHEMERAL (1u << 0)
#define VGM_LIST_SECRETS_NO_EPHEMERAL (1u << 1)
#define VGM_LIST_SECRETS_PRIVATE (1u << 2)
#define VGM_LIST_SECRETS_NO_PRIVATE (1u << 3)

VGM_ENUM_DECL(vgmSecretUsage);
VGM_ENUM_IMPL(vgmSecretUsage, VGM_SECRET_USAGE_LAST,
              "none", "volume", "ceph", "iscsi", "tls", "vtpm");

/* The element of <usage> that holds each usage type's id */
static const char *const vgmSecretUsageElems[VGM_SECRET_USAGE_LAST] = {
    [VGM_SECRET_USAGE_VOLUME] = "volume",
    [VGM_SECRET_USAGE_CEPH] = "name",
    [VGM_SECRET_USAGE_ISCSI] = "target",
    [VGM_SECRET_USAGE_TLS] = "name",
    [VGM_SECRET_USAGE_VTPM] = "name",
};

typedef struct {
    unsigned char uuid[16];
    gboolean ephemeral;
    gboolean isPrivate;
    char *description;
    VgmSecretUsage usage;
    char *usageID;              /* NULL for usage none */
} VgmSecretDef;

static void
vgmSecretDefFree(VgmSecretDef *def)
{
    if (!def)
        return;
    g_free(def->description);
    g_free(def->usageID);
    g_free(def);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmSecretDef, vgmSecretDefFree)

void
vgmSecretFree(VgmSecret *secret)
{
    if (!secret)
        return;
    g_free(secret->usageID);
    g_free(secret);
}

/* Everything below runs under this lock. */
static GMutex vgmSecretLock;
/* The ephemeral secrets of every driver of the process: "DIR/UUID" ->
 * VgmSecretEphemeral. They are never written to disk. */
static GHashTable *vgmSecretEphemerals;

typedef struct {
    VgmSecretDef *def;
    GBytes *value;              /* NULL: none set yet */
} VgmSecretEphemeral;

static void
vgmSecretEphemeralFree(VgmSecretEphemeral *e)
{
    vgmSecretDefFree(e->def);
    if (e->value)
        g_bytes_unref(e->value);
    g_free(e);
}

/* ---- paths ---- */

static char *
vgmSecretDir(const VgmDriverStore *store)
{
    return vgmDriverStoreObjectDir(store, FALSE, "secrets");
}

static char *
vgmSecretPath(const VgmDriverStore *store, const unsigned char *uuid, const char *suffix)
{
    g_autofree char *dir = vgmSecretDir(store);
    char str[37];
    g_autofree char *file = NULL;

    vgmDomainUUIDFormat(uuid, str);
    file = g_strdup_printf("%s%s", str, suffix);
    return g_build_filename(dir, file, NULL);
}

static GHashTable *
vgmSecretEphemeralTable(void)
{
    if (!vgmSecretEphemerals)
        vgmSecretEphemerals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                    (GDestroyNotify)vgmSecretEphemeralFree);
    return vgmSecretEphemerals;
}

/* ---- XML ---- */

static VgmSecretDef *
vgmSecretDefParse(const char *xml, const char *what, GError **error)
{
    g_autoptr(VgmSecretDef) def = g_new0(VgmSecretDef, 1);
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root, node;
    VgmTristate t = VGM_TRISTATE_ABSENT;
    g_autofree char *uuid = NULL;

    if (strlen(xml) > VGM_SECRET_XML_MAX) {
        vgmErrorSet(error, VGM_ERR_XML, _("a secret's XML is at most %1$d bytes"),
                    VGM_SECRET_XML_MAX);
        return NULL;
    }
    if (!(doc = vgmXMLParseString(xml, what, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !g_str_equal((const char *)root->name, "secret")) {
        vgmErrorSet(error, VGM_ERR_XML, _("expected root element <secret>, found <%1$s>"),
                    root ? (const char *)root->name : "");
        return NULL;
    }
    if (!vgmXMLCheckNode(root, (const char *const[]){ "ephemeral", "private", NULL },
                         (const char *const[]){ "uuid", "description", "usage", NULL }, error) ||
        vgmXMLPropTristateBool(root, "ephemeral", 0, &t, error) < 0)
        return NULL;
    def->ephemeral = t == VGM_TRISTATE_YES;
    t = VGM_TRISTATE_ABSENT;
    if (vgmXMLPropTristateBool(root, "private", 0, &t, error) < 0)
        return NULL;
    def->isPrivate = t == VGM_TRISTATE_YES;

    if (vgmXMLSingleChild(root, "uuid", &node, error) < 0)
        return NULL;
    if (node) {
        uuid = vgmXMLNodeContent(node);
        if (!uuid || !vgmDomainUUIDParse(g_strstrip(uuid), def->uuid)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' in element <uuid> of <secret>: expected 32 hexadecimal digits"),
                        uuid ? uuid : "");
            return NULL;
        }
    } else {
        vgmDomainRandomBytes(def->uuid, sizeof(def->uuid));
        def->uuid[6] = (def->uuid[6] & 0x0f) | 0x40;
        def->uuid[8] = (def->uuid[8] & 0x3f) | 0x80;
    }
    if (vgmXMLSingleChild(root, "description", &node, error) < 0)
        return NULL;
    if (node)
        def->description = vgmXMLNodeContent(node);

    if (vgmXMLSingleChild(root, "usage", &node, error) < 0)
        return NULL;
    if (node) {
        int v;
        const char *elem;
        xmlNodePtr idNode;

        if (vgmXMLPropEnum(node, "type", vgmSecretUsageTypeFromString, VGM_XML_PROP_REQUIRED,
                           &v, error) < 0)
            return NULL;
        def->usage = v;
        elem = vgmSecretUsageElems[def->usage];
        if (!vgmXMLCheckNode(node, (const char *const[]){ "type", NULL },
                             elem ? (const char *const[]){ elem, NULL } : vgmXMLNoChildren,
                             error))
            return NULL;
        if (elem) {
            if (vgmXMLSingleChild(node, elem, &idNode, error) < 0)
                return NULL;
            def->usageID = idNode ? vgmXMLNodeContent(idNode) : NULL;
            if (!def->usageID || !*g_strstrip(def->usageID)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("<usage type='%1$s'> of <secret> needs its <%2$s>"),
                            vgmSecretUsageTypeToString(def->usage), elem);
                return NULL;
            }
        }
    }
    return g_steal_pointer(&def);
}

static char *
vgmSecretDefFormat(const VgmSecretDef *def)
{
    VgmBuf buf;
    char uuid[37];

    vgmDomainUUIDFormat(def->uuid, uuid);
    vgmBufInit(&buf, 0);
    vgmBufAsprintf(&buf, "<secret ephemeral='%s' private='%s'>\n",
                   def->ephemeral ? "yes" : "no", def->isPrivate ? "yes" : "no");
    vgmBufAdjustIndent(&buf, 2);
    vgmBufAsprintf(&buf, "<uuid>%s</uuid>\n", uuid);
    vgmBufEscapeText(&buf, "<description>%s</description>\n", def->description);
    if (def->usage != VGM_SECRET_USAGE_NONE) {
        vgmBufAsprintf(&buf, "<usage type='%s'>\n", vgmSecretUsageTypeToString(def->usage));
        vgmBufAdjustIndent(&buf, 2);
        {
            g_autofree char *fmt = g_strdup_printf("<%s>%%s</%s>\n",
                                                   vgmSecretUsageElems[def->usage],
                                                   vgmSecretUsageElems[def->usage]);
            vgmBufEscapeText(&buf, fmt, def->usageID);
        }
        vgmBufAdjustIndent(&buf, -2);
        vgmBufAdd(&buf, "</usage>\n");
    }
    vgmBufAdjustIndent(&buf, -2);
    vgmBufAdd(&buf, "</secret>\n");
    return vgmBufSteal(&buf);
}

/* ---- the secrets of a driver (callers hold vgmSecretLock) ---- */

/* Every secret: the persistent ones in the directory, then the ephemeral
 * ones of this driver */
static GPtrArray *
vgmSecretLoadAll(const VgmDriverStore *store, GError **error)
{
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSecretDefFree);
    g_autofree char *dir = vgmSecretDir(store);
    g_autofree char *prefix = g_strdup_printf("%s/", dir);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;
    GHashTableIter it;
    gpointer key, value;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        g_autofree char *stem = NULL;
        VgmSecretDef *def;
        char uuid[37];

        if (!g_str_has_suffix(ent, ".xml"))
            continue;
        path = g_build_filename(dir, ent, NULL);
        {
            g_autoptr(GError) err = NULL;

            /* a file that is no secret of its name is left out (with a
             * warning), so that the others stay usable, as libvirt does */
            if (!vgmFileReadAll(path, VGM_SECRET_XML_MAX, &text, NULL, &err) ||
                !(def = vgmSecretDefParse(text, path, &err))) {
                g_warning(_("secret file %1$s is left out: %2$s"), path, err->message);
                continue;
            }
        }
        stem = g_strndup(ent, strlen(ent) - strlen(".xml"));
        vgmDomainUUIDFormat(def->uuid, uuid);
        if (!g_str_equal(stem, uuid)) {
            g_warning(_("secret file %1$s is left out: it holds the secret %2$s"), path, uuid);
            vgmSecretDefFree(def);
            continue;
        }
        g_ptr_array_add(defs, def);
    }
    g_hash_table_iter_init(&it, vgmSecretEphemeralTable());
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const VgmSecretEphemeral *e = value;
        VgmSecretDef *copy;

        if (!g_str_has_prefix(key, prefix))
            continue;
        copy = g_new0(VgmSecretDef, 1);
        *copy = *e->def;
        copy->description = g_strdup(e->def->description);
        copy->usageID = g_strdup(e->def->usageID);
        g_ptr_array_add(defs, copy);
    }
    return g_steal_pointer(&defs);
}

static char *
vgmSecretEphemeralKey(const VgmDriverStore *store, const unsigned char *uuid)
{
    return vgmSecretPath(store, uuid, "");
}

static VgmSecretDef *
vgmSecretFind(GPtrArray *defs, const unsigned char *uuid)
{
    guint i;

    for (i = 0; i < defs->len; i++) {
        VgmSecretDef *def = g_ptr_array_index(defs, i);
        if (memcmp(def->uuid, uuid, 16) == 0)
            return def;
    }
    return NULL;
}

static VgmSecretDef *
vgmSecretFindOrFail(GPtrArray *defs, const unsigned char *uuid, GError **error)
{
    VgmSecretDef *def = vgmSecretFind(defs, uuid);

    if (!def) {
        char str[37];

        vgmDomainUUIDFormat(uuid, str);
        vgmErrorSet(error, VGM_ERR_NO_SECRET, _("no secret with matching uuid '%1$s'"), str);
    }
    return def;
}

static VgmSecret *
vgmSecretFromDef(const VgmSecretDef *def)
{
    VgmSecret *secret = g_new0(VgmSecret, 1);

    memcpy(secret->uuid, def->uuid, 16);
    secret->usageType = def->usage;
    secret->usageID = g_strdup(def->usageID ? def->usageID : "");
    return secret;
}

/* Secret event @eventID (@event for the lifecycle) of @secret, once the
 * change it reports is made */
static void
vgmSecretEmit(VgmDriver *drv, const VgmSecret *secret, int eventID, int event)
{
    vgmDriverEmitObjectEvent(drv, VGM_EVENT_OBJECT_SECRET, eventID, secret->usageID, secret->uuid,
                             secret->usageType, event, 0);
}

static gint
vgmSecretCompare(gconstpointer a, gconstpointer b)
{
    const VgmSecretDef *x = *(const VgmSecretDef *const *)a;
    const VgmSecretDef *y = *(const VgmSecretDef *const *)b;

    return memcmp(x->uuid, y->uuid, 16);
}

/* ---- the API ---- */

GPtrArray *
vgmDriverSecretList(VgmDriver *drv, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    GPtrArray *out = NULL;
    guint i;

    if (!vgmDriverCheckFlags(flags, 0xf, error))
        return NULL;
    g_mutex_lock(&vgmSecretLock);
    if (!(defs = vgmSecretLoadAll(vgmDriverGetStore(drv), error)))
        goto done;
    g_ptr_array_sort(defs, vgmSecretCompare);
    out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmSecretFree);
    for (i = 0; i < defs->len; i++) {
        const VgmSecretDef *def = g_ptr_array_index(defs, i);

        if ((flags & (VGM_LIST_SECRETS_EPHEMERAL | VGM_LIST_SECRETS_NO_EPHEMERAL)) &&
            !((flags & VGM_LIST_SECRETS_EPHEMERAL && def->ephemeral) ||
              (flags & VGM_LIST_SECRETS_NO_EPHEMERAL && !def->ephemeral)))
            continue;
        if ((flags & (VGM_LIST_SECRETS_PRIVATE | VGM_LIST_SECRETS_NO_PRIVATE)) &&
            !((flags & VGM_LIST_SECRETS_PRIVATE && def->isPrivate) ||
              (flags & VGM_LIST_SECRETS_NO_PRIVATE && !def->isPrivate)))
            continue;
        g_ptr_array_add(out, vgmSecretFromDef(def));
    }
 done:
    g_mutex_unlock(&vgmSecretLock);
    return out;
}

VgmSecret *
vgmDriverSecretLookupByUUID(VgmDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    VgmSecret *secret = NULL;
    const VgmSecretDef *def;

    g_mutex_lock(&vgmSecretLock);
    if ((defs = vgmSecretLoadAll(vgmDriverGetStore(drv), error)) && (def = vgmSecretFindOrFail(defs, uuid, error)))
        secret = vgmSecretFromDef(def);
    g_mutex_unlock(&vgmSecretLock);
    return secret;
}

VgmSecret *
vgmDriverSecretLookupByUsage(VgmDriver *drv, int usageType, const char *usageID, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    VgmSecret *secret = NULL;
    guint i;

    g_mutex_lock(&vgmSecretLock);
    if (!(defs = vgmSecretLoadAll(vgmDriverGetStore(drv), error)))
        goto done;
    for (i = 0; i < defs->len && !secret; i++) {
        const VgmSecretDef *def = g_ptr_array_index(defs, i);

        if ((int)def->usage == usageType &&
            g_strcmp0(def->usageID ? def->usageID : "", usageID ? usageID : "") == 0)
            secret = vgmSecretFromDef(def);
    }
    if (!secret)
        vgmErrorSet(error, VGM_ERR_NO_SECRET, _("no secret with matching usage '%1$s'"),
                    usageID ? usageID : "");
 done:
    g_mutex_unlock(&vgmSecretLock);
    return secret;
}

VgmSecret *
vgmDriverSecretDefineXML(VgmDriver *drv, const char *xml, unsigned int flags, GError **error)
{
    g_autoptr(VgmSecretDef) def = NULL;
    g_autoptr(GPtrArray) defs = NULL;
    g_autofree char *text = NULL;
    g_autofree char *path = NULL;
    g_autofree char *dir = NULL;
    VgmSecret *secret = NULL;
    VgmSecretDef *old;
    char uuid[37];
    guint i;

    /* VIR_SECRET_DEFINE_VALIDATE (1): we always validate */
    if (!vgmDriverCheckFlags(flags, 1, error) ||
        !(def = vgmSecretDefParse(xml, "secret.xml", error)))
        return NULL;
    vgmDomainUUIDFormat(def->uuid, uuid);
    g_mutex_lock(&vgmSecretLock);
    if (!(defs = vgmSecretLoadAll(vgmDriverGetStore(drv), error)))
        goto done;
    old = vgmSecretFind(defs, def->uuid);
    if (old && (old->usage != def->usage || g_strcmp0(old->usageID, def->usageID) != 0)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("a secret with UUID %1$s is already defined for use with %2$s '%3$s'"),
                    uuid, vgmSecretUsageTypeToString(old->usage),
                    old->usageID ? old->usageID : "");
        goto done;
    }
    if (old && old->isPrivate && !def->isPrivate) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                    _("cannot change private flag on existing secret"));
        goto done;
    }
    if (old && old->ephemeral != def->ephemeral) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot make secret %1$s %2$s: it is defined %3$s"),
                    uuid, def->ephemeral ? _("ephemeral") : _("persistent"),
                    old->ephemeral ? _("ephemeral") : _("persistent"));
        goto done;
    }
    for (i = 0; i < defs->len && def->usage != VGM_SECRET_USAGE_NONE; i++) {
        const VgmSecretDef *other = g_ptr_array_index(defs, i);
        char otherUUID[37];

        if (other == old || other->usage != def->usage ||
            g_strcmp0(other->usageID, def->usageID) != 0)
            continue;
        vgmDomainUUIDFormat(other->uuid, otherUUID);
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("a secret with UUID %1$s already defined for use with %2$s '%3$s'"),
                    otherUUID, vgmSecretUsageTypeToString(def->usage), def->usageID);
        goto done;
    }
    if (def->ephemeral) {
        g_autofree char *key = vgmSecretEphemeralKey(vgmDriverGetStore(drv), def->uuid);
        VgmSecretEphemeral *e = g_hash_table_lookup(vgmSecretEphemeralTable(), key);
        VgmSecretDef *copy = g_new0(VgmSecretDef, 1);

        *copy = *def;
        copy->description = g_strdup(def->description);
        copy->usageID = g_strdup(def->usageID);
        if (e) {
            vgmSecretDefFree(e->def);
            e->def = copy;
        } else {
            e = g_new0(VgmSecretEphemeral, 1);
            e->def = copy;
            g_hash_table_insert(vgmSecretEphemeralTable(), g_steal_pointer(&key), e);
        }
    } else {
        text = vgmSecretDefFormat(def);
        path = vgmSecretPath(vgmDriverGetStore(drv), def->uuid, ".xml");
        dir = g_path_get_dirname(path);
        if (!vgmFileMakePath(dir, 0700, error) ||
            !vgmFileWriteAtomic(path, text, strlen(text), 0600, error))
            goto done;
    }
    secret = vgmSecretFromDef(def);
 done:
    g_mutex_unlock(&vgmSecretLock);
    /* (a redefinition too, as libvirt's) */
    if (secret)
        vgmSecretEmit(drv, secret, VGM_SECRET_EVENT_ID_LIFECYCLE, VGM_SECRET_EVENT_DEFINED);
    return secret;
}

char *
vgmDriverSecretGetXMLDesc(VgmDriver *drv, const unsigned char *uuid, unsigned int flags,
                          GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    const VgmSecretDef *def;
    char *xml = NULL;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    g_mutex_lock(&vgmSecretLock);
    if ((defs = vgmSecretLoadAll(vgmDriverGetStore(drv), error)) && (def = vgmSecretFindOrFail(defs, uuid, error)))
        xml = vgmSecretDefFormat(def);
    g_mutex_unlock(&vgmSecretLock);
    return xml;
}

gboolean
vgmDriverSecretSetValue(VgmDriver *drv, const unsigned char *uuid, const guint8 *value, gsize len,
                        unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(VgmSecret) secret = NULL;
    const VgmSecretDef *def;
    gboolean ok = FALSE;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    /* (libvirt refuses an empty value too: the secret keeps its own) */
    if (len == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("a secret's value cannot be empty"));
        return FALSE;
    }
    if (len > VGM_SECRET_VALUE_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("a secret's value is at most %1$d bytes"),
                    VGM_SECRET_VALUE_MAX);
        return FALSE;
    }
    g_mutex_lock(&vgmSecretLock);
    if (!(defs = vgmSecretLoadAll(vgmDriverGetStore(drv), error)) || !(def = vgmSecretFindOrFail(defs, uuid, error)))
        goto done;
    if (def->ephemeral) {
        g_autofree char *key = vgmSecretEphemeralKey(vgmDriverGetStore(drv), uuid);
        VgmSecretEphemeral *e = g_hash_table_lookup(vgmSecretEphemeralTable(), key);

        if (e->value)
            g_bytes_unref(e->value);
        e->value = g_bytes_new(value, len);
        ok = TRUE;
    } else {
        g_autofree char *path = vgmSecretPath(vgmDriverGetStore(drv), uuid, ".base64");
        g_autofree char *b64 = g_base64_encode(value, len);

        ok = vgmFileWriteAtomic(path, b64, strlen(b64), 0600, error);
    }
    secret = vgmSecretFromDef(def);
 done:
    g_mutex_unlock(&vgmSecretLock);
    if (ok)
        vgmSecretEmit(drv, secret, VGM_SECRET_EVENT_ID_VALUE_CHANGED, 0);
    return ok;
}

/* The value of secret @uuid of @store's driver (callers hold the lock) */
static GBytes *
vgmSecretValue(const VgmDriverStore *store, const unsigned char *uuid, gboolean forClient,
               VgmSecretUsage usage, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    const VgmSecretDef *def;
    GBytes *value = NULL;
    char str[37];

    vgmDomainUUIDFormat(uuid, str);
    if (!(defs = vgmSecretLoadAll(store, error)) || !(def = vgmSecretFindOrFail(defs, uuid, error)))
        return NULL;
    if (forClient && def->isPrivate) {
        vgmErrorSet(error, VGM_ERR_INVALID_SECRET, "%s", _("secret is private"));
        return NULL;
    }
    if (usage != VGM_SECRET_USAGE_LAST && def->usage != usage) {
        vgmErrorSet(error, VGM_ERR_INVALID_SECRET,
                    _("secret %1$s is of usage '%2$s', not the '%3$s' it is used for"),
                    str, vgmSecretUsageTypeToString(def->usage), vgmSecretUsageTypeToString(usage));
        return NULL;
    }
    if (def->ephemeral) {
        g_autofree char *key = vgmSecretEphemeralKey(store, uuid);
        VgmSecretEphemeral *e = g_hash_table_lookup(vgmSecretEphemeralTable(), key);

        if (e->value)
            value = g_bytes_ref(e->value);
    } else {
        g_autofree char *path = vgmSecretPath(store, uuid, ".base64");
        g_autofree char *b64 = NULL;

        if (g_file_test(path, G_FILE_TEST_EXISTS)) {
            gsize len = 0;
            guint8 *raw;

            if (!vgmFileReadAll(path, VGM_SECRET_VALUE_MAX * 2, &b64, NULL, error))
                return NULL;
            raw = g_base64_decode(g_strstrip(b64), &len);
            value = g_bytes_new_take(raw, len);
        }
    }
    if (!value)
        vgmErrorSet(error, VGM_ERR_NO_SECRET, _("secret '%1$s' does not have a value"), str);
    return value;
}

GBytes *
vgmDriverSecretGetValue(VgmDriver *drv, const unsigned char *uuid, unsigned int flags,
                        gboolean forClient, GError **error)
{
    GBytes *value;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    g_mutex_lock(&vgmSecretLock);
    value = vgmSecretValue(vgmDriverGetStore(drv), uuid, forClient, VGM_SECRET_USAGE_LAST, error);
    g_mutex_unlock(&vgmSecretLock);
    return value;
}

GBytes *
vgmDriverSecretValueFor(const VgmDriverStore *store, const unsigned char *uuid,
                        VgmSecretUsage usage, GError **error)
{
    GBytes *value;

    g_mutex_lock(&vgmSecretLock);
    value = vgmSecretValue(store, uuid, FALSE, usage, error);
    g_mutex_unlock(&vgmSecretLock);
    return value;
}

GBytes *
vgmDriverSecretValueForRef(const VgmDriverStore *store, const char *usageType,
                           const unsigned char *uuid, const char *usageID, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    unsigned char found[16];
    GBytes *value = NULL;
    int usage = vgmSecretUsageTypeFromString(usageType);
    guint i;

    if (usage <= 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_SECRET, _("unknown secret usage '%1$s'"), usageType);
        return NULL;
    }
    if (uuid)
        return vgmDriverSecretValueFor(store, uuid, usage, error);
    g_mutex_lock(&vgmSecretLock);
    if (!(defs = vgmSecretLoadAll(store, error)))
        goto done;
    for (i = 0; i < defs->len; i++) {
        const VgmSecretDef *def = g_ptr_array_index(defs, i);

        if ((int)def->usage == usage && g_strcmp0(def->usageID, usageID) == 0)
            break;
    }
    if (i == defs->len) {
        vgmErrorSet(error, VGM_ERR_NO_SECRET,
                    _("no secret of usage '%1$s' with %2$s '%3$s'"), usageType,
                    vgmSecretUsageElems[usage], usageID);
        goto done;
    }
    memcpy(found, ((const VgmSecretDef *)g_ptr_array_index(defs, i))->uuid, sizeof(found));
    value = vgmSecretValue(store, found, FALSE, usage, error);
 done:
    g_mutex_unlock(&vgmSecretLock);
    return value;
}

gboolean
vgmDriverSecretUndefine(VgmDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(GPtrArray) defs = NULL;
    g_autoptr(VgmSecret) secret = NULL;
    const VgmSecretDef *def;
    gboolean ok = FALSE;

    g_mutex_lock(&vgmSecretLock);
    if (!(defs = vgmSecretLoadAll(vgmDriverGetStore(drv), error)) || !(def = vgmSecretFindOrFail(defs, uuid, error)))
        goto done;
    /* (what the event names, before the definition goes) */
    secret = vgmSecretFromDef(def);
    if (def->ephemeral) {
        g_autofree char *key = vgmSecretEphemeralKey(vgmDriverGetStore(drv), uuid);

        g_hash_table_remove(vgmSecretEphemeralTable(), key);
        ok = TRUE;
    } else {
        g_autofree char *xmlPath = vgmSecretPath(vgmDriverGetStore(drv), uuid, ".xml");
        g_autofree char *valuePath = vgmSecretPath(vgmDriverGetStore(drv), uuid, ".base64");
        g_autofree char *aside = g_strdup_printf("%s.removing", valuePath);
        gboolean haveValue = g_file_test(valuePath, G_FILE_TEST_EXISTS);

        /* the value is put aside, the definition removed, then the value:
         * a failure on the way puts the value back, and a crash leaves a
         * secret without a value, never a value without its secret */
        if (haveValue && g_rename(valuePath, aside) < 0) {
            vgmErrorSetSystem(error, errno, _("cannot remove %1$s"), valuePath);
            goto done;
        }
        if (g_unlink(xmlPath) < 0 && errno != ENOENT) {
            vgmErrorSetSystem(error, errno, _("cannot remove %1$s"), xmlPath);
            if (haveValue)
                g_rename(aside, valuePath);
            goto done;
        }
        if (haveValue)
            g_unlink(aside);
        ok = TRUE;
    }
 done:
    g_mutex_unlock(&vgmSecretLock);
    if (ok)
        vgmSecretEmit(drv, secret, VGM_SECRET_EVENT_ID_LIFECYCLE, VGM_SECRET_EVENT_UNDEFINED);
    return ok;
}
