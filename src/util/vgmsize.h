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

/*
 * The largest memory size accepted anywhere, in KiB, after every rounding.
 * libvirt's bound is what QEMU takes: a size in bytes must fit a signed
 * 64-bit integer (LLONG_MAX, QEMU's JSON and json-glib), so at most
 * 2^53 - 1 KiB. It is rounded down to whole 2 MiB, the coarsest alignment
 * QEMU's RAM gets (1 MiB for main RAM and NUMA cells, 2 MiB for DIMMs as
 * in libvirt), so that aligning a size that passed cannot cross it:
 * 9007199254738944 KiB, 8 EiB - 2 MiB.
 */
#define VGM_MEMORY_MAX_KIB ((((unsigned long long)G_MAXINT64 / 1024) / 2048) * 2048)

/*
 * Scales @value written in @unit (NULL or "" means KiB) to KiB, rounding
 * up to a whole KiB as libvirt does, and checks the rounded result against
 * @maxKiB. Too large is an error naming @what, never a wrap; @kib is
 * untouched on error.
 */
gboolean vgmScaleToKiB(unsigned long long value, const char *unit,
                       unsigned long long maxKiB, const char *what,
                       unsigned long long *kib, GError **error);

/* @value rounded up to a multiple of @align (> 0); FALSE, and @result
 * untouched, when that does not fit 64 bits. */
gboolean vgmSizeRoundUp(unsigned long long value, unsigned long long align,
                        unsigned long long *result);

/* @kib in bytes; FALSE, and @bytes untouched, when that does not fit the
 * signed 64 bits QEMU's JSON sizes are written in. */
gboolean vgmSizeKiBToBytes(unsigned long long kib, gint64 *bytes);

/* Whether @unit is a unit vgmScaleInteger accepts. */
gboolean vgmSizeUnitIsValid(const char *unit);

/* Parses a decimal (or 0x hex) unsigned integer, the whole string. */
gboolean vgmStrToULL(const char *str, unsigned long long *result);
/* The same in @base: 10 (digits only), 16 (0x optional), 0 (either). */
gboolean vgmStrToULLBase(const char *str, int base, unsigned long long *result);
gboolean vgmStrToUInt(const char *str, unsigned int *result);
gboolean vgmStrToInt(const char *str, int *result);
