"""Report rendering off the live path: a pool of worker processes (see `workshop.workers`) renders
PDFs into a cache keyed by the SHA-256 of the report's language and HTML. An unchanged report is
rendered once; the second download is a file read. Each workshop keeps an
index of the reports about it, so that they can be removed with it.

When many ask at once (30 cities at the end of the day), renders queue in the order asked: each
waiting report knows how many are still ahead of it (`ahead`), which its preparing page shows."""
import hashlib
import itertools
import threading
from pathlib import Path

from ..workers import WorkerPool
from .render import render_to_file, warm_up

_jobs = {}  # key -> Future
_asked = {}  # key -> its place in the order reports were asked for (for `ahead`)
_order = itertools.count()
_workers = 1  # how many render at once (the pool's size, as last asked for)
_lock = threading.Lock()


def cache_path(cache_dir, key):
    return Path(cache_dir) / f"{key}.pdf"


def key_of(html, language):
    """The report's cache key: the SHA-256 of its language and HTML (a report in another language
    is another report, never the cached one)."""
    return hashlib.sha256(f"{language}\n{html}".encode("utf-8")).hexdigest()


# Each worker renders a small report before its first job (fonts found, stylesheet parsed, WeasyPrint
# imported): the first real report is then as quick as the next.
_pool = WorkerPool(warm_up=warm_up)


def shutdown():
    """End the report workers (see `WorkerPool.shutdown`)."""
    _pool.shutdown()


def start_workers(workers):
    """Start (and so warm up) the `workers` report workers now, at server start, rather than at the
    first request; returns at once."""
    global _workers
    _workers = workers
    for _ in range(workers):  # the pool spawns a process per job while none is idle
        _pool.submit(workers, _nothing)


def _nothing():
    return None


def ensure_rendered(html, language, cache_dir, workers=1, time_limit=120):
    """Make sure the PDF of `html`, written in `language`, exists or is being made: its key and
    state ("done", "rendering", or "failed" once for a render that failed; asking again then starts afresh)."""
    key = key_of(html, language)
    if cache_path(cache_dir, key).exists():
        return key, "done"
    with _lock:
        job = _jobs.get(key)
        if job is not None and job.done() and job.exception() is not None:
            del _jobs[key]
            _asked.pop(key, None)
            return key, "failed"
        if job is None:
            global _workers
            _workers = workers
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            _jobs[key] = _pool.submit(workers, render_to_file, html, str(cache_path(cache_dir, key)), time_limit)
            _asked[key] = next(_order)
    return key, state(cache_dir, key)


def ahead(key):
    """How many reports asked for before `key` still wait for a worker, or are on one while `key` waits:
    0 once `key` is being made (or when it is unknown here)."""
    with _lock:
        place = _asked.get(key)
        if place is None:
            return 0
        earlier = sum(1 for other, job in _jobs.items() if not job.done() and _asked.get(other, place) < place)
    return max(0, earlier - (_workers - 1))


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
            _asked.pop(key, None)
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
