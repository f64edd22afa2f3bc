"""Transport security: which proxies to believe, which origins may open a socket."""
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app):
    """Believe X-Forwarded-For/-Proto/-Host from as many proxies as configured (none by default,
    since anyone can send those headers). Call after `socketio.init_app`, so that the Socket.IO
    server, wrapped inside, sees the corrected scheme and host too."""
    hops = {name: app.config.get(f"PROXY_FIX_X_{name.upper()}", 0) for name in ("for", "proto", "host")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"])


def allowed_origin(config):
    """The Socket.IO server's origin check: a page of this very site (the scheme and host the
    request reached us on), or one of ALLOWED_ORIGINS. Never every origin: a page elsewhere must not
    ride on a visitor's cookies. Clients that send no Origin (not browsers) are let through to the
    CSRF token check."""
    listed = frozenset(origin.rstrip("/") for origin in config.get("ALLOWED_ORIGINS", ()))

    def allowed(origin, environ):
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin is not None and (origin == own or origin in listed)

    return allowed
