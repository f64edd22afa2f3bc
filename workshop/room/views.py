"""HTTP for running the room: the facilitator's console and the projector view."""
from flask import render_template, url_for
from flask_login import current_user

from ..access import facilitator_required, join_link, load_board, load_workshop
from ..boards.messages import board_messages, console_messages, page_limits
from ..boards.presence import presence_store
from ..boards.snapshots import snapshot
from ..boards.visibility import THE_ROOM
from ..commitments import services as commitments
from . import bp


@bp.route("/workshops/<int:workshop_id>/console")
@facilitator_required
def console(workshop_id):
    """One page for the whole workshop: every board's phase, timer, cards, votes and who is online."""
    workshop = load_workshop(workshop_id, run=True)
    boards = [
        {"snapshot": snapshot(area.board, current_user), "presence": presence_store().summary(area.board.id),
         "projector": url_for("room.projector", board_id=area.board.id), "page": url_for("boards.show", board_id=area.board.id),
         "series": url_for("synthesis.series", workshop_id=workshop.id, area_id=area.id)}
        for area in workshop.policy_areas
    ]
    participants = sorted(
        (person for person in workshop.participants if person.removed_at is None),
        key=lambda person: (person.city_team.name, person.display_name),
    )
    people = [{"id": person.id, "name": person.display_name, "city": person.city_team.name} for person in participants]
    cities = []
    for team in workshop.city_teams:
        commitment = commitments.commitment_of(team)
        cities.append({"id": team.id, "name": team.name, "status": commitments.status_of(team),
                       "shared": bool(commitment and commitment.share_token)})
    return render_template(
        "room/console.html", workshop=workshop,
        data={"boards": boards, "participants": people, "cities": cities, "messages": console_messages(),
              "limits": page_limits()},
    )


@bp.route("/boards/<int:board_id>/projector")
@facilitator_required
def projector(board_id):
    """The room's screen: large type, the join code and QR, the timer, the spotlight, the ranking.
    Rendered for the room (what every participant sees), whoever opened it: it is on the wall."""
    board = load_board(board_id, run=True)
    workshop = board.workshop
    return render_template(
        "room/projector.html", board=board, workshop=workshop, join_link=join_link(workshop),
        data={"snapshot": snapshot(board, THE_ROOM), "messages": board_messages()},
    )
