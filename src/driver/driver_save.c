/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_save.c: see driver_save.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "driver_save.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

#define VGM_SAVE_MAGIC "VirtGmemSave\n\0\0"
#define VGM_SAVE_MAGIC_LEN 16
#define VGM_SAVE_VERSION 1
#define VGM_SAVE_HEADER_LEN 40
/* what an XML may grow by when it is written again in place */
#define VGM_SAVE_XML_SPARE (64 * 1024)
#define VGM_SAVE_ALIGN 4096
/* a save image's XML is a domain's: libvirt's limit for one */
#define VGM_SAVE_XML_MAX (10 * 1024 * 1024)

char *
vgmDriverSaveManagedPath(const VgmDriverStore *store, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.save", name);

    return g_build_filename(store->stateDir, "save", file, NULL);
}

gboolean
vgmDriverSaveHasManaged(const VgmDriverStore *store, const char *name)
{
    g_autofree char *path = vgmDriverSaveManagedPath(store, name);

    return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

void
vgmDriverSaveCleanManaged(const VgmDriverStore *store, const char *name)
{
    g_autofree char *path = vgmDriverSaveManagedPath(store, name);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *loaded = g_strdup_printf("%s.loaded", path);
    /* vgmFileOpenTemp's name: ".BASE." and six characters */
    g_autofree char *tmpPrefix = g_strdup_printf(".%s.", base);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    if (g_unlink(loaded) < 0 && errno != ENOENT)
        g_warning(_("cannot remove '%1$s': %2$s"), loaded, g_strerror(errno));
    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *stale = NULL;

        if (!g_str_has_prefix(entry, tmpPrefix) || strlen(entry) != strlen(tmpPrefix) + 6)
            continue;
        stale = g_build_filename(dir, entry, NULL);
        if (g_unlink(stale) < 0 && errno != ENOENT)
            g_warning(_("cannot remove '%1$s': %2$s"), stale, g_strerror(errno));
    }
}

int
vgmDriverSaveImageCreate(const char *path, const char *xml, gboolean running, char **tmp,
                         GError **error)
{
    gsize xmlLen = strlen(xml);
    guint64 offset = (VGM_SAVE_HEADER_LEN + xmlLen + VGM_SAVE_XML_SPARE + VGM_SAVE_ALIGN - 1) /
                     VGM_SAVE_ALIGN * VGM_SAVE_ALIGN;
    g_autofree char *head = g_malloc0(offset);
    guint32 v32;
    guint64 v64;
    int fd;

    if (xmlLen > VGM_SAVE_XML_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("the XML of save image '%1$s' is too large"),
                    path);
        return -1;
    }
    memcpy(head, VGM_SAVE_MAGIC, VGM_SAVE_MAGIC_LEN);
    v32 = GUINT32_TO_LE(VGM_SAVE_VERSION);
    memcpy(head + 16, &v32, 4);
    v32 = GUINT32_TO_LE((guint32)xmlLen);
    memcpy(head + 20, &v32, 4);
    v32 = GUINT32_TO_LE(running ? 1 : 0);
    memcpy(head + 24, &v32, 4);
    v64 = GUINT64_TO_LE(offset);
    memcpy(head + 32, &v64, 8);
    memcpy(head + VGM_SAVE_HEADER_LEN, xml, xmlLen);

    if ((fd = vgmFileOpenTemp(path, tmp, error)) < 0)
        return -1;
    if (!vgmFileWriteFully(fd, head, offset)) {
        int err = errno;

        close(fd);
        unlink(*tmp);
        vgmErrorSetSystem(error, err, _("cannot write '%1$s'"), *tmp);
        g_clear_pointer(tmp, g_free);
        return -1;
    }
    return fd;
}

/* Reads exactly @len bytes at offset @at of @fd. */
static gboolean
vgmDriverSaveRead(int fd, goffset at, char *buf, gsize len)
{
    gsize done = 0;

    while (done < len) {
        ssize_t n = pread(fd, buf + done, len - done, at + done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        done += n;
    }
    return TRUE;
}

/* An image's header fields */
typedef struct {
    guint32 xmlLen;
    guint32 running;
    guint32 xmlOffset;
    guint64 offset;         /* of QEMU's stream */
} VgmDriverSaveHeader;

/* Reads the header of image @f (@path) into @h and its XML into *@xml */
static gboolean
vgmDriverSaveReadImage(int f, const char *path, VgmDriverSaveHeader *h, char **xml,
                       GError **error)
{
    char head[VGM_SAVE_HEADER_LEN];
    g_autofree char *text = NULL;
    guint32 version;

    if (!vgmDriverSaveRead(f, 0, head, VGM_SAVE_MAGIC_LEN) ||
        memcmp(head, VGM_SAVE_MAGIC, VGM_SAVE_MAGIC_LEN) != 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("'%1$s' is not a save image of virt-gmem"), path);
        return FALSE;
    }
    if (!vgmDriverSaveRead(f, VGM_SAVE_MAGIC_LEN, head + VGM_SAVE_MAGIC_LEN,
                           sizeof(head) - VGM_SAVE_MAGIC_LEN)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image '%1$s' is damaged: its header or XML cannot be read"), path);
        return FALSE;
    }
    memcpy(&version, head + 16, 4);
    memcpy(&h->xmlLen, head + 20, 4);
    memcpy(&h->running, head + 24, 4);
    memcpy(&h->xmlOffset, head + 28, 4);
    memcpy(&h->offset, head + 32, 8);
    version = GUINT32_FROM_LE(version);
    h->xmlLen = GUINT32_FROM_LE(h->xmlLen);
    h->running = GUINT32_FROM_LE(h->running);
    h->xmlOffset = GUINT32_FROM_LE(h->xmlOffset);
    h->offset = GUINT64_FROM_LE(h->offset);
    if (h->xmlOffset == 0)
        h->xmlOffset = VGM_SAVE_HEADER_LEN;
    if (version != VGM_SAVE_VERSION) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image '%1$s' has format version %2$u; this virt-gmem reads version %3$u"),
                    path, version, VGM_SAVE_VERSION);
        return FALSE;
    }
    text = g_malloc0((gsize)MIN(h->xmlLen, VGM_SAVE_XML_MAX) + 1);
    if (h->xmlLen == 0 || h->xmlLen > VGM_SAVE_XML_MAX || h->running > 1 ||
        h->xmlOffset < VGM_SAVE_HEADER_LEN ||
        h->offset < (guint64)h->xmlOffset + h->xmlLen ||
        !vgmDriverSaveRead(f, h->xmlOffset, text, h->xmlLen) ||
        strlen(text) != h->xmlLen) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image '%1$s' is damaged: its header or XML cannot be read"), path);
        return FALSE;
    }
    *xml = g_steal_pointer(&text);
    return TRUE;
}

gboolean
vgmDriverSaveImageUpdate(const char *path, const char *xml, int running, GError **error)
{
    VgmDriverSaveHeader h;
    g_autofree char *old = NULL;
    guint64 at;
    gsize len;
    char fields[12];
    guint32 v32;
    int f;

    if ((f = open(path, O_RDWR | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open save image '%1$s'"), path);
        return FALSE;
    }
    if (!vgmDriverSaveReadImage(f, path, &h, &old, error)) {
        close(f);
        return FALSE;
    }
    if (!xml)
        xml = old;
    len = strlen(xml);
    /* where the present XML is not: before it, else after it */
    if (VGM_SAVE_HEADER_LEN + (guint64)len <= h.xmlOffset)
        at = VGM_SAVE_HEADER_LEN;
    else
        at = (guint64)h.xmlOffset + h.xmlLen;
    if (len > VGM_SAVE_XML_MAX || at + len > h.offset) {
        close(f);
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the new XML (%1$zu bytes) does not fit in save image '%2$s', which has room for %3$llu"),
                    len, path,
                    (unsigned long long)MAX(h.offset - ((guint64)h.xmlOffset + h.xmlLen),
                                            (guint64)h.xmlOffset - VGM_SAVE_HEADER_LEN));
        return FALSE;
    }
    v32 = GUINT32_TO_LE((guint32)len);
    memcpy(fields, &v32, 4);
    v32 = GUINT32_TO_LE(running < 0 ? h.running : (guint32)(running ? 1 : 0));
    memcpy(fields + 4, &v32, 4);
    v32 = GUINT32_TO_LE((guint32)at);
    memcpy(fields + 8, &v32, 4);
    /* the XML first, then the header that points to it */
    if (pwrite(f, xml, len, (off_t)at) != (ssize_t)len || fdatasync(f) < 0 ||
        pwrite(f, fields, sizeof(fields), 20) != (ssize_t)sizeof(fields) || fdatasync(f) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot write save image '%1$s'"), path);
        close(f);
        return FALSE;
    }
    close(f);
    return TRUE;
}

gboolean
vgmDriverSaveImageOpen(const char *path, char **xml, gboolean *running, int *fd,
                       GError **error)
{
    VgmDriverSaveHeader h;
    int f;

    if ((f = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open save image '%1$s'"), path);
        return FALSE;
    }
    if (!vgmDriverSaveReadImage(f, path, &h, xml, error)) {
        close(f);
        return FALSE;
    }
    if (lseek(f, (off_t)h.offset, SEEK_SET) != (off_t)h.offset) {
        close(f);
        g_clear_pointer(xml, g_free);
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image '%1$s' is damaged: its header or XML cannot be read"), path);
        return FALSE;
    }
    *running = h.running == 1;
    if (fd)
        *fd = f;
    else
        close(f);
    return TRUE;
}
