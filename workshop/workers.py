"""Worker processes for CPU-heavy work kept off the live path (PDF reports, card embeddings): each pool's
processes are spawned, so they share nothing with the server that holds the sockets, and end with it.

Measured under gevent (see NOTES.md): a render in a spawned worker left the event loop at most 14 ms
late; the same render in the server process froze it, and every socket with it, for 1.5 s."""
import atexit
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_pools = []


class WorkerPool:
    """A lazily started pool of spawned worker processes. `warm_up` (a module-level function) runs once
    in each new worker, so that what it loads (a model, fonts) is ready before the first job."""

    def __init__(self, warm_up=None):
        self._warm_up = warm_up
        self._executor = None
        self._lock = threading.Lock()
        _pools.append(self)

    def submit(self, workers, function, *args):
        """Run `function(*args)` in one of `workers` processes: its Future."""
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker, initargs=(self._warm_up,))
            return self._executor.submit(function, *args)

    def shutdown(self):
        """End the worker processes, once each has finished the job it is on; the next job starts a fresh pool."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


@atexit.register
def shutdown_all():
    """At exit (and at the end of a test run, which checks that no process is left): end every pool."""
    for pool in _pools:
        pool.shutdown()


def _start_worker(warm_up):
    """In each worker: end when the server that started it is gone without shutting the pool down (killed,
    or `python wsgi.py` stopped by SIGTERM); the worker would otherwise wait on its queue, and keep its
    resource tracker, for ever. Then warm up."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="end-with-parent").start()
    if warm_up is not None:
        warm_up()
