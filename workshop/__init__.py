"""The co-creation workshop app: `create_app` configures and registers, nothing else."""
from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter

# The features register their Socket.IO handlers when imported; that must happen before any
# `socketio.init_app`, which copies the handlers into each app's server.
from . import (
    auth, boards, commitments, config, errors, followup, languages, pledges, privacy, publish, ratelimits, reports, room, security,
    synthesis, workshops,
)
from . import reminders
from .voting import events as voting_events  # noqa: F401
from .extensions import babel, csrf, db, engine_options, login_manager, message_queue, migrate, shared_redis, socketio
from .live import LARGEST_NUMBER, Packet, accept_whole_polling_batches, compress_large_messages_only, ping_from_the_event_loop

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Build the app from the environment, then from `test_config` where given."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.finish(app.config, app.instance_path)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=languages.choose)
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or _async_mode(),
        **message_queue(app.config),
        cors_allowed_origins=security.allowed_origin(app.config),
        max_http_buffer_size=app.config["SOCKETIO_MAX_MESSAGE_BYTES"],
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
        serializer=Packet,
    )
    compress_large_messages_only()
    if socketio.server.eio.async_mode == "gevent":
        ping_from_the_event_loop()
    accept_whole_polling_batches(app.config["SOCKETIO_MAX_MESSAGE_BYTES"])
    app.session_interface = auth.sockets.SocketSessionInterface()
    security.trust_proxies(app)
    app.after_request(security.add_security_headers)

    app.url_map.converters["int"] = BoundedIntegerConverter
    redis = shared_redis(app.config)  # None: one process, everything in its memory
    app.extensions["workshop.presence"] = boards.presence.make_presence(redis)
    app.extensions["workshop.sockets"] = publish.make_socket_registry(redis)
    app.extensions["workshop.ratelimits"] = ratelimits.RateLimits(app.config, redis)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(get_locale=get_locale, text_direction=languages.text_direction, languages=languages.LANGUAGES)

    app.register_blueprint(auth.bp)
    app.register_blueprint(workshops.bp, url_prefix="/workshops")
    app.register_blueprint(boards.bp)
    app.register_blueprint(room.bp)
    app.register_blueprint(commitments.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(languages.bp)
    app.register_blueprint(synthesis.bp)
    app.register_blueprint(followup.bp)
    app.register_blueprint(pledges.bp)
    app.register_blueprint(reminders.bp)
    errors.register_handlers(app)
    app.cli.add_command(auth.cli.create_facilitator)
    app.cli.add_command(workshops.cli.seed_demo)
    app.cli.add_command(reminders.cli.send_reminders_command)
    return app


def _async_mode():
    """gevent when the entry script monkey-patched the standard library, threads otherwise (tests)."""
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route stops at the largest id the database holds: past it the database
    cannot even look the id up, so /boards/99999999999999999999 is a plain 404."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **{"max": LARGEST_NUMBER, **kwargs})
