/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_lsec.c: <launchSecurity> for AMD SEV, SEV-SNP, Intel TDX and s390
 * protected virtualization, plus the extension attribute
 * inPlaceConversion (whose rules live in domain_validate.c).
 */
#include "config.h"

#include "domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

VGM_ENUM_IMPL(vgmLaunchSecurity, VGM_LAUNCH_SECURITY_LAST,
              "", "sev", "sev-snp", "tdx", "s390-pv");

void
vgmLaunchSecurityDefFree(VgmLaunchSecurityDef *sec)
{
    if (!sec)
        return;
    g_free(sec->dhCert);
    g_free(sec->session);
    g_free(sec->guestVisibleWorkarounds);
    g_free(sec->idBlock);
    g_free(sec->idAuth);
    g_free(sec->hostData);
    g_free(sec->mrConfigId);
    g_free(sec->mrOwner);
    g_free(sec->mrOwnerConfig);
    g_free(sec->qgsPath);
    g_free(sec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmLaunchSecurityDef, vgmLaunchSecurityDefFree)

static int
vgmLsecText(xmlNodePtr node, const char *name, char **value, GError **error)
{
    xmlNodePtr child;
    int rc;

    *value = NULL;
    if ((rc = vgmXMLSingleChild(node, name, &child, error)) <= 0)
        return rc;
    if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error))
        return -1;
    if (!(*value = vgmXMLNodeContent(child))) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("element <%1$s> in <launchSecurity> must not be empty"), name);
        return -1;
    }
    g_strstrip(*value);
    return 1;
}

static int
vgmLsecUInt(xmlNodePtr node, const char *name, int base, unsigned long long max,
            unsigned long long *value, GError **error)
{
    xmlNodePtr child;
    int rc;

    *value = 0;
    if ((rc = vgmXMLSingleChild(node, name, &child, error)) <= 0)
        return rc;
    if (!vgmXMLCheckNode(child, vgmXMLNoChildren, NULL, error) ||
        vgmXMLNodeContentULLBase(child, base, value, error) < 0)
        return -1;
    if (*value > max) {
        vgmErrorSet(error, VGM_ERR_XML,
                    _("value 0x%1$llx of element <%2$s> in <launchSecurity> is out of range (at most 0x%3$llx)"),
                    *value, name, max);
        return -1;
    }
    return 1;
}

static const char *const vgmSevChildren[] = {
    "cbitpos", "reducedPhysBits", "policy", "dhCert", "session", NULL
};
static const char *const vgmSevSnpChildren[] = {
    "cbitpos", "reducedPhysBits", "policy", "guestVisibleWorkarounds",
    "idBlock", "idAuth", "hostData", NULL
};
static const char *const vgmTdxChildren[] = {
    "policy", "mrConfigId", "mrOwner", "mrOwnerConfig",
    "quoteGenerationService", NULL
};

static gboolean
vgmLsecSevCommonParse(VgmLaunchSecurityDef *sec, xmlNodePtr node,
                      GError **error)
{
    unsigned long long v;
    int rc;

    if ((rc = vgmLsecUInt(node, "cbitpos", 10, 63, &v, error)) < 0)
        return FALSE;
    sec->haveCbitpos = rc > 0;
    sec->cbitpos = v;
    if ((rc = vgmLsecUInt(node, "reducedPhysBits", 10, 63, &v, error)) < 0)
        return FALSE;
    sec->haveReducedPhysBits = rc > 0;
    sec->reducedPhysBits = v;
    if (vgmXMLPropTristateBool(node, "kernelHashes", 0, &sec->kernelHashes, error) < 0)
        return FALSE;
    return TRUE;
}

gboolean
vgmDomainLaunchSecurityParse(VgmDomainDef *def, xmlNodePtr root, GError **error)
{
    g_autoptr(VgmLaunchSecurityDef) sec = NULL;
    xmlNodePtr node = vgmXMLChild(root, "launchSecurity");
    const char *const *children = vgmXMLNoChildren;
    const char *const *name;
    xmlNodePtr child;
    int rc;
    int v;

    if (!node)
        return TRUE;
    sec = g_new0(VgmLaunchSecurityDef, 1);
    if (vgmXMLPropEnum(node, "type", vgmLaunchSecurityTypeFromString,
                       VGM_XML_PROP_REQUIRED | VGM_XML_PROP_NONZERO, &v, error) < 0)
        return FALSE;
    sec->type = v;

    switch (sec->type) {
    case VGM_LAUNCH_SECURITY_SEV:
        if (!vgmXMLCheckAttrs(node, (const char *const[]){ "type", "kernelHashes",
                                                           "inPlaceConversion", NULL }, error))
            return FALSE;
        children = vgmSevChildren;
        break;
    case VGM_LAUNCH_SECURITY_SEV_SNP:
        if (!vgmXMLCheckAttrs(node, (const char *const[]){ "type", "kernelHashes", "authorKey",
                                                           "vcek", "inPlaceConversion", NULL },
                              error))
            return FALSE;
        children = vgmSevSnpChildren;
        break;
    case VGM_LAUNCH_SECURITY_TDX:
        if (!vgmXMLCheckAttrs(node, (const char *const[]){ "type", "inPlaceConversion", NULL },
                              error))
            return FALSE;
        children = vgmTdxChildren;
        break;
    case VGM_LAUNCH_SECURITY_S390_PV:
        if (!vgmXMLCheckAttrs(node, (const char *const[]){ "type", "inPlaceConversion", NULL },
                              error))
            return FALSE;
        break;
    case VGM_LAUNCH_SECURITY_NONE:
    case VGM_LAUNCH_SECURITY_LAST:
        break;
    }
    if (!vgmXMLCheckChildren(node, children, error))
        return FALSE;
    for (name = children; *name; name++) {
        if (vgmXMLSingleChild(node, *name, &child, error) < 0)
            return FALSE;
    }
    if (vgmXMLPropTristateBool(node, "inPlaceConversion", 0,
                               &sec->inPlaceConversion, error) < 0)
        return FALSE;

    switch (sec->type) {
    case VGM_LAUNCH_SECURITY_SEV:
        if (!vgmLsecSevCommonParse(sec, node, error))
            return FALSE;
        if ((rc = vgmLsecUInt(node, "policy", 16, G_MAXUINT32, &sec->policy, error)) < 0)
            return FALSE;
        if (rc == 0) {
            vgmErrorSet(error, VGM_ERR_XML,
                        _("<launchSecurity type='sev'> needs a <policy> element"));
            return FALSE;
        }
        sec->havePolicy = TRUE;
        if (vgmLsecText(node, "dhCert", &sec->dhCert, error) < 0 ||
            vgmLsecText(node, "session", &sec->session, error) < 0)
            return FALSE;
        break;
    case VGM_LAUNCH_SECURITY_SEV_SNP:
        if (!vgmLsecSevCommonParse(sec, node, error))
            return FALSE;
        if (vgmXMLPropTristateBool(node, "authorKey", 0, &sec->authorKey, error) < 0 ||
            vgmXMLPropTristateBool(node, "vcek", 0, &sec->vcek, error) < 0)
            return FALSE;
        if ((rc = vgmLsecUInt(node, "policy", 16, G_MAXUINT64, &sec->policy, error)) < 0)
            return FALSE;
        sec->havePolicy = rc > 0;
        if (vgmLsecText(node, "guestVisibleWorkarounds", &sec->guestVisibleWorkarounds, error) < 0 ||
            vgmLsecText(node, "idBlock", &sec->idBlock, error) < 0 ||
            vgmLsecText(node, "idAuth", &sec->idAuth, error) < 0 ||
            vgmLsecText(node, "hostData", &sec->hostData, error) < 0)
            return FALSE;
        break;
    case VGM_LAUNCH_SECURITY_TDX:
        if ((rc = vgmLsecUInt(node, "policy", 16, G_MAXUINT64, &sec->policy, error)) < 0)
            return FALSE;
        sec->havePolicy = rc > 0;
        if (vgmLsecText(node, "mrConfigId", &sec->mrConfigId, error) < 0 ||
            vgmLsecText(node, "mrOwner", &sec->mrOwner, error) < 0 ||
            vgmLsecText(node, "mrOwnerConfig", &sec->mrOwnerConfig, error) < 0)
            return FALSE;
        if ((child = vgmXMLChild(node, "quoteGenerationService"))) {
            if (!vgmXMLCheckNode(child, (const char *const[]){ "path", NULL },
                                 vgmXMLNoChildren, error) ||
                vgmXMLPropString(child, "path", 0, &sec->qgsPath, error) < 0)
                return FALSE;
            sec->haveQGS = TRUE;
        }
        break;
    case VGM_LAUNCH_SECURITY_S390_PV:
    case VGM_LAUNCH_SECURITY_NONE:
    case VGM_LAUNCH_SECURITY_LAST:
        break;
    }
    def->sec = g_steal_pointer(&sec);
    return TRUE;
}

void
vgmDomainLaunchSecurityFormat(VgmBuf *buf, const VgmDomainDef *def)
{
    const VgmLaunchSecurityDef *sec = def->sec;
    VgmBuf attrs;
    VgmBuf child;

    if (!sec)
        return;
    vgmBufInit(&attrs, 0);
    vgmBufInitChild(&child, buf);
    vgmBufAsprintf(&attrs, " type='%s'", vgmLaunchSecurityTypeToString(sec->type));
    if (sec->inPlaceConversion)
        vgmBufAsprintf(&attrs, " inPlaceConversion='%s'",
                       vgmTristateBoolTypeToString(sec->inPlaceConversion));
    if (sec->authorKey)
        vgmBufAsprintf(&attrs, " authorKey='%s'", vgmTristateBoolTypeToString(sec->authorKey));
    if (sec->vcek)
        vgmBufAsprintf(&attrs, " vcek='%s'", vgmTristateBoolTypeToString(sec->vcek));
    if (sec->kernelHashes)
        vgmBufAsprintf(&attrs, " kernelHashes='%s'", vgmTristateBoolTypeToString(sec->kernelHashes));

    if (sec->haveCbitpos)
        vgmBufAsprintf(&child, "<cbitpos>%u</cbitpos>\n", sec->cbitpos);
    if (sec->haveReducedPhysBits)
        vgmBufAsprintf(&child, "<reducedPhysBits>%u</reducedPhysBits>\n", sec->reducedPhysBits);
    if (sec->havePolicy) {
        if (sec->type == VGM_LAUNCH_SECURITY_SEV)
            vgmBufAsprintf(&child, "<policy>0x%04llx</policy>\n", sec->policy);
        else
            vgmBufAsprintf(&child, "<policy>0x%08llx</policy>\n", sec->policy);
    }
    vgmBufEscapeString(&child, "<guestVisibleWorkarounds>%s</guestVisibleWorkarounds>\n",
                       sec->guestVisibleWorkarounds);
    vgmBufEscapeString(&child, "<idBlock>%s</idBlock>\n", sec->idBlock);
    vgmBufEscapeString(&child, "<idAuth>%s</idAuth>\n", sec->idAuth);
    vgmBufEscapeString(&child, "<hostData>%s</hostData>\n", sec->hostData);
    vgmBufEscapeString(&child, "<dhCert>%s</dhCert>\n", sec->dhCert);
    vgmBufEscapeString(&child, "<session>%s</session>\n", sec->session);
    vgmBufEscapeString(&child, "<mrConfigId>%s</mrConfigId>\n", sec->mrConfigId);
    vgmBufEscapeString(&child, "<mrOwner>%s</mrOwner>\n", sec->mrOwner);
    vgmBufEscapeString(&child, "<mrOwnerConfig>%s</mrOwnerConfig>\n", sec->mrOwnerConfig);
    if (sec->haveQGS) {
        if (sec->qgsPath)
            vgmBufEscapeString(&child, "<quoteGenerationService path='%s'/>\n", sec->qgsPath);
        else
            vgmBufAdd(&child, "<quoteGenerationService/>\n");
    }
    vgmXMLFormatElementEmpty(buf, "launchSecurity", &attrs, &child);
}
