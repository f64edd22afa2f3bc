"""HTTP for accounts and joining. Thin: forms validate, services decide, views redirect."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..errors import Refused
from ..forms import show_refusal
from ..models import normalise_join_code
from ..publish import tell_and_close, user_key, user_room
from ..ratelimits import limit_posts
from ..security import same_site_path
from . import bp, services
from .forms import JoinCodeForm, JoinForm, LoginForm, SignupForm


def safe_next(default):
    """The `next` page after logging in, if it stays on this site."""
    return same_site_path(request.args.get("next", ""), default)


@bp.route("/", methods=["GET", "POST"])
@limit_posts("JOIN_FORMS")
def home():
    """The front door: type a join code, or go on to your workshop or dashboard."""
    form = JoinCodeForm()
    if form.validate_on_submit():
        try:
            workshop = services.find_open_workshop(form.code.data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            return redirect(url_for("auth.join", code=workshop.join_code))
    return render_template("auth/home.html", form=form), 200 if not form.errors else 400


@bp.route("/join/<code>", methods=["GET", "POST"])
@limit_posts("JOIN_FORMS")
def join(code):
    """The join link: a name and a city team, and the participant is in."""
    try:
        workshop = services.find_open_workshop(code)
    except Refused as refusal:
        form = JoinCodeForm(data={"code": normalise_join_code(code)})
        show_refusal(form, refusal)
        return render_template("auth/home.html", form=form), 404
    g.default_language = workshop.default_language  # the join page speaks it (see workshop.languages)
    if workshop.has_member(current_user):
        return redirect(url_for("workshops.home", workshop_id=workshop.id))
    form = JoinForm(workshop)
    if form.validate_on_submit():
        try:
            participant = services.join_workshop(
                workshop,
                form.display_name.data,
                city_team_id=form.city_team_id,
                new_city_team=form.new_city_team.data if "new_city_team" in form else None,
                new_city_country=form.new_city_country.data or "" if "new_city_country" in form else "",
            )
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            logout_user()
            login_user(participant, remember=True)
            flash(_("Welcome, %(name)s. You are in.", name=participant.display_name))
            return redirect(url_for("workshops.home", workshop_id=workshop.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/join.html", form=form, workshop=workshop), status


@bp.route("/signup", methods=["GET", "POST"])
@limit_posts("LOGINS")
def signup():
    """A new facilitator account."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            facilitator = services.sign_up(form.email.data, form.name.data, form.password.data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            logout_user()
            login_user(facilitator)
            flash(_("Your account is ready."))
            return redirect(url_for("workshops.dashboard"))
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limit_posts("LOGINS")
def login():
    """Facilitators log in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        facilitator = services.authenticate(form.email.data, form.password.data)
        if facilitator is None:
            form.form_errors.append(_("The email or password is wrong."))
        else:
            logout_user()
            login_user(facilitator, remember=form.remember.data)
            return redirect(safe_next(url_for("workshops.dashboard")))
    return render_template("auth/login.html", form=form), 400 if form.errors or form.form_errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out, here and in every open tab: the person's sockets are told and closed. A participant
    who signs out cannot come back as the same person."""
    leaving = user_key(current_user) if current_user.is_authenticated else None
    logout_user()
    if leaving is not None:
        tell_and_close(user_room(leaving), "signed_out", {})
    flash(_("You are signed out."))
    return redirect(url_for("auth.home"))
