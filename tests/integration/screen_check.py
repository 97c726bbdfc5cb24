"""What in a driver's output could act on a terminal or forge a log line.

    screen_check.py OUT [FORBIDDEN...]

Prints nothing when OUT is clean, else up to four findings on one line.
The text of each message (between "MSG n" and "END") may hold no byte
below 0x20 but \n, no 0x7f, no C1 control, none of U+200B-U+200F,
U+202A-U+202E, U+2066-U+2069, and none of the FORBIDDEN strings; log lines
hold none of these controls either, and every other line must be one of
the driver's own (a line break inside a log message would start a stray
line).
"""
import re, sys

data = open(sys.argv[1], 'rb').read()
forbidden = [f.encode() for f in sys.argv[2:]]
bad = []


def scan(where, b, words):
    for i, c in enumerate(b):
        if (c < 0x20 and c != 0x0a) or c == 0x7f:
            bad.append(f'{where}: byte 0x{c:02x} at offset {i}')
            return
    try:
        text = b.decode('utf-8')
    except UnicodeDecodeError as e:
        bad.append(f'{where}: invalid UTF-8 at offset {e.start}')
        return
    for ch in text:
        o = ord(ch)
        if (0x80 <= o <= 0x9f or 0x200b <= o <= 0x200f
                or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069):
            bad.append(f'{where}: U+{o:04X}')
            return
    for w in words:
        if w in b:
            bad.append(f'{where}: shows {w.decode()!r}')
            return


own = (b'SYSLOG ', b'TIMING ', b'RESULT ', b'USER ', b'GROUPS')
lines = data.split(b'\n')
i = n = 0
while i < len(lines):
    line = lines[i]
    if re.fullmatch(rb'MSG [0-9]+', line):
        n += 1
        j = i + 1
        while j < len(lines) and lines[j] != b'END':
            j += 1
        if j == len(lines):
            bad.append(f'message {n} has no END')
            break
        scan(f'message {n}', b'\n'.join(lines[i + 1:j]), forbidden)
        i = j + 1
        continue
    if line.startswith(b'SYSLOG '):
        scan('log line', line, [])
    elif line and not line.startswith(own):
        bad.append(f'stray line {line[:60]!r} (a line break in a log message?)')
    i += 1
print('; '.join(bad[:4]))
