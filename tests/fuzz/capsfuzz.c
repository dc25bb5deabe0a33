/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * capsfuzz.c: libFuzzer target for the capability file loader.
 *
 * The input is a capability description file (the JSON of
 * tests/qemucapabilitiesdata/); it is loaded the way vgmQemuCapsLoadFile
 * loads a file's text (vgmQemuCapsLoadString; the file loader refuses a
 * NUL byte before that, so inputs holding one stop there).
 *
 * Oracles (each failure aborts, which libFuzzer reports as a crash with
 * the input):
 *   - a refused file sets an error, a loaded one none;
 *   - what we load, we write back (vgmQemuCapsFormat) as a file we load
 *     again, and format is a fixed point: the second text is the first;
 *   - the two sets agree on name, version, arch, KVM, machine type and
 *     every flag, and vgmQemuCapsCheckConsistency says the same of both.
 * GLib criticals and warnings are fatal; ASan, UBSan and LeakSanitizer
 * (in the fuzzing build) catch the rest.
 *
 * Run: tests/fuzz/README.md. A normal build replays it over
 * the .json files of tests/qemucapabilitiesdata (`meson test capsfuzz-replay`).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "qemu/qemu_capabilities.h"

#define NAME "capsfuzz"

static const char *lastResult = "nothing";

const char *
vgmFuzzLastResult(void)
{
    return lastResult;
}

static VgmQemuCaps *
fuzzLoad(const char *text, const char *what)
{
    g_autoptr(GError) err = NULL;
    VgmQemuCaps *caps = vgmQemuCapsLoadString(text, what, &err);

    if (!caps && !err)
        VGM_FUZZ_FAIL(NAME, "%s: refused without an error", what);
    if (caps && err)
        VGM_FUZZ_FAIL(NAME, "%s: loaded with an error: %s", what, err->message);
    return caps;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = NULL;
    g_autofree char *f1 = NULL;
    g_autofree char *f2 = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuCaps) caps2 = NULL;
    g_autoptr(GError) err1 = NULL;
    g_autoptr(GError) err2 = NULL;
    gboolean ok1, ok2;
    int flag;

    vgmFuzzInitLogging();
    lastResult = "refused";
    if (memchr(data, '\0', size)) {
        lastResult = "has a NUL byte";
        return 0;
    }
    text = g_strndup((const char *)data, size);
    if (!(caps = fuzzLoad(text, "input")))
        return 0;

    f1 = vgmQemuCapsFormat(caps);
    if (!(caps2 = fuzzLoad(f1, "the formatted input"))) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VgmQemuCaps) again = vgmQemuCapsLoadString(f1, "formatted", &err);

        (void)again;    /* loaded again only for its error */
        VGM_FUZZ_FAIL(NAME, "what we loaded formats to a file we refuse (%s):\n%s",
                      err ? err->message : "?", f1);
    }
    f2 = vgmQemuCapsFormat(caps2);
    if (strcmp(f1, f2) != 0)
        VGM_FUZZ_FAIL(NAME, "format is not a fixed point:\n--- first\n%s--- second\n%s", f1, f2);

    if (g_strcmp0(vgmQemuCapsGetName(caps), vgmQemuCapsGetName(caps2)) != 0 ||
        vgmQemuCapsGetVersion(caps) != vgmQemuCapsGetVersion(caps2) ||
        g_strcmp0(vgmQemuCapsGetArch(caps), vgmQemuCapsGetArch(caps2)) != 0 ||
        g_strcmp0(vgmQemuCapsGetMachineType(caps), vgmQemuCapsGetMachineType(caps2)) != 0 ||
        vgmQemuCapsHasKVM(caps) != vgmQemuCapsHasKVM(caps2) ||
        vgmQemuCapsKVMEnabled(caps) != vgmQemuCapsKVMEnabled(caps2))
        VGM_FUZZ_FAIL(NAME, "the set and its re-load differ:\n%s", f1);
    for (flag = 0; flag < VGM_QEMU_CAPS_LAST; flag++) {
        if (vgmQemuCapsGet(caps, flag) != vgmQemuCapsGet(caps2, flag))
            VGM_FUZZ_FAIL(NAME, "flag %d differs after a re-load:\n%s", flag, f1);
    }
    ok1 = vgmQemuCapsCheckConsistency(caps, &err1);
    ok2 = vgmQemuCapsCheckConsistency(caps2, &err2);
    if (ok1 != ok2 || (!ok1 && strcmp(err1->message, err2->message) != 0))
        VGM_FUZZ_FAIL(NAME, "consistency differs after a re-load: %s / %s",
                      err1 ? err1->message : "consistent", err2 ? err2->message : "consistent");
    if (ok1 && (err1 || err2))
        VGM_FUZZ_FAIL(NAME, "consistent with an error");
    lastResult = ok1 ? "loaded, consistent" : "loaded, inconsistent";
    return 0;
}
