"""The follow-up pages' forms. They only carry what was typed: the rules (percent, links, lengths) are the
services', whose refusals are shown by the field they concern."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..forms import strip, text_field
from .services import STATUS_NAMES
from ..models import (
    EMAIL_MAX, EVIDENCE_URL_MAX, INDICATOR_VALUE_MAX, NAME_MAX, PROGRESS_STATUSES, TITLE_MAX, UPDATE_TEXT_MAX,
)

assert tuple(STATUS_NAMES) == PROGRESS_STATUSES


class UpdateForm(FlaskForm):
    """One plan's update; made with a prefix per plan so that every plan's form has its own field ids."""

    status = SelectField(_l("Status"), choices=[SelectChoice(value, label) for value, label in STATUS_NAMES.items()], validate_choice=False)
    percent = StringField(_l("Percent done"), filters=[strip],
                          render_kw={"type": "number", "min": 0, "max": 100, "step": 1, "inputmode": "numeric"})
    text = TextAreaField(_l("What happened"), filters=[strip], render_kw={"maxlength": UPDATE_TEXT_MAX, "rows": 3})
    indicator_value = StringField(_l("Indicator value now"), filters=[strip], render_kw={"maxlength": INDICATOR_VALUE_MAX})
    evidence_url = StringField(_l("Evidence link (optional)"), filters=[strip],
                               render_kw={"type": "url", "maxlength": EVIDENCE_URL_MAX, "placeholder": "https://"})


class LinkUpdateForm(UpdateForm):
    """Through an update link, the writer also says who they are."""

    author_name = StringField(_l("Your name"), filters=[strip], render_kw={"maxlength": NAME_MAX, "autocomplete": "name"})


class LinkForm(FlaskForm):
    label = text_field("Who is the link for?", TITLE_MAX, required=False, render_kw={"placeholder": "Mayor's office"})


class ContactForm(FlaskForm):
    email = StringField(_l("Email for check-in reminders"), filters=[strip],
                        render_kw={"type": "email", "maxlength": EMAIL_MAX, "autocomplete": "email"})
