"""Print the interpreter's own path.

A version manager's python3 is a wrapper that costs a few hundred ms per
call; the scripts call the interpreter itself instead.
"""
import sys

print(sys.executable)
