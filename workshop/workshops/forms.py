"""Forms for preparing a workshop."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Optional

from ..auth.forms import email_field
from ..forms import DateField, text_field
from ..languages import LANGUAGES
from ..models import DESCRIPTION_MAX, NAME_MAX, TITLE_MAX


class WorkshopForm(FlaskForm):
    title = text_field("Title", TITLE_MAX)
    host_city = text_field("Host city", NAME_MAX)
    starts_on = DateField(
        _l("First day"), validators=[DataRequired(_l("First day is required, as a date like 2025-11-05."))]
    )
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    description = text_field("Description", DESCRIPTION_MAX, required=False, area=True)
    allow_new_city_teams = BooleanField(_l("Participants may add their city when it is not in the list"), default=True)
    # Each language named in itself, as the language switch lists them; any other code is refused.
    default_language = SelectField(
        _l("Default language"), default="en", validate_choice=False,
        choices=[SelectChoice(code, name, {"lang": code}) for code, name in LANGUAGES.items()],
        validators=[AnyOf(list(LANGUAGES), message=_l("Pick one of the languages in the list."))],
    )


class NewWorkshopForm(WorkshopForm):
    use_lab_template = BooleanField(_l("Use the Social Innovation Lab template (its three policy areas)"))


class PolicyAreaForm(FlaskForm):
    title = text_field("Policy area", TITLE_MAX)
    description = text_field("Short description", DESCRIPTION_MAX, required=False, area=True)


class CityTeamForm(FlaskForm):
    name = text_field("City", NAME_MAX)
    country = text_field("Country", NAME_MAX, required=False)


class InviteForm(FlaskForm):
    email = email_field()


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""
