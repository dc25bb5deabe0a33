/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmjson.c: see vgmjson.h.
 */
#include "config.h"

#include "vgmjson.h"

gboolean
vgmJsonValidUtf8(JsonNode *node)
{
    if (JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init(&iter, json_node_get_object(node));
        while (json_object_iter_next(&iter, &name, &member)) {
            if (!g_utf8_validate(name, -1, NULL) || !vgmJsonValidUtf8(member))
                return FALSE;
        }
    } else if (JSON_NODE_HOLDS_ARRAY(node)) {
        JsonArray *array = json_node_get_array(node);
        guint i;

        for (i = 0; i < json_array_get_length(array); i++) {
            if (!vgmJsonValidUtf8(json_array_get_element(array, i)))
                return FALSE;
        }
    } else if (JSON_NODE_HOLDS_VALUE(node) &&
               json_node_get_value_type(node) == G_TYPE_STRING) {
        return g_utf8_validate(json_node_get_string(node), -1, NULL);
    }
    return TRUE;
}
