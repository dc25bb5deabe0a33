/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmjson.c: see vgmjson.h.
 */
#include "config.h"

#include <math.h>

#include "vgmjson.h"
#include "vgmi18n.h"

gboolean
vgmJsonCheck(JsonNode *node, const char **why)
{
    if (JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init(&iter, json_node_get_object(node));
        while (json_object_iter_next(&iter, &name, &member)) {
            if (!g_utf8_validate(name, -1, NULL)) {
                *why = _("a member name is not valid UTF-8 (a lone surrogate escape)");
                return FALSE;
            }
            if (!vgmJsonCheck(member, why))
                return FALSE;
        }
    } else if (JSON_NODE_HOLDS_ARRAY(node)) {
        JsonArray *array = json_node_get_array(node);
        guint i;

        for (i = 0; i < json_array_get_length(array); i++) {
            if (!vgmJsonCheck(json_array_get_element(array, i), why))
                return FALSE;
        }
    } else if (JSON_NODE_HOLDS_VALUE(node)) {
        GType t = json_node_get_value_type(node);

        if (t == G_TYPE_STRING && !g_utf8_validate(json_node_get_string(node), -1, NULL)) {
            *why = _("a string is not valid UTF-8 (a lone surrogate escape)");
            return FALSE;
        }
        if (t == G_TYPE_DOUBLE && !isfinite(json_node_get_double(node))) {
            *why = _("a number is out of range");
            return FALSE;
        }
    }
    return TRUE;
}
