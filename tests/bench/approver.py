#!/usr/bin/env python3
"""The benchmark's person at the browser: approves device codes through
the test provider's POST /__approve, each at its own moment.

approver.py FIFO BASE_URL CA_FILE SEED LOG READY DONE_DIR

benchdrive writes "TAG USER_CODE T_CODE" into FIFO when a code is shown
(T_CODE: ms since the epoch). TAG is "SPAN_MS:INDEX[:ROW]": the code is
approved as alice at T_CODE + u, u drawn uniformly from [0, SPAN_MS) by a
generator seeded with SEED, ROW and INDEX, so that every run approves the
same login at the same moment after its code. One process and one kept
alive HTTPS connection serve every login, so that hundreds of logins cost
the machine one small process. The provider records the moment of each
approval itself (GET /__stats, approvals); LOG gets one line per code.
READY is created once FIFO is open; DONE_DIR/USER_CODE once the provider
has answered the approval of USER_CODE. Ends on SIGTERM or when FIFO says
"quit".
"""
import heapq
import http.client
import os
import random
import select
import signal
import ssl
import sys
import time
import urllib.parse


def main():
    fifo, base, ca, seed, log_path, ready, done = sys.argv[1:8]
    url = urllib.parse.urlsplit(base)
    ctx = ssl.create_default_context(cafile=ca)
    conn = None
    due = []  # (ms epoch, user_code)
    log = open(log_path, "a", buffering=1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # O_RDWR: the FIFO never reports end of file between writers.
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    buf = b""
    open(ready, "w").close()

    def approve(code):
        nonlocal conn
        path = "/__approve?" + urllib.parse.urlencode(
            {"user_code": code, "account": "alice"})
        for attempt in (1, 2):
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection(
                        url.hostname, url.port, context=ctx, timeout=20)
                conn.request("POST", path)
                resp = conn.getresponse()
                body = resp.read().decode(errors="replace")
                ok = resp.status == 200 or "already decided" in body
                return ok, "%d %s" % (resp.status, body)
            except (OSError, http.client.HTTPException) as e:
                # The provider closes idle kept-alive connections.
                conn.close()
                conn = None
                if attempt == 2:
                    return False, "error %s" % e
        return False, "error"

    while True:
        now = time.time() * 1000
        while due and due[0][0] <= now:
            _, code = heapq.heappop(due)
            ok, what = approve(code)
            log.write("%s approve %s\n" % (code, what))
            if ok:
                open(os.path.join(done, code), "w").close()
            now = time.time() * 1000
        timeout = max(0.0, (due[0][0] - now) / 1000) if due else None
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            continue
        buf += os.read(fd, 65536)
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            parts = line.decode(errors="replace").split()
            if parts == ["quit"]:
                return
            if len(parts) != 3:
                log.write("bad line %r\n" % line)
                continue
            tag, code, t_code = parts
            span, _, key = tag.partition(":")
            u = random.Random("%s:%s" % (seed, key)).uniform(0, float(span))
            heapq.heappush(due, (float(t_code) + u, code))
            log.write("%s due +%.0f ms\n" % (code, u))


if __name__ == "__main__":
    main()
