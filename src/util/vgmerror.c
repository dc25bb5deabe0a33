/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmerror.c: the project's error domain and helpers to raise errors.
 */
#include "config.h"

#include <string.h>

#include "vgmerror.h"
#include "vgmenum.h"
#include "vgmi18n.h"

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

/* Each of our codes as libvirt's clients know it (Nova maps 42 to
 * "instance not found", virsh and virt-install act on 55 and 67), and
 * how libvirt words an error of that code around its detail
 * (virErrorMsg); then the codes the daemon's RPC layer sends of its own.
 * A format of "%s" is the detail alone. */
static const struct {
    VgmErrorCode ours;          /* 0: none of ours */
    int libvirt;
    const char *format;
} vgmErrorLibvirt[] = {
    { VGM_ERR_INTERNAL, VGM_LV_ERR_INTERNAL, N_("internal error: %s") },
    { VGM_ERR_XML, VGM_LV_ERR_XML, N_("XML error: %s") },
    { VGM_ERR_CONFIG_UNSUPPORTED, VGM_LV_ERR_CONFIG_UNSUPPORTED, N_("unsupported configuration: %s") },
    { VGM_ERR_INVALID_ARG, VGM_LV_ERR_INVALID_ARG, N_("invalid argument: %s") },
    { VGM_ERR_OPERATION_INVALID, VGM_LV_ERR_OPERATION_INVALID, N_("Requested operation is not valid: %s") },
    { VGM_ERR_OPERATION_FAILED, VGM_LV_ERR_OPERATION_FAILED, N_("operation failed: %s") },
    { VGM_ERR_NO_DOMAIN, VGM_LV_ERR_NO_DOMAIN, N_("Domain not found: %s") },
    { VGM_ERR_OPERATION_TIMEOUT, VGM_LV_ERR_OPERATION_TIMEOUT, N_("Timed out during operation: %s") },
    { VGM_ERR_SYSTEM, VGM_LV_ERR_SYSTEM, "%s" },
    { VGM_ERR_NO_SUPPORT, VGM_LV_ERR_OPERATION_UNSUPPORTED, N_("Operation not supported: %s") },
    { VGM_ERR_NO_STORAGE_POOL, VGM_LV_ERR_NO_STORAGE_POOL, N_("Storage pool not found: %s") },
    { VGM_ERR_NO_STORAGE_VOL, VGM_LV_ERR_NO_STORAGE_VOL, N_("Storage volume not found: %s") },
    { VGM_ERR_NO_SECRET, VGM_LV_ERR_NO_SECRET, N_("Secret not found: %s") },
    { VGM_ERR_INVALID_SECRET, VGM_LV_ERR_INVALID_SECRET, N_("Invalid secret: %s") },
    { VGM_ERR_NO_NETWORK, VGM_LV_ERR_NO_NETWORK, N_("Network not found: %s") },
    { VGM_ERR_ARGUMENT_UNSUPPORTED, VGM_LV_ERR_ARGUMENT_UNSUPPORTED, N_("argument unsupported: %s") },
    { VGM_ERR_DEVICE_MISSING, VGM_LV_ERR_DEVICE_MISSING, N_("device not found: %s") },
    { VGM_ERR_OPERATION_ABORTED, VGM_LV_ERR_OPERATION_ABORTED, N_("operation aborted: %s") },
    { VGM_ERR_NO_DOMAIN_METADATA, VGM_LV_ERR_NO_DOMAIN_METADATA, N_("metadata not found: %s") },
    { VGM_ERR_AGENT_UNRESPONSIVE, VGM_LV_ERR_AGENT_UNRESPONSIVE, N_("Guest agent is not responding: %s") },
    { VGM_ERR_NO_HOSTNAME, VGM_LV_ERR_NO_HOSTNAME, N_("no hostname found: %s") },
    { VGM_ERR_OPERATION_DENIED, VGM_LV_ERR_OPERATION_DENIED, N_("operation forbidden: %s") },
    { VGM_ERR_NO_DOMAIN_SNAPSHOT, VGM_LV_ERR_NO_DOMAIN_SNAPSHOT, N_("Domain snapshot not found: %s") },
    { VGM_ERR_CPU_INCOMPATIBLE, VGM_LV_ERR_CPU_INCOMPATIBLE, N_("the CPU is incompatible with host CPU: %s") },
    { VGM_ERR_NO_NODE_DEVICE, VGM_LV_ERR_NO_NODE_DEVICE, N_("Node device not found: %s") },
    { VGM_ERR_NO_INTERFACE, VGM_LV_ERR_NO_INTERFACE, N_("Interface not found: %s") },
    { VGM_ERR_MULTIPLE_INTERFACES, VGM_LV_ERR_MULTIPLE_INTERFACES, N_("multiple matching interfaces found: %s") },
    { 0, VGM_LV_ERR_NO_SUPPORT, N_("this function is not supported by the connection driver: %s") },
    { 0, VGM_LV_ERR_RPC, "%s" },
};
G_STATIC_ASSERT(G_N_ELEMENTS(vgmErrorLibvirt) == VGM_ERR_LAST - 1 + 2);

int
vgmErrorLibvirtCode(VgmErrorCode code)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmErrorLibvirt); i++) {
        if (vgmErrorLibvirt[i].ours == code && code != 0)
            return vgmErrorLibvirt[i].libvirt;
    }
    return VGM_LV_ERR_INTERNAL;
}

const char *
vgmErrorLibvirtFormat(int libvirtCode)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmErrorLibvirt); i++) {
        if (vgmErrorLibvirt[i].libvirt == libvirtCode) {
            const char *format = _(vgmErrorLibvirt[i].format);

            /* (a translation that lost the detail is not used) */
            return strstr(format, "%s") ? format : vgmErrorLibvirt[i].format;
        }
    }
    return "%s";
}

char *
vgmErrorLibvirtMessage(const GError *err)
{
    g_autofree char *detail = vgmErrorEscape(err->message);
    const char *format;
    const char *at;

    if (err->domain != VGM_ERROR)
        return g_steal_pointer(&detail);
    format = vgmErrorLibvirtFormat(vgmErrorLibvirtCode(err->code));
    at = strstr(format, "%s");
    return g_strdup_printf("%.*s%s%s", (int)(at - format), format, detail, at + 2);
}
