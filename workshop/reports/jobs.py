"""Report rendering off the live path: a pool of worker processes (spawned, so they share nothing
with the server that holds the sockets) renders PDFs into a cache keyed by the HTML's SHA-256. An
unchanged report is rendered once; the second download is a file read. Each workshop keeps an
index of the reports about it, so that they can be removed with it."""
import hashlib
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .render import render_to_file

_pool = None
_jobs = {}  # key -> Future
_lock = threading.Lock()


def cache_path(cache_dir, key):
    return Path(cache_dir) / f"{key}.pdf"


def key_of(html):
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _executor(workers):
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def ensure_rendered(html, cache_dir, workers=1, time_limit=120):
    """Make sure the PDF of `html` exists or is being made: its key and state ("done", "rendering",
    or "failed" once for a render that failed; asking again then starts afresh)."""
    key = key_of(html)
    if cache_path(cache_dir, key).exists():
        return key, "done"
    with _lock:
        job = _jobs.get(key)
        if job is not None and job.done() and job.exception() is not None:
            del _jobs[key]
            return key, "failed"
        if job is None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            _jobs[key] = _executor(workers).submit(render_to_file, html, str(cache_path(cache_dir, key)), time_limit)
    return key, state(cache_dir, key)


def state(cache_dir, key):
    """"done" when the file is there; "rendering" while a worker is on it; "failed" or "unknown"."""
    if cache_path(cache_dir, key).exists():
        return "done"
    job = _jobs.get(key)
    if job is None:
        return "unknown"
    if job.done():
        return "failed" if job.exception() is not None else "done"
    return "rendering"


def _index_path(cache_dir, workshop_id):
    return Path(cache_dir) / "by-workshop" / f"{workshop_id}.keys"


def file_under(cache_dir, workshop_id, key):
    """Note that the report `key` is about workshop `workshop_id` (see `forget`)."""
    index = _index_path(cache_dir, workshop_id)
    index.parent.mkdir(parents=True, exist_ok=True)
    if index.exists() and key in index.read_text().split():
        return
    with open(index, "a") as file:  # one short append: several processes may file at once
        file.write(key + "\n")


def forget(cache_dir, workshop_id):
    """Remove every cached report about a workshop (its names and cards are in them), including
    those still rendering: their file goes when the worker finishes."""
    index = _index_path(cache_dir, workshop_id)
    if not index.exists():
        return
    for key in set(index.read_text().split()):
        with _lock:
            job = _jobs.pop(key, None)
        cache_path(cache_dir, key).unlink(missing_ok=True)
        if job is not None and not job.done():
            job.add_done_callback(lambda _, key=key: _remove_unless_asked_again(cache_dir, key))
    index.unlink(missing_ok=True)


def _remove_unless_asked_again(cache_dir, key):
    """A forgotten render finished: drop its file, unless someone has asked for that report since
    (then the file is what they are waiting for)."""
    with _lock:
        if key not in _jobs:
            cache_path(cache_dir, key).unlink(missing_ok=True)
