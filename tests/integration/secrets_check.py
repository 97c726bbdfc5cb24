"""Which secret (or a 12-character piece of one) a login let out.

    secrets_check.py OUT STRACE SECRETS

SECRETS holds "name<TAB>value" lines; OUT is the driver's output (log and
conversation), STRACE the execve trace. Prints "name in where, ..." for
each one found, or an empty line.
"""
import sys

out = open(sys.argv[1], 'rb').read()
trace = open(sys.argv[2], 'rb').read()
found = []
for line in open(sys.argv[3]):
    name, value = line.rstrip('\n').split('\t', 1)
    pieces = {value, value[:12], value[-12:]}
    if name == 'id_token':
        pieces |= set(value.split('.')[1:])
    for p in sorted(pieces):
        if len(p) < 8:
            continue
        for where, data in (('log/conversation', out), ('execve', trace)):
            if p.encode() in data:
                found.append(f'{name} in {where}')
print(', '.join(sorted(set(found))))
