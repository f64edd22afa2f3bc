"""Forms for signing up, logging in and joining a workshop."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import strip, text_field
from ..models import EMAIL_MAX, NAME_MAX

PASSWORD_MIN = 8


def email_field():
    return EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Email is required.")),
            Email(_l("Email must look like name@example.org.")),
            Length(max=EMAIL_MAX, message=_l("Email must be %(max)d characters or fewer.", max=EMAIL_MAX)),
        ],
        filters=[strip],
        render_kw={"autocomplete": "email"},
    )


class SignupForm(FlaskForm):
    name = text_field("Your name", NAME_MAX, render_kw={"autocomplete": "name"})
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Password is required.")),
            Length(min=PASSWORD_MIN, max=200, message=_l("Password must be at least %(min)d characters.", min=PASSWORD_MIN)),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Password is required."))], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me logged in on this computer"))


class JoinCodeForm(FlaskForm):
    code = text_field("Join code", 12, render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class JoinForm(FlaskForm):
    display_name = text_field("Your name as others will see it", NAME_MAX, render_kw={"autocomplete": "name"})
    city_team = SelectField(_l("Your city team"), coerce=str, validate_choice=False)
    new_city_team = text_field("Your city, if it is not in the list", NAME_MAX, required=False)
    new_city_country = text_field("Country of your city", NAME_MAX, required=False)

    def __init__(self, workshop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city_team.choices = [("", _l("Choose your city team"))] + [
            (str(team.id), f"{team.name} ({team.country})" if team.country else team.name) for team in workshop.city_teams
        ]
        if not workshop.allow_new_city_teams:
            del self.new_city_team
            del self.new_city_country

    @property
    def city_team_id(self):
        return int(self.city_team.data) if (self.city_team.data or "").isdigit() else None
