/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domainfuzz.c: libFuzzer target for the domain XML pipeline.
 *
 * The input is a domain XML document. It is parsed with generic
 * validation (vgmDomainDefParseString, flags 0: parse, post-parse, rules);
 * if accepted, formatted (vgmDomainDefFormat), the result parsed again
 * and formatted again; then the QEMU command line is built from both
 * definitions on one capability set (tests/qemucapabilitiesdata/
 * qemu-7.2-debian.json, loaded once) with the default configuration
 * (vgmQemuBuildCommandLine: QEMU validation, plan, render).
 *
 * Oracles (each failure aborts, which libFuzzer reports as a crash with
 * the input):
 *   - a refused input sets an error, an accepted one none;
 *   - what we accept, we write back as XML that we accept again, and
 *     format is a fixed point: the second format is the first, byte for
 *     byte;
 *   - the definition and its re-parse give the same command line (or
 *     both none);
 *   - shell quoting: the one-line form (vgmQemuCmdFormatShell) split back
 *     with g_shell_parse_argv is exactly the environment
 *     (vgmQemuCmdGetEnvp) followed by the argv (vgmQemuCmdGetArgv).
 * GLib criticals and warnings are fatal; ASan, UBSan and LeakSanitizer
 * (in the fuzzing build) catch the rest. Random parts (a generated UUID)
 * come from a fixed sequence, so runs are reproducible.
 *
 * Run: tests/fuzz/README.md (./build-fuzz/tests/fuzz/domainfuzz
 * -dict=build-fuzz/tests/fuzz/domain.dict CORPUS SEEDS...). A normal
 * build replays it over the test data instead (`meson test domainfuzz-replay`).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_conf.h"

#define NAME "domainfuzz"

static const char *lastResult = "nothing";
static VgmQemuCaps *fuzzCaps;
static VgmQemuConfig *fuzzCfg;
static guint64 randomState;

const char *
vgmFuzzLastResult(void)
{
    return lastResult;
}

static void
fuzzRandomBytes(unsigned char *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        randomState = randomState * 6364136223846793005ULL + 1442695040888963407ULL;
        buf[i] = (unsigned char)(randomState >> 56);
    }
}

static void
fuzzInit(void)
{
    g_autoptr(GError) err = NULL;

    if (fuzzCaps)
        return;
    vgmFuzzInitLogging();
    vgmDomainSetRandomBytesFunc(fuzzRandomBytes);
    if (!(fuzzCaps = vgmQemuCapsLoadFile(VGM_FUZZ_CAPS_FILE, &err))) {
        fprintf(stderr, NAME ": cannot load %s: %s\n", VGM_FUZZ_CAPS_FILE, err->message);
        abort();
    }
    fuzzCfg = vgmQemuConfigNewDefault();
}

static VgmDomainDef *
fuzzParse(const char *xml, const char *what)
{
    g_autoptr(GError) err = NULL;
    VgmDomainDef *def = vgmDomainDefParseString(xml, what, 0, &err);

    if (!def && !err)
        VGM_FUZZ_FAIL(NAME, "%s: refused without an error", what);
    if (def && err)
        VGM_FUZZ_FAIL(NAME, "%s: accepted with an error: %s", what, err->message);
    return def;
}

/* The shell line of @cmd parses back to its environment and argv. */
static void
fuzzCheckShell(const VgmQemuCmd *cmd)
{
    g_autofree char *line = vgmQemuCmdFormatShell(cmd);
    g_auto(GStrv) argv = vgmQemuCmdGetArgv(cmd);
    g_auto(GStrv) envp = vgmQemuCmdGetEnvp(cmd);
    g_auto(GStrv) parsed = NULL;
    g_autoptr(GError) err = NULL;
    guint nenv = g_strv_length(envp);
    guint nargv = g_strv_length(argv);
    guint i;

    if (!g_shell_parse_argv(line, NULL, &parsed, &err))
        VGM_FUZZ_FAIL(NAME, "the shell line does not parse: %s: %s", err->message, line);
    if (g_strv_length(parsed) != nenv + nargv)
        VGM_FUZZ_FAIL(NAME, "the shell line splits into %u words, not %u + %u: %s",
                      g_strv_length(parsed), nenv, nargv, line);
    for (i = 0; i < nenv; i++) {
        if (strcmp(parsed[i], envp[i]) != 0)
            VGM_FUZZ_FAIL(NAME, "shell word %u is '%s', the environment has '%s'",
                          i, parsed[i], envp[i]);
    }
    for (i = 0; i < nargv; i++) {
        if (strcmp(parsed[nenv + i], argv[i]) != 0)
            VGM_FUZZ_FAIL(NAME, "shell word %u is '%s', argv[%u] is '%s'",
                          nenv + i, parsed[nenv + i], i, argv[i]);
    }
}

static VgmQemuCmd *
fuzzBuild(const VgmDomainDef *def, const char *what)
{
    g_autoptr(GError) err = NULL;
    VgmQemuCmd *cmd = vgmQemuBuildCommandLine(def, fuzzCaps, fuzzCfg, NULL, &err);

    if (!cmd && !err)
        VGM_FUZZ_FAIL(NAME, "%s: no command line and no error", what);
    if (cmd && err)
        VGM_FUZZ_FAIL(NAME, "%s: a command line and an error: %s", what, err->message);
    return cmd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;
    g_autofree char *f1 = NULL;
    g_autofree char *f2 = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDomainDef) def2 = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autoptr(VgmQemuCmd) cmd2 = NULL;
    g_autofree char *line1 = NULL;
    g_autofree char *line2 = NULL;

    fuzzInit();
    randomState = 42;
    lastResult = "refused";
    if (memchr(data, '\0', size)) {
        lastResult = "has a NUL byte";
        return 0;
    }
    xml = g_strndup((const char *)data, size);
    if (!(def = fuzzParse(xml, "input")))
        return 0;

    f1 = vgmDomainDefFormat(def);
    if (!(def2 = fuzzParse(f1, "the formatted input"))) {
        g_autoptr(GError) err = NULL;
        g_autoptr(VgmDomainDef) again = vgmDomainDefParseString(f1, "formatted", 0, &err);

        (void)again;    /* parsed again only for its error */
        VGM_FUZZ_FAIL(NAME, "what we accepted formats to XML we refuse (%s):\n%s",
                      err ? err->message : "?", f1);
    }
    f2 = vgmDomainDefFormat(def2);
    if (strcmp(f1, f2) != 0)
        VGM_FUZZ_FAIL(NAME, "format is not a fixed point:\n--- first\n%s--- second\n%s", f1, f2);
    lastResult = "formatted";

    cmd = fuzzBuild(def, "input");
    cmd2 = fuzzBuild(def2, "re-parsed input");
    if (!cmd != !cmd2)
        VGM_FUZZ_FAIL(NAME, "the input %s a command line, its re-parse %s",
                      cmd ? "gives" : "does not give", cmd2 ? "does" : "does not");
    if (!cmd) {
        lastResult = "refused by QEMU validation";
        return 0;
    }
    fuzzCheckShell(cmd);
    line1 = vgmQemuCmdFormatShell(cmd);
    line2 = vgmQemuCmdFormatShell(cmd2);
    if (strcmp(line1, line2) != 0)
        VGM_FUZZ_FAIL(NAME, "the input and its re-parse give other command lines:\n%s%s",
                      line1, line2);
    lastResult = "command line";
    return 0;
}
