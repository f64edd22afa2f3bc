"""What a server's log must not hold at the end of a test or a benchmark (tests/live.py's
LiveServer.stop fails on it; bench/live.py counts it)."""
import re

# What an operator reads as a failure in a server's log: a traceback, a line logged at ERROR (Flask's
# "ERROR in", gunicorn's "[ERROR]", logging's "ERROR:") or CRITICAL, and what gevent's pywsgi writes
# about a request it refused (its lines start with the connection's socket).
PROBLEM_LINE = re.compile(r"^Traceback \(most recent call last\)|\bERROR\b|\bCRITICAL\b|^<gevent\.\S*socket\b.*?>: ")


def problems_in(text, expected=()):
    """The tracebacks (each whole, down to its exception's line) and error lines in the log `text`
    that none of the regular expressions `expected` (errors a test provokes on purpose) finds."""
    problems, lines, at = [], text.splitlines(), 0
    while at < len(lines):
        first, at = at, at + 1
        if not PROBLEM_LINE.search(lines[first]):
            continue
        if lines[first].startswith("Traceback"):
            # A traceback's frames are indented; its exception's line is the first that is not.
            while at < len(lines) and (lines[at].startswith(" ") or not lines[at].strip()):
                at += 1
            at += 1
        problem = "\n".join(lines[first:at])
        if not any(re.search(pattern, problem) for pattern in expected):
            problems.append(problem)
    return problems
