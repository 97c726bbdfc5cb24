#!/usr/bin/env python3
"""A syslog socket for the tests: bind PATH (a datagram socket, as libc's
syslog() expects at /dev/log) and append each message as one line to LOG.
    syslog-sink.py PATH LOG
"""
import os
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(log, "ab", buffering=0) as out:
    while True:
        msg = s.recv(65536).rstrip(b"\0\n")
        out.write(msg.replace(b"\n", b" ") + b"\n")
