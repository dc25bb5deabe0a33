/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testutils.h: helpers shared by the C test programs: locating test data,
 * comparing output with golden files (rewritten when VGM_TEST_REGENERATE=1
 * is set, to be reviewed as a diff), and a repeatable random source.
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
