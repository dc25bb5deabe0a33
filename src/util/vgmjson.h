/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmjson.h: checks on JSON trees that json-glib does not make itself.
 */
#pragma once

#include <json-glib/json-glib.h>

/*
 * Whether @node can be written out and read back as it is: every string
 * and member name valid UTF-8 (json-glib turns a lone surrogate escape,
 * "\ud800", into bytes that are not) and every number finite (json-glib
 * reads 1e999 as infinity, which JSON cannot spell). FALSE with the
 * reason, translated, in *@why.
 */
gboolean vgmJsonCheck(JsonNode *node, const char **why);
