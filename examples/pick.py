"""Print one value from a JSON answer on standard input: ``curl ... | python3 examples/pick.py 'd["id"]'``.

The README's walk-through uses it through a `json` shell function. When the answer is not what the
expression expects (an error document, say), it prints the answer itself and fails, so the reason
is on the screen instead of a Python traceback.
"""

import json
import sys


def main() -> int:
    text = sys.stdin.read()
    try:
        d = json.loads(text)
        value = eval(sys.argv[1], {"d": d, "next": next})  # noqa: S307 - the README's own expressions
    except Exception:  # noqa: BLE001 - anything unexpected: show what came back
        sys.stderr.write(f"unexpected answer: {text.strip()[:2000] or '(empty)'}\n")
        return 1
    print(value)
    return 0


if __name__ == "__main__":
    sys.exit(main())
