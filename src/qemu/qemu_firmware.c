/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_firmware.c: resolving a domain's firmware (see the header).
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "qemu_firmware.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

void
vgmQemuFirmwareFree(VgmQemuFirmware *fw)
{
    if (!fw)
        return;
    g_free(fw->loader);
    g_free(fw->nvram);
    g_free(fw->nvramTemplate);
    g_free(fw->descriptor);
    g_free(fw);
}

/* One descriptor, as far as the choice needs it. */
typedef struct {
    char *path;
    char *executable;
    char *nvramTemplate;
    gboolean flashRaw;          /* a split flash mapping of raw images */
    gboolean uefi;
    gboolean matchesTarget;
    GHashTable *features;       /* feature name set */
} VgmFirmwareDesc;

static void
vgmFirmwareDescFree(VgmFirmwareDesc *d)
{
    if (!d)
        return;
    g_free(d->path);
    g_free(d->executable);
    g_free(d->nvramTemplate);
    if (d->features)
        g_hash_table_unref(d->features);
    g_free(d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmFirmwareDesc, vgmFirmwareDescFree)

static const char *
vgmFirmwareString(JsonObject *o, const char *member)
{
    JsonNode *n = o ? json_object_get_member(o, member) : NULL;

    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
           json_node_get_string(n) : NULL;
}

static JsonObject *
vgmFirmwareObject(JsonObject *o, const char *member)
{
    JsonNode *n = o ? json_object_get_member(o, member) : NULL;

    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *
vgmFirmwareArray(JsonObject *o, const char *member)
{
    JsonNode *n = o ? json_object_get_member(o, member) : NULL;

    return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

/* Element @i of @arr when it is a string, else NULL (a descriptor is
 * read, not trusted) */
static const char *
vgmFirmwareArrayString(JsonArray *arr, guint i)
{
    JsonNode *n = json_array_get_element(arr, i);

    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
           json_node_get_string(n) : NULL;
}

/* Reads @path; a descriptor that cannot be read or is not one is skipped
 * (NULL), as libvirt skips it. */
static VgmFirmwareDesc *
vgmFirmwareDescLoad(const char *path, const char *arch, const char *machine)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(VgmFirmwareDesc) d = g_new0(VgmFirmwareDesc, 1);
    JsonObject *root, *mapping, *exe, *tmpl;
    JsonArray *arr;
    const char *device, *mode;
    guint i, j;

    if (!json_parser_load_from_file(parser, path, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
        return NULL;
    root = json_node_get_object(json_parser_get_root(parser));
    d->path = g_strdup(path);
    d->features = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (i = 0; (arr = vgmFirmwareArray(root, "interface-types")) && i < json_array_get_length(arr); i++) {
        const char *t = vgmFirmwareArrayString(arr, i);

        if (t && g_str_equal(t, "uefi"))
            d->uefi = TRUE;
    }
    mapping = vgmFirmwareObject(root, "mapping");
    device = vgmFirmwareString(mapping, "device");
    mode = vgmFirmwareString(mapping, "mode");
    exe = vgmFirmwareObject(mapping, "executable");
    tmpl = vgmFirmwareObject(mapping, "nvram-template");
    if (device && g_str_equal(device, "flash") && (!mode || g_str_equal(mode, "split")) &&
        vgmFirmwareString(exe, "filename") && vgmFirmwareString(tmpl, "filename") &&
        g_strcmp0(vgmFirmwareString(exe, "format"), "raw") == 0 &&
        g_strcmp0(vgmFirmwareString(tmpl, "format"), "raw") == 0) {
        d->flashRaw = TRUE;
        d->executable = g_strdup(vgmFirmwareString(exe, "filename"));
        d->nvramTemplate = g_strdup(vgmFirmwareString(tmpl, "filename"));
    }
    for (i = 0; (arr = vgmFirmwareArray(root, "targets")) && i < json_array_get_length(arr); i++) {
        JsonNode *tn = json_array_get_element(arr, i);
        JsonObject *t = JSON_NODE_HOLDS_OBJECT(tn) ? json_node_get_object(tn) : NULL;
        JsonArray *machines = vgmFirmwareArray(t, "machines");

        /* (QEMU's names: i386 for an i686 guest) */
        if (g_strcmp0(vgmFirmwareString(t, "architecture"), vgmQemuArchBinaryName(arch)) != 0)
            continue;
        for (j = 0; machines && j < json_array_get_length(machines); j++) {
            const char *glob = vgmFirmwareArrayString(machines, j);

            if (glob && fnmatch(glob, machine, 0) == 0)
                d->matchesTarget = TRUE;
        }
    }
    for (i = 0; (arr = vgmFirmwareArray(root, "features")) && i < json_array_get_length(arr); i++) {
        const char *f = vgmFirmwareArrayString(arr, i);

        if (f)
            g_hash_table_add(d->features, g_strdup(f));
    }
    return g_steal_pointer(&d);
}

GPtrArray *
vgmQemuDescriptorPaths(const char *const *dirs)
{
    g_autoptr(GHashTable) byName = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GList) names = NULL;
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    GList *l;

    for (; dirs && *dirs; dirs++) {
        g_autoptr(GDir) dir = g_dir_open(*dirs, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            if (!g_str_has_suffix(name, ".json") || g_hash_table_contains(byName, name))
                continue;
            g_hash_table_insert(byName, g_strdup(name), g_build_filename(*dirs, name, NULL));
        }
    }
    names = g_hash_table_get_keys(byName);
    names = g_list_sort(names, (GCompareFunc)strcmp);
    for (l = names; l; l = l->next) {
        const char *path = g_hash_table_lookup(byName, l->data);
        GStatBuf st;

        if (g_stat(path, &st) == 0 && st.st_size > 0)
            g_ptr_array_add(paths, g_strdup(path));
    }
    return paths;
}

/* Whether @d is UEFI in a raw flash pair for its arch and machine: what
 * firmware='efi' can take at all */
static gboolean
vgmFirmwareDescIsEfi(const VgmFirmwareDesc *d)
{
    return d->uefi && d->flashRaw && d->matchesTarget;
}

/* libvirt's rules for a descriptor and a domain asking for firmware='efi' */
static gboolean
vgmFirmwareDescMatches(const VgmFirmwareDesc *d, const VgmDomainDef *def)
{
    const VgmOsDef *os = &def->os;
    gboolean secureBoot = g_hash_table_contains(d->features, "secure-boot");
    gboolean smm = g_hash_table_contains(d->features, "requires-smm");
    size_t i;

    if (!vgmFirmwareDescIsEfi(d))
        return FALSE;
    for (i = 0; i < os->nfwFeatures; i++) {
        gboolean has = g_hash_table_contains(d->features, os->fwFeatures[i].name);

        if (has != (os->fwFeatures[i].enabled == VGM_TRISTATE_YES))
            return FALSE;
    }
    if (os->loaderSecure == VGM_TRISTATE_YES && !(secureBoot && smm))
        return FALSE;
    if (smm && def->features.features[VGM_FEATURE_SMM] == VGM_TRISTATE_NO)
        return FALSE;
    if (def->sec) {
        const char *need = def->sec->type == VGM_LAUNCH_SECURITY_SEV ? "amd-sev" :
                           def->sec->type == VGM_LAUNCH_SECURITY_SEV_SNP ? "amd-sev-snp" :
                           "intel-tdx";

        if (!g_hash_table_contains(d->features, need))
            return FALSE;
    }
    return TRUE;
}

char *
vgmQemuFirmwareNvramPath(const VgmDomainDef *def, const VgmQemuConfig *cfg)
{
    const VgmOsDef *os = &def->os;
    g_autofree char *file = NULL;

    if (os->nvramNet)
        return NULL;
    if (os->nvram)
        return g_strdup(os->nvram);
    /* libvirt names the varstore of a firmware it picks, and of a pflash
     * that is read-only (readonly='yes': without it, a pflash is written
     * in place, as libvirt gives it to QEMU) and keeps its variables */
    if (!(os->firmware == VGM_OS_FIRMWARE_EFI && !os->loader) &&
        !(os->loader && os->loaderType == VGM_LOADER_TYPE_PFLASH &&
          os->loaderReadonly == VGM_TRISTATE_YES && os->loaderStateless != VGM_TRISTATE_YES))
        return NULL;
    if (!cfg->nvramDir)
        return NULL;
    file = g_strdup_printf("%s_VARS.fd", def->name);
    return g_build_filename(cfg->nvramDir, file, NULL);
}

/* The same file, by its name or by what it is (a link to it) */
static gboolean
vgmFirmwareSameFile(const char *a, const char *b)
{
    GStatBuf sa, sb;

    if (g_str_equal(a, b))
        return TRUE;
    return g_stat(a, &sa) == 0 && g_stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The varstore template of the first UEFI descriptor of @dirs for @arch
 * on @machine whose executable is @loader, or NULL */
static char *
vgmQemuFirmwareTemplateOf(char **dirs, const char *arch, const char *machine,
                          const char *loader)
{
    g_autoptr(GPtrArray) paths = vgmQemuDescriptorPaths((const char *const *)dirs);
    guint i;

    for (i = 0; i < paths->len; i++) {
        g_autoptr(VgmFirmwareDesc) d = vgmFirmwareDescLoad(g_ptr_array_index(paths, i),
                                                           arch, machine);

        if (d && vgmFirmwareDescIsEfi(d) && d->nvramTemplate &&
            vgmFirmwareSameFile(d->executable, loader))
            return g_strdup(d->nvramTemplate);
    }
    return NULL;
}

GPtrArray *
vgmQemuFirmwareLoaders(const char *const *dirs, const char *arch, const char *machine,
                       gboolean *secure)
{
    g_autoptr(GPtrArray) paths = vgmQemuDescriptorPaths(dirs);
    GPtrArray *loaders = g_ptr_array_new_with_free_func(g_free);
    guint i;

    *secure = FALSE;
    for (i = 0; i < paths->len; i++) {
        g_autoptr(VgmFirmwareDesc) d = vgmFirmwareDescLoad(g_ptr_array_index(paths, i),
                                                           arch, machine);

        if (!d || !vgmFirmwareDescIsEfi(d))
            continue;
        if (!g_ptr_array_find_with_equal_func(loaders, d->executable, g_str_equal, NULL))
            g_ptr_array_add(loaders, g_strdup(d->executable));
        if (g_hash_table_contains(d->features, "secure-boot") &&
            g_hash_table_contains(d->features, "requires-smm"))
            *secure = TRUE;
    }
    return loaders;
}

VgmQemuFirmware *
vgmQemuFirmwareResolve(const VgmDomainDef *def, const char *machine,
                       const VgmQemuConfig *cfg, GError **error)
{
    const VgmOsDef *os = &def->os;
    g_autoptr(VgmQemuFirmware) fw = g_new0(VgmQemuFirmware, 1);
    g_autoptr(GPtrArray) paths = NULL;
    const char *arch = os->arch ? os->arch : "x86_64";
    guint i;

    if (os->loader || os->firmware != VGM_OS_FIRMWARE_EFI) {
        if (!os->loader)
            return g_steal_pointer(&fw);
        fw->loader = g_strdup(os->loader);
        fw->type = os->loaderType;
        fw->readonly = os->loaderReadonly == VGM_TRISTATE_YES;
        fw->secure = os->loaderSecure == VGM_TRISTATE_YES;
        fw->nvramTemplate = g_strdup(os->nvramTemplate);
        fw->nvram = vgmQemuFirmwareNvramPath(def, cfg);
        fw->nvramBlock = os->nvramBlock;
        fw->nvramNetwork = os->nvramNet != NULL;
        /* a varstore of a file without a template given: the one of the
         * descriptor that offers this very loader, as libvirt finds it */
        if (fw->nvram && !fw->nvramTemplate && !fw->nvramBlock)
            fw->nvramTemplate = vgmQemuFirmwareTemplateOf(cfg->firmwareDirs, arch, machine,
                                                          fw->loader);
        return g_steal_pointer(&fw);
    }

    paths = vgmQemuDescriptorPaths((const char *const *)cfg->firmwareDirs);
    for (i = 0; i < paths->len; i++) {
        g_autoptr(VgmFirmwareDesc) d = vgmFirmwareDescLoad(g_ptr_array_index(paths, i),
                                                           arch, machine);

        if (!d || !vgmFirmwareDescMatches(d, def))
            continue;
        fw->loader = g_strdup(d->executable);
        fw->type = VGM_LOADER_TYPE_PFLASH;
        fw->readonly = TRUE;
        fw->smm = g_hash_table_contains(d->features, "requires-smm");
        fw->secure = fw->smm;
        fw->nvramTemplate = g_strdup(d->nvramTemplate);
        fw->nvram = vgmQemuFirmwareNvramPath(def, cfg);
        fw->nvramBlock = os->nvramBlock && os->nvram;
        fw->nvramNetwork = os->nvramNet != NULL;
        fw->descriptor = g_strdup(d->path);
        return g_steal_pointer(&fw);
    }
    if (paths->len) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("no firmware descriptor satisfies <os firmware='efi'> of domain '%1$s' on machine '%2$s': none of the %3$u found fits"),
                    def->name, machine, paths->len);
    } else {
        g_autofree char *dirs = cfg->firmwareDirs ? g_strjoinv(", ", cfg->firmwareDirs) : NULL;

        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("no firmware descriptor satisfies <os firmware='efi'> of domain '%1$s': there is none in %2$s (Debian's ovmf package installs them)"),
                    def->name, dirs ? dirs : _("no directory"));
    }
    return NULL;
}

gboolean
vgmQemuFirmwareEfiAvailable(const char *const *dirs, const char *arch, const char *machine)
{
    gboolean secure;
    g_autoptr(GPtrArray) loaders = vgmQemuFirmwareLoaders(dirs, arch, machine, &secure);

    return loaders->len > 0;
}

gboolean
vgmQemuFirmwarePrepareNvram(const VgmQemuFirmware *fw, gboolean reset, GError **error)
{
    g_autofree char *dir = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    /* as libvirt: a reset makes a varstore file from its template again,
     * one on a block device or the network is not the driver's to write */
    if (reset && (fw->nvramBlock || fw->nvramNetwork)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT, "%s",
                    fw->nvramBlock ? _("cannot reset a UEFI varstore on a block device: only a varstore file is made again from its template")
                                   : _("cannot reset a UEFI varstore on the network: only a varstore file is made again from its template"));
        return FALSE;
    }
    if (!fw->nvram)
        return TRUE;
    if (reset && !fw->nvramTemplate) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot reset the UEFI varstore '%1$s': <nvram> names no template to make it from"),
                    fw->nvram);
        return FALSE;
    }
    if (!reset && g_file_test(fw->nvram, G_FILE_TEST_EXISTS))
        return TRUE;
    /* a block device is the host's to provide, not the driver's to make */
    if (fw->nvramBlock) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("the UEFI varstore's block device '%1$s' does not exist"), fw->nvram);
        return FALSE;
    }
    if (!fw->nvramTemplate) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("the UEFI varstore '%1$s' does not exist and <nvram> names no template to make it from"),
                    fw->nvram);
        return FALSE;
    }
    dir = g_path_get_dirname(fw->nvram);
    if (!vgmFileMakePath(dir, 0755, error))
        return FALSE;
    if (!g_file_get_contents(fw->nvramTemplate, &data, &len, NULL)) {
        vgmErrorSetSystem(error, errno, _("cannot read the UEFI varstore template '%1$s'"),
                          fw->nvramTemplate);
        return FALSE;
    }
    return vgmFileWriteAtomic(fw->nvram, data, len, 0600, error);
}

char *
vgmQemuVhostUserBinary(const char *const *dirs, const char *type)
{
    g_autoptr(GPtrArray) paths = vgmQemuDescriptorPaths(dirs);
    guint i;

    for (i = 0; i < paths->len; i++) {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *root;
        const char *t, *binary;

        /* one that cannot be read, or is not one, is passed over */
        if (!json_parser_load_from_file(parser, g_ptr_array_index(paths, i), NULL) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
            continue;
        root = json_node_get_object(json_parser_get_root(parser));
        t = json_object_get_string_member_with_default(root, "type", NULL);
        binary = json_object_get_string_member_with_default(root, "binary", NULL);
        if (t && binary && g_str_equal(t, type) && g_path_is_absolute(binary))
            return g_strdup(binary);
    }
    return NULL;
}
