/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirtreftest.c: our memory lowering and PCI placement against stock
 * libvirt's.
 *
 * tests/libvirtrefdata/NAME.args is the command line Debian 12's libvirt
 * 9.0 printed for NAME.xml on QEMU 7.2 (one shell-quoted line, see the
 * README there; an empty file means libvirt produced none, and the case is
 * skipped). For each, the command line virt-gmem builds with the
 * qemu-7.2-debian capability set and the test configuration must lower
 * memory exactly like libvirt:
 *   - the -m value;
 *   - the -machine keys memory-backend, mem-merge, nvdimm, dump-guest-core;
 *   - every -object whose qom-type starts with memory-backend- or is
 *     thread-context, matched by id and compared as JSON, where mem-path
 *     values below the per-domain memory directory (libvirt's
 *     /var/lib/libvirt/qemu/ram/-1-NAME/ALIAS, ours MEMORYDIR/NAME/ALIAS)
 *     or on a hugetlbfs (MOUNT/libvirt/qemu/-1-NAME, ours
 *     MOUNT/virt-gmem/NAME) only have to match in the alias or the mount:
 *     the layout differs by design; any other path must be equal;
 *     (libvirt's -1-NAME is cut to 20 characters of the name);
 *   - the -numa options, in order;
 *   - the -overcommit options;
 *   - the memory devices (-device pc-dimm, nvdimm, virtio-mem-pci,
 *     virtio-pmem-pci), matched by id and compared as JSON without "bus"
 *     and PCI "addr" (a string; a DIMM's "addr" is its guest physical base
 *     address, an integer, and is compared);
 *   - where every PCI device sits: the "bus", "addr" and "multifunction"
 *     of each -device on a PCI bus, matched by id (by driver and order for
 *     the ICH9 USB companions, which have none): post-parse hands out PCI
 *     addresses and adds PCI controllers as libvirt does. Not the network
 *     interfaces (net*): libvirt's domxml-to-native rebuilds each one and
 *     hands it a new address, even where the definition gives one (a
 *     `virsh define` keeps it, as virt-gmem does).
 * Every difference is reported with both sides. An <interface
 * type='network'> (which virt-gmem does not support, by design, and which
 * has nothing to do with memory) is made type='user' before building.
 */
#include "config.h"

#include <string.h>

#include "testqemu.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"
#include "util/vgmerror.h"

#define VGM_REF_SET "qemu-7.2-debian"
#define VGM_REF_LIBVIRT_RAM "/var/lib/libvirt/qemu/ram/"

static VgmQemuCaps *vgmCaps;

/* Cases whose difference from libvirt is deliberate (none so far). */
static const char *const vgmRefExpectedDifferent[] = {
    NULL
};

/* The memory lowering of one command line. */
typedef struct {
    char *m;                 /* -m value, NULL: none */
    GHashTable *machine;     /* selected -machine key -> value */
    GPtrArray *objects;      /* JsonObject, memory backends and thread-contexts */
    GPtrArray *numa;         /* -numa values */
    GPtrArray *overcommit;   /* -overcommit values */
    GPtrArray *devices;      /* JsonObject, memory devices */
    GPtrArray *placements;   /* JsonObject: id, driver, bus, addr, multifunction */
} VgmRefLowering;

static void
vgmRefLoweringFree(VgmRefLowering *l)
{
    if (!l)
        return;
    g_free(l->m);
    g_hash_table_unref(l->machine);
    g_ptr_array_unref(l->objects);
    g_ptr_array_unref(l->numa);
    g_ptr_array_unref(l->overcommit);
    g_ptr_array_unref(l->devices);
    g_ptr_array_unref(l->placements);
    g_free(l);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmRefLowering, vgmRefLoweringFree)

static const char *const vgmRefMachineKeys[] = {
    "memory-backend", "mem-merge", "nvdimm", "dump-guest-core", NULL
};

static const char *const vgmRefMemoryDevices[] = {
    "pc-dimm", "nvdimm", "virtio-mem-pci", "virtio-pmem-pci", NULL
};

/* -machine TYPE,key=value,... with QEMU's ",," escaping. */
static void
vgmRefParseMachine(VgmRefLowering *l, const char *value)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    const char *p;
    guint i;

    for (p = value; *p; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',') {
            g_ptr_array_add(parts, g_string_free(cur, FALSE));
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_ptr_array_add(parts, g_string_free(cur, FALSE));

    /* the first part is the machine type (or type=...) */
    for (i = 1; i < parts->len; i++) {
        const char *part = parts->pdata[i];
        const char *eq = strchr(part, '=');
        g_autofree char *key = eq ? g_strndup(part, eq - part) : g_strdup(part);

        if (g_strv_contains(vgmRefMachineKeys, key))
            g_hash_table_replace(l->machine, g_steal_pointer(&key),
                                 g_strdup(eq ? eq + 1 : "on"));
    }
    g_ptr_array_unref(parts);
}

static JsonObject *
vgmRefParseJSON(const char *text, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, -1, error))
        return NULL;
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "not a JSON object: %s", text);
        return NULL;
    }
    return json_object_ref(json_node_get_object(root));
}

/* The memory lowering of @argv (the binary first, no environment). */
/* Where -device @o sits, when on a PCI bus */
static void
vgmRefAddPlacement(VgmRefLowering *l, JsonObject *o)
{
    const char *bus = json_object_get_string_member_with_default(o, "bus", "");
    const char *driver = json_object_get_string_member_with_default(o, "driver", "");
    JsonObject *p;
    static const char *const members[] = { "driver", "bus", "addr", "multifunction" };
    g_autofree char *id = NULL;
    size_t k;
    guint i, n = 0;

    if (!g_str_has_prefix(bus, "pci") || !json_object_has_member(o, "addr"))
        return;
    if (json_object_has_member(o, "id")) {
        id = g_strdup(json_object_get_string_member(o, "id"));
        if (g_str_has_prefix(id, "net"))
            return;
    } else {
        for (i = 0; i < l->placements->len; i++)
            n += g_str_equal(json_object_get_string_member(l->placements->pdata[i], "driver"),
                             driver);
        id = g_strdup_printf("%s#%u", driver, n);
    }
    p = json_object_new();
    json_object_set_string_member(p, "id", id);
    for (k = 0; k < G_N_ELEMENTS(members); k++) {
        if (json_object_has_member(o, members[k]))
            json_object_set_member(p, members[k], json_node_copy(json_object_get_member(o, members[k])));
    }
    g_ptr_array_add(l->placements, p);
}

static VgmRefLowering *
vgmRefExtract(char **argv, GError **error)
{
    g_autoptr(VgmRefLowering) l = g_new0(VgmRefLowering, 1);
    guint i;

    l->machine = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    l->objects = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    l->numa = g_ptr_array_new_with_free_func(g_free);
    l->overcommit = g_ptr_array_new_with_free_func(g_free);
    l->devices = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    l->placements = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);

    for (i = 1; argv[i]; i++) {
        const char *opt = argv[i];
        const char *val = argv[i + 1];

        if (opt[0] != '-' || !val)
            continue;
        if (g_str_equal(opt, "-m")) {
            g_free(l->m);
            l->m = g_strdup(val);
        } else if (g_str_equal(opt, "-machine")) {
            vgmRefParseMachine(l, val);
        } else if (g_str_equal(opt, "-numa")) {
            g_ptr_array_add(l->numa, g_strdup(val));
        } else if (g_str_equal(opt, "-overcommit")) {
            g_ptr_array_add(l->overcommit, g_strdup(val));
        } else if (g_str_equal(opt, "-object") || g_str_equal(opt, "-device")) {
            JsonObject *o;
            const char *type;

            if (val[0] != '{')
                continue; /* key=value: nothing memory-related is written so */
            if (!(o = vgmRefParseJSON(val, error)))
                return NULL;
            if (opt[1] == 'o') {
                type = json_object_get_string_member_with_default(o, "qom-type", "");
                if (g_str_has_prefix(type, "memory-backend-") ||
                    g_str_equal(type, "thread-context")) {
                    g_ptr_array_add(l->objects, o);
                    o = NULL;
                }
            } else {
                type = json_object_get_string_member_with_default(o, "driver", "");
                vgmRefAddPlacement(l, o);
                if (g_strv_contains(vgmRefMemoryDevices, type)) {
                    json_object_remove_member(o, "bus");
                    if (json_object_has_member(o, "addr") &&
                        json_node_get_value_type(json_object_get_member(o, "addr")) == G_TYPE_STRING)
                        json_object_remove_member(o, "addr");
                    g_ptr_array_add(l->devices, o);
                    o = NULL;
                }
            }
            if (o)
                json_object_unref(o);
        } else {
            continue;
        }
        i++;
    }
    return g_steal_pointer(&l);
}

/* ---------------- normalising paths ---------------- */

/*
 * The per-domain part of a memory path, as "<memory-dir>/ALIAS" or
 * "<hugetlbfs MOUNT>"; any other path as it is.
 */
static char *
vgmRefNormalisePath(const char *path, const char *name, gboolean libvirt,
                    const VgmQemuConfig *cfg)
{
    g_autofree char *dom = NULL;
    g_autofree char *ramPrefix = NULL;
    GHashTableIter it;
    gpointer key, mount;

    if (libvirt) {
        /* libvirt's short name: id and at most 20 characters of the name */
        dom = g_strdup_printf("-1-%.20s", name);
        ramPrefix = g_strdup_printf("%s%s/", VGM_REF_LIBVIRT_RAM, dom);
    } else {
        dom = g_strdup(name);
        ramPrefix = g_strdup_printf("%s/%s/", cfg->memoryDir, name);
    }
    if (g_str_has_prefix(path, ramPrefix) && !strchr(path + strlen(ramPrefix), '/'))
        return g_strdup_printf("<memory-dir>/%s", path + strlen(ramPrefix));

    g_hash_table_iter_init(&it, cfg->hugetlbfs);
    while (g_hash_table_iter_next(&it, &key, &mount)) {
        g_autofree char *hp = libvirt ?
            g_build_filename(mount, "libvirt", "qemu", dom, NULL) :
            g_build_filename(mount, "virt-gmem", dom, NULL);
        if (g_str_equal(path, hp))
            return g_strdup_printf("<hugetlbfs %s>", (const char *)mount);
    }
    return g_strdup(path);
}

static JsonObject *
vgmRefNormaliseObject(JsonObject *o, const char *name, gboolean libvirt,
                      const VgmQemuConfig *cfg)
{
    g_autofree char *text = vgmQemuJSONToString(o);
    JsonObject *ret = vgmRefParseJSON(text, NULL); /* a deep copy */
    const char *path;

    if ((path = json_object_get_string_member_with_default(ret, "mem-path", NULL))) {
        g_autofree char *norm = vgmRefNormalisePath(path, name, libvirt, cfg);
        json_object_set_string_member(ret, "mem-path", norm);
    }
    return ret;
}

/* ---------------- comparing ---------------- */

static JsonObject *
vgmRefFindById(GPtrArray *list, const char *id)
{
    guint i;

    for (i = 0; i < list->len; i++) {
        JsonObject *o = list->pdata[i];
        if (g_strcmp0(json_object_get_string_member_with_default(o, "id", NULL), id) == 0)
            return o;
    }
    return NULL;
}

/* Member-by-member differences of two JSON objects. */
static void
vgmRefDiffObjects(GString *diff, const char *what, JsonObject *ours, JsonObject *theirs)
{
    g_autoptr(GList) a = json_object_get_members(ours);
    g_autoptr(GList) b = json_object_get_members(theirs);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    GList *k;

    for (k = a; k; k = k->next)
        g_hash_table_add(seen, k->data);
    for (k = b; k; k = k->next)
        g_hash_table_add(seen, k->data);
    {
        g_autoptr(GList) keys = g_hash_table_get_keys(seen);
        keys = g_list_sort(keys, (GCompareFunc)strcmp);
        for (k = keys; k; k = k->next) {
            JsonNode *x = json_object_get_member(ours, k->data);
            JsonNode *y = json_object_get_member(theirs, k->data);

            if (x && y && json_node_equal(x, y))
                continue;
            {
                g_autofree char *xs = vgmTestJSONText(x);
                g_autofree char *ys = vgmTestJSONText(y);
                g_string_append_printf(diff, "\n  %s member \"%s\": ours %s, libvirt %s",
                                       what, (const char *)k->data, xs, ys);
            }
        }
    }
}

static void
vgmRefCompareLists(GString *diff, const char *what, GPtrArray *ours, GPtrArray *theirs,
                   const char *name, const VgmQemuConfig *cfg, gboolean normalise)
{
    guint i;

    for (i = 0; i < ours->len; i++) {
        JsonObject *o = ours->pdata[i];
        const char *id = json_object_get_string_member_with_default(o, "id", "");
        JsonObject *t = vgmRefFindById(theirs, id);
        g_autofree char *label = g_strdup_printf("%s %s", what, id);

        if (!t) {
            g_autofree char *os = vgmQemuJSONToString(o);
            g_string_append_printf(diff, "\n  %s: ours %s, libvirt has none", label, os);
            continue;
        }
        if (normalise) {
            g_autoptr(JsonObject) on = vgmRefNormaliseObject(o, name, FALSE, cfg);
            g_autoptr(JsonObject) tn = vgmRefNormaliseObject(t, name, TRUE, cfg);
            vgmRefDiffObjects(diff, label, on, tn);
        } else {
            vgmRefDiffObjects(diff, label, o, t);
        }
    }
    for (i = 0; i < theirs->len; i++) {
        JsonObject *t = theirs->pdata[i];
        const char *id = json_object_get_string_member_with_default(t, "id", "");

        if (!vgmRefFindById(ours, id)) {
            g_autofree char *ts = vgmQemuJSONToString(t);
            g_string_append_printf(diff, "\n  %s %s: ours none, libvirt %s", what, id, ts);
        }
    }
}

static void
vgmRefCompareStrings(GString *diff, const char *what, GPtrArray *ours, GPtrArray *theirs)
{
    guint i;

    for (i = 0; i < MAX(ours->len, theirs->len); i++) {
        const char *a = i < ours->len ? ours->pdata[i] : "(none)";
        const char *b = i < theirs->len ? theirs->pdata[i] : "(none)";
        if (!g_str_equal(a, b))
            g_string_append_printf(diff, "\n  %s #%u: ours %s, libvirt %s", what, i + 1, a, b);
    }
}

static char *
vgmRefCompare(const VgmRefLowering *ours, const VgmRefLowering *theirs,
              const char *name, const VgmQemuConfig *cfg)
{
    GString *diff = g_string_new(NULL);
    guint i;

    if (g_strcmp0(ours->m, theirs->m) != 0)
        g_string_append_printf(diff, "\n  -m: ours %s, libvirt %s",
                               ours->m ? ours->m : "(none)", theirs->m ? theirs->m : "(none)");
    for (i = 0; vgmRefMachineKeys[i]; i++) {
        const char *a = g_hash_table_lookup(ours->machine, vgmRefMachineKeys[i]);
        const char *b = g_hash_table_lookup(theirs->machine, vgmRefMachineKeys[i]);
        if (g_strcmp0(a, b) != 0)
            g_string_append_printf(diff, "\n  -machine %s: ours %s, libvirt %s",
                                   vgmRefMachineKeys[i], a ? a : "(absent)", b ? b : "(absent)");
    }
    vgmRefCompareLists(diff, "-object", ours->objects, theirs->objects, name, cfg, TRUE);
    vgmRefCompareStrings(diff, "-numa", ours->numa, theirs->numa);
    vgmRefCompareStrings(diff, "-overcommit", ours->overcommit, theirs->overcommit);
    vgmRefCompareLists(diff, "-device", ours->devices, theirs->devices, name, cfg, FALSE);
    vgmRefCompareLists(diff, "PCI placement of", ours->placements, theirs->placements, name, cfg,
                       FALSE);

    if (diff->len == 0) {
        g_string_free(diff, TRUE);
        return NULL;
    }
    return g_string_free(diff, FALSE);
}

/* ---------------- the test ---------------- */

static void
testLibvirtRef(gconstpointer data)
{
    const char *name = data;
    g_autofree char *xmlRel = g_strdup_printf("libvirtrefdata/%s.xml", name);
    g_autofree char *argsRel = g_strdup_printf("libvirtrefdata/%s.args", name);
    g_autofree char *xmlPath = vgmTestDataPath(xmlRel);
    g_autofree char *argsPath = vgmTestDataPath(argsRel);
    g_autofree char *text = NULL;
    g_autoptr(VgmQemuConfig) cfg = vgmTestQemuConfig();
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autoptr(VgmRefLowering) ours = NULL;
    g_autoptr(VgmRefLowering) theirs = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) theirArgv = NULL;
    g_auto(GStrv) ourArgv = NULL;
    g_autofree char *diff = NULL;
    gint argc = 0;
    guint first;

    if (!g_file_get_contents(argsPath, &text, NULL, NULL) || !*g_strstrip(text)) {
        g_test_skip("libvirt 9.0 produced no command line for this input");
        return;
    }
    if (!g_shell_parse_argv(text, &argc, &theirArgv, &err)) {
        g_test_message("%s: cannot parse libvirt's command line: %s", argsRel, err->message);
        g_test_fail();
        return;
    }
    /* skip the NAME=value environment before the binary */
    for (first = 0; theirArgv[first] && theirArgv[first][0] != '/' &&
         strchr(theirArgv[first], '='); first++)
        ;
    if (!theirArgv[first]) {
        g_test_message("%s: no QEMU binary in libvirt's command line", argsRel);
        g_test_fail();
        return;
    }

    vgmTestResetRandom();
    if (!(def = vgmDomainDefParseFile(xmlPath, 0, &err))) {
        g_test_message("%s: libvirt accepted it, we do not parse it: %s", xmlRel, err->message);
        g_test_fail();
        return;
    }
    if (!(cmd = vgmQemuBuildCommandLine(def, vgmCaps, cfg, NULL, &err))) {
        g_test_message("%s: libvirt made a command line, we fail: %s", xmlRel, err->message);
        g_test_fail();
        return;
    }
    ourArgv = vgmQemuCmdGetArgv(cmd);

    if (!(ours = vgmRefExtract(ourArgv, &err)) ||
        !(theirs = vgmRefExtract(theirArgv + first, &err))) {
        g_test_message("%s: %s", name, err->message);
        g_test_fail();
        return;
    }

    if ((diff = vgmRefCompare(ours, theirs, name, cfg))) {
        if (g_strv_contains(vgmRefExpectedDifferent, name)) {
            g_autofree char *msg = g_strdup_printf("deliberately different from libvirt:%s", diff);
            g_test_incomplete(msg);
            return;
        }
        g_test_message("%s: the memory lowering or PCI placement differs from libvirt 9.0's:%s",
                       name, diff);
        g_test_fail();
        return;
    }
    if (g_strv_contains(vgmRefExpectedDifferent, name)) {
        g_test_message("%s is listed as deliberately different, but it matches libvirt now", name);
        g_test_fail();
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) inputs = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *capsRel = g_strdup_printf("qemucapabilitiesdata/%s.json", VGM_REF_SET);
    g_autofree char *capsPath = vgmTestDataPath(capsRel);
    int ret;
    guint i;

    g_test_init(&argc, &argv, NULL);
    g_setenv("LC_ALL", "C", TRUE);

    if (!(vgmCaps = vgmQemuCapsLoadFile(capsPath, &err)))
        g_error("%s: %s", capsPath, err->message);

    inputs = vgmTestListFiles("libvirtrefdata", ".xml");
    g_assert_cmpuint(inputs->len, >, 0);
    for (i = 0; i < inputs->len; i++) {
        const char *f = inputs->pdata[i];
        g_autofree char *stem = g_strndup(f, strlen(f) - strlen(".xml"));
        g_autofree char *path = g_strdup_printf("/libvirtref/%s", stem);

        g_test_add_data_func_full(path, g_steal_pointer(&stem), testLibvirtRef, g_free);
    }
    ret = g_test_run();
    vgmQemuCapsFree(vgmCaps);
    return ret;
}
