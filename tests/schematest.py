#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""schematest: the domain RelaxNG schema against the test documents (TAP).

What it covers:

  (a) Every domain XML the tests hold validates against
      docs/schemas/domain.rng (which includes docs/schemas/gmem-extension.rng):
      tests/qemuxml2argvdata/*.xml, tests/qemuxml2xmloutdata/*.xml and
      examples/*.xml. Folders that do not exist yet are skipped.

  (b) Every tests/domainschemadata/invalid/*.xml is well-formed, starts with
      an XML comment saying why it is invalid, and is rejected by the schema
      with a validation error (xmllint exit status 3), not by a parse error
      or a broken schema.

  (c) libvirt compatibility: every document from (a) that uses neither the
      virt-gmem extension nor a libvirt spelling newer than libvirt 9.0 also
      validates against libvirt's own schema (Debian 12's libvirt 9.0, at
      /usr/share/libvirt/schemas/domain.rng, or $VGM_LIBVIRT_SCHEMA). This
      shows our base format is libvirt's. Which documents are exempt is
      decided by detection (see uses_newer_or_extension()):
        extension:        memoryBacking/source type='guestmemfd',
                          memoryBacking/liveUpdate,
                          launchSecurity/@inPlaceConversion;
        newer than 9.0:   launchSecurity type='sev-snp' (libvirt 10.5),
                          launchSecurity type='tdx' (libvirt 11.x),
                          cpu/topology/@clusters (libvirt 10.1);
      plus the explicit NEWER_THAN_LIBVIRT_9_0 list below for anything the
      detection cannot see. When libvirt's schema is absent each such check
      is reported as '# SKIP' with the reason.

  (d) For a document exempt from (c) only because of the extension (no
      newer libvirt spelling), the same document with the extension removed
      (the guestmemfd <source>, <liveUpdate/> and inPlaceConversion dropped)
      validates against libvirt 9.0's schema: everything around the
      extension is libvirt's format.

  (e) Every virtual network the network driver formats
      (tests/networkxml2xmlin/*.xml and tests/networkxml2xmlout/*.xml)
      validates against libvirt 9.0's network schema (network.rng beside
      its domain.rng): the network XML is libvirt's format.

The source tree is $VGM_SRCDIR, or else the parent of this script's folder.
Needs python3 (standard library only) and xmllint (libxml2-utils).
"""

import glob
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SRCDIR = os.environ.get("VGM_SRCDIR") or \
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(SRCDIR, "docs", "schemas", "domain.rng")
EXTENSION_SCHEMA = os.path.join(SRCDIR, "docs", "schemas", "gmem-extension.rng")
LIBVIRT_SCHEMA = os.environ.get("VGM_LIBVIRT_SCHEMA",
                                "/usr/share/libvirt/schemas/domain.rng")

VALID_DIRS = [
    os.path.join("tests", "qemuxml2argvdata"),
    os.path.join("tests", "qemuxml2xmloutdata"),
    "examples",
]
INVALID_DIR = os.path.join("tests", "domainschemadata", "invalid")

# Documents (path relative to the source tree) that use a libvirt spelling
# newer than 9.0 which uses_newer_or_extension() does not detect. Add a file
# here, with the reason, rather than weakening the detection.
NEWER_THAN_LIBVIRT_9_0 = {
    # "tests/qemuxml2argvdata/example.xml": "<feature> added in libvirt 10.x",
    # (not newer: outside libvirt's schema, which libvirtd does not apply
    # at define, and taken by libvirt 9.0's parser, as clients write it)
    "tests/qemuxml2argvdata/os-bootmenu-timeout-only.xml":
        "a <bootmenu> without enable (virt-xml's), which libvirt 9.0's parser takes "
        "and its schema does not",
}

# xmllint --relaxng exit status for "the document does not validate"
XMLLINT_INVALID = 3


class Tap:
    def __init__(self):
        self.results = []

    def add(self, ok, desc, diag=None, skip=None):
        self.results.append((ok, desc, diag, skip))

    def finish(self):
        print("1..%d" % len(self.results))
        failed = 0
        for n, (ok, desc, diag, skip) in enumerate(self.results, 1):
            line = "%s %d - %s" % ("ok" if ok else "not ok", n, desc)
            if skip:
                line += " # SKIP " + skip
            print(line)
            if not ok:
                failed += 1
                for d in (diag or "").splitlines():
                    print("# " + d)
        if failed:
            print("# %d of %d failed" % (failed, len(self.results)))
        return 1 if failed else 0


def xmllint(schema, path):
    """(exit status, diagnostics) of validating @path against @schema."""
    try:
        res = subprocess.run(["xmllint", "--noout", "--relaxng", schema, path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=60)
    except FileNotFoundError:
        return None, "xmllint not found (install libxml2-utils)"
    return res.returncode, (res.stderr + res.stdout).strip()


def rel(path):
    return os.path.relpath(path, SRCDIR)


def local(tag):
    return tag.rsplit("}", 1)[-1]


def uses_newer_or_extension(root):
    """Reasons why libvirt 9.0's schema cannot accept @root (may be empty)."""
    why = []
    mb = root.find("memoryBacking")
    if mb is not None:
        for src in mb.findall("source"):
            if src.get("type") == "guestmemfd":
                why.append("extension: memory source guestmemfd")
        if mb.find("liveUpdate") is not None:
            why.append("extension: liveUpdate")
    for ls in root.findall("launchSecurity"):
        if ls.get("inPlaceConversion") is not None:
            why.append("extension: inPlaceConversion")
        if ls.get("type") == "sev-snp":
            why.append("libvirt 10.5: launchSecurity sev-snp")
        if ls.get("type") == "tdx":
            why.append("libvirt 11.x: launchSecurity tdx")
    topo = root.find("cpu/topology")
    if topo is not None and topo.get("clusters") is not None:
        why.append("libvirt 10.1: cpu topology clusters")
    for sc in root.findall("devices/smartcard"):
        if sc.get("mode") != "passthrough" and sc.get("type") is not None:
            why.append("virt-install 4.1's type='' on an emulated <smartcard>, which "
                       "libvirt's parser drops and its schema refuses")
        if sc.find("alias") is not None:
            why.append("a <smartcard>'s <alias>, which libvirt's parser keeps (it is "
                       "the card's QEMU id) and its schema refuses")
    if root.find("features/smm/smm") is not None:
        why.append("OpenStack Nova 26's nested <smm><smm state/></smm>, which "
                   "libvirt's parser reads and its schema refuses")
    return why


def strip_extension(root):
    """Remove the virt-gmem extension from @root in place."""
    mb = root.find("memoryBacking")
    if mb is not None:
        for src in mb.findall("source"):
            if src.get("type") == "guestmemfd":
                mb.remove(src)
        for lu in mb.findall("liveUpdate"):
            mb.remove(lu)
    for ls in root.findall("launchSecurity"):
        ls.attrib.pop("inPlaceConversion", None)


def first_line_comment(path):
    with open(path, encoding="utf-8") as fh:
        first = fh.readline().strip()
    return first.startswith("<!--") and first.endswith("-->") and \
        len(first) > len("<!--  -->")


def main():
    tap = Tap()

    # the schemas themselves
    for path in (SCHEMA, EXTENSION_SCHEMA):
        try:
            with open(path, encoding="utf-8") as fh:
                head = fh.readline().strip()
            ok = head == "<!-- SPDX-License-Identifier: LGPL-2.1-or-later -->"
            ET.parse(path)
            tap.add(ok, "%s starts with the SPDX comment" % rel(path),
                    "first line: %r" % head)
        except (OSError, ET.ParseError) as e:
            tap.add(False, "%s is readable XML" % rel(path), str(e))

    # (a) valid documents
    valid = []
    for d in VALID_DIRS:
        full = os.path.join(SRCDIR, d)
        if not os.path.isdir(full):
            print("# %s does not exist (yet): nothing to check there" % d)
            continue
        valid.extend(sorted(glob.glob(os.path.join(full, "*.xml"))))
    if not valid:
        tap.add(False, "there are valid documents to check",
                "none found under %s" % ", ".join(VALID_DIRS))

    parsed = {}
    for path in valid:
        try:
            parsed[path] = ET.parse(path).getroot()
        except ET.ParseError as e:
            tap.add(False, "valid: %s is well-formed" % rel(path), str(e))
            continue
        rc, out = xmllint(SCHEMA, path)
        tap.add(rc == 0, "valid: %s" % rel(path), out)

    # (b) invalid documents
    invalid = sorted(glob.glob(os.path.join(SRCDIR, INVALID_DIR, "*.xml")))
    if not invalid:
        tap.add(False, "there are invalid documents to check",
                "none found under %s" % INVALID_DIR)
    for path in invalid:
        problems = []
        if not first_line_comment(path):
            problems.append("first line is not an XML comment giving the reason")
        try:
            ET.parse(path)
        except ET.ParseError as e:
            problems.append("not well-formed (%s): it must fail the schema, "
                            "not the parser" % e)
        rc, out = xmllint(SCHEMA, path)
        if rc != XMLLINT_INVALID:
            problems.append("xmllint exit status %s, expected %d (invalid)"
                            % (rc, XMLLINT_INVALID))
            problems.append(out)
        tap.add(not problems, "invalid: %s is rejected" % rel(path),
                "\n".join(problems))

    # (c) the same documents against libvirt's schema
    have_libvirt = os.path.isfile(LIBVIRT_SCHEMA)
    if not have_libvirt:
        print("# libvirt's schema %s is absent: libvirt-compat checks skipped"
              % LIBVIRT_SCHEMA)
    for path, root in parsed.items():
        why = uses_newer_or_extension(root)
        listed = NEWER_THAN_LIBVIRT_9_0.get(rel(path))
        if listed:
            why.append(listed)
        desc = "libvirt-compat: %s" % rel(path)
        if why:
            print("# %s not checked against libvirt 9.0: %s"
                  % (rel(path), "; ".join(why)))
            continue
        if not have_libvirt:
            tap.add(True, desc, skip="no libvirt schema at %s" % LIBVIRT_SCHEMA)
            continue
        rc, out = xmllint(LIBVIRT_SCHEMA, path)
        tap.add(rc == 0, desc, out)

    # (d) extension documents, extension removed, against libvirt's schema
    with tempfile.TemporaryDirectory(prefix="vgm-schematest-") as tmp:
        for path, root in parsed.items():
            why = uses_newer_or_extension(root)
            if not why or any(not w.startswith("extension:") for w in why) \
               or rel(path) in NEWER_THAN_LIBVIRT_9_0:
                continue
            desc = "libvirt-compat without the extension: %s" % rel(path)
            if not have_libvirt:
                tap.add(True, desc,
                        skip="no libvirt schema at %s" % LIBVIRT_SCHEMA)
                continue
            stripped = ET.fromstring(ET.tostring(root))
            strip_extension(stripped)
            left = uses_newer_or_extension(stripped)
            tmpfile = os.path.join(tmp, os.path.basename(path))
            ET.ElementTree(stripped).write(tmpfile, encoding="utf-8")
            rc, out = xmllint(LIBVIRT_SCHEMA, tmpfile)
            tap.add(rc == 0 and not left, desc,
                    out + ("\nstill uses: %s" % "; ".join(left) if left else ""))

    # (e) networks against libvirt's network schema
    net_schema = os.path.join(os.path.dirname(LIBVIRT_SCHEMA), "network.rng")
    for sub in ("networkxml2xmlin", "networkxml2xmlout"):
        for path in sorted(glob.glob(os.path.join(SRCDIR, "tests", sub, "*.xml"))):
            desc = "libvirt network schema: %s" % rel(path)
            if not os.path.isfile(net_schema):
                tap.add(True, desc, skip="no libvirt schema at %s" % net_schema)
                continue
            rc, out = xmllint(net_schema, path)
            tap.add(rc == 0, desc, out)

    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
