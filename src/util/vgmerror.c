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
              "no-support",
              "no-storage-pool",
              "no-storage-vol",
              "no-secret",
              "invalid-secret",
              "no-network",
              "argument-unsupported",
              "device-missing",
              "operation-aborted",
              "no-domain-metadata",
              "agent-unresponsive",
              "no-hostname",
              "operation-denied",
              "no-domain-snapshot",
              "cpu-incompatible",
              "no-node-device",
              "no-interface",
              "multiple-interfaces");

char *
vgmErrorEscape(const char *str)
{
    GString *out;
    const char *p;
    const char *end;

    if (!str)
        return NULL;
    end = str + strlen(str);
    for (p = str; *p; p++) {
        if ((guchar)*p < 0x20 || (guchar)*p >= 0x7f)
            break;
    }
    if (!*p)
        return g_strdup(str); /* plain ASCII: the common case */

    out = g_string_sized_new(end - str + 16);
    g_string_append_len(out, str, p - str);
    while (p < end) {
        guchar c = *p;
        gunichar u;
        const char *next;

        if (c < 0x80) {
            if (c == '\n')
                g_string_append(out, "\\n");
            else if (c == '\r')
                g_string_append(out, "\\r");
            else if (c == '\t')
                g_string_append(out, "\\t");
            else if (c < 0x20 || c == 0x7f)
                g_string_append_printf(out, "\\x%02x", c);
            else
                g_string_append_c(out, c);
            p++;
            continue;
        }
        u = g_utf8_get_char_validated(p, end - p);
        if (u == (gunichar)-1 || u == (gunichar)-2) {
            g_string_append_printf(out, "\\x%02x", c);
            p++;
            continue;
        }
        next = g_utf8_next_char(p);
        if (u >= 0x80 && u <= 0x9f)
            g_string_append_printf(out, "\\u%04x", u);
        else
            g_string_append_len(out, p, next - p);
        p = next;
    }
    return g_string_free(out, FALSE);
}

void
vgmErrorSet(GError **error, VgmErrorCode code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *esc = NULL;

    if (!error)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* our own texts hold no control characters: whatever is escaped came
     * from a quoted value */
    esc = vgmErrorEscape(msg);
    g_propagate_error(error, g_error_new_literal(VGM_ERROR, code, esc));
}

void
vgmErrorSetSystem(GError **error, int errnum, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *full = NULL;
    g_autofree char *esc = NULL;

    if (!error)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    full = g_strdup_printf("%s: %s", msg, g_strerror(errnum));
    esc = vgmErrorEscape(full);
    g_set_error_literal(error, VGM_ERROR, VGM_ERR_SYSTEM, esc);
}
