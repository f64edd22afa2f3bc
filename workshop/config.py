"""Settings from environment variables, with defaults that suit one laptop in development."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from .languages import LANGUAGES

# Rate limits (see `workshop.ratelimits`), each overridable as RATELIMIT_<NAME>: what a person at a
# live workshop never exceeds. "a per b;c per d": both must hold.
RATE_LIMITS = {
    # Posting, editing and deleting cards, per person. Typing a card takes several seconds; a burst
    # comes from the cards a browser kept while offline, sent together when the connection returns.
    "CARD_WRITES": "30 per minute;300 per hour",
    # Casting and taking back dots, per person: a few clicks a second in bursts, at most 20 dots.
    "VOTES": "10 per 2 seconds;120 per minute",
    # Opening a board, per person: again after every reconnect, and the console opens every board.
    "BOARD_JOINS": "30 per minute",
    # Logging in and signing up, per address (password guessing).
    "LOGINS": "10 per minute;100 per hour",
    # The join-code form and the join form, per address: a whole room may share one venue address.
    "JOIN_FORMS": "100 per minute;1000 per hour",
    # Looking up similar cards while typing, per person: one lookup per pause in typing (the board page
    # waits 400 ms and asks only when the text changed), each a few milliseconds of a worker's CPU.
    "SIMILAR_LOOKUPS": "60 per minute;600 per hour",
}


def from_environment():
    """The settings the environment sets; anything left out gets a default in `finish`."""
    settings = {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL"),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE"),
        # Connections to Redis per process and kind (see `workshop.extensions.shared_redis`): each
        # socket arriving or leaving may hold one for a moment, a whole room at once after a
        # network cut. Past it a command waits up to REDIS_POOL_TIMEOUT seconds for a free one.
        "REDIS_MAX_CONNECTIONS": _number(os.environ.get("REDIS_MAX_CONNECTIONS"), 1000),
        "REDIS_POOL_TIMEOUT": _number(os.environ.get("REDIS_POOL_TIMEOUT"), 10),
        # PostgreSQL connections per process (0: `workshop.extensions.POSTGRES_POOL_SIZE`).
        "DATABASE_POOL_SIZE": _number(os.environ.get("DATABASE_POOL_SIZE"), 0),
        # Origins besides the app's own that may open a socket (a proxy with other host names).
        "ALLOWED_ORIGINS": os.environ.get("ALLOWED_ORIGINS", "").replace(",", " ").split(),
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME"),
        # How many proxies in front set X-Forwarded-For / -Proto / -Host (0: trust none of them).
        "PROXY_FIX_X_FOR": _number(os.environ.get("PROXY_FIX_X_FOR"), 0),
        "PROXY_FIX_X_PROTO": _number(os.environ.get("PROXY_FIX_X_PROTO"), 0),
        "PROXY_FIX_X_HOST": _number(os.environ.get("PROXY_FIX_X_HOST"), 0),
        # Participants have no password: the remember cookie is what brings them back as themselves.
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # The largest message a socket may send. The largest legitimate one is edit_action_plan with
        # every field full (1,540 characters); JSON may spell a character as 12 bytes ("\ud83d\ude00"
        # for an emoji, from clients that escape non-ASCII), so about 19 KB. Engine.IO's default is 1 MB.
        "SOCKETIO_MAX_MESSAGE_BYTES": 32 * 1024,
        # Seconds between Engine.IO's pings to each socket (the library's 25; tests shorten it), and
        # how long an answer may take before the socket is taken for gone (the library's 20).
        "SOCKETIO_PING_INTERVAL": _number(os.environ.get("SOCKETIO_PING_INTERVAL"), 25),
        "SOCKETIO_PING_TIMEOUT": _number(os.environ.get("SOCKETIO_PING_TIMEOUT"), 20),
        "WTF_CSRF_TIME_LIMIT": None,  # a workshop page stays open all day
        "BABEL_DEFAULT_LOCALE": "en",
        # The languages a person may get (see `workshop.languages`): the shipped ones, unless the
        # environment lists fewer (or, in tests, adds a pseudo-language with its own catalogue, in
        # BABEL_TRANSLATION_DIRECTORIES: folders ";"-separated, relative to the workshop package).
        "LANGUAGES": os.environ.get("LANGUAGES", "").split() or list(LANGUAGES),
        "BABEL_TRANSLATION_DIRECTORIES": os.environ.get("BABEL_TRANSLATION_DIRECTORIES"),
        # PDF reports render in this many worker processes, each render for at most this many seconds.
        "REPORT_WORKERS": _number(os.environ.get("REPORT_WORKERS"), 1),
        "REPORT_TIME_LIMIT": _number(os.environ.get("REPORT_TIME_LIMIT"), 120),
        # `python wsgi.py` starts the report workers, warmed up, as it starts (off: at the first report).
        "REPORT_WARM_AT_START": os.environ.get("REPORT_WARM_AT_START", "1").lower() not in ("0", "false", "no", "off"),
        # A city's report is rendered as its version is made final, before anyone asks (off: when asked).
        "REPORT_PREPARE_ON_FINALISE": os.environ.get("REPORT_PREPARE_ON_FINALISE", "1").lower() not in ("0", "false", "no", "off"),
        # Cross-city synthesis (see `workshop.synthesis`): card embeddings and themes in this many worker
        # processes; each card is embedded as it is written (off: only when first asked for).
        "SYNTHESIS_WORKERS": _number(os.environ.get("SYNTHESIS_WORKERS"), 1),
        "SYNTHESIS_EMBED_ON_WRITE": os.environ.get("SYNTHESIS_EMBED_ON_WRITE", "1").lower() not in ("0", "false", "no", "off"),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1").lower() not in ("0", "false", "no", "off"),
        "RATELIMIT_STORAGE_URL": os.environ.get("RATELIMIT_STORAGE_URL"),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "workshop"),
        **{f"RATELIMIT_{name}": os.environ.get(f"RATELIMIT_{name}") or limit for name, limit in RATE_LIMITS.items()},
        **_mail_settings(),
    }
    return {key: value for key, value in settings.items() if value is not None}


def _mail_settings():
    """The SMTP server reminder emails go through (`flask --app workshop send-reminders`, see
    `workshop.reminders`). No MAIL_SERVER: no mail is sent, and the command says so. SERVER_NAME
    (with PREFERRED_URL_SCHEME) is the site's address the emails' links point at, since a command
    has no request to take it from."""
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": _number(os.environ.get("MAIL_PORT"), 25),
        "MAIL_USE_TLS": _switch(os.environ.get("MAIL_USE_TLS")),  # STARTTLS, usually on port 587
        "MAIL_USE_SSL": _switch(os.environ.get("MAIL_USE_SSL")),  # TLS from the start, usually port 465
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER"),
        # Seconds to wait for the SMTP server: a timer's run must end, not hang on a server that went quiet.
        "MAIL_TIMEOUT": _number(os.environ.get("MAIL_TIMEOUT"), 30),
        # Flask-Mailman would use its in-memory outbox under TESTING; our tests talk to a real SMTP server.
        "MAIL_BACKEND": "smtp",
        "SERVER_NAME": os.environ.get("SERVER_NAME"),
    }


def _switch(value):
    """An on/off setting, off unless set to 1, true, yes or on."""
    return (value or "").lower() in ("1", "true", "yes", "on")


def _number(value, default):
    return int(value) if value and value.isdigit() and int(value) > 0 else default


def finish(config, instance_path):
    """Fill in what neither the environment nor the test config gave."""
    url = config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'workshop.sqlite'}"
    elif url.startswith(("postgres://", "postgresql://")):
        # Hosting platforms hand out plain postgres:// URLs; we talk to PostgreSQL through psycopg 3.
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(Path(instance_path))
    # Cookies travel over TLS only when the site is served over https: said outright, or by a TLS
    # proxy in front that tells us the scheme.
    secure = config.get("PREFERRED_URL_SCHEME") == "https" or config.get("PROXY_FIX_X_PROTO", 0) > 0
    config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = secure


def _instance_secret(instance_path):
    """A random key kept in the instance folder, so sign-ins survive a restart."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
