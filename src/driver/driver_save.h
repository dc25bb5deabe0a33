/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_save.h: the files a saved domain's state lives in (virsh save and
 * managedsave, virt-manager's Save, Nova's suspend).
 *
 * A save image is virt-gmem's own format: a header, the domain's live XML
 * (with room to spare, so that a changed XML can be written in place) and,
 * from a page-aligned offset, QEMU's migration stream of the paused
 * guest. The header:
 *
 *   offset  size  what (integers little-endian)
 *        0    16  "VirtGmemSave\n\0\0\0"
 *       16     4  format version (1)
 *       20     4  length of the XML in bytes (no NUL)
 *       24     4  1 when the guest ran at the save, else 0
 *       28     4  offset of the XML; 0 means 40
 *       32     8  offset of QEMU's stream
 *       40        the XML (at first), NUL-padded up to the stream
 *
 * A changed XML (virsh save-image-define) is written where the present
 * one is not, in the room before the stream, and then the header's
 * length, flag and offset (bytes 20-31, one write in the first sector)
 * point to it: a crash leaves the old XML or the new one.
 *
 * A managed save image is the file <state dir>/save/NAME.save.
 */
#pragma once

#include <glib.h>

#include "driver_store.h"

/* Where domain @name's managed save image lives. */
char *vgmDriverSaveManagedPath(const VgmDriverStore *store, const char *name);
/* Whether domain @name has a managed save image. */
gboolean vgmDriverSaveHasManaged(const VgmDriverStore *store, const char *name);

/* Removes what a managed save or restore of domain @name that was cut
 * short (the daemon killed) left beside its image: a partly written
 * image, an image loaded by a guest that then ran. The domain's lock is
 * held. */
void vgmDriverSaveCleanManaged(const VgmDriverStore *store, const char *name);

/* A new image for @path: a temporary file beside it with the header and
 * @xml written and its offset at the start of the stream; *@tmp its name.
 * -1 on failure. vgmFileCommitTemp makes it @path once QEMU wrote the
 * stream. */
int vgmDriverSaveImageCreate(const char *path, const char *xml, gboolean running, char **tmp,
                             GError **error);

/* Reads image @path: its XML (*@xml) and whether the guest ran at the save
 * (*@running). With @fd, the image stays open (read-only) in *@fd at the
 * start of QEMU's stream. A file that is no image of this format fails
 * with a message naming it. */
gboolean vgmDriverSaveImageOpen(const char *path, char **xml, gboolean *running, int *fd,
                                GError **error);
/* Image @path made to hold @xml (NULL: its own) and to start the guest
 * running (@running 1), paused (0) or as it was (-1), as the header above
 * says; refused, the image unchanged, when @xml does not fit its room. */
gboolean vgmDriverSaveImageUpdate(const char *path, const char *xml, int running,
                                  GError **error);
