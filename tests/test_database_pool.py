"""The database pool: sized for an event's greenlets on PostgreSQL, and a connection pinged only
after it sat unused (a ping per checkout was a round trip in every socket event)."""
import pytest
import sqlalchemy as sa

from workshop import create_app, extensions
from workshop.extensions import db

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def backend_of_next_query(app):
    """The PostgreSQL backend that serves the next checkout, with the connection returned after."""
    with app.app_context():
        try:
            return db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        finally:
            db.session.remove()


def end_backend(pid):
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


def one_connection_app(postgres_url):
    """One pooled connection, so that the next checkout is the connection the test just ended."""
    return create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": postgres_url,
                       "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}})


def test_postgresql_pool_holds_a_storms_events_and_sqlite_keeps_its_ping(postgres_url, tmp_path):
    postgres = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": postgres_url})
    sized = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": postgres_url, "DATABASE_POOL_SIZE": 12})
    sqlite = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    with postgres.app_context():
        assert db.engine.pool.size() == extensions.POSTGRES_POOL_SIZE >= 20
        assert db.engine.pool._max_overflow == 0  # an overflow connection is closed when returned
        assert not db.engine.pool._pre_ping
        db.engine.dispose()
    with sized.app_context():
        assert db.engine.pool.size() == 12
        db.engine.dispose()
    with sqlite.app_context():
        assert db.engine.pool._pre_ping


def test_a_connection_unused_past_the_limit_is_pinged_and_a_dead_one_replaced(postgres_url, monkeypatch):
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0)
    app = one_connection_app(postgres_url)
    first = backend_of_next_query(app)
    end_backend(first)
    second = backend_of_next_query(app)  # no error: the ping found it dead, the pool opened another
    assert second != first
    assert backend_of_next_query(app) == second  # a live one, pinged, is kept
    with app.app_context():
        db.engine.dispose()


def test_a_connection_used_just_now_is_not_pinged(postgres_url):
    """The trade made for the round trip: a connection whose server went away within the last
    seconds fails one query (an `unavailable` ack, the client tries again); the next gets a new one."""
    app = one_connection_app(postgres_url)
    first = backend_of_next_query(app)
    end_backend(first)
    with pytest.raises(sa.exc.OperationalError) as failure:
        backend_of_next_query(app)
    assert failure.value.connection_invalidated
    assert backend_of_next_query(app) not in (None, first)
    with app.app_context():
        db.engine.dispose()
