/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmsize.c: scaled sizes and strict integer parsing.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vgmsize.h"
#include "vgmerror.h"
#include "vgmi18n.h"

static gboolean
vgmUnitFactor(const char *unit, unsigned long long defaultScale,
              unsigned long long *factor)
{
    unsigned int base;
    int power;

    if (!unit || !*unit) {
        *factor = defaultScale;
        return TRUE;
    }
    if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
        *factor = 1;
        return TRUE;
    }

    switch (g_ascii_tolower(unit[0])) {
    case 'k': power = 1; break;
    case 'm': power = 2; break;
    case 'g': power = 3; break;
    case 't': power = 4; break;
    case 'p': power = 5; break;
    case 'e': power = 6; break;
    default: return FALSE;
    }

    if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "ib") == 0) {
        base = 1024;
    } else if (g_ascii_tolower(unit[1]) == 'b' && unit[2] == '\0') {
        base = 1000;
    } else {
        return FALSE;
    }
    /* as in libvirt: a lone letter means a power of 1024, "KB" of 1000 */
    *factor = 1;
    while (power--)
        *factor *= base;
    return TRUE;
}

gboolean
vgmSizeUnitIsValid(const char *unit)
{
    unsigned long long f;
    return vgmUnitFactor(unit, 1, &f);
}

gboolean
vgmScaleInteger(unsigned long long *value, const char *unit,
                unsigned long long defaultScale, unsigned long long limit,
                const char *what, GError **error)
{
    unsigned long long factor;

    if (!vgmUnitFactor(unit, defaultScale, &factor)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("unknown unit '%1$s' for %2$s"), unit, what);
        return FALSE;
    }
    if (factor != 0 && *value > limit / factor) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("value %1$llu %2$s for %3$s is too large (the limit is %4$llu bytes)"),
                    *value, unit && *unit ? unit : "", what, limit);
        return FALSE;
    }
    *value *= factor;
    return TRUE;
}

gboolean
vgmScaleToKiB(unsigned long long value, const char *unit,
              unsigned long long maxKiB, const char *what,
              unsigned long long *kib, GError **error)
{
    unsigned long long factor;
    unsigned long long bytes;
    unsigned long long rounded;

    if (!vgmUnitFactor(unit, 1024, &factor)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("unknown unit '%1$s' for %2$s"), unit, what);
        return FALSE;
    }
    /* the bytes must fit 64 bits (2^64 bytes is far past any limit in
     * KiB); the limit is checked on the KiB rounded up, not on the bytes */
    if (value > G_MAXUINT64 / factor)
        goto toolarge;
    bytes = value * factor;
    rounded = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    if (rounded > maxKiB)
        goto toolarge;
    *kib = rounded;
    return TRUE;

 toolarge:
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("value %1$llu %2$s for %3$s is too large (the limit is %4$llu KiB)"),
                value, unit && *unit ? unit : "KiB", what, maxKiB);
    return FALSE;
}

gboolean
vgmSizeRoundUp(unsigned long long value, unsigned long long align,
               unsigned long long *result)
{
    unsigned long long rest;
    unsigned long long r;

    g_return_val_if_fail(align > 0, FALSE);
    rest = value % align;
    if (!rest) {
        *result = value;
        return TRUE;
    }
    if (!g_uint64_checked_add(&r, value - rest, align))
        return FALSE;
    *result = r;
    return TRUE;
}

gboolean
vgmSizeKiBToBytes(unsigned long long kib, gint64 *bytes)
{
    if (kib > (unsigned long long)G_MAXINT64 / 1024)
        return FALSE;
    *bytes = (gint64)(kib * 1024);
    return TRUE;
}

gboolean
vgmStrToULL(const char *str, unsigned long long *result)
{
    return vgmStrToULLBase(str, 0, result);
}

gboolean
vgmStrToULLBase(const char *str, int base, unsigned long long *result)
{
    char *end = NULL;
    unsigned long long v;

    if (!str || !*str || g_ascii_isspace(*str) || *str == '-' || *str == '+')
        return FALSE;
    if (base == 0)
        base = str[0] == '0' && (str[1] == 'x' || str[1] == 'X') ? 16 : 10;
    if (base == 10 && strspn(str, "0123456789") != strlen(str))
        return FALSE;
    errno = 0;
    v = strtoull(str, &end, base);
    if (errno != 0 || !end || *end != '\0' || end == str)
        return FALSE;
    *result = v;
    return TRUE;
}

gboolean
vgmStrToUInt(const char *str, unsigned int *result)
{
    unsigned long long v;

    if (!vgmStrToULL(str, &v) || v > UINT_MAX)
        return FALSE;
    *result = v;
    return TRUE;
}

gboolean
vgmStrToInt(const char *str, int *result)
{
    char *end = NULL;
    long v;

    if (!str || !*str || g_ascii_isspace(*str))
        return FALSE;
    errno = 0;
    v = strtol(str, &end, 10);
    if (errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX)
        return FALSE;
    *result = v;
    return TRUE;
}
