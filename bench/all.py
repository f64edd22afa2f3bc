"""Every benchmark, one after the other, each printing its machine and its table:

    .venv/bin/python bench/all.py

reports.py (report rendering, vote latency while a report renders), vote_path.py (what one vote
costs the server, SQLite and PostgreSQL), then live.py (fan-out against a floor, vote storm, join
storm, memory). Needs Node and npm for the live harness."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script, *args in (("reports.py",), ("vote_path.py", "sqlite"), ("vote_path.py", "postgresql"), ("live.py",)):
    print(f"== bench/{script} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(HERE / script), *args], check=True)
