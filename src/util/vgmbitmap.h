/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmbitmap.h: CPU / NUMA node sets written as libvirt writes them
 * ("0-3,^2,6"). Parsed into a sorted set of bits and formatted back in the
 * canonical compact form ("0-1,3,6").
 */
#pragma once

#include <glib.h>

typedef struct _VgmBitmap VgmBitmap;

#define VGM_BITMAP_MAX 16384

VgmBitmap *vgmBitmapNew(unsigned int size);
void vgmBitmapFree(VgmBitmap *map);
VgmBitmap *vgmBitmapCopy(const VgmBitmap *map);
/* Parses @str; on error names @what in the message. */
VgmBitmap *vgmBitmapParse(const char *str, const char *what, GError **error);
char *vgmBitmapFormat(const VgmBitmap *map);
void vgmBitmapSet(VgmBitmap *map, unsigned int bit);
gboolean vgmBitmapIsSet(const VgmBitmap *map, unsigned int bit);
unsigned int vgmBitmapCount(const VgmBitmap *map);
/* Highest set bit, or -1 when empty. */
int vgmBitmapLast(const VgmBitmap *map);
/* Next set bit after @pos (-1 to start), or -1. */
int vgmBitmapNext(const VgmBitmap *map, int pos);
gboolean vgmBitmapOverlaps(const VgmBitmap *a, const VgmBitmap *b);
gboolean vgmBitmapEqual(const VgmBitmap *a, const VgmBitmap *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmBitmap, vgmBitmapFree)
