#!/usr/bin/env python3
"""The benchmark table, from the files run.sh leaves in its work directory.

report.py WORK N SCALE "INTERVALS" "SCALE_INTERVALS"

Prints a Markdown table: row | median | p95 | min | max | target |
verdict. A verdict compares the measured figure with the target; it never
changes the exit status. The exit status is 1 only when something is
broken: a login that did not succeed, a code that never showed, an
approval the provider did not record.
"""
import glob
import json
import math
import os
import statistics
import sys

WORK = sys.argv[1]
N = int(sys.argv[2])
SCALE = int(sys.argv[3])
INTERVALS = [int(x) for x in sys.argv[4].split()]
SCALE_INTERVALS = [int(x) for x in sys.argv[5].split()]
broken = []
rows = []


def path(*p):
    return os.path.join(WORK, *p)


def results(name):
    """RESULT lines of benchdrive as dicts (t_* and *_ms as floats)."""
    out = []
    for f in sorted(glob.glob(path(name))):
        for line in open(f):
            if not line.startswith("RESULT "):
                continue
            d = dict(x.split("=", 1) for x in line.split()[1:])
            for k in list(d):
                if k.startswith("t_") or k.endswith("_ms") or k in (
                        "rc", "maxrss_kb"):
                    d[k] = float(d[k])
            out.append(d)
    return out


def index(d):
    return d["tag"].split(":")[1]


def stats_json(name):
    with open(path("stats", name)) as f:
        return json.load(f)


def p95(v):
    s = sorted(v)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def fmt(x, unit_digits=1):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    return "%.*f" % (unit_digits, x)


def row(name, v, target="–", ok=None, with_p95=False, digits=1):
    if v:
        med, lo, hi = statistics.median(v), min(v), max(v)
        q = p95(v) if with_p95 else None
    else:
        med = lo = hi = q = None
    verdict = "–" if ok is None else ("meets" if ok else "misses")
    rows.append((name, fmt(med, digits), fmt(q, digits) if with_p95 else "–",
                 fmt(lo, digits), fmt(hi, digits), target, verdict))


def need_success(what, res, expect):
    bad = [d for d in res if d["rc"] != 0]
    if len(res) != expect or bad:
        broken.append("%s: %d of %d logins succeeded" %
                      (what, len(res) - len(bad), expect))


# ------------------------------------------------------------------ floor
def floor_results(name):
    out = []
    for line in open(path(name)):
        d = dict(x.split("=") for x in line.split())
        out.append({k: float(v) for k, v in d.items()})
    return out


floor = [d["floor_ms"] for d in floor_results("floor.res")]
floor2_res = floor_results("floor2.res")
floor2 = [d["floor_ms"] for d in floor2_res]
if any(d["conns"] != 1 for d in floor2_res):
    broken.append("floor: the POST after the GET opened another "
                  "connection")
fm, f2m = statistics.median(floor), statistics.median(floor2)
em = f2m - fm
row("floor: device POST over a fresh TLS connection, minimal libcurl "
    "program (ms)", floor)
row("floor + one request: the same program fetching the discovery document "
    "first on that connection (ms; the request adds %.1f ms)" % em, floor2)

# ---------------------------------------------------------- time to code
for name, label, target, limit in (
        ("warm", "time-to-code, warm cache (ms)",
         "<= 1.2 x floor = %.1f ms" % (1.2 * fm), 1.2 * fm),
        ("cold", "time-to-code, cold cache (ms)",
         "<= floor + one request = %.1f ms" % f2m, f2m)):
    res = results(name + ".res")
    if len(res) != N or any(d["code"] == "-" for d in res):
        broken.append("time-to-code, %s: a code did not show" % name)
    v = [d["code_ms"] for d in res]
    row(label + " (%.2f x floor)" % (statistics.median(v) / fm), v, target,
        statistics.median(v) <= limit)

# The same comparison in instructions (callgrind), which the machine's
# load does not change: the floor program from main, the warm module from
# pam_authenticate to the code.
def summary(name):
    for line in open(path(name)):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1]) / 1e6
    return None


fi, ti = summary("callgrind.floor"), summary("callgrind.ttc")
if fi and ti:
    rows.append(("time-to-code, warm cache, in CPU instructions (M; floor "
                 "program %.2f M = %.2f x)" % (fi, ti / fi), "%.2f" % ti,
                 "–", "–", "–", "– (shows what time cannot: the load)",
                 "–"))

# ------------------------------------------------ approval -> success
def approval_to_success(st, d, what):
    """ms from the provider taking the approval of d's code to d's
    PAM_SUCCESS; None (and a broken line) when no approval was recorded."""
    a = st["approvals"].get(d["code"])
    if a is None:
        broken.append("%s: no approval recorded for %s" % (what, d["code"]))
        return None
    return d["t_done"] - a


single_p95 = {}
per_login = {}
for iv in INTERVALS:
    res = results("i%d.res" % iv)
    need_success("approval -> success, interval %d s" % iv, res,
                 3 * N if iv == 1 else N)
    lat, conns, reqs, disco, polls, slow, early = [], [], [], [], [], 0, 0
    for d in res:
        st = stats_json("i%d-%s.json" % (iv, index(d)))
        t = approval_to_success(st, d, "interval %d" % iv)
        if t is None:
            continue
        lat.append(t)
        mr = st["module_requests"]
        conns.append(st["module_connections"])
        reqs.append(sum(mr.values()))
        disco.append(sum(v for k, v in mr.items()
                         if "well-known" in k or "jwks" in k))
        polls.append(mr.get("/token", 0))
        slow += st["slow_down_sent"]
        # A first poll sooner than one interval after the code is counted
        # apart by the provider (it sends no slow_down for it).
        early += st["early_polls"] + st.get("first_polls_early", 0)
    per_login[iv] = (conns, reqs, disco, polls)
    single_p95[iv] = p95(lat) if lat else None
    limit = iv * 1000 + 50
    row("approval -> success, interval %d s (ms; %d logins, %d slow_down, "
        "%d early polls)" % (iv, len(lat), slow, early), lat,
        "p95 <= %d ms; 0 slow_down" % limit,
        bool(lat) and p95(lat) <= limit and slow == 0, with_p95=True)

# --------------------------------------------------------- Enter -> success
res = results("enter.res")
need_success("Enter -> success", res, N)
lat, slow, late = [], 0, 0
for d in res:
    st = stats_json("enter-%s.json" % index(d))
    a = st["approvals"].get(d["code"])
    if a is None or a > d["t_enter"]:
        late += 1
    slow += st["slow_down_sent"]
    lat.append(d["t_done"] - d["t_enter"])
if late:
    broken.append("Enter -> success: %d approvals not before the answer" %
                  late)
row("Enter -> success, wait = enter, approved before the answer (ms; "
    "%d slow_down)" % slow, lat,
    "about one round trip + verification (<= 30 ms)",
    bool(lat) and statistics.median(lat) <= 30 and slow == 0,
    with_p95=True)

# ----------------------------------------------------------- counts
for iv in INTERVALS:
    conns, reqs, disco, polls = per_login[iv]
    row("TLS connections per login, interval %d s (count)" % iv, conns, "1",
        bool(conns) and all(c == 1 for c in conns), digits=0)
iv = INTERVALS[0]
conns, reqs, disco, polls = per_login[iv]
row("HTTP requests per login, warm cache, interval %d s (count; token "
    "polls median %d)" % (iv, statistics.median(polls) if polls else 0),
    reqs, "1 + polls",
    bool(reqs) and all(r == 1 + p for r, p in zip(reqs, polls)), digits=0)
row("discovery + JWKS requests per login, warm cache (count)", disco, "0",
    bool(disco) and all(x == 0 for x in disco), digits=0)

# -------------------------------------------------------------- CPU
cpu = []
for f in sorted(glob.glob(path("cpu-*.txt"))):
    first = open(f).readline().split()
    cpu.append({k: int(v) / 1e6 for k, v in (x.split("=") for x in first)})
cres = results("cpu.res")
need_success("CPU (callgrind)", cres, len(cpu))
if not cpu:
    broken.append("CPU: no callgrind profile")
else:
    tot = [c["total"] for c in cpu]
    row("CPU per login: total, callgrind (M instructions; %d logins)" %
        len(cpu), tot, "<= 33 M", statistics.median(tot) <= 33, digits=2)
    whole = summary("callgrind.floorall")
    row("CPU of the floor program alone, exec to exit, libraries bound at "
        "load (M)", [whole] if whole is not None else [], digits=2)
    for k, label in (("load", "library loading and set-up (dlopen, relocation, constructors, OpenSSL algorithm fetches)"),
                     ("tls", "TLS (handshake, record layer)"),
                     ("verify", "ID-token signature verification"),
                     ("rest", "rest (parsing, QR, config, PAM...)")):
        v = [c[k] for c in cpu]
        share = statistics.median(v) / statistics.median(tot) * 100
        if k == "rest":
            row("CPU per login: %s (M; %.1f%% of total)" % (label, share), v,
                "< 10% of total", share < 10, digits=2)
        else:
            row("CPU per login: %s (M; %.1f%%)" % (label, share), v,
                digits=2)

# ------------------------------------------------------------ memory
permit = results("permit.res")
need_success("memory baseline (pam_permit)", permit, N)
mod = [d["maxrss_kb"] for d in results("i%d.res" % INTERVALS[0])]
if permit and mod:
    base = statistics.median(d["maxrss_kb"] for d in permit)
    v = [(m - base) / 1024 for m in mod]
    row("peak RSS of the driver, one login, over pam_permit.so only (MB; "
        "pam_permit %.1f MB)" % (base / 1024), v, "<= 10 MB",
        statistics.median(v) <= 10, digits=2)
# The same measure for the floor program: its peak over a process that
# links only libc. What one libcurl POST costs a process in memory here.
libc_only = [float(line.split("=")[1]) for line in open(path("libconly.res"))]
floor_rss = [d["maxrss_kb"] for d in floor_results("floor.res")]
if libc_only and floor_rss:
    base = statistics.median(libc_only)
    row("peak RSS of the floor program over a program linking only libc "
        "(MB; that program %.1f MB)" % (base / 1024),
        [(m - base) / 1024 for m in floor_rss], digits=2)


def rss_by_mapping(name):
    """Rss kB per mapped file ([heap], [stack], [anon] for the others)."""
    out, cur = {}, None
    for line in open(path(name)):
        f = line.split()
        if f and "-" in f[0] and len(f) >= 5 and not f[0].endswith(":"):
            cur = f[5] if len(f) > 5 else "[anon]"
        elif f and f[0] == "Rss:":
            out[cur] = out.get(cur, 0) + int(f[1])
    return out


if os.path.exists(path("smaps.oidc")) and os.path.exists(
        path("smaps.permit")):
    a, b = rss_by_mapping("smaps.oidc"), rss_by_mapping("smaps.permit")
    diff = sorted(((a.get(k, 0) - b.get(k, 0), k) for k in a),
                  reverse=True)
    sys.stderr.write("bench: RSS over pam_permit by mapping, one login "
                     "(kB): %d in all\n" % (sum(a.values()) -
                                            sum(b.values())))
    for kb, k in diff[:12]:
        sys.stderr.write("  %6d  %s\n" % (kb, os.path.basename(k)))

# ------------------------------------------------------------- scale
for iv in SCALE_INTERVALS:
    res = results("scale%d/*.out" % iv)
    need_success("scale, interval %d s" % iv, res, SCALE)
    st = stats_json("scale%d.json" % iv)
    with open(path("scale%d.cpu" % iv)) as f:
        load = dict(x.split("=") for x in f.read().split())
    lat, ttc, expected = [], [], 0
    for d in res:
        t = approval_to_success(st, d, "scale %d" % iv)
        if t is None:
            continue
        lat.append(t)
        ttc.append(d["code_ms"])
        expected += round((d["t_done"] - d["t_code"]) / (iv * 1000))
    ok = sum(1 for d in res if d["rc"] == 0)
    pre = "scale, %d concurrent logins, interval %d s" % (SCALE, iv)
    rows.append((pre + ": logins that succeeded (count)", str(ok), "–", "–",
                 "–", "all %d" % SCALE,
                 "meets" if ok == SCALE else "misses"))
    row(pre + ": time-to-code (ms; wall %s s, provider CPU %s s, logins' "
        "CPU %s s)" % (load["wall_s"], load["provider_cpu_s"],
                        load["drivers_cpu_s"]), ttc)
    ref = single_p95.get(iv)
    if ref is not None:
        target = "p95 <= 1.2 x single-login p95 = %.0f ms" % (1.2 * ref)
        ok_lat = bool(lat) and p95(lat) <= 1.2 * ref
    else:
        target, ok_lat = "no single-login figure at this interval", None
    row(pre + ": approval -> success (ms)", lat, target, ok_lat,
        with_p95=True)
    polls, slow = st["token_polls"], st["slow_down_sent"]
    early = st["early_polls"] + st.get("first_polls_early", 0)
    ok_polls = (slow == 0 and early == 0 and expected > 0 and
                abs(polls - expected) <= 0.05 * expected)
    rows.append((pre + ": token polls, all logins (count; %d slow_down, %d "
                 "early)" % (slow, early), str(polls), "–", "–", "–",
                 "one per interval per login: %d (+-5%%); 0 slow_down" %
                 expected, "meets" if ok_polls else "misses"))

print()
print("| row | median | p95 | min | max | target | verdict |")
print("|---|---:|---:|---:|---:|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
print("Approval moments: uniform over two intervals after the code "
      "appears, seed %s. Expected token polls: each login's time from code "
      "to success divided by the interval, rounded." %
      os.environ.get("BENCH_SEED", "8628"))
with open(path("load.start")) as f:
    l0 = f.read().split()[0]
with open(path("load.end")) as f:
    l1 = f.read().split()[0]
print("Machine: %d CPUs; load average %s at the start, %s at the end "
      "(other work on the machine skews the times, not the counts)." %
      (os.cpu_count(), l0, l1))
if broken:
    print()
    for b in broken:
        print("BROKEN: " + b)
    sys.exit(1)
