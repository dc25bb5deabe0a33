/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgmxml.c: locked-down XML parsing, typed property readers, and the
 * indented text buffer used by every formatter.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>

#include "vgmxml.h"
#include "vgmerror.h"
#include "vgmi18n.h"
#include "vgmsize.h"
#include "vgmfile.h"

/* External entities and DTDs are never loaded, from disk or network. */
static xmlParserInputPtr
vgmXMLNoExternalLoader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    return NULL;
}

static gboolean
vgmXMLCheckDepth(xmlNodePtr node, unsigned int depth, const char *what,
                 GError **error)
{
    xmlNodePtr cur;

    if (depth > VGM_XML_MAX_DEPTH) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("XML document %1$s is nested deeper than %2$d elements"),
                    what, VGM_XML_MAX_DEPTH);
        return FALSE;
    }
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            !vgmXMLCheckDepth(cur, depth + 1, what, error))
            return FALSE;
    }
    return TRUE;
}

/* The largest number of attributes one element may have. libxml2 looks
 * for duplicates among an element's attributes in quadratic time, so a
 * start tag with a hundred thousand of them would take minutes. */
#define VGM_XML_MAX_ATTRS 256

/* Counts the attributes of every start tag in one linear pass. */
static gboolean
vgmXMLCheckAttrCount(const char *xml, size_t len, const char *what,
                     GError **error)
{
    size_t i = 0;

    while (i < len) {
        unsigned int attrs = 0;
        char quote = 0;

        if (xml[i] != '<' || i + 1 >= len || !g_ascii_isalpha(xml[i + 1])) {
            i++;
            continue;
        }
        for (i++; i < len; i++) {
            if (quote) {
                if (xml[i] == quote)
                    quote = 0;
            } else if (xml[i] == '"' || xml[i] == '\'') {
                quote = xml[i];
            } else if (xml[i] == '=') {
                attrs++;
            } else if (xml[i] == '>') {
                break;
            }
        }
        if (attrs > VGM_XML_MAX_ATTRS) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("XML document %1$s has an element with more than %2$d attributes"),
                        what, VGM_XML_MAX_ATTRS);
            return FALSE;
        }
    }
    return TRUE;
}

/* SAX hooks that stop the parser at any DOCTYPE or entity declaration. */
static void
vgmXMLRefuseSubset(void *opaque, const xmlChar *name, const xmlChar *externalID,
                   const xmlChar *systemID)
{
    xmlParserCtxtPtr ctxt = opaque;

    ctxt->_private = (void *)1;
    xmlStopParser(ctxt);
}

static void
vgmXMLRefuseEntity(void *opaque, const xmlChar *name, int type,
                   const xmlChar *publicId, const xmlChar *systemId,
                   xmlChar *content)
{
    xmlParserCtxtPtr ctxt = opaque;

    ctxt->_private = (void *)1;
    xmlStopParser(ctxt);
}

/* Whether this libxml2 keeps an escaped '&' in a namespace URI as the
 * text "&#38;" (libxml2 before 2.11 does so for every attribute value it
 * does not substitute entities in; ordinary attributes are decoded when
 * their value is read, namespace URIs never are). Asked once. */
static gboolean
vgmXMLNamespaceKeepsAmp(void)
{
    static gsize once;
    static gboolean keeps;

    if (g_once_init_enter(&once)) {
        static const char probe[] = "<a xmlns:x='&amp;'/>";
        xmlDocPtr doc = xmlReadMemory(probe, sizeof(probe) - 1, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOWARNING |
                                      XML_PARSE_NOERROR);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

        keeps = root && root->nsDef && root->nsDef->href &&
                g_str_equal((const char *)root->nsDef->href, "&#38;");
        if (doc)
            xmlFreeDoc(doc);
        g_once_init_leave(&once, 1);
    }
    return keeps;
}

/* Gives every namespace URI below @node the text it was written to mean,
 * "a&b" for xmlns:x='a&amp;b', so that it compares and formats right. A
 * '&' in such a URI only ever starts "&#38;". */
static void
vgmXMLDecodeNamespaceURIs(xmlNodePtr node)
{
    xmlNodePtr cur;
    xmlNsPtr ns;

    for (ns = node->nsDef; ns; ns = ns->next) {
        g_autoptr(GString) href = NULL;

        if (!ns->href || !strchr((const char *)ns->href, '&'))
            continue;
        href = g_string_new((const char *)ns->href);
        g_string_replace(href, "&#38;", "&", 0);
        xmlFree((xmlChar *)ns->href);
        ns->href = xmlStrdup((const xmlChar *)href->str);
    }
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            vgmXMLDecodeNamespaceURIs(cur);
    }
}

xmlDocPtr
vgmXMLParseString(const char *xml, const char *filename, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlParserCtxtPtr ctxt = NULL;
    xmlExternalEntityLoader prevLoader;
    size_t len;
    const char *what = filename ? filename : _("(string)");
    int opts = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA |
               XML_PARSE_NOWARNING | XML_PARSE_NOERROR;

    len = strlen(xml);
    if (len > VGM_XML_MAX_SIZE) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("XML document %1$s is too large (%2$zu bytes, the limit is %3$d)"),
                    what, len, VGM_XML_MAX_SIZE);
        return NULL;
    }
    if (!vgmXMLCheckAttrCount(xml, len, what, error))
        return NULL;
    if (!(ctxt = xmlNewParserCtxt())) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("cannot allocate an XML parser"));
        return NULL;
    }
    /* Domain XML never needs a DTD: the parser stops at the first DOCTYPE
     * or entity declaration, before any entity could be expanded (whatever
     * the document's encoding), and the document is refused. */
    ctxt->sax->internalSubset = vgmXMLRefuseSubset;
    ctxt->sax->externalSubset = vgmXMLRefuseSubset;
    ctxt->sax->entityDecl = vgmXMLRefuseEntity;
    prevLoader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(vgmXMLNoExternalLoader);
    doc = xmlCtxtReadMemory(ctxt, xml, len, filename, NULL, opts);
    xmlSetExternalEntityLoader(prevLoader);
    if (ctxt->_private) {
        xmlFreeParserCtxt(ctxt);
        vgmErrorSet(error, VGM_ERR_XML,
                    _("XML document %1$s has a DOCTYPE or ENTITY declaration, which is not allowed"),
                    what);
        return NULL;
    }
    if (!doc) {
        const xmlError *err = xmlCtxtGetLastError(ctxt);
        g_autofree char *msg = g_strdup(err && err->message ? err->message : "");
        g_strchomp(msg);
        vgmErrorSet(error, VGM_ERR_XML,
                    _("malformed XML in %1$s at line %2$d: %3$s"),
                    what, err ? err->line : 0, msg);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);

    if (doc->intSubset || doc->extSubset) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("XML document %1$s has a DOCTYPE or ENTITY declaration, which is not allowed"),
                    what);
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        vgmErrorSet(error, VGM_ERR_XML, _("XML document %1$s has no root element"),
                    what);
        return NULL;
    }
    if (!vgmXMLCheckDepth(xmlDocGetRootElement(doc), 1, what, error))
        return NULL;
    if (vgmXMLNamespaceKeepsAmp())
        vgmXMLDecodeNamespaceURIs(xmlDocGetRootElement(doc));
    return g_steal_pointer(&doc);
}

xmlDocPtr
vgmXMLParseFile(const char *filename, GError **error)
{
    g_autofree char *content = NULL;
    gsize len = 0;

    /* a bounded read: /dev/zero, a FIFO or a /proc file cannot make us
     * read (or wait) forever */
    if (!vgmFileReadAll(filename, VGM_XML_MAX_SIZE, &content, &len, error))
        return NULL;
    if (strlen(content) != len) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("XML document %1$s contains a NUL byte (is it UTF-16? domain XML must be UTF-8)"),
                    filename);
        return NULL;
    }
    return vgmXMLParseString(content, filename, error);
}

static void
vgmXMLRNGErrorCollect(void *opaque, xmlErrorPtr err)
{
    GString *msg = opaque;
    g_autofree char *text = NULL;

    if (msg->len > 0 || !err || !err->message)
        return; /* the first error is the one that explains */
    text = g_strdup(err->message);
    g_strchomp(text);
    if (err->node && ((xmlNodePtr)err->node)->type == XML_ELEMENT_NODE)
        g_string_append_printf(msg, _("element <%1$s> (line %2$d): %3$s"),
                               (const char *)((xmlNodePtr)err->node)->name,
                               err->line, text);
    else
        g_string_append(msg, text);
}

gboolean
vgmXMLValidateRNG(xmlDocPtr doc, const char *schemaPath, GError **error)
{
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    xmlRelaxNGPtr schema = NULL;
    xmlRelaxNGValidCtxtPtr vctxt = NULL;
    g_autoptr(GString) msg = g_string_new(NULL);
    gboolean ret = FALSE;

    if (!(pctxt = xmlRelaxNGNewParserCtxt(schemaPath)))
        goto schema_error;
    xmlRelaxNGSetParserStructuredErrors(pctxt, vgmXMLRNGErrorCollect, msg);
    if (!(schema = xmlRelaxNGParse(pctxt)))
        goto schema_error;
    if (!(vctxt = xmlRelaxNGNewValidCtxt(schema)))
        goto schema_error;
    xmlRelaxNGSetValidStructuredErrors(vctxt, vgmXMLRNGErrorCollect, msg);
    if (xmlRelaxNGValidateDoc(vctxt, doc) != 0) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("the document does not match the schema %1$s: %2$s"),
                    schemaPath, msg->len ? msg->str : _("unknown reason"));
        goto cleanup;
    }
    ret = TRUE;
    goto cleanup;

 schema_error:
    vgmErrorSet(error, VGM_ERR_INTERNAL, _("cannot load the RelaxNG schema %1$s: %2$s"),
                schemaPath, msg->len ? msg->str : _("unknown reason"));
 cleanup:
    if (vctxt)
        xmlRelaxNGFreeValidCtxt(vctxt);
    if (schema)
        xmlRelaxNGFree(schema);
    if (pctxt)
        xmlRelaxNGFreeParserCtxt(pctxt);
    return ret;
}

char *
vgmXMLNodeDescribe(xmlNodePtr node)
{
    if (node->parent && node->parent->type == XML_ELEMENT_NODE)
        return g_strdup_printf(_("<%1$s> in <%2$s>"), (const char *)node->name,
                               (const char *)node->parent->name);
    return g_strdup_printf("<%s>", node->name);
}

int
vgmXMLPropString(xmlNodePtr node, const char *name, VgmXMLPropFlags flags,
                 char **value, GError **error)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);

    *value = NULL;
    if (!v) {
        if (flags & VGM_XML_PROP_REQUIRED) {
            g_autofree char *desc = vgmXMLNodeDescribe(node);
            vgmErrorSet(error, VGM_ERR_XML,
                        _("missing required attribute '%1$s' of element %2$s"),
                        name, desc);
            return -1;
        }
        return 0;
    }
    *value = g_strdup((const char *)v);
    xmlFree(v);
    return 1;
}

static void
vgmXMLInvalidValue(xmlNodePtr node, const char *name, const char *value,
                   const char *reason, GError **error)
{
    g_autofree char *desc = vgmXMLNodeDescribe(node);

    if (reason)
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of element %3$s: %4$s"),
                    value, name, desc, reason);
    else
        vgmErrorSet(error, VGM_ERR_XML,
                    _("invalid value '%1$s' for attribute '%2$s' of element %3$s"),
                    value, name, desc);
}

int
vgmXMLPropEnum(xmlNodePtr node, const char *name,
               int (*fromString)(const char *),
               VgmXMLPropFlags flags, int *value, GError **error)
{
    g_autofree char *str = NULL;
    int rc;
    int v;

    *value = 0;
    if ((rc = vgmXMLPropString(node, name, flags, &str, error)) <= 0)
        return rc;
    v = fromString(str);
    if (v < 0 || (v == 0 && (flags & VGM_XML_PROP_NONZERO))) {
        vgmXMLInvalidValue(node, name, str, NULL, error);
        return -1;
    }
    *value = v;
    return 1;
}

int
vgmXMLPropTristateBool(xmlNodePtr node, const char *name,
                       VgmXMLPropFlags flags, VgmTristate *value,
                       GError **error)
{
    int v;
    int rc = vgmXMLPropEnum(node, name, vgmTristateBoolTypeFromString,
                            flags | VGM_XML_PROP_NONZERO, &v, error);
    *value = v;
    return rc;
}

int
vgmXMLPropTristateSwitch(xmlNodePtr node, const char *name,
                         VgmXMLPropFlags flags, VgmTristate *value,
                         GError **error)
{
    int v;
    int rc = vgmXMLPropEnum(node, name, vgmTristateSwitchTypeFromString,
                            flags | VGM_XML_PROP_NONZERO, &v, error);
    *value = v;
    return rc;
}

int
vgmXMLPropULongLong(xmlNodePtr node, const char *name, VgmXMLPropFlags flags,
                    unsigned long long *value, GError **error)
{
    g_autofree char *str = NULL;
    unsigned long long v;
    int rc;

    *value = 0;
    if ((rc = vgmXMLPropString(node, name, flags, &str, error)) <= 0)
        return rc;
    if (!vgmStrToULL(str, &v)) {
        vgmXMLInvalidValue(node, name, str,
                           _("expected a non-negative integer"), error);
        return -1;
    }
    if (v == 0 && (flags & VGM_XML_PROP_NONZERO)) {
        vgmXMLInvalidValue(node, name, str, _("must be greater than zero"), error);
        return -1;
    }
    *value = v;
    return 1;
}

int
vgmXMLPropUInt(xmlNodePtr node, const char *name, VgmXMLPropFlags flags,
               unsigned int *value, GError **error)
{
    unsigned long long v;
    int rc;

    *value = 0;
    if ((rc = vgmXMLPropULongLong(node, name, flags, &v, error)) <= 0)
        return rc;
    if (v > G_MAXUINT) {
        g_autofree char *str = g_strdup_printf("%llu", v);
        vgmXMLInvalidValue(node, name, str, _("the value is too large"), error);
        return -1;
    }
    *value = v;
    return 1;
}

int
vgmXMLPropInt(xmlNodePtr node, const char *name, VgmXMLPropFlags flags,
              int *value, GError **error)
{
    g_autofree char *str = NULL;
    int rc;

    *value = 0;
    if ((rc = vgmXMLPropString(node, name, flags, &str, error)) <= 0)
        return rc;
    if (!vgmStrToInt(str, value)) {
        vgmXMLInvalidValue(node, name, str, _("expected an integer"), error);
        return -1;
    }
    return 1;
}

char *
vgmXMLNodeContent(xmlNodePtr node)
{
    xmlChar *c = xmlNodeGetContent(node);
    char *ret = NULL;

    if (c && *c)
        ret = g_strdup((const char *)c);
    xmlFree(c);
    return ret;
}

int
vgmXMLNodeContentULL(xmlNodePtr node, unsigned long long *value,
                     GError **error)
{
    return vgmXMLNodeContentULLBase(node, 10, value, error);
}

int
vgmXMLNodeContentULLBase(xmlNodePtr node, int base, unsigned long long *value,
                         GError **error)
{
    g_autofree char *str = vgmXMLNodeContent(node);

    if (!str) {
        g_autofree char *desc = vgmXMLNodeDescribe(node);
        vgmErrorSet(error, VGM_ERR_XML, _("element %1$s must not be empty"), desc);
        return -1;
    }
    g_strstrip(str);
    if (!vgmStrToULLBase(str, base, value)) {
        g_autofree char *desc = vgmXMLNodeDescribe(node);
        if (base == 16)
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' in element %2$s: expected a hexadecimal number"),
                        str, desc);
        else
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$s' in element %2$s: expected a non-negative integer"),
                        str, desc);
        return -1;
    }
    return 1;
}

gboolean
vgmXMLCheckAttrs(xmlNodePtr node, const char *const *allowed, GError **error)
{
    xmlAttrPtr attr;

    for (attr = node->properties; attr; attr = attr->next) {
        if (attr->ns) {
            g_autofree char *desc = vgmXMLNodeDescribe(node);
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported attribute '%1$s:%2$s' of element %3$s"),
                        attr->ns->prefix ? (const char *)attr->ns->prefix : "",
                        (const char *)attr->name, desc);
            return FALSE;
        }
        if (!vgmStrInList(allowed, (const char *)attr->name)) {
            g_autofree char *desc = vgmXMLNodeDescribe(node);
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported attribute '%1$s' of element %2$s"),
                        (const char *)attr->name, desc);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmXMLCheckChildren(xmlNodePtr node, const char *const *allowed,
                    GError **error)
{
    return vgmXMLCheckChildrenNs(node, allowed, NULL, error);
}

gboolean
vgmXMLCheckRefusedChildren(xmlNodePtr node, const VgmRefused *table, size_t n, GError **error)
{
    xmlNodePtr c;

    for (c = node->children; c; c = c->next) {
        const char *why = c->type == XML_ELEMENT_NODE && !c->ns ?
                          vgmRefusedWhy(table, n, (const char *)c->name) : NULL;

        if (why) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <%1$s> in <%2$s>: %3$s"),
                        (const char *)c->name, (const char *)node->name, why);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmXMLCheckChildrenNs(xmlNodePtr node, const char *const *allowed, const char *nsHref,
                      GError **error)
{
    xmlNodePtr cur;

    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_TEXT_NODE) {
            g_autofree char *text = g_strdup((const char *)cur->content);
            if (*g_strstrip(text) && allowed) {
                g_autofree char *desc = vgmXMLNodeDescribe(node);
                vgmErrorSet(error, VGM_ERR_XML,
                            _("unexpected text '%1$s' in element %2$s"),
                            text, desc);
                return FALSE;
            }
            continue;
        }
        if (cur->type == XML_ENTITY_REF_NODE) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("entity references are not allowed (in element <%1$s>)"),
                        (const char *)node->name);
            return FALSE;
        }
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (cur->ns && nsHref && cur->ns->href &&
            g_str_equal((const char *)cur->ns->href, nsHref))
            continue;
        if (cur->ns) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <%1$s:%2$s> in <%3$s>"),
                        cur->ns->prefix ? (const char *)cur->ns->prefix : "",
                        (const char *)cur->name, (const char *)node->name);
            return FALSE;
        }
        if (!vgmStrInList(allowed, (const char *)cur->name)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("unsupported element <%1$s> in <%2$s>"),
                        (const char *)cur->name, (const char *)node->name);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmXMLCheckNode(xmlNodePtr node, const char *const *attrs,
                const char *const *children, GError **error)
{
    return vgmXMLCheckAttrs(node, attrs, error) &&
           vgmXMLCheckChildren(node, children, error);
}

xmlNodePtr
vgmXMLChild(xmlNodePtr node, const char *name)
{
    xmlNodePtr cur;

    if (!node)
        return NULL;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            g_str_equal((const char *)cur->name, name))
            return cur;
    }
    return NULL;
}

int
vgmXMLSingleChild(xmlNodePtr node, const char *name, xmlNodePtr *child,
                  GError **error)
{
    xmlNodePtr cur;

    *child = NULL;
    if (!node)
        return 0;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE ||
            !g_str_equal((const char *)cur->name, name))
            continue;
        if (*child) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("element <%1$s> may appear only once in <%2$s>"),
                        name, (const char *)node->name);
            return -1;
        }
        *child = cur;
    }
    return *child ? 1 : 0;
}

GPtrArray *
vgmXMLChildren(xmlNodePtr node, const char *name)
{
    GPtrArray *ret = g_ptr_array_new();
    xmlNodePtr cur;

    if (!node)
        return ret;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE &&
            (!name || g_str_equal((const char *)cur->name, name)))
            g_ptr_array_add(ret, cur);
    }
    return ret;
}

/* ---- formatting ---- */

void
vgmBufInit(VgmBuf *buf, int indent)
{
    buf->str = g_string_new(NULL);
    buf->indent = indent;
}

void
vgmBufInitChild(VgmBuf *child, const VgmBuf *parent)
{
    vgmBufInit(child, parent->indent + 2);
}

void
vgmBufClear(VgmBuf *buf)
{
    if (buf->str)
        g_string_free(buf->str, TRUE);
    buf->str = NULL;
}

char *
vgmBufSteal(VgmBuf *buf)
{
    char *ret = g_string_free(buf->str, FALSE);
    buf->str = NULL;
    return ret;
}

gboolean
vgmBufIsEmpty(const VgmBuf *buf)
{
    return !buf->str || buf->str->len == 0;
}

void
vgmBufAdjustIndent(VgmBuf *buf, int delta)
{
    buf->indent += delta;
    if (buf->indent < 0)
        buf->indent = 0;
}

static void
vgmBufMaybeIndent(VgmBuf *buf)
{
    if (!buf->str)
        buf->str = g_string_new(NULL);
    if (buf->indent > 0 &&
        (buf->str->len == 0 || buf->str->str[buf->str->len - 1] == '\n'))
        g_string_append_printf(buf->str, "%*s", buf->indent, "");
}

char *
vgmXMLTextFromRaw(const char *raw)
{
    g_autofree char *valid = g_utf8_make_valid(raw, -1);
    GString *out = g_string_new(NULL);
    const char *p;

    for (p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfffe || c == 0xffff)
            continue;
        g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    return g_string_free(out, FALSE);
}

void
vgmBufAdd(VgmBuf *buf, const char *str)
{
    vgmBufMaybeIndent(buf);
    g_string_append(buf->str, str);
}

void
vgmBufAsprintf(VgmBuf *buf, const char *fmt, ...)
{
    va_list ap;

    vgmBufMaybeIndent(buf);
    va_start(ap, fmt);
    g_string_append_vprintf(buf->str, fmt, ap);
    va_end(ap);
}

/* What vgmXMLEscapeAppend turns into references besides <, > and & (and
 * carriage returns, which any reading would turn into new lines). */
typedef enum {
    VGM_XML_ESCAPE_QUOT = 1 << 0,   /* " */
    VGM_XML_ESCAPE_APOS = 1 << 1,   /* ' */
    /* new lines and tabs: attribute normalisation would turn them into
     * spaces on reading */
    VGM_XML_ESCAPE_WS = 1 << 2,
} VgmXMLEscapeFlags;

static void
vgmXMLEscapeAppend(GString *out, const char *str, unsigned int flags)
{
    const char *p;

    for (p = str; *p; p++) {
        switch (*p) {
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        case '\r': g_string_append(out, "&#13;"); break;
        case '"':
            g_string_append(out, flags & VGM_XML_ESCAPE_QUOT ? "&quot;" : "\"");
            break;
        case '\'':
            g_string_append(out, flags & VGM_XML_ESCAPE_APOS ? "&apos;" : "'");
            break;
        case '\n':
            g_string_append(out, flags & VGM_XML_ESCAPE_WS ? "&#10;" : "\n");
            break;
        case '\t':
            g_string_append(out, flags & VGM_XML_ESCAPE_WS ? "&#9;" : "\t");
            break;
        default: g_string_append_c(out, *p);
        }
    }
}

static void
vgmBufEscape(VgmBuf *buf, const char *fmt, const char *str, gboolean attr)
{
    g_autoptr(GString) esc = NULL;

    if (!str)
        return;
    esc = g_string_new(NULL);
    vgmXMLEscapeAppend(esc, str,
                       VGM_XML_ESCAPE_QUOT | VGM_XML_ESCAPE_APOS |
                       (attr ? VGM_XML_ESCAPE_WS : 0));
    vgmBufAsprintf(buf, fmt, esc->str);
}

void
vgmBufEscapeString(VgmBuf *buf, const char *fmt, const char *str)
{
    vgmBufEscape(buf, fmt, str, TRUE);
}

void
vgmBufEscapeText(VgmBuf *buf, const char *fmt, const char *str)
{
    vgmBufEscape(buf, fmt, str, FALSE);
}

void
vgmBufAddBuf(VgmBuf *buf, VgmBuf *other)
{
    if (vgmBufIsEmpty(other))
        return;
    if (!buf->str)
        buf->str = g_string_new(NULL);
    g_string_append_len(buf->str, other->str->str, other->str->len);
}

static void
vgmXMLFormatElementInternal(VgmBuf *buf, const char *name, VgmBuf *attrBuf,
                            VgmBuf *childBuf, gboolean allowEmpty)
{
    gboolean noAttrs = !attrBuf || vgmBufIsEmpty(attrBuf);
    gboolean noChildren = !childBuf || vgmBufIsEmpty(childBuf);

    if (noAttrs && noChildren && !allowEmpty)
        goto cleanup;

    vgmBufAsprintf(buf, "<%s", name);
    if (!noAttrs)
        vgmBufAddBuf(buf, attrBuf);
    if (noChildren) {
        vgmBufAdd(buf, "/>\n");
    } else {
        vgmBufAdd(buf, ">\n");
        vgmBufAddBuf(buf, childBuf);
        vgmBufAsprintf(buf, "</%s>\n", name);
    }

 cleanup:
    if (attrBuf)
        vgmBufClear(attrBuf);
    if (childBuf)
        vgmBufClear(childBuf);
}

void
vgmXMLFormatElement(VgmBuf *buf, const char *name, VgmBuf *attrBuf,
                    VgmBuf *childBuf)
{
    vgmXMLFormatElementInternal(buf, name, attrBuf, childBuf, FALSE);
}

void
vgmXMLFormatElementEmpty(VgmBuf *buf, const char *name, VgmBuf *attrBuf,
                         VgmBuf *childBuf)
{
    vgmXMLFormatElementInternal(buf, name, attrBuf, childBuf, TRUE);
}

/* <PREFIX:NAME or <NAME */
static void
vgmXMLAppendQName(GString *out, xmlNsPtr ns, const xmlChar *name)
{
    if (ns && ns->prefix)
        g_string_append_printf(out, "%s:", (const char *)ns->prefix);
    g_string_append(out, (const char *)name);
}

/* One attribute or namespace value: double quotes, as libxml2 writes
 * them, with everything that would not read back the same escaped. */
static void
vgmXMLAppendAttrValue(GString *out, const char *value)
{
    g_string_append_c(out, '"');
    vgmXMLEscapeAppend(out, value, VGM_XML_ESCAPE_QUOT | VGM_XML_ESCAPE_WS);
    g_string_append_c(out, '"');
}

static void
vgmXMLFormatNodeInternal(GString *out, xmlNodePtr node, int indent,
                         gboolean format)
{
    xmlNodePtr cur;
    xmlNsPtr ns;
    xmlAttrPtr attr;

    switch (node->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (node->content)
            vgmXMLEscapeAppend(out, (const char *)node->content, 0);
        return;
    case XML_COMMENT_NODE:
        g_string_append_printf(out, "<!--%s-->",
                               node->content ? (const char *)node->content : "");
        return;
    case XML_PI_NODE:
        g_string_append_printf(out, "<?%s", (const char *)node->name);
        if (node->content && *node->content)
            g_string_append_printf(out, " %s", (const char *)node->content);
        g_string_append(out, "?>");
        return;
    case XML_ENTITY_REF_NODE:
        g_string_append_printf(out, "&%s;", (const char *)node->name);
        return;
    case XML_ELEMENT_NODE:
        break;
    default:
        return;
    }

    g_string_append_c(out, '<');
    vgmXMLAppendQName(out, node->ns, node->name);
    for (ns = node->nsDef; ns; ns = ns->next) {
        g_string_append(out, " xmlns");
        if (ns->prefix)
            g_string_append_printf(out, ":%s", (const char *)ns->prefix);
        g_string_append_c(out, '=');
        vgmXMLAppendAttrValue(out, ns->href ? (const char *)ns->href : "");
    }
    for (attr = node->properties; attr; attr = attr->next) {
        xmlChar *value = xmlNodeListGetString(node->doc, attr->children, 1);

        g_string_append_c(out, ' ');
        vgmXMLAppendQName(out, attr->ns, attr->name);
        g_string_append_c(out, '=');
        vgmXMLAppendAttrValue(out, value ? (const char *)value : "");
        xmlFree(value);
    }
    if (!node->children) {
        g_string_append(out, "/>");
        return;
    }
    g_string_append_c(out, '>');
    /* text among the children is kept exactly: no indentation inside */
    for (cur = node->children; cur && format; cur = cur->next) {
        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE ||
            cur->type == XML_ENTITY_REF_NODE)
            format = FALSE;
    }
    for (cur = node->children; cur; cur = cur->next) {
        if (format)
            g_string_append_printf(out, "\n%*s", indent + 2, "");
        vgmXMLFormatNodeInternal(out, cur, indent + 2, format);
    }
    if (format)
        g_string_append_printf(out, "\n%*s", indent, "");
    g_string_append(out, "</");
    vgmXMLAppendQName(out, node->ns, node->name);
    g_string_append_c(out, '>');
}

void
vgmXMLFormatNode(VgmBuf *buf, xmlNodePtr node)
{
    g_autoptr(GString) out = g_string_new(NULL);

    vgmXMLFormatNodeInternal(out, node, buf->indent, TRUE);
    g_string_append_c(out, '\n');
    vgmBufMaybeIndent(buf);
    g_string_append_len(buf->str, out->str, out->len);
}

gboolean
vgmXMLMetadataParse(xmlNodePtr root, xmlNodePtr *metadata, GError **error)
{
    xmlNodePtr node = vgmXMLChild(root, "metadata");
    xmlNodePtr cur;
    xmlDocPtr doc;

    *metadata = NULL;
    if (!node)
        return TRUE;
    if (!vgmXMLCheckAttrs(node, (const char *const[]){ NULL }, error))
        return FALSE;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && (!cur->ns || !cur->ns->href)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("element <%1$s> in <metadata> must have a namespace of its own"),
                        (const char *)cur->name);
            return FALSE;
        }
        if (cur->type == XML_TEXT_NODE) {
            g_autofree char *text = g_strdup((const char *)cur->content);
            if (*g_strstrip(text)) {
                vgmErrorSet(error, VGM_ERR_XML,
                            _("unexpected text '%1$s' in element <metadata>"), text);
                return FALSE;
            }
        }
    }
    doc = xmlNewDoc((const xmlChar *)"1.0");
    *metadata = xmlDocCopyNode(node, doc, 1);
    xmlDocSetRootElement(doc, *metadata);
    return TRUE;
}
