/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmsysinfo.c: the host's SMBIOS tables, read through dmidecode, as
 * libvirt's <sysinfo type='smbios'>.
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "host/vgmsysinfo.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

/* An entry of libvirt's <sysinfo> and the dmidecode field it comes from */
typedef struct {
    const char *entry;
    const char *field;
} VgmSysinfoField;

/* A section of libvirt's host <sysinfo> and dmidecode's title of it */
typedef struct {
    const char *title;
    const char *element;
    gboolean many;              /* every such section, else the first */
    const VgmSysinfoField *fields;
} VgmSysinfoSection;

static const VgmSysinfoField vgmSysinfoBiosFields[] = {
    { "vendor", "Vendor" },
    { "version", "Version" },
    { "date", "Release Date" },
    { "release", "BIOS Revision" },
    { NULL, NULL },
};

static const VgmSysinfoField vgmSysinfoSystemFields[] = {
    { "manufacturer", "Manufacturer" },
    { "product", "Product Name" },
    { "version", "Version" },
    { "serial", "Serial Number" },
    { "uuid", "UUID" },
    { "sku", "SKU Number" },
    { "family", "Family" },
    { NULL, NULL },
};

static const VgmSysinfoField vgmSysinfoBoardFields[] = {
    { "manufacturer", "Manufacturer" },
    { "product", "Product Name" },
    { "version", "Version" },
    { "serial", "Serial Number" },
    { "asset", "Asset Tag" },
    { "location", "Location In Chassis" },
    { NULL, NULL },
};

static const VgmSysinfoField vgmSysinfoChassisFields[] = {
    { "manufacturer", "Manufacturer" },
    { "version", "Version" },
    { "serial", "Serial Number" },
    { "asset", "Asset Tag" },
    { "sku", "SKU Number" },
    { NULL, NULL },
};

static const VgmSysinfoField vgmSysinfoProcessorFields[] = {
    { "socket_destination", "Socket Designation" },
    { "type", "Type" },
    { "family", "Family" },
    { "manufacturer", "Manufacturer" },
    { "signature", "Signature" },
    { "version", "Version" },
    { "external_clock", "External Clock" },
    { "max_speed", "Max Speed" },
    { "status", "Status" },
    { "serial_number", "Serial Number" },
    { "part_number", "Part Number" },
    { NULL, NULL },
};

static const VgmSysinfoField vgmSysinfoMemoryFields[] = {
    { "size", "Size" },
    { "form_factor", "Form Factor" },
    { "locator", "Locator" },
    { "bank_locator", "Bank Locator" },
    { "type", "Type" },
    { "type_detail", "Type Detail" },
    { "speed", "Speed" },
    { "manufacturer", "Manufacturer" },
    { "serial_number", "Serial Number" },
    { "part_number", "Part Number" },
    { NULL, NULL },
};

/* libvirt's order of them */
static const VgmSysinfoSection vgmSysinfoSections[] = {
    { "BIOS Information", "bios", FALSE, vgmSysinfoBiosFields },
    { "System Information", "system", FALSE, vgmSysinfoSystemFields },
    { "Base Board Information", "baseBoard", TRUE, vgmSysinfoBoardFields },
    { "Chassis Information", "chassis", FALSE, vgmSysinfoChassisFields },
    { "Processor Information", "processor", TRUE, vgmSysinfoProcessorFields },
    { "Memory Device", "memory_device", TRUE, vgmSysinfoMemoryFields },
};

/* A section of dmidecode's text: its title and its "Field: value" lines
 * (one tab in; the lists below a field, two tabs in, are not kept) */
typedef struct {
    char *title;
    GPtrArray *fields;          /* char *: field, value, field, value, ... */
} VgmDmiSection;

static void
vgmDmiSectionFree(VgmDmiSection *s)
{
    g_free(s->title);
    g_ptr_array_unref(s->fields);
    g_free(s);
}

static GPtrArray *
vgmDmiParse(const char *text)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDmiSectionFree);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    VgmDmiSection *cur = NULL;
    guint i;

    for (i = 0; lines[i]; i++) {
        const char *l = lines[i];
        const char *colon;

        if (*l == '\0') {
            cur = NULL;
        } else if (*l != '\t') {
            cur = g_new0(VgmDmiSection, 1);
            cur->title = g_strchomp(g_strdup(l));
            cur->fields = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(out, cur);
        } else if (cur && l[1] != '\t' && (colon = strstr(l + 1, ": "))) {
            g_ptr_array_add(cur->fields, g_strndup(l + 1, colon - (l + 1)));
            g_ptr_array_add(cur->fields, g_strchomp(g_strdup(colon + 2)));
        }
    }
    return out;
}

static const char *
vgmDmiField(const VgmDmiSection *s, const char *field)
{
    guint i;

    for (i = 0; i + 1 < s->fields->len; i += 2) {
        if (g_str_equal(g_ptr_array_index(s->fields, i), field))
            return g_ptr_array_index(s->fields, i + 1);
    }
    return NULL;
}

static void
vgmSysinfoFormatSection(VgmBuf *buf, const VgmSysinfoSection *sec, const VgmDmiSection *s)
{
    const char *size = vgmDmiField(s, "Size");
    VgmBuf child;
    VgmBuf attrs;
    guint i;

    /* (an empty memory slot is no device) */
    if (sec->fields == vgmSysinfoMemoryFields && g_strcmp0(size, "No Module Installed") == 0)
        return;
    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, buf);
    for (i = 0; sec->fields[i].entry; i++) {
        const char *value = vgmDmiField(s, sec->fields[i].field);

        if (!value)
            continue;
        vgmBufAsprintf(&child, "<entry name='%s'>", sec->fields[i].entry);
        vgmBufEscapeText(&child, "%s</entry>\n", value);
    }
    vgmXMLFormatElement(buf, sec->element, &attrs, &child);
}

/* @raw (consumed) fit for XML text (as libvirt drops the control
 * characters XML 1.0 has no place for) */
static char *
vgmSysinfoText(char *raw)
{
    g_autofree char *owned = raw;

    return vgmXMLTextFromRaw(owned);
}

char *
vgmHostSysinfoFormatDmidecode(const char *text, VgmSysinfoOemFunc oemString, gpointer opaque)
{
    g_autofree char *clean = vgmSysinfoText(g_strdup(text));
    g_autoptr(GPtrArray) sections = vgmDmiParse(clean);
    VgmBuf buf;
    VgmBuf child;
    VgmBuf attrs;
    gboolean oem = FALSE;
    guint i, k;

    vgmBufInit(&buf, 0);
    vgmBufInit(&attrs, 0);
    vgmBufAdd(&attrs, " type='smbios'");
    vgmBufInitChild(&child, &buf);
    for (k = 0; k < G_N_ELEMENTS(vgmSysinfoSections); k++) {
        const VgmSysinfoSection *sec = &vgmSysinfoSections[k];

        for (i = 0; i < sections->len; i++) {
            const VgmDmiSection *s = g_ptr_array_index(sections, i);

            if (!g_str_equal(s->title, sec->title))
                continue;
            vgmSysinfoFormatSection(&child, sec, s);
            if (!sec->many)
                break;
        }
    }
    for (i = 0; i < sections->len && !oem; i++) {
        const VgmDmiSection *s = g_ptr_array_index(sections, i);

        if (!g_str_equal(s->title, "OEM Strings"))
            continue;
        oem = TRUE;
        vgmBufAdd(&child, "<oemStrings>\n");
        for (k = 0; k + 1 < s->fields->len; k += 2) {
            const char *field = g_ptr_array_index(s->fields, k);
            const char *value = g_ptr_array_index(s->fields, k + 1);
            g_autofree char *raw = NULL;
            guint64 n = 0;

            if (!g_str_has_prefix(field, "String ") ||
                !g_ascii_string_to_unsigned(field + strlen("String "), 10, 1, G_MAXUINT, &n,
                                            NULL))
                continue;
            /* dmidecode shows a byte it does not print (a new line) as '.' */
            if (strchr(value, '.') && oemString && (raw = oemString((guint)n, opaque))) {
                raw = vgmSysinfoText(raw);
                value = raw;
            }
            vgmBufEscapeText(&child, "  <entry>%s</entry>\n", value);
        }
        vgmBufAdd(&child, "</oemStrings>\n");
    }
    vgmXMLFormatElementEmpty(&buf, "sysinfo", &attrs, &child);
    return vgmBufSteal(&buf);
}

/* The dmidecode to run: PATH's, else the one Debian installs */
static char *
vgmSysinfoDmidecode(void)
{
    char *path = g_find_program_in_path("dmidecode");

    if (!path && g_file_test("/usr/sbin/dmidecode", G_FILE_TEST_IS_EXECUTABLE))
        path = g_strdup("/usr/sbin/dmidecode");
    return path;
}

/* how long dmidecode may take (seconds, for timeout(1)) */
#define VGM_SYSINFO_TIMEOUT_S "10"

/* Runs dmidecode with @args after its path; its output, or NULL with
 * the reason it gave (its error output, or how it ended) */
static char *
vgmSysinfoRun(const char *dmidecode, const char *const *args, char **reason)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errText = NULL;
    g_autofree char *timeout = g_find_program_in_path("timeout");
    int status = 0;

    /* a dmidecode that hangs (a firmware table it loops on) is stopped
     * after a while, as the call must answer */
    if (timeout) {
        g_ptr_array_add(argv, timeout);
        g_ptr_array_add(argv, (char *)"--kill-after=2");
        g_ptr_array_add(argv, (char *)VGM_SYSINFO_TIMEOUT_S);
    }
    g_ptr_array_add(argv, (char *)dmidecode);
    for (; *args; args++)
        g_ptr_array_add(argv, (char *)*args);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_CLOEXEC_PIPES, NULL, NULL, &out,
                      &errText, &status, &err) ||
        !g_spawn_check_wait_status(status, &err)) {
        /* (timeout's status when it stopped dmidecode) */
        if (timeout && WIFEXITED(status) && (WEXITSTATUS(status) == 124 || WEXITSTATUS(status) == 137))
            *reason = g_strdup_printf(_("dmidecode did not finish within %1$s seconds"),
                                      VGM_SYSINFO_TIMEOUT_S);
        else
            *reason = errText && *g_strstrip(errText) ? g_strdup(errText) : g_strdup(err->message);
        return NULL;
    }
    *reason = g_steal_pointer(&errText);
    return g_steal_pointer(&out);
}

/* OEM string @n as its bytes are (dmidecode --dump --oem-string N) */
static char *
vgmSysinfoOemRaw(guint n, gpointer opaque)
{
    g_autofree char *num = g_strdup_printf("%u", n);
    const char *args[] = { "--dump", "--oem-string", num, NULL };
    g_autofree char *reason = NULL;
    char *out = vgmSysinfoRun(opaque, args, &reason);
    size_t len;

    /* (dmidecode says an index it lacks on its error output, exiting 0) */
    if (!out || (reason && *g_strstrip(reason))) {
        g_free(out);
        return NULL;
    }
    len = strlen(out);
    if (len > 0 && out[len - 1] == '\n')
        out[len - 1] = '\0';
    return out;
}

char *
vgmHostSysinfoRead(GError **error)
{
    static const char *const args[] = { "-q", "-t", "0,1,2,3,4,11,17", NULL };
    g_autofree char *dmidecode = vgmSysinfoDmidecode();
    g_autofree char *reason = NULL;
    g_autofree char *out = NULL;

    if (!dmidecode) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("Host SMBIOS information is not available: dmidecode is not installed (Debian package dmidecode)"));
        return NULL;
    }
    if (!(out = vgmSysinfoRun(dmidecode, args, &reason))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("Host SMBIOS information is not available: %1$s cannot read the host's tables: %2$s"),
                    dmidecode, reason);
        return NULL;
    }
    return vgmHostSysinfoFormatDmidecode(out, vgmSysinfoOemRaw, dmidecode);
}
