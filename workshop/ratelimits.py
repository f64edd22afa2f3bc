"""Rate limits: how often one person may post, vote and open boards over the socket, and how often
one address may log in or join over HTTP.

Each limit is named (`config.RATE_LIMITS` has them with their defaults) and its value is the
config key `RATELIMIT_<NAME>`, e.g. `"10 per 2 seconds;120 per minute"`: every part must hold.
Counts use a moving window (each action's time is kept until it leaves the window): unlike a
fixed window or an estimate over two (a sliding window counter, which let a third card through
when a window's edge fell between the second and the third), it is exact and tells exactly when
the next try is allowed. In memory, expired times are swept every 10 s, inline (`MemoryCounts`), not on a
timer thread every 10 ms as `limits` does: see there why.

Counts live in this process's memory, or in Redis when several processes serve the room
(`RATELIMIT_STORAGE_URL`, else the shared Redis, see `workshop.extensions.shared_redis_url`), so
that a person cannot multiply their allowance by reaching several processes; in the shared Redis
they use the app's one client and its pool. When that store cannot be reached, tries are let
through and the failure logged: the limits protect the room, and must not stop it."""
import math
import time
from functools import lru_cache, wraps

from flask import current_app, request
from limits import parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .config import RATE_LIMITS
from .errors import SlowDown
from .extensions import shared_redis_url


def storage_url(config):
    """Where counts live: the configured URL, else the Redis processes share, else memory."""
    return config.get("RATELIMIT_STORAGE_URL") or shared_redis_url(config) or "memory://"


@lru_cache(maxsize=64)
def _parsed(text):
    return tuple(parse_many(text))


class MemoryCounts(MemoryStorage):
    """`limits`' in-memory storage, sweeping out expired entries every 10 s, inline, instead of on a
    timer thread every 10 ms. That sweep visits every key and every kept time (thousands after a
    join storm) and cost 14 % of the server's CPU in the vote storm. And the timer cost more than
    its sweep: every count asked whether the timer thread was alive, which under gevent yields to
    other greenlets while that thread waits, so each rate-limited event paused mid-handler holding a
    database connection; the pool, short of connections, opened a new SQLite connection for about
    one vote in three. An expired entry is ignored when read anyway; the sweep only frees memory."""

    SWEEP_SECONDS = 10

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sweep_at = time.monotonic() + self.SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self):  # overrides the private scheduler: no public setting
        now = time.monotonic()
        if now >= self.sweep_at:
            self.sweep_at = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


class RateLimits:
    """The app's counter: `spend(name, who)` counts one action or raises `SlowDown`."""

    def __init__(self, config, redis=None):
        """`redis`: the app's shared client (`workshop.extensions.shared_redis`), used when the
        counts live in that Redis."""
        url = storage_url(config)
        if url == "memory://":
            self.storage = MemoryCounts()
        elif redis is not None and url == shared_redis_url(config):
            self.storage = RedisStorage(url, connection_pool=redis.connection_pool, wrap_exceptions=True)
        else:
            # A Redis that stopped answering costs each try at most a second, not a TCP timeout.
            timeouts = {"socket_timeout": 1, "socket_connect_timeout": 1} if url.startswith("redis") else {}
            self.storage = storage_from_string(url, wrap_exceptions=True, **timeouts)
        self.limiter = MovingWindowRateLimiter(self.storage)
        for name in RATE_LIMITS:
            _parsed(config[f"RATELIMIT_{name}"])  # a mistyped limit fails at start, not mid-workshop

    def spend(self, name, who):
        """Count one `name` action by `who` (a user id or an address). Over a limit: `SlowDown`,
        with the seconds until that limit lets one more through."""
        config = current_app.config
        if not config["RATELIMIT_ENABLED"]:
            return
        key = (config["RATELIMIT_KEY_PREFIX"], name, who)
        try:
            for item in _parsed(config[f"RATELIMIT_{name}"]):
                if not self.limiter.hit(item, *key):
                    reset_at = self.limiter.get_window_stats(item, *key).reset_time
                    raise SlowDown(max(1, math.ceil(reset_at - time.time())))
        except StorageError as error:
            current_app.logger.warning("rate limit counts unreachable, %s let through: %s", name, error.storage_error)


def rate_limits():
    return current_app.extensions["workshop.ratelimits"]


def limit_posts(name):
    """For a view: every POST counts against limit `name` for the client's address (behind a proxy,
    see `PROXY_FIX_X_FOR`); over it, a 429 page and the view does not run."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method == "POST":
                rate_limits().spend(name, request.remote_addr)
            return view(*args, **kwargs)

        return wrapped

    return decorate
