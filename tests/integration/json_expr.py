"""Print a Python expression over a JSON document read from stdin.

    json_expr.py NAME EXPR

The document is bound to NAME (the scripts use s for the provider's
counters and l for the proxy's request log); EXPR comes from the test
scripts, as in idp_stat "$dir" "$port" "s['token_polls']".
"""
import json
import sys

name, expr = sys.argv[1:3]
# A global, so that comprehensions in EXPR see it too.
print(eval(expr, {name: json.load(sys.stdin)}))
