/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_iothread.c: QEMU's I/O threads: <iothreads>, <iothreadids>,
 * <defaultiothread> and <cputune><iothreadpin>.
 *
 * libvirt's rules: <iothreads> counts the threads, <iothreadids> names
 * some or all of them (ids above 0, each once); the count is at least the
 * number named, and the threads not named get the lowest free ids. A pool
 * size is a whole number >= 0. <iothreadids> is written back only when
 * some thread was named or has a pool, so a bare <iothreads> stays bare.
 * Each pin and scheduler names a thread that exists. <iothreadsched> is
 * parsed with the other schedulers (domain_tune.c).
 */
#include <config.h>

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* far more threads than a host has CPUs to run them: a count above it is
 * a typo, and would only make the definition huge */
#define VGM_DOMAIN_IOTHREADS_MAX 16384U

void
vgmDomainIOThreadFree(VgmDomainIOThread *t)
{
    if (!t)
        return;
    vgmBitmapFree(t->cpumask);
    if (t->sched) {
        vgmBitmapFree(t->sched->vcpus);
        g_free(t->sched);
    }
    g_free(t);
}

VgmDomainIOThread *
vgmDomainIOThreadFind(const VgmDomainDef *def, unsigned int id)
{
    guint i;

    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);

        if (t->id == id)
            return t;
    }
    return NULL;
}

static VgmDomainIOThread *
vgmDomainIOThreadNew(unsigned int id, gboolean autofill)
{
    VgmDomainIOThread *t = g_new0(VgmDomainIOThread, 1);

    t->id = id;
    t->poolMin = -1;
    t->poolMax = -1;
    t->autofill = autofill;
    return t;
}

/* thread_pool_min and thread_pool_max of @node: whole numbers, -1 for
 * one not given */
static gboolean
vgmDomainIOThreadPoolParse(xmlNodePtr node, int *min, int *max, GError **error)
{
    static const char *const attrs[] = { "thread_pool_min", "thread_pool_max" };
    int *fields[] = { min, max };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(attrs); i++) {
        unsigned int v;
        int rc = vgmXMLPropUInt(node, attrs[i], 0, &v, error);

        if (rc < 0)
            return FALSE;
        if (rc > 0 && v > G_MAXINT) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("invalid value '%1$u' for attribute '%2$s' of <%3$s>: the value is too large"),
                        v, attrs[i], (const char *)node->name);
            return FALSE;
        }
        *fields[i] = rc > 0 ? (int)v : -1;
    }
    return TRUE;
}

gboolean
vgmDomainIOThreadsParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    g_autoptr(GPtrArray) listed = NULL;
    xmlNodePtr node;
    unsigned int count = 0;
    unsigned int next = 1;
    guint i;

    if ((node = vgmXMLChild(root, "iothreads"))) {
        unsigned long long v;

        if (!vgmXMLCheckNode(node, vgmXMLNoChildren, NULL, error) ||
            vgmXMLNodeContentULL(node, &v, error) < 0)
            return FALSE;
        if (v > VGM_DOMAIN_IOTHREADS_MAX) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("<iothreads> (%1$llu) must be at most %2$u"), v,
                        VGM_DOMAIN_IOTHREADS_MAX);
            return FALSE;
        }
        count = (unsigned int)v;
    }
    if ((node = vgmXMLChild(root, "defaultiothread"))) {
        if (!vgmXMLCheckNode(node, (const char *const[]){ "thread_pool_min", "thread_pool_max", NULL },
                             vgmXMLNoChildren, error) ||
            !vgmDomainIOThreadPoolParse(node, &def->defaultPoolMin, &def->defaultPoolMax, error))
            return FALSE;
        /* libvirt drops an empty one */
        def->hasDefaultIOThread = def->defaultPoolMin >= 0 || def->defaultPoolMax >= 0;
    }

    def->iothreads = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDomainIOThreadFree);
    if ((node = vgmXMLChild(root, "iothreadids"))) {
        if (!vgmXMLCheckNode(node, vgmXMLNoChildren, (const char *const[]){ "iothread", NULL },
                             error))
            return FALSE;
        listed = vgmXMLChildren(node, "iothread");
    }
    for (i = 0; listed && i < listed->len; i++) {
        xmlNodePtr el = g_ptr_array_index(listed, i);
        g_autoptr(VgmDomainIOThread) t = vgmDomainIOThreadNew(0, FALSE);

        if (!vgmXMLCheckNode(el, (const char *const[]){ "id", "thread_pool_min",
                                                        "thread_pool_max", NULL },
                             vgmXMLNoChildren, error) ||
            vgmXMLPropUInt(el, "id", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &t->id,
                           error) < 0 ||
            !vgmDomainIOThreadPoolParse(el, &t->poolMin, &t->poolMax, error))
            return FALSE;
        if (vgmDomainIOThreadFind(def, t->id)) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<iothread id='%1$u'> appears twice in <iothreadids>"), t->id);
            return FALSE;
        }
        g_ptr_array_add(def->iothreads, g_steal_pointer(&t));
    }
    /* the threads <iothreads> counts beyond those named: the lowest
     * free ids, in order */
    while (def->iothreads->len < count) {
        while (vgmDomainIOThreadFind(def, next))
            next++;
        g_ptr_array_add(def->iothreads, vgmDomainIOThreadNew(next, TRUE));
    }
    return TRUE;
}

static gboolean
vgmDomainIOThreadsListed(const VgmDomainDef *def)
{
    guint i;

    for (i = 0; i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);

        if (!t->autofill || t->poolMin >= 0 || t->poolMax >= 0)
            return TRUE;
    }
    return FALSE;
}

static void
vgmDomainIOThreadPoolFormat(VgmBuf *buf, int min, int max)
{
    if (min >= 0)
        vgmBufAsprintf(buf, " thread_pool_min='%d'", min);
    if (max >= 0)
        vgmBufAsprintf(buf, " thread_pool_max='%d'", max);
}

void
vgmDomainIOThreadsFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    guint i;

    if (def->iothreads && def->iothreads->len > 0) {
        vgmBufAsprintf(buf, "<iothreads>%u</iothreads>\n", def->iothreads->len);
        if (vgmDomainIOThreadsListed(def)) {
            vgmBufAdd(buf, "<iothreadids>\n");
            for (i = 0; i < def->iothreads->len; i++) {
                const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);

                vgmBufAsprintf(buf, "  <iothread id='%u'", t->id);
                vgmDomainIOThreadPoolFormat(buf, t->poolMin, t->poolMax);
                vgmBufAdd(buf, "/>\n");
            }
            vgmBufAdd(buf, "</iothreadids>\n");
        }
    }
    if (def->hasDefaultIOThread) {
        vgmBufAdd(buf, "<defaultiothread");
        vgmDomainIOThreadPoolFormat(buf, def->defaultPoolMin, def->defaultPoolMax);
        vgmBufAdd(buf, "/>\n");
    }
}

gboolean
vgmDomainIOThreadPinParse(VgmDomainDef *def, xmlNodePtr pin, GError **error)
{
    g_autofree char *cpuset = NULL;
    VgmDomainIOThread *t;
    unsigned int id;

    if (!vgmXMLCheckNode(pin, (const char *const[]){ "iothread", "cpuset", NULL },
                         vgmXMLNoChildren, error) ||
        vgmXMLPropUInt(pin, "iothread", VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &id,
                       error) < 0 ||
        vgmXMLPropString(pin, "cpuset", VGM_XML_PROP_REQUIRED, &cpuset, error) < 0)
        return FALSE;
    if (!(t = vgmDomainIOThreadFind(def, id))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("<iothreadpin iothread='%1$u'> in <cputune>: the domain has no such I/O thread"),
                    id);
        return FALSE;
    }
    if (t->cpumask) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("<iothreadpin iothread='%1$u'> appears twice in <cputune>"), id);
        return FALSE;
    }
    return (t->cpumask = vgmBitmapParse(cpuset, _("attribute 'cpuset' of <iothreadpin>"),
                                        error)) != NULL;
}

void
vgmDomainIOThreadPinFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    guint i;

    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        const VgmDomainIOThread *t = g_ptr_array_index(def->iothreads, i);
        g_autofree char *cs = NULL;

        if (!t->cpumask)
            continue;
        cs = vgmBitmapFormat(t->cpumask);
        vgmBufAsprintf(buf, "<iothreadpin iothread='%u' cpuset='%s'/>\n", t->id, cs);
    }
}

gboolean
vgmDomainIOThreadAdd(VgmDomainDef *def, unsigned int id, GError **error)
{
    if (id == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("invalid I/O thread id 0: an I/O thread's id is above 0"));
        return FALSE;
    }
    if (vgmDomainIOThreadFind(def, id)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("an I/O thread of domain '%1$s' already has id %2$u"), def->name, id);
        return FALSE;
    }
    if (!def->iothreads)
        def->iothreads = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDomainIOThreadFree);
    if (def->iothreads->len >= VGM_DOMAIN_IOTHREADS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has the most I/O threads a domain may have (%2$u)"),
                    def->name, VGM_DOMAIN_IOTHREADS_MAX);
        return FALSE;
    }
    g_ptr_array_add(def->iothreads, vgmDomainIOThreadNew(id, FALSE));
    return TRUE;
}

gboolean
vgmDomainIOThreadDel(VgmDomainDef *def, unsigned int id, GError **error)
{
    guint i, j;

    for (i = 0; def->iothreads && i < def->iothreads->len; i++) {
        if (((VgmDomainIOThread *)g_ptr_array_index(def->iothreads, i))->id == id)
            break;
    }
    if (!def->iothreads || i == def->iothreads->len) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no I/O thread %2$u"), def->name, id);
        return FALSE;
    }
    for (j = 0; j < def->devices.disks->len; j++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, j);

        if (d->iothread == id) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("cannot remove I/O thread %1$u of domain '%2$s': disk '%3$s' uses it"),
                        id, def->name, d->dst);
            return FALSE;
        }
    }
    for (j = 0; j < def->devices.controllers->len; j++) {
        const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, j);

        if (c->iothread == id) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("cannot remove I/O thread %1$u of domain '%2$s': <controller type='%3$s' index='%4$u'> uses it"),
                        id, def->name, c->type, c->index);
            return FALSE;
        }
    }
    /* the threads after it keep their ids: they are listed from now on */
    for (j = i + 1; j < def->iothreads->len; j++)
        ((VgmDomainIOThread *)g_ptr_array_index(def->iothreads, j))->autofill = FALSE;
    g_ptr_array_remove_index(def->iothreads, i);
    return TRUE;
}
