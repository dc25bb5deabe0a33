/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmenum.h: enum <-> string tables.
 *
 * A table is declared once next to its enum with VGM_ENUM_DECL in a header
 * and VGM_ENUM_IMPL in the C file; the implementation checks at compile time
 * that the table has exactly one string per enum value.
 */
#pragma once

#include <glib.h>

int vgmEnumFromString(const char *const *types, unsigned int ntypes,
                      const char *type);
const char *vgmEnumToString(const char *const *types, unsigned int ntypes,
                            int type);

/* Whether @str is one of the NULL-terminated @list. */
gboolean vgmStrInList(const char *const *list, const char *str);

/* A value (or element) libvirt takes that virt-gmem refuses, with the
 * reason (N_()) its error gives */
typedef struct {
    const char *value;
    const char *why;
} VgmRefused;

/* The translated reason @table (of @n) gives @value, or NULL (also for a
 * NULL @value) */
const char *vgmRefusedWhy(const VgmRefused *table, size_t n, const char *value);
#define VGM_REFUSED_WHY(table, value) vgmRefusedWhy(table, G_N_ELEMENTS(table), value)

#define VGM_ENUM_DECL(name) \
    const char *name##TypeToString(int type); \
    int name##TypeFromString(const char *type)

#define VGM_ENUM_IMPL(name, lastVal, ...) \
    static const char *const name##TypeList[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##TypeList) == (lastVal)); \
    const char *name##TypeToString(int type) \
    { \
        return vgmEnumToString(name##TypeList, G_N_ELEMENTS(name##TypeList), type); \
    } \
    int name##TypeFromString(const char *type) \
    { \
        return vgmEnumFromString(name##TypeList, G_N_ELEMENTS(name##TypeList), type); \
    }

/* The tri-state used for yes/no and on/off attributes: 0 means absent. */
typedef enum {
    VGM_TRISTATE_ABSENT = 0,
    VGM_TRISTATE_YES,
    VGM_TRISTATE_NO,

    VGM_TRISTATE_LAST
} VgmTristate;

VGM_ENUM_DECL(vgmTristateBool);   /* "", "yes", "no" */
VGM_ENUM_DECL(vgmTristateSwitch); /* "", "on", "off" */
