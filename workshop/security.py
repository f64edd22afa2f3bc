"""Transport security: which proxies to believe, which origins may open a socket, and the headers
every response carries."""
import re
from urllib.parse import urlsplit

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

# A Host header we are willing to echo into the Content-Security-Policy (name or address, port).
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?")


def trust_proxies(app):
    """Believe X-Forwarded-For/-Proto/-Host from as many proxies as configured (none by default,
    since anyone can send those headers). Call after `socketio.init_app`, so that the Socket.IO
    server, wrapped inside, sees the corrected scheme and host too."""
    hops = {name: app.config.get(f"PROXY_FIX_X_{name.upper()}", 0) for name in ("for", "proto", "host")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"])


def same_site_path(target, default):
    """`target` if it is a path on this site ("/boards/3?x=1"), else `default`: where a form may
    send a person back to ("next") without becoming a way to send them to another site."""
    target = target if isinstance(target, str) else ""
    parts = urlsplit(target)
    # A browser reads "/\\evil.example" as "//evil.example": another site.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and not parts.netloc and not parts.scheme:
        return target
    return default


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


def content_security_policy():
    """Scripts, styles and connections from this site only; no inline code, no framing."""
    sockets = "'self'"
    if _PLAIN_HOST.fullmatch(request.host):
        sockets += f" {'wss' if request.is_secure else 'ws'}://{request.host}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"connect-src {sockets}",
        "img-src 'self' data:",  # data: for the blank favicon
        "style-src 'self'",
        "font-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ])


def add_security_headers(response):
    """After every request: the headers that keep our pages from being framed, sniffed, or made to
    run someone else's script."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Share links carry a secret token in the path: never send it to another site.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
