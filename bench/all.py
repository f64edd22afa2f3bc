"""Every benchmark, one after the other, each printing its machine and its table:

    .venv/bin/python bench/all.py

reports.py (report rendering, vote latency while a report renders), then live.py (fan-out against
a floor, vote storm, join storm, memory). Needs Node and npm for the live harness."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("reports.py", "live.py"):
    print(f"== bench/{script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True)
