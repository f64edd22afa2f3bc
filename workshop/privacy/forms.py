"""The confirmation a workshop's deletion asks for."""
from flask_wtf import FlaskForm

from ..forms import text_field
from ..models import TITLE_MAX


class DeleteWorkshopForm(FlaskForm):
    title = text_field("Workshop title", TITLE_MAX)
