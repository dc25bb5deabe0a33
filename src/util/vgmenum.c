/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmenum.c: lookups in enum <-> string tables.
 */
#include "config.h"

#include "vgmenum.h"
#include "vgmi18n.h"

int
vgmEnumFromString(const char *const *types, unsigned int ntypes,
                  const char *type)
{
    unsigned int i;

    if (!type)
        return -1;
    for (i = 0; i < ntypes; i++) {
        if (g_str_equal(types[i], type))
            return i;
    }
    return -1;
}

gboolean
vgmStrInList(const char *const *list, const char *str)
{
    for (; list && *list; list++) {
        if (g_str_equal(*list, str))
            return TRUE;
    }
    return FALSE;
}

const char *
vgmEnumToString(const char *const *types, unsigned int ntypes, int type)
{
    if (type < 0 || (unsigned int)type >= ntypes)
        return NULL;
    return types[type];
}

VGM_ENUM_IMPL(vgmTristateBool, VGM_TRISTATE_LAST, "absent", "yes", "no");
VGM_ENUM_IMPL(vgmTristateSwitch, VGM_TRISTATE_LAST, "absent", "on", "off");

const char *
vgmRefusedWhy(const VgmRefused *table, size_t n, const char *value)
{
    size_t i;

    for (i = 0; value && i < n; i++) {
        if (g_str_equal(value, table[i].value))
            return _(table[i].why);
    }
    return NULL;
}
