/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmerror.c: the project's error domain and helpers to raise errors.
 */
#include "config.h"

#include <string.h>

#include "vgmerror.h"
#include "vgmenum.h"

GQuark
vgmErrorQuark(void)
{
    return g_quark_from_static_string("vgm-error-quark");
}

VGM_ENUM_IMPL(vgmErrorCode, VGM_ERR_LAST,
              "none",
              "internal-error",
              "xml-error",
              "config-unsupported",
              "invalid-arg",
              "operation-invalid",
              "operation-failed",
              "no-domain",
              "operation-timeout",
              "system-error",
              "no-support");

void
vgmErrorSet(GError **error, VgmErrorCode code, const char *fmt, ...)
{
    va_list ap;

    if (!error)
        return;
    va_start(ap, fmt);
    g_propagate_error(error, g_error_new_valist(VGM_ERROR, code, fmt, ap));
    va_end(ap);
}

void
vgmErrorSetSystem(GError **error, int errnum, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (!error)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, VGM_ERROR, VGM_ERR_SYSTEM, "%s: %s", msg, g_strerror(errnum));
}
