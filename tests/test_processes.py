"""The run's own check that it ended every process it started (tests/conftest.py
`pytest_sessionfinish`), shown on processes started here and ended before the run ends."""
import os
import subprocess
import time

from . import processes


def test_the_check_names_a_child_still_running():
    child = subprocess.Popen(["sleep", "60"])
    try:
        assert f"{child.pid} sleep 60" in processes.still_running(grace=0)
    finally:
        processes.end_all([child.pid])
    assert child.wait(timeout=5) is not None
    assert not [line for line in processes.still_running(grace=0) if line.startswith(f"{child.pid} ")]


def test_the_check_names_an_orphan_whose_parent_exited():
    """A report worker whose server was killed is an orphan: it comes back to the test run, which names it."""
    sleep = f"sleep 61.{os.getpid()}"  # this run's own, whatever else sleeps on the machine
    subprocess.run(["sh", "-c", f"{sleep} &"], check=True)  # the shell exits, its sleep runs on
    deadline = time.monotonic() + 5  # the backgrounded shell may not have run `sleep` yet (seen once under load)
    while not (orphans := [line for line in processes.still_running(grace=0) if line.endswith(sleep)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(orphans) == 1
    processes.end_all([int(orphans[0].split()[0])])
    assert not [line for line in processes.still_running(grace=0) if line.endswith(sleep)]
