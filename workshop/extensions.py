"""Flask extensions, created unbound and bound to an app in `create_app`."""
import sqlite3
import time
from urllib.parse import urlsplit

from flask_babel import Babel, lazy_gettext
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine

# Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate(render_as_batch=True)  # batch mode: SQLite can only alter a table by copying it
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Log in to see this page.")
csrf = CSRFProtect()
babel = Babel()
socketio = SocketIO()


def shared_redis_url(config):
    """The Redis that several server processes share, or None when one process serves the room.
    The one place that decides Redis or memory: with it, rooms cross processes through Redis (the
    Socket.IO message queue) and presence, the socket registry and the rate limits' counts live
    there; without it, all of them live in this process's memory."""
    queue = config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    return queue if queue.startswith(("redis://", "rediss://")) else None


def shared_redis(config):
    """One redis-py client for the app (None without a shared Redis), for presence, the socket
    registry and the rate limits. Its pool holds `REDIS_MAX_CONNECTIONS`: when 550 sockets closed
    at once, redis-py's default pool (100, and an error past it) failed 1,123 disconnects. Past the
    size a command waits for a free connection (`REDIS_POOL_TIMEOUT` seconds) instead of failing.
    A Redis that stopped answering costs a command at most a second, not a TCP timeout."""
    url = shared_redis_url(config)
    if url is None:
        return None
    import redis

    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=config["REDIS_MAX_CONNECTIONS"], timeout=config["REDIS_POOL_TIMEOUT"],
        socket_timeout=1, socket_connect_timeout=1,
    )
    return redis.Redis(connection_pool=pool)


def queue_channel(url):
    """The pub/sub channel of the rooms shared through Redis at `url`. Pub/sub ignores Redis's
    database numbers, so the channel carries it: apps on databases 1 and 2 of one Redis (two
    events, or two tests at once) never hear each other; database 0 keeps the library's name."""
    database = urlsplit(url).path.strip("/") or "0"
    return "flask-socketio" if database == "0" else f"flask-socketio-{database}"


def message_queue(config):
    """Flask-SocketIO's options for sharing rooms between processes. The queue keeps a client of
    its own: its subscriber waits on Redis with no time limit, which the shared client's one-second
    timeout would break; its pool gets the same size. Always named, since `socketio` outlives an
    app (tests build many) and would keep the previous app's queue."""
    url = shared_redis_url(config)
    if url is None:
        other = config.get("SOCKETIO_MESSAGE_QUEUE")  # a queue other than Redis: the library's own
        return {"message_queue": other} if other else {"message_queue": None, "client_manager": None}
    from socketio import RedisManager

    return {"client_manager": RedisManager(url, channel=queue_channel(url),
                                           redis_options={"max_connections": config["REDIS_MAX_CONNECTIONS"]})}


# PostgreSQL's pool. Every socket event holds a connection from loading its user to its end, and a
# vote storm keeps about one event in flight per voter (50 in the benchmark): with SQLAlchemy's
# default pool (5 kept, 10 more closed again as soon as they are returned) the storm opened a new
# PostgreSQL connection every 2-3 votes (a backend forked each time), and any overflow does the
# same whenever more events are in flight than the pool keeps. So 25 are kept and none opened past
# them: an event waits for a free connection instead. Not more: PostgreSQL's default is 100
# connections for all processes (two here, their report workers, psql, migrations), and at 35 per
# process a second process during a join storm met "too many clients". `DATABASE_POOL_SIZE` sets it.
POSTGRES_POOL_SIZE = 25
# A pooled connection is pinged before use only after this long unused: a ping per checkout was a
# round trip in every event (1 of 8 per vote). A connection used this recently whose server went
# away fails its event with `unavailable` (the client tries again), and the pool then replaces all
# connections older than that failure.
PING_AFTER_IDLE_SECONDS = 5


def engine_options(config):
    """SQLAlchemy engine options for the configured database: pooling and pinging per dialect;
    options the config names itself (`SQLALCHEMY_ENGINE_OPTIONS`) win."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    given = config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    if not url.startswith("postgresql"):
        return {"pool_pre_ping": True, **given}
    return {
        "pool_size": config.get("DATABASE_POOL_SIZE") or POSTGRES_POOL_SIZE,
        "max_overflow": 0,
        "pool_events": [(_note_idle_since, "checkin"), (_ping_if_idle, "checkout")],
        **given,
    }


def _note_idle_since(dbapi_connection, connection_record):
    connection_record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
    """Ping a connection that sat unused past `PING_AFTER_IDLE_SECONDS`; a dead one makes the
    pool open a fresh one for this checkout instead (SQLAlchemy's DisconnectionError)."""
    idle_since = connection_record.info.pop("idle_since", None)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    autocommit = dbapi_connection.autocommit
    try:
        dbapi_connection.autocommit = True  # no transaction left open by the ping
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.autocommit = autocommit
    except Exception as error:  # noqa: BLE001 - any failure means: this connection is gone
        raise exc.DisconnectionError() from error


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record):
    """WAL lets readers and a writer work at once; foreign keys are off in SQLite unless asked; FULL is durable."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL syncs the WAL to disk at every commit, so an acknowledged card or vote survives a power
        # cut or a laptop running flat, not only the process being killed (tests/test_crash.py);
        # NORMAL skipped that fsync and could lose the last commits. Its cost: docs/performance.md.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
