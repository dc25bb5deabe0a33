/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmfile.h: whole-file reads and writes.
 *
 * Owns the rule that a file we write is either the old one or the complete
 * new one, never a partly written mix (state and config files survive a
 * crash or a full disk), and that a file we read has a size limit (sysfs,
 * /proc and user-supplied files cannot make us swallow unbounded data),
 * also when we quote the end of a log.
 */
#pragma once

#include <sys/types.h>
#include <time.h>

#include <glib.h>

/* A file time (st_mtim, st_ctim) in nanoseconds since the epoch; what a
 * cache compares to see whether a file changed under it. */
static inline gint64
vgmFileTimeNs(const struct timespec *ts)
{
    return (gint64)ts->tv_sec * G_GINT64_CONSTANT(1000000000) + ts->tv_nsec;
}

/* Writes all of @data to @fd, retrying short writes and EINTR; FALSE with
 * errno set on failure. */
gboolean vgmFileWriteFully(int fd, const char *data, gsize len);

/*
 * An atomic write in two halves, for data another process writes: a
 * temporary file beside @path, open for reading and writing, its name in
 * *@tmp (free it); -1 on failure. Then vgmFileCommitTemp gives it @mode
 * exactly, fsyncs and closes @fd (always), renames @tmp over @path and
 * fsyncs the directory; on failure @tmp is removed and @path untouched.
 */
int vgmFileOpenTemp(const char *path, char **tmp, GError **error);
gboolean vgmFileCommitTemp(int fd, const char *tmp, const char *path, mode_t mode,
                           GError **error);

/* Removes the temporary files vgmFileOpenTemp made beside @path that a
 * writer killed before its commit left (".BASE.XXXXXX"). */
void vgmFileRemoveTemps(const char *path);

/* What a client asks of libvirt's BYPASS_CACHE flags: the pages of the
 * file open as @fd written out (a written file's) and dropped from the
 * host's page cache, so that a save image or dump does not stay there
 * (libvirt writes such files around the cache with O_DIRECT; QEMU's
 * stream, written unaligned, cannot be). FALSE with errno set. */
gboolean vgmFileDropCache(int fd);

/* Writes @data to the existing file @path in place (a sysctl or sysfs
 * attribute, which a rename cannot replace), truncated first as a
 * shell's redirection does (a regular file keeps no old tail); FALSE with
 * errno set. */
gboolean vgmFileWriteInPlace(const char *path, const char *data);

/* fsyncs directory @dir, so that the renames and unlinks in it are on
 * disk (a file system that cannot sync a directory is no error) */
gboolean vgmFileSyncDir(const char *dir, GError **error);

/*
 * Replaces @path with @len bytes of @data. The data go to a temporary file in
 * the same directory, which is fsync'ed, given @mode exactly (no umask) and
 * renamed over @path; then the directory is fsync'ed. On failure the
 * temporary file is removed and the old @path, if any, is left untouched.
 */
gboolean vgmFileWriteAtomic(const char *path, const void *data, gsize len,
                            mode_t mode, GError **error);

/* Removes @path and everything below it, as far as it can (symbolic
 * links are removed, not followed); a missing @path is fine. */
void vgmFileRemoveTree(const char *path);

/* Creates @dir and any missing parents with @mode (mkdir -p). An existing
 * directory is success; an existing non-directory is an error. */
gboolean vgmFileMakePath(const char *dir, mode_t mode, GError **error);

/*
 * Reads all of @path into *@contents (NUL-terminated, free with g_free) and
 * its length into *@len (if @len is non-NULL). A file longer than @maxlen
 * bytes is an error (VGM_ERR_OPERATION_FAILED). Works for files whose
 * st_size lies (sysfs, /proc): the limit is checked on the bytes read.
 */
gboolean vgmFileReadAll(const char *path, gsize maxlen, char **contents,
                        gsize *len, GError **error);

/*
 * The end of @path: its last @maxBytes bytes, none before byte @offset, as
 * valid UTF-8 (invalid bytes become U+FFFD) without leading or trailing
 * white space; what an error quotes of a log. Never NULL: "" when
 * there is nothing to read or @path (which may be NULL) cannot be read.
 */
char *vgmFileReadTail(const char *path, goffset offset, gsize maxBytes);

/*
 * Whether a unix socket bound to @path listens (the kernel's table of
 * them, /proc/net/unix, says it accepts connections): its file exists
 * from bind() on, before listen(), and a connection made to find out
 * would be the one a single-connection server takes.
 */
gboolean vgmFileUnixListening(const char *path);
