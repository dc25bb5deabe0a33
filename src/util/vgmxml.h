/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmxml.h: XML helpers over libxml2.
 *
 * Parsing is locked down (no network, no DTD, no entities, bounded size and
 * depth). Property readers are typed: each returns 1 when the attribute is
 * present and valid, 0 when absent (and allowed to be), -1 on error, and
 * builds its own error message naming the attribute and the element.
 * VgmBuf builds indented XML text the way libvirt formats it.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "vgmenum.h"

/* Limits applied to every document we parse. */
#define VGM_XML_MAX_SIZE (10 * 1024 * 1024)
#define VGM_XML_MAX_DEPTH 64

xmlDocPtr vgmXMLParseString(const char *xml, const char *filename,
                            GError **error);
xmlDocPtr vgmXMLParseFile(const char *filename, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* Validates @doc against the RelaxNG schema at @schemaPath; the error
 * quotes the first violation with its element and line. */
gboolean vgmXMLValidateRNG(xmlDocPtr doc, const char *schemaPath,
                           GError **error);

typedef enum {
    VGM_XML_PROP_NONE = 0,
    VGM_XML_PROP_REQUIRED = 1 << 0, /* absent is an error */
    VGM_XML_PROP_NONZERO = 1 << 1,  /* enum value 0 / integer 0 rejected */
} VgmXMLPropFlags;

/* "<name>" or "<name> in <parent>", for messages. */
char *vgmXMLNodeDescribe(xmlNodePtr node);

int vgmXMLPropString(xmlNodePtr node, const char *name, VgmXMLPropFlags flags,
                     char **value, GError **error);
int vgmXMLPropEnum(xmlNodePtr node, const char *name,
                   int (*fromString)(const char *),
                   VgmXMLPropFlags flags, int *value, GError **error);
int vgmXMLPropTristateBool(xmlNodePtr node, const char *name,
                           VgmXMLPropFlags flags, VgmTristate *value,
                           GError **error);
int vgmXMLPropTristateSwitch(xmlNodePtr node, const char *name,
                             VgmXMLPropFlags flags, VgmTristate *value,
                             GError **error);
int vgmXMLPropUInt(xmlNodePtr node, const char *name, VgmXMLPropFlags flags,
                   unsigned int *value, GError **error);
int vgmXMLPropULongLong(xmlNodePtr node, const char *name,
                        VgmXMLPropFlags flags, unsigned long long *value,
                        GError **error);
int vgmXMLPropInt(xmlNodePtr node, const char *name, VgmXMLPropFlags flags,
                  int *value, GError **error);

/* Text content of an element, NULL when empty. */
char *vgmXMLNodeContent(xmlNodePtr node);
/* Unsigned integer content of an element (decimal or 0x hex). */
int vgmXMLNodeContentULL(xmlNodePtr node, unsigned long long *value,
                         GError **error);
/* The same in @base (16: hexadecimal with or without 0x, as libvirt reads
 * launch security policies). */
int vgmXMLNodeContentULLBase(xmlNodePtr node, int base,
                             unsigned long long *value, GError **error);

/* Errors for everything outside the supported subset. */
gboolean vgmXMLCheckAttrs(xmlNodePtr node, const char *const *allowed,
                          GError **error);
gboolean vgmXMLCheckChildren(xmlNodePtr node, const char *const *allowed,
                             GError **error);
/* The same, passing over the elements of namespace @nsHref (which the
 * caller reads itself) */
gboolean vgmXMLCheckChildrenNs(xmlNodePtr node, const char *const *allowed,
                               const char *nsHref, GError **error);
/* An error (VGM_ERR_CONFIG_UNSUPPORTED) naming the first child element of
 * @node, in no namespace, that @table (of @n) refuses, and the reason */
gboolean vgmXMLCheckRefusedChildren(xmlNodePtr node, const VgmRefused *table, size_t n,
                                    GError **error);
#define VGM_XML_CHECK_REFUSED_CHILDREN(node, table, error) \
    vgmXMLCheckRefusedChildren(node, table, G_N_ELEMENTS(table), error)
gboolean vgmXMLCheckNode(xmlNodePtr node, const char *const *attrs,
                         const char *const *children, GError **error);

/* First child element called @name, or NULL. */
xmlNodePtr vgmXMLChild(xmlNodePtr node, const char *name);
/* Like vgmXMLChild, but a second such child is an error. Returns -1 on
 * error, 0 if absent, 1 if found. */
int vgmXMLSingleChild(xmlNodePtr node, const char *name, xmlNodePtr *child,
                      GError **error);
/* All child elements called @name (NULL: all child elements). */
GPtrArray *vgmXMLChildren(xmlNodePtr node, const char *name);

/* ---- formatting ---- */

/* @raw (text read from the host: sysfs, dmidecode) as XML text: valid
 * UTF-8 (invalid bytes replaced), without the characters XML 1.0 cannot
 * hold (control characters but tab, new line and carriage return; U+FFFE
 * and U+FFFF) */
char *vgmXMLTextFromRaw(const char *raw);

typedef struct {
    GString *str;
    int indent;
} VgmBuf;

void vgmBufInit(VgmBuf *buf, int indent);
void vgmBufInitChild(VgmBuf *child, const VgmBuf *parent);
void vgmBufClear(VgmBuf *buf);
char *vgmBufSteal(VgmBuf *buf);
gboolean vgmBufIsEmpty(const VgmBuf *buf);
void vgmBufAdjustIndent(VgmBuf *buf, int delta);
void vgmBufAdd(VgmBuf *buf, const char *str);
void vgmBufAsprintf(VgmBuf *buf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Appends @fmt (one %s) with @str XML-escaped; nothing when @str is NULL. */
void vgmBufEscapeString(VgmBuf *buf, const char *fmt, const char *str);
/* The same for element text: new lines and tabs stay as they are. */
void vgmBufEscapeText(VgmBuf *buf, const char *fmt, const char *str);
/*
 * Appends element @node with everything below it (a copy of foreign XML,
 * such as <metadata>) on its own line at the buffer's indentation, laid
 * out as libxml2 formats: the children of an element without text each on
 * their own line, two spaces further in; an element with text exactly as
 * it is. Every namespace URI and attribute value is escaped so that the
 * output reads back to the same tree, whatever the values hold.
 */
void vgmXMLFormatNode(VgmBuf *buf, xmlNodePtr node);
/*
 * The <metadata> child of @root (an application's own XML, libvirt's
 * rule: each element in a namespace of its own, no text), copied into
 * *@metadata as the root of a document of its own (free it with
 * xmlFreeDoc(node->doc)); *@metadata is NULL without one.
 */
gboolean vgmXMLMetadataParse(xmlNodePtr root, xmlNodePtr *metadata, GError **error);
/* Appends an already formatted (and indented) buffer. */
void vgmBufAddBuf(VgmBuf *buf, VgmBuf *other);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmBuf, vgmBufClear)

/*
 * Emits <name ATTRS/> or <name ATTRS>CHILDREN</name>, or nothing when both
 * buffers are empty. @attrBuf holds " a='b'" pairs; @childBuf was made with
 * vgmBufInitChild(). Both are cleared.
 */
void vgmXMLFormatElement(VgmBuf *buf, const char *name, VgmBuf *attrBuf,
                         VgmBuf *childBuf);
/* Like vgmXMLFormatElement but emits <name ATTRS/> even with no attrs. */
void vgmXMLFormatElementEmpty(VgmBuf *buf, const char *name, VgmBuf *attrBuf,
                              VgmBuf *childBuf);
