#!/usr/bin/env python3
"""Split the instructions of one login, as callgrind counted them, into
library loading, TLS, ID-token signature verification and the rest.

cpu.py CALLGRIND_OUT  ->  "total=N load=N tls=N verify=N rest=N"
                          then the largest functions of each part

run.sh records the login with
  valgrind --tool=callgrind --collect-atstart=no
      --toggle-collect=pam_start_confdir --toggle-collect=pam_authenticate
      --toggle-collect=pam_acct_mgmt --toggle-collect=pam_end
so the total is what the login costs the host from pam_start to pam_end
(dlopen of the module, the flow, dlclose), without the driver's own
process start.

Method. callgrind gives, for every function (object, name), the
instructions executed in it (exclusive cost), and for every call edge
caller -> callee the instructions executed inside that call (inclusive
cost). Some edges start a part, whatever called them:
  load    every call into the dynamic linker (ld-linux: dlopen's worker,
          relocation, symbol lookup, lazy binding, the constructors it
          runs) and into libc's dlopen/dlclose/dlsym entry points; and
          every algorithm fetch in OpenSSL 3 (EVP_MD_fetch and the like),
          which is its lazy library initialisation: the first fetch
          activates the default provider and builds its method tables
          (about 3 M instructions), later ones hit that cache. Whoever
          calls OpenSSL first pays it (the module's SHA-256 of a cache
          entry's URL, or else the handshake); counting it here keeps
          that from depending on the order of calls;
  verify  calls of the module's load_jwks and jwt_verify: the whole of
          its ID-token verification (verify_id_token is inlined into its
          caller and has no symbol of its own): reading the cached JWKS,
          importing and checking the key, checking the JWS signature and
          the claims;
  tls     calls from libcurl into libssl or libcrypto: library setup,
          CA file loading, handshake (certificate chain and server
          signature included), record layer, shutdown. The module's own
          libcrypto calls come from pam_oidc.so, not libcurl, so the
          ID-token signature check is not counted here.
Every other edge carries the part(s) of its caller. A function belongs to
the parts of the edges that call it, in proportion to their inclusive
costs (solved by iteration, since call graphs have cycles); its exclusive
cost is split the same way. Functions nothing calls (the driver's main)
are "rest". The parts therefore add up exactly to the total; the split is
exact wherever a function is called from one part only, and proportional
for functions shared between parts (malloc, OpenSSL internals used both by
the handshake and by the token check).
"""
import collections
import os
import re
import sys

PARTS = ("load", "tls", "verify", "rest")
DL_API = re.compile(r"^(dlopen|dlclose|dlsym|dlvsym|dlmopen|__libc_dl)")
OSSL_FETCH = re.compile(r"^(EVP_[A-Z0-9_]+_fetch|OSSL_[A-Z0-9_]+_fetch)$")
VERIFY_FNS = {"load_jwks", "jwt_verify", "verify_id_token"}


def kind(obj):
    b = os.path.basename(obj)
    if b.startswith("ld-linux"):
        return "ldso"
    if b.startswith("libssl.so") or b.startswith("libcrypto.so"):
        return "ossl"
    if b.startswith("libcurl.so"):
        return "curl"
    if b.startswith("libc.so"):
        return "libc"
    if b == "pam_oidc.so":
        return "module"
    return "other"


def parse(path):
    names = {"ob": {}, "fl": {}, "fn": {}}

    def name(typ, s):
        # "(id) name" defines, "(id)" refers back; plain names are allowed.
        m = re.match(r"\((\d+)\)(?:\s+(.*))?$", s)
        if not m:
            return s
        if m.group(2) is not None:
            names[typ][m.group(1)] = m.group(2)
        return names[typ][m.group(1)]

    excl = collections.Counter()
    edges = collections.Counter()
    ob = fn = cob = cfn = None
    in_call = False
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if in_call:
                    edges[(ob, fn), (cob or ob, cfn)] += cost
                    in_call = False
                    cob = None
                else:
                    excl[(ob, fn)] += cost
                continue
            key, _, val = line.rstrip("\n").partition("=")
            if key == "ob":
                ob = name("ob", val)
            elif key == "fn":
                fn = name("fn", val)
            elif key in ("fl", "fi", "fe", "cfi", "cfl", "jfi"):
                name("fl", val)
            elif key == "jfn":
                name("fn", val)
            elif key == "cob":
                cob = name("ob", val)
            elif key == "cfn":
                cfn = name("fn", val)
            elif key == "calls":
                in_call = True
    return excl, edges


def edge_part(caller, callee):
    (cob, _), (eob, efn) = caller, callee
    ck, ek = kind(cob), kind(eob)
    base = efn.split("'")[0]
    if ek == "ldso" or (ek == "libc" and DL_API.match(base)):
        return "load"
    if ek == "ossl" and OSSL_FETCH.match(base):
        return "load"
    if ek == "module" and base in VERIFY_FNS:
        return "verify"
    if ck == "curl" and ek == "ossl":
        return "tls"
    return None


def split(excl, edges):
    incoming = collections.defaultdict(list)
    nodes = set(excl)
    for (a, b), w in edges.items():
        nodes.update((a, b))
        if a != b and w > 0:
            incoming[b].append((a, w, edge_part(a, b)))
    share = {n: {"rest": 1.0} for n in nodes}
    for _ in range(200):
        changed = 0.0
        for n in nodes:
            if not incoming[n]:
                continue
            acc = collections.Counter()
            tot = 0.0
            for a, w, p in incoming[n]:
                tot += w
                if p is not None:
                    acc[p] += w
                else:
                    for k, v in share[a].items():
                        acc[k] += w * v
            new = {k: v / tot for k, v in acc.items()}
            changed = max(changed, max(abs(new.get(k, 0) -
                                           share[n].get(k, 0))
                                       for k in PARTS))
            share[n] = new
        if changed < 1e-9:
            break
    cost = collections.Counter()
    by_obj = {p: collections.Counter() for p in PARTS}
    for n, c in excl.items():
        for k, v in share[n].items():
            cost[k] += c * v
            by_obj[k][os.path.basename(n[0])] += c * v
    # For the notes: named functions by inclusive cost within each part
    # (a function's incoming calls, split by its shares).
    top = {p: collections.Counter() for p in PARTS}
    for n in nodes:
        if n[1].startswith("0x") or not incoming[n]:
            continue
        incl = sum(w for _, w, _ in incoming[n])
        for k, v in share[n].items():
            top[k][n] += incl * v
    return cost, top, by_obj, share


def main():
    excl, edges = parse(sys.argv[1])
    cost, top, by_obj, share = split(excl, edges)
    total = sum(excl.values())
    print("total=%d %s" % (total, " ".join(
        "%s=%d" % (p, round(cost[p])) for p in PARTS)))
    for p in PARTS:
        print("# %s: instructions executed by object: %s" % (p, ", ".join(
            "%s %.2f M" % (o, c / 1e6)
            for o, c in by_obj[p].most_common(6))))
        if p == "rest":
            continue
        print("# %s: largest named functions (inclusive, this part's "
              "share)" % p)
        for (ob, fn), c in top[p].most_common(8):
            print("#   %10d  %s [%s]" % (c, fn, os.path.basename(ob)))
    # The module's own calls into libraries from code of the rest.
    calls = collections.Counter()
    for (a, b), w in edges.items():
        if kind(a[0]) == "module" and kind(b[0]) != "module" and \
                edge_part(a, b) is None and share[a].get("rest", 0) > 0.5:
            calls["%s -> %s" % (a[1], b[1])] += w
    print("# rest: the module's largest calls into libraries (inclusive, "
          "so with any TLS work inside them)")
    for k, c in calls.most_common(8):
        print("#   %10d  %s" % (c, k))


if __name__ == "__main__":
    main()
