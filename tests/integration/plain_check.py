"""The byte rules of screen_check.py for a whole file of plain text.

    plain_check.py FILE

Prints the first finding, or an empty line when FILE is clean.
"""
import sys

b = open(sys.argv[1], 'rb').read()
bad = ''
for i, c in enumerate(b):
    if (c < 0x20 and c != 0x0a) or c == 0x7f:
        bad = f'byte 0x{c:02x} at offset {i}'
        break
if not bad:
    for ch in b.decode('utf-8', 'replace'):
        o = ord(ch)
        if (0x80 <= o <= 0x9f or 0x200b <= o <= 0x200f
                or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069):
            bad = f'U+{o:04X}'
            break
print(bad)
