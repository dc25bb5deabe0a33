/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmjson.h: checks on JSON trees that json-glib does not make itself.
 */
#pragma once

#include <json-glib/json-glib.h>

/* Whether every string and member name in @node is valid UTF-8: json-glib
 * turns a lone surrogate escape ("\ud800") into bytes that are not, which
 * would then be written out where nothing reads them back. */
gboolean vgmJsonValidUtf8(JsonNode *node);
