"""HTTP for synthesis (see docs/protocol.md, "Synthesis")."""
from flask import render_template
from flask_login import current_user

from ..access import facilitator_required, load_area
from . import bp, peers


# Themes ----------------------------------------------------------------------------------------------

from flask import render_template  # noqa: E402
from flask_babel import gettext as _  # noqa: E402
from flask_login import current_user  # noqa: E402

from ..access import facilitator_required, load_workshop  # noqa: E402
from ..boards.messages import counted  # noqa: E402
from ..models import TITLE_MAX  # noqa: E402
from .themes_store import themes_of  # noqa: E402


@bp.route("/workshops/<int:workshop_id>/themes")
@facilitator_required
def themes(workshop_id):
    """The facilitators' themes page: per policy area, the themes of its board, to find, rename, merge,
    split, dismiss and restore (over Socket.IO, see themes.js)."""
    workshop = load_workshop(workshop_id, run=True)
    areas = [{"board_id": area.board.id, "title": area.title, "themes": themes_of(area.board, current_user)}
             for area in workshop.policy_areas]
    return render_template("synthesis/themes.html", workshop=workshop,
                           data={"areas": areas, "messages": themes_messages(), "limits": {"name": TITLE_MAX}})


def themes_messages():
    """The strings themes.js shows."""
    return {
        "signed_out": _("You are signed out. Sign in again to continue."),
        "reconnecting": _("Reconnecting…"),
        "finding": _("Finding themes… this can take a minute on a large board."),
        "finding.slow": _("No answer yet: the first time, a large board takes a few minutes. Try again in a minute."),
        "found": _("Themes found."),
        **counted("count", "{n} theme", "{n} themes"),
        "none": _("No themes yet. Find themes once the board has a few problems or ideas."),
        "none.dismissed": _("No dismissed themes."),
        "cities": _("Cities: {cities}"),
        "cities.none": _("No city yet"),
        **counted("cards", "{n} card", "{n} cards"),
        **counted("dots", "{n} dot", "{n} dots"),
        "machine": _("Found by the machine: {label}"),
        "name": _("Theme name"),
        "name.hint": _("Leave empty to use the machine's label."),
        "save": _("Save name"),
        "saved": _("Name saved."),
        "cards.heading": _("Cards"),
        "lane.problem": _("Problem"),
        "lane.idea": _("Idea"),
        "move": _("Move to a new theme"),
        "split.name": _("Name of the new theme (optional)"),
        "split": _("Split off the chosen cards"),
        "split.done": _("The chosen cards are now a theme of their own."),
        "merge.target": _("Merge into"),
        "merge": _("Merge"),
        "merge.done": _("Themes merged."),
        "dismiss": _("Dismiss"),
        "dismissed": _("Theme dismissed."),
        "restore": _("Restore"),
        "restored": _("Theme restored."),
        "changed": _("Another facilitator changed the themes of {area}."),
        "error": _("Not done: {message}"),
        "placed": _("placed by a facilitator"),
    }




# Peer cities and earlier labs ------------------------------------------------------------------------

@bp.route("/workshops/<int:workshop_id>/areas/<int:area_id>/series")
@facilitator_required
def series(workshop_id, area_id):
    """A policy area's themes beside those of the same area in the earlier workshops the facilitator ran
    (a lab series): for this workshop's facilitators; only workshops they run themselves are listed."""
    area = load_area(workshop_id, area_id)
    return render_template("synthesis/series.html", workshop=area.workshop, area=area,
                           themes=peers.shared_themes(area.board), earlier=peers.earlier_labs(current_user, area))



