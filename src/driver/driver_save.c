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

gboolean
vgmDriverSaveImageOpen(const char *path, char **xml, gboolean *running, int *fd,
                       GError **error)
{
    char head[VGM_SAVE_HEADER_LEN];
    g_autofree char *text = NULL;
    guint32 version, xmlLen, run;
    guint64 offset;
    int f;

    if ((f = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open save image '%1$s'"), path);
        return FALSE;
    }
    if (!vgmDriverSaveRead(f, 0, head, VGM_SAVE_MAGIC_LEN) ||
        memcmp(head, VGM_SAVE_MAGIC, VGM_SAVE_MAGIC_LEN) != 0) {
        close(f);
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("'%1$s' is not a save image of virt-gmem"), path);
        return FALSE;
    }
    if (!vgmDriverSaveRead(f, VGM_SAVE_MAGIC_LEN, head + VGM_SAVE_MAGIC_LEN,
                           sizeof(head) - VGM_SAVE_MAGIC_LEN)) {
        close(f);
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image '%1$s' is damaged: its header or XML cannot be read"), path);
        return FALSE;
    }
    memcpy(&version, head + 16, 4);
    memcpy(&xmlLen, head + 20, 4);
    memcpy(&run, head + 24, 4);
    memcpy(&offset, head + 32, 8);
    version = GUINT32_FROM_LE(version);
    xmlLen = GUINT32_FROM_LE(xmlLen);
    run = GUINT32_FROM_LE(run);
    offset = GUINT64_FROM_LE(offset);
    if (version != VGM_SAVE_VERSION) {
        close(f);
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image '%1$s' has format version %2$u; this virt-gmem reads version %3$u"),
                    path, version, VGM_SAVE_VERSION);
        return FALSE;
    }
    text = g_malloc0((gsize)MIN(xmlLen, VGM_SAVE_XML_MAX) + 1);
    if (xmlLen == 0 || xmlLen > VGM_SAVE_XML_MAX || run > 1 ||
        offset < VGM_SAVE_HEADER_LEN + (guint64)xmlLen ||
        !vgmDriverSaveRead(f, VGM_SAVE_HEADER_LEN, text, xmlLen) ||
        strlen(text) != xmlLen ||
        lseek(f, (off_t)offset, SEEK_SET) != (off_t)offset) {
        close(f);
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("save image '%1$s' is damaged: its header or XML cannot be read"), path);
        return FALSE;
    }
    *xml = g_steal_pointer(&text);
    *running = run == 1;
    if (fd)
        *fd = f;
    else
        close(f);
    return TRUE;
}
