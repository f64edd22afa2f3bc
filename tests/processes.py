"""The processes the suite starts, read from /proc: so that the run can check, at its end, that it
ended every one of them (live servers, their report workers, Chromium, pools of its own)."""
import ctypes
import os
import signal
import time

PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans():
    """Make this process the one that inherits its descendants' orphans: a report worker whose server
    was killed would otherwise be handed to init and run on unseen (as one did, for 40 minutes)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the check still sees children that were not orphaned


def _stat(pid):
    """(parent pid, state) of `pid`, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            stat = file.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # the command name, in parentheses, may hold spaces
    return int(fields[1]), fields[0]


def command_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace").strip() or f"[{pid}]"
    except OSError:
        return "(gone)"


def descendants(pid):
    """The pids of every process below `pid` that is still running (children, theirs, and so on).
    Zombies have ended: this process's own are reaped on the way."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append((int(entry), stat[1]))
    found, below = [], [pid]
    while below:
        parent = below.pop()
        for child, state in children.get(parent, []):
            if state == "Z":
                if parent == os.getpid():
                    _reap(child)
                continue
            found.append(child)
            below.append(child)
    return found


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # a subprocess.Popen got there first


def still_running(pid=None, grace=5):
    """Descendants of `pid` (this process) still running after `grace` seconds, as "pid command"
    lines; processes that are on their way out (a resource tracker whose last user just ended) get that long."""
    pid = pid or os.getpid()
    deadline = time.monotonic() + grace
    while (left := descendants(pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [f"{child} {command_of(child)}" for child in left]


def end_all(pids, timeout=5):
    """SIGTERM `pids`, then SIGKILL those still running after `timeout` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not any(_running(pid) for pid in pids):
            return


def _running(pid):
    stat = _stat(pid)
    if stat is not None and stat[1] == "Z":
        _reap(pid)
        return False
    return stat is not None
