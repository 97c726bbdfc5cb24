"""A peer that accepts TCP connections on 127.0.0.1:PORT and never answers.

    hang_server.py PORT [SECONDS]

Listens for SECONDS (default 60), then exits.
"""
import socket
import sys
import time

s = socket.socket()
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(8)
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 60)
