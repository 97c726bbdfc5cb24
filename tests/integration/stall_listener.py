#!/usr/bin/env python3
"""A peer that stalls: listen on 127.0.0.1:PORT, accept every connection,
read nothing and answer nothing, for SECONDS; then close all and exit.
Prints "ready" once it listens.
    stall_listener.py PORT SECONDS
"""
import socket
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
print("ready", flush=True)
held = []
end = time.monotonic() + seconds
while (left := end - time.monotonic()) > 0:
    s.settimeout(left)
    try:
        conn, _ = s.accept()
    except (socket.timeout, OSError):
        continue
    held.append(conn)
for conn in held:
    conn.close()
s.close()
