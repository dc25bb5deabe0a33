/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmfile.c: atomic whole-file writes, mkdir -p, bounded whole-file reads
 * and the tails of logs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vgmfile.h"
#include "vgmerror.h"
#include "vgmi18n.h"

gboolean
vgmFileWriteFully(int fd, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return FALSE;
        }
        if (n == 0) {
            errno = EIO;
            return FALSE;
        }
        data += n;
        len -= n;
    }
    return TRUE;
}

gboolean
vgmFileWriteInPlace(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    int saved;

    if (fd < 0)
        return FALSE;
    if (!vgmFileWriteFully(fd, data, strlen(data))) {
        saved = errno;
        close(fd);
        errno = saved;
        return FALSE;
    }
    return close(fd) == 0;
}

/* fsync of a directory fd is not supported by every file system; only a
 * real I/O error there is worth reporting. */
gboolean
vgmFileSyncDir(const char *dir, GError **error)
{
    int fd;

    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open directory '%1$s'"), dir);
        return FALSE;
    }
    if (fsync(fd) < 0 && errno != EINVAL && errno != ENOTSUP && errno != EROFS) {
        int saved = errno;

        close(fd);
        vgmErrorSetSystem(error, saved, _("cannot sync directory '%1$s'"), dir);
        return FALSE;
    }
    close(fd);
    return TRUE;
}

/* Gives the temporary file @fd (named @tmp) its mode, syncs it and
 * closes it, always. */
static gboolean
vgmFileFinishTemp(int fd, const char *tmp, mode_t mode, GError **error)
{
    int err;

    if (fchmod(fd, mode) < 0) {
        err = errno;
        close(fd);
        vgmErrorSetSystem(error, err, _("cannot set the mode of '%1$s'"), tmp);
        return FALSE;
    }
    if (fsync(fd) < 0) {
        err = errno;
        close(fd);
        vgmErrorSetSystem(error, err, _("cannot sync '%1$s'"), tmp);
        return FALSE;
    }
    /* close can report a deferred write error (NFS), so check it */
    if (close(fd) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot close '%1$s'"), tmp);
        return FALSE;
    }
    return TRUE;
}

int
vgmFileOpenTemp(const char *path, char **tmp, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *name = NULL;
    int fd;

    /* a dot file beside the target: same file system, so rename is atomic */
    name = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    if ((fd = g_mkstemp_full(name, O_RDWR | O_CLOEXEC, 0600)) < 0) {
        vgmErrorSetSystem(error, errno,
                          _("cannot create a temporary file to write '%1$s'"),
                          path);
        return -1;
    }
    *tmp = g_steal_pointer(&name);
    return fd;
}

gboolean
vgmFileCommitTemp(int fd, const char *tmp, const char *path, mode_t mode, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);

    if (!vgmFileFinishTemp(fd, tmp, mode, error)) {
        unlink(tmp);
        return FALSE;
    }
    if (rename(tmp, path) < 0) {
        int err = errno;

        unlink(tmp);
        vgmErrorSetSystem(error, err, _("cannot rename '%1$s' to '%2$s'"),
                          tmp, path);
        return FALSE;
    }
    return vgmFileSyncDir(dir, error);
}

void
vgmFileRemoveTemps(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *prefix = g_strdup_printf(".%s.", base);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    while (d && (ent = g_dir_read_name(d))) {
        g_autofree char *full = NULL;
        const char *tail;
        gboolean ours = g_str_has_prefix(ent, prefix) && strlen(ent) == strlen(prefix) + 6;

        for (tail = ent + strlen(prefix); ours && *tail; tail++)
            ours = g_ascii_isalnum(*tail);
        if (!ours)
            continue;
        full = g_build_filename(dir, ent, NULL);
        if (g_unlink(full) < 0 && errno != ENOENT)
            g_warning(_("cannot remove the temporary file '%1$s': %2$s"), full, g_strerror(errno));
    }
}

gboolean
vgmFileDropCache(int fd)
{
    int rc;

    /* dirty pages stay whatever the advice: out to the disk first */
    if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY && fdatasync(fd) < 0)
        return FALSE;
    if ((rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)) != 0) {
        errno = rc;
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmFileWriteAtomic(const char *path, const void *data, gsize len,
                   mode_t mode, GError **error)
{
    g_autofree char *tmp = NULL;
    int fd;

    if ((fd = vgmFileOpenTemp(path, &tmp, error)) < 0)
        return FALSE;
    if (!vgmFileWriteFully(fd, data, len)) {
        int err = errno;

        close(fd);
        unlink(tmp);
        vgmErrorSetSystem(error, err, _("cannot write '%1$s'"), tmp);
        return FALSE;
    }
    return vgmFileCommitTemp(fd, tmp, path, mode, error);
}

gboolean
vgmFileMakePath(const char *dir, mode_t mode, GError **error)
{
    struct stat sb;

    if (g_mkdir_with_parents(dir, mode) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot create directory '%1$s'"), dir);
        return FALSE;
    }
    /* g_mkdir_with_parents accepts an existing non-directory leaf */
    if (stat(dir, &sb) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot stat '%1$s'"), dir);
        return FALSE;
    }
    if (!S_ISDIR(sb.st_mode)) {
        vgmErrorSetSystem(error, ENOTDIR, _("cannot create directory '%1$s'"), dir);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmFileReadAll(const char *path, gsize maxlen, char **contents,
               gsize *len, GError **error)
{
    g_autoptr(GString) buf = NULL;
    char chunk[4096];
    int fd;

    *contents = NULL;
    if (len)
        *len = 0;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open '%1$s'"), path);
        return FALSE;
    }

    buf = g_string_new(NULL);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            int err = errno;

            if (err == EINTR)
                continue;
            close(fd);
            vgmErrorSetSystem(error, err, _("cannot read '%1$s'"), path);
            return FALSE;
        }
        if (n == 0)
            break;
        if ((gsize)n > maxlen - buf->len) {
            close(fd);
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("file '%1$s' is larger than the limit of %2$llu bytes"),
                        path, (unsigned long long)maxlen);
            return FALSE;
        }
        g_string_append_len(buf, chunk, n);
    }
    close(fd);

    if (len)
        *len = buf->len;
    *contents = g_string_free(g_steal_pointer(&buf), FALSE);
    return TRUE;
}

char *
vgmFileReadTail(const char *path, goffset offset, gsize maxBytes)
{
    g_autofree char *buf = NULL;
    g_autofree char *valid = NULL;
    struct stat sb;
    ssize_t n;
    int fd;

    if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return g_strdup("");
    if (fstat(fd, &sb) < 0 || sb.st_size <= offset) {
        close(fd);
        return g_strdup("");
    }
    if ((gsize)(sb.st_size - offset) > maxBytes)
        offset = sb.st_size - maxBytes;
    buf = g_malloc0(maxBytes + 1);
    n = pread(fd, buf, maxBytes, offset);
    close(fd);
    if (n <= 0)
        return g_strdup("");
    valid = g_utf8_make_valid(buf, n);
    return g_strdup(g_strstrip(valid));
}

void
vgmFileRemoveTree(const char *path)
{
    GStatBuf st;

    if (g_lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            vgmFileRemoveTree(child);
        }
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

/* __SO_ACCEPTCON: a socket in the table that listens */
#define VGM_UNIX_ACCEPTCON 0x10000

gboolean
vgmFileUnixListening(const char *path)
{
    g_autofree char *table = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents("/proc/net/unix", &table, NULL, NULL))
        return FALSE;
    lines = g_strsplit(table, "\n", -1);
    /* "Num RefCount Protocol Flags Type St Inode Path": the path last */
    for (i = 1; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " ", -1);
        const char *fields[8];
        size_t n = 0, k;
        guint64 flags;

        for (k = 0; f[k] && n < G_N_ELEMENTS(fields); k++) {
            if (*f[k])
                fields[n++] = f[k];
        }
        /* (the path is the rest of the line: it may hold spaces) */
        if (n < G_N_ELEMENTS(fields) || strlen(lines[i]) <= strlen(path) ||
            !g_str_has_suffix(lines[i], path) ||
            lines[i][strlen(lines[i]) - strlen(path) - 1] != ' ')
            continue;
        if (g_ascii_string_to_unsigned(fields[3], 16, 0, G_MAXUINT64, &flags, NULL) &&
            (flags & VGM_UNIX_ACCEPTCON))
            return TRUE;
    }
    return FALSE;
}
