"""The database: settings from the environment, SQLite tuning, and migrations that match the models."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from workshop import create_app
from workshop.extensions import db




def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{os.path.join(app.instance_path, 'workshop.sqlite')}"


def test_database_url_from_the_environment_speaks_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example/lab")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example/lab"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_syncs_each_commit_to_disk_before_it_is_acknowledged(app):
    """synchronous=FULL (2): in WAL mode NORMAL (1) may lose the last commits to a power cut, and a
    facilitator's laptop running flat would lose cards and votes the room was told were saved."""
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def migrated_app(url):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
    return app


def assert_models_match_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == [], "models changed without a migration: run `flask --app workshop db migrate`"


def test_migrations_build_the_schema_the_models_describe_on_sqlite(tmp_path):
    assert_models_match_schema(migrated_app(f"sqlite:///{tmp_path / 'migrated.sqlite'}"))


def test_migrating_leaves_the_loggers_working(tmp_path):
    """`wsgi.py` migrates in the server process. Alembic's logging setup used to disable every
    logger that existed before it: Socket.IO's and Engine.IO's always, the app's own once used,
    and their errors then went nowhere."""
    import logging

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}"})
    app.logger.info("the server is starting")
    with app.app_context():
        upgrade()
    assert not any(logger.disabled for logger in [app.logger, logging.getLogger("socketio.server"), logging.getLogger("engineio.server")])


def test_migrations_build_the_schema_the_models_describe_on_postgresql(postgres_url):
    app = migrated_app(postgres_url)
    assert_models_match_schema(app)
    with app.app_context():
        db.engine.dispose()


def test_upgrading_keeps_existing_workshops_and_gives_their_boards_defaults(tmp_path):
    """A database made by the first migration, with a workshop in it, upgraded to the newest."""
    from flask_migrate import upgrade as upgrade_to

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade_to(revision="9f423b1830d4")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO workshops (id, title, host_city, starts_on, description, join_code, allow_new_city_teams, created_at)"
                " VALUES (1, 'Lab 2024', 'Ghent', '2024-11-05', '', 'ABCDEF', 1, '2024-01-01')"
            )
            connection.exec_driver_sql("INSERT INTO policy_areas (id, workshop_id, title, description, position) VALUES (1, 1, 'Housing', '', 0)")
            connection.exec_driver_sql("INSERT INTO boards (id, policy_area_id) VALUES (1, 1)")
        upgrade_to()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT title FROM workshops").scalar() == "Lab 2024"
            row = connection.exec_driver_sql("SELECT phase, private_writing, private_scope, last_seq FROM boards").one()
    assert tuple(row) == ("collect", 0, "own", 0)
