"""Form fields shared by every feature: trimmed text and dates, with errors that name the field."""
import wtforms
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


def strip(value):
    return value.strip() if isinstance(value, str) else value


def text_field(label, max_length, required=True, area=False, render_kw=None):
    """A text field that trims spaces and, on error, says which field and why.

    `label` is the English text; it is translated here (extract with `pybabel -k text_field`).
    """
    validators = [
        DataRequired(_l("%(field)s is required.", field=_l(label))) if required else Optional(),
        Length(max=max_length, message=_l("%(field)s must be %(max)d characters or fewer.", field=_l(label), max=max_length)),
    ]
    field_class = TextAreaField if area else StringField
    attributes = {"maxlength": max_length, **(render_kw or {})}
    return field_class(_l(label), validators=validators, filters=[strip], render_kw=attributes)


class DateField(wtforms.DateField):
    """A date field that says in the page's language how to write a date it cannot read (WTForms'
    own "Not a valid date value." stays English in Slovenian, which WTForms does not translate)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("%(field)s must be a date like 2025-11-05.", field=self.label.text)) from None


def tried(form, change):
    """Run `change` (a service's change): True when it was made; False when the service refused it as bad
    input, the refusal then shown on `form`. Other refusals (403, 404) are pages of their own and rise."""
    from .errors import Refused

    try:
        change()
    except Refused as refusal:
        if refusal.status != 400:
            raise
        show_refusal(form, refusal)
        return False
    return True


def show_refusal(form, refusal):
    """Put a service's refusal next to the field it concerns (or at the top of the form)."""
    field = getattr(form, refusal.field or "", None)
    if field is not None:
        field.errors = [*field.errors, refusal.message]
    else:
        form.form_errors.append(refusal.message)
