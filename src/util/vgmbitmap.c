/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmbitmap.c: sets of small integers in libvirt's range syntax.
 */
#include "config.h"

#include <string.h>

#include "vgmbitmap.h"
#include "vgmerror.h"
#include "vgmi18n.h"

struct _VgmBitmap {
    unsigned int size;
    guint8 *bits;
};

VgmBitmap *
vgmBitmapNew(unsigned int size)
{
    VgmBitmap *map = g_new0(VgmBitmap, 1);

    map->size = size;
    map->bits = g_new0(guint8, size / 8 + 1);
    return map;
}

void
vgmBitmapFree(VgmBitmap *map)
{
    if (!map)
        return;
    g_free(map->bits);
    g_free(map);
}

VgmBitmap *
vgmBitmapCopy(const VgmBitmap *map)
{
    VgmBitmap *ret;

    if (!map)
        return NULL;
    ret = vgmBitmapNew(map->size);
    memcpy(ret->bits, map->bits, map->size / 8 + 1);
    return ret;
}

void
vgmBitmapSet(VgmBitmap *map, unsigned int bit)
{
    if (bit < map->size)
        map->bits[bit / 8] |= 1u << (bit % 8);
}

static void
vgmBitmapClearBit(VgmBitmap *map, unsigned int bit)
{
    if (bit < map->size)
        map->bits[bit / 8] &= ~(1u << (bit % 8));
}

gboolean
vgmBitmapIsSet(const VgmBitmap *map, unsigned int bit)
{
    return map && bit < map->size && (map->bits[bit / 8] & (1u << (bit % 8)));
}

unsigned int
vgmBitmapCount(const VgmBitmap *map)
{
    unsigned int i, n = 0;

    for (i = 0; map && i < map->size; i++)
        n += vgmBitmapIsSet(map, i);
    return n;
}

int
vgmBitmapNext(const VgmBitmap *map, int pos)
{
    unsigned int i;

    if (!map)
        return -1;
    for (i = pos + 1; i < map->size; i++) {
        if (vgmBitmapIsSet(map, i))
            return i;
    }
    return -1;
}

int
vgmBitmapLast(const VgmBitmap *map)
{
    int i;

    if (!map)
        return -1;
    for (i = (int)map->size - 1; i >= 0; i--) {
        if (vgmBitmapIsSet(map, i))
            return i;
    }
    return -1;
}

gboolean
vgmBitmapOverlaps(const VgmBitmap *a, const VgmBitmap *b)
{
    int i;

    for (i = vgmBitmapNext(a, -1); i >= 0; i = vgmBitmapNext(a, i)) {
        if (vgmBitmapIsSet(b, i))
            return TRUE;
    }
    return FALSE;
}

gboolean
vgmBitmapEqual(const VgmBitmap *a, const VgmBitmap *b)
{
    unsigned int i, max;

    max = MAX(a ? a->size : 0, b ? b->size : 0);
    for (i = 0; i < max; i++) {
        if (vgmBitmapIsSet(a, i) != vgmBitmapIsSet(b, i))
            return FALSE;
    }
    return TRUE;
}

static gboolean
vgmBitmapParseNum(const char **p, unsigned int *num)
{
    unsigned long long v = 0;
    const char *s = *p;

    if (!g_ascii_isdigit(*s))
        return FALSE;
    while (g_ascii_isdigit(*s)) {
        v = v * 10 + (*s - '0');
        if (v >= VGM_BITMAP_MAX)
            return FALSE;
        s++;
    }
    *num = v;
    *p = s;
    return TRUE;
}

VgmBitmap *
vgmBitmapParse(const char *str, const char *what, GError **error)
{
    g_autoptr(VgmBitmap) map = vgmBitmapNew(VGM_BITMAP_MAX);
    const char *p = str;
    gboolean any = FALSE;

    if (!str || !*str)
        goto error;

    while (*p) {
        gboolean neg = FALSE;
        unsigned int start, end, i;

        while (g_ascii_isspace(*p))
            p++;
        if (*p == '^') {
            neg = TRUE;
            p++;
        }
        if (!vgmBitmapParseNum(&p, &start))
            goto error;
        end = start;
        if (*p == '-') {
            if (neg)
                goto error;
            p++;
            if (!vgmBitmapParseNum(&p, &end) || end < start)
                goto error;
        }
        for (i = start; i <= end; i++) {
            if (neg)
                vgmBitmapClearBit(map, i);
            else
                vgmBitmapSet(map, i);
        }
        if (!neg)
            any = TRUE;
        while (g_ascii_isspace(*p))
            p++;
        if (*p == ',') {
            p++;
            if (!*p)
                goto error;
        } else if (*p) {
            goto error;
        }
    }
    if (!any || vgmBitmapCount(map) == 0)
        goto error;
    return g_steal_pointer(&map);

 error:
    vgmErrorSet(error, VGM_ERR_XML,
                _("invalid set '%1$s' in %2$s: expected a list of numbers and ranges such as '0-3,^2,6' below %3$d"),
                str ? str : "", what, VGM_BITMAP_MAX);
    return NULL;
}

char *
vgmBitmapFormat(const VgmBitmap *map)
{
    GString *s = g_string_new(NULL);
    int i = vgmBitmapNext(map, -1);

    while (i >= 0) {
        int end = i;
        while (vgmBitmapIsSet(map, end + 1))
            end++;
        if (s->len)
            g_string_append_c(s, ',');
        if (end == i)
            g_string_append_printf(s, "%d", i);
        else
            g_string_append_printf(s, "%d-%d", i, end);
        i = vgmBitmapNext(map, end);
    }
    return g_string_free(s, FALSE);
}
