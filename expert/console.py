"""The question-and-answer console (placeholder until the console issue lands)."""

import sys


def run_console(args) -> int:
    print("expert: the interactive console is not built yet.")
    print("Use: expert consult CASE.json [--format text|json]   (type quit to leave)")
    for line in sys.stdin:
        if line.strip().lower() in {"quit", "exit", "q"}:
            break
    return 0
