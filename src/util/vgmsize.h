/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmsize.h: sizes written with a unit, as libvirt's XML writes them.
 */
#pragma once

#include <glib.h>

/*
 * Multiplies @value by the factor of @unit (NULL or "" means @defaultScale
 * bytes) and checks that the result does not exceed @limit.
 * Units: b, byte(s) (1); KB, MB, GB, TB, PB, EB (powers of 1000);
 * k, KiB, M, MiB, G, GiB, T, TiB, P, PiB, E, EiB (powers of 1024).
 * Overflow past @limit is an error naming @what, never a wrap.
 */
gboolean vgmScaleInteger(unsigned long long *value, const char *unit,
                         unsigned long long defaultScale,
                         unsigned long long limit,
                         const char *what,
                         GError **error);

/* Whether @unit is a unit vgmScaleInteger accepts. */
gboolean vgmSizeUnitIsValid(const char *unit);

/* Parses a decimal (or 0x hex) unsigned integer, the whole string. */
gboolean vgmStrToULL(const char *str, unsigned long long *result);
/* The same in @base: 10 (digits only), 16 (0x optional), 0 (either). */
gboolean vgmStrToULLBase(const char *str, int base, unsigned long long *result);
gboolean vgmStrToUInt(const char *str, unsigned int *result);
gboolean vgmStrToInt(const char *str, int *result);
