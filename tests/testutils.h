/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testutils.h: helpers shared by the C test programs: locating test data,
 * comparing output with golden files (rewritten when VGM_TEST_REGENERATE=1
 * is set, to be reviewed as a diff), a repeatable random source, and the
 * real QEMU binaries the capture and acceptance tests run.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Absolute path of a file below tests/. */
char *vgmTestDataPath(const char *rel);
/* Sorted names (not paths) of files in tests/@dir ending with @suffix. */
GPtrArray *vgmTestListFiles(const char *dir, const char *suffix);
/* Compares @actual with the golden file @path; regenerates it when asked.
 * Returns TRUE on match; on mismatch prints a unified-ish diff hint. */
gboolean vgmTestCompareGolden(const char *path, const char *actual);
/* Makes uuids and MAC addresses repeatable; call at the start of a case. */
void vgmTestResetRandom(void);
gboolean vgmTestRegenerate(void);
/* Removes @path and everything below it (symbolic links are not followed). */
void vgmTestRemoveTree(const char *path);
/* Compact JSON text of @node, or "(absent)" for NULL, for messages. */
char *vgmTestJSONText(JsonNode *node);

/*
 * Why the host's KVM cannot run a vCPU of QEMU @binary given "-cpu @cpu"
 * on "-machine @machine" (NULL: the default machine), or NULL when it can
 * (or when there is no usable /dev/kvm: then nothing runs under KVM
 * anyway). Found once per (binary, machine, cpu) in a test program by
 * trying it: QEMU is started paused under KVM with one vCPU and asked to
 * quit over QMP on stdin. Some nested hosts abort there (Debian's QEMU
 * 7.2 on a 6.18 kernel: "failed to set MSR 0x10a" with -cpu host or max),
 * or lack what a machine option needs (a KVM without SMM refuses
 * smm=on); the reason is QEMU's last line on stderr. @machine should hold
 * only the machine type and options that need nothing else on the
 * command line.
 */
const char *vgmTestKvmFailure(const char *binary, const char *machine, const char *cpu);

/*
 * The private QEMU 10.0 (Debian bookworm-backports) that
 * scripts/fetch-qemu10.sh unpacks into $VGM_BUILDDIR/tests/qemu-10.0 on
 * first use: the absolute path of the wrapper to run, or NULL with
 * *@reason set to why it is not there (the script's message, e.g. no
 * network). Tried once per test program. The wrapper (the script's
 * bin/qemu-system-x86_64) runs QEMU with its own data and modules.
 */
const char *vgmTestQemu10Binary(const char **reason);
