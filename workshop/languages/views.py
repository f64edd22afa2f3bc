"""HTTP for the language switch every page shows: a form that posts here and comes back."""
from flask import current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..errors import Refused
from ..extensions import db
from ..security import same_site_path
from . import COOKIE, bp

COOKIE_SECONDS = 365 * 24 * 3600


@bp.post("/language")
def switch():
    """Remember the language a person picked (a facilitator's account, so it follows them to any
    browser; anyone else's cookie) and go back to the page they were on (`next`, this site only)."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        raise Refused("unknown_language", _l("That language is not one this site speaks."), field="language")
    back = redirect(same_site_path(request.form.get("next"), url_for("auth.home")))
    if getattr(current_user, "is_facilitator", False):
        current_user.language = language
        db.session.commit()
    else:
        # Read by pages only (no HttpOnly needed); Lax: it comes along when a link brings them here.
        back.set_cookie(COOKIE, language, max_age=COOKIE_SECONDS, samesite="Lax", secure=request.is_secure)
    return back
