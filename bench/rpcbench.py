#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""rpcbench: one python3-libvirt client against a libvirt-protocol daemon.

    rpcbench.py --uri URI --pid PID [--seconds N] [--domains N]
    rpcbench.py --compare --uri LIBVIRTD_URI --pid LIBVIRTD_PID [--seconds N]
                [--domains N] [--builddir DIR]

Measures, over one connection (Debian's python3-libvirt 9.0, so the client
side is the same for every server):

  * the server's resident memory (VmRSS of PID, from /proc) idle, i.e. with
    this client connected and before it defines anything;
  * getLibVersion per second: a call the server answers from a constant,
    so the rate one synchronous client reaches at all;
  * getCapabilities and getDomainCapabilities (x86_64, qemu) per second,
    which clients ask at connect and for each new guest;
  * lookupByName + XMLDesc(0) per second, and listAllDomains(0) per second,
    with 1 domain defined by the benchmark;
  * the rate of defineXML while it defines the rest up to --domains (1000),
    then listAllDomains(0) and lookupByName + XMLDesc(0) per second with
    them all, and the server's VmRSS with them all;
  * the rate of undefine while it removes them, and VmRSS afterwards.

Each rate is calls completed in --seconds (default 3) of back-to-back calls
divided by the time taken. The domains (vgmbench-NNNNN, inactive, the
plain memfd domain of examples/plain-memfd.xml) are undefined at the end,
also on failure or Ctrl-C. --compare starts our virtgmemd on a temporary
root ($VGM_BUILDDIR or --builddir, default ./build) and runs the same
benchmark against it and against the given running libvirtd, one after
the other, and prints the two side by side.

Needs /usr/bin/python3 (Debian's libvirt module); run with another python3
it re-executes itself under /usr/bin/python3.
"""

import argparse
import os
import sys
import time
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "daemon"))
import harness  # noqa: E402

harness.use_system_python()
import libvirt  # noqa: E402

PREFIX = "vgmbench-"


def vmrss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def rate(fn, seconds):
    """Calls of fn per second over `seconds` (at least one call)."""
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while True:
        fn(n)
        n += 1
        now = time.perf_counter()
        if now >= end:
            return n / (now - t0)


def bench(uri, pid, seconds, ndomains, log=print):
    """Returns an ordered list of (label, value, unit)."""
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    conn = libvirt.open(uri)
    names = ["%s%05d" % (PREFIX, i) for i in range(ndomains)]
    res = []
    defined = []
    try:
        harness.libvirt_cleanup(conn, [d.name() for d in conn.listAllDomains(0)
                                       if d.name().startswith(PREFIX)])
        others = len(conn.listAllDomains(0))
        if others:
            log("# note: the server already holds %d other domain(s)" % others)
        time.sleep(0.5)
        res.append(("VmRSS idle (1 client connected)", vmrss_kib(pid) / 1024.0, "MiB"))

        def define(i):
            conn.defineXML(harness.domain_xml(names[i], uuid=str(uuidlib.uuid4())))
            defined.append(names[i])

        # the cheapest call there is: what one synchronous client can do
        # at all against this server (the client library's own cost)
        res.append(("getLibVersion (bound of the client)",
                    rate(lambda n: conn.getLibVersion(), seconds), "/s"))
        # what virt-install, virt-manager and Nova ask at connect and for
        # each new guest; after one call of each, which on a new root
        # probes the QEMU binaries once (a daemon that ran before has them
        # in its cache)
        conn.getCapabilities()
        conn.getDomainCapabilities(None, "x86_64", None, "qemu", 0)
        res.append(("getCapabilities",
                    rate(lambda n: conn.getCapabilities(), seconds), "/s"))
        res.append(("getDomainCapabilities (x86_64, qemu)",
                    rate(lambda n: conn.getDomainCapabilities(None, "x86_64", None, "qemu", 0),
                         seconds), "/s"))
        define(0)
        first = names[0]
        res.append(("lookupByName+XMLDesc, 1 domain",
                    rate(lambda n: conn.lookupByName(first).XMLDesc(0), seconds), "/s"))
        res.append(("listAllDomains, 1 domain",
                    rate(lambda n: conn.listAllDomains(0), seconds), "/s"))

        t0 = time.perf_counter()
        for i in range(1, ndomains):
            define(i)
        dt = time.perf_counter() - t0
        res.append(("defineXML (%d more)" % (ndomains - 1),
                    (ndomains - 1) / dt if dt > 0 else float("nan"), "/s"))
        got = len(conn.listAllDomains(0))
        if got < ndomains:
            raise RuntimeError("listAllDomains returned %d domains, expected >= %d"
                               % (got, ndomains))
        res.append(("listAllDomains, %d domains" % ndomains,
                    rate(lambda n: conn.listAllDomains(0), seconds), "/s"))
        res.append(("lookupByName+XMLDesc, %d domains" % ndomains,
                    rate(lambda n: conn.lookupByName(names[n % ndomains]).XMLDesc(0), seconds),
                    "/s"))
        time.sleep(0.5)
        res.append(("VmRSS with %d domains" % ndomains, vmrss_kib(pid) / 1024.0, "MiB"))

        t0 = time.perf_counter()
        while defined:
            conn.lookupByName(defined[-1]).undefine()
            defined.pop()
        dt = time.perf_counter() - t0
        res.append(("undefine (%d)" % ndomains, ndomains / dt if dt > 0 else float("nan"), "/s"))
        time.sleep(0.5)
        res.append(("VmRSS after undefining them", vmrss_kib(pid) / 1024.0, "MiB"))
    finally:
        for n in reversed(defined):
            try:
                conn.lookupByName(n).undefine()
            except libvirt.libvirtError:
                pass
        conn.close()
    return res


def fmt(v, unit):
    if unit == "MiB":
        return "%.1f MiB" % v
    return "%.0f/s" % v


def print_table(columns, results):
    """columns: header names; results: one result list per column."""
    labels = [r[0] for r in results[0]]
    w0 = max(len(l) for l in labels + ["measure"])
    cells = [[fmt(v, u) for (_, v, u) in res] for res in results]
    widths = [max(len(h), *(len(c) for c in col)) for h, col in zip(columns, cells)]
    print("%-*s  %s" % (w0, "measure", "  ".join("%*s" % (w, h) for w, h in zip(widths, columns))))
    print("-" * (w0 + sum(w + 2 for w in widths)))
    for i, l in enumerate(labels):
        print("%-*s  %s" % (w0, l, "  ".join("%*s" % (w, col[i]) for w, col in zip(widths, cells))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--uri", required=True, help="the server's URI")
    ap.add_argument("--pid", type=int, required=True, help="the server's pid (for VmRSS)")
    ap.add_argument("--seconds", type=float, default=3.0, help="seconds per rate (3)")
    ap.add_argument("--domains", type=int, default=1000, help="domains to define (1000)")
    ap.add_argument("--compare", action="store_true",
                    help="also start virtgmemd on a temporary root and show both side by side")
    ap.add_argument("--builddir", default=None, help="build tree holding tools/virtgmemd")
    a = ap.parse_args()
    if a.domains < 1:
        ap.error("--domains must be at least 1")
    if not os.path.exists("/proc/%d/status" % a.pid):
        ap.error("no process %d" % a.pid)

    def log(s):
        print(s, file=sys.stderr)

    if not harness.HAVE_KVM:
        harness._noted_tcg = True    # say it on stderr, keep stdout the table
        log("# /dev/kvm is absent: the benchmark's domains use <domain type='qemu'>")

    if not a.compare:
        log("# %s (pid %d), %s s per rate, %d domains" % (a.uri, a.pid, a.seconds, a.domains))
        print_table([a.uri], [bench(a.uri, a.pid, a.seconds, a.domains, log)])
        return 0

    builddir = a.builddir or os.environ.get("VGM_BUILDDIR") or harness.BUILDDIR
    binary = os.path.join(builddir, "tools", "virtgmemd")
    if not os.access(binary, os.X_OK):
        log("rpcbench: %s is not built" % binary)
        return 2
    d = harness.Daemon(binary=binary)
    try:
        d.start()
        log("# virtgmemd pid %d, root %s" % (d.pid, d.root))
        log("# running against virtgmemd ...")
        ours = bench(d.uri, d.pid, a.seconds, a.domains, log)
        log("# running against %s (pid %d) ..." % (a.uri, a.pid))
        theirs = bench(a.uri, a.pid, a.seconds, a.domains, log)
    finally:
        d.cleanup()
    print_table(["virtgmemd", "libvirtd (pid %d)" % a.pid], [ours, theirs])
    return 0


if __name__ == "__main__":
    sys.exit(main())
