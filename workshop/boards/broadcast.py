"""Board events, after they are committed, to the board's room as each viewer may see them
(through `workshop.publish`, the one way changes reach screens).

A card everyone may see goes to the whole room; otherwise its full form goes only to those who may
see it (the board's facilitators, its city team, its people) and the rest of the room gets
`card_removed` with the same sequence number (clients ignore a number they already have, so the
audience keeps the full form)."""
from ..publish import board_room, person_room, publish, staff_room, team_room
from .snapshots import removal_of, render_event
from .visibility import audience


def broadcast(events):
    """Send each committed event to the board's room, as each viewer may see it."""
    for event in events:
        name, payload = render_event(event)
        card = event.card
        if card is None or not card.is_live or audience(card).everyone:
            publish(name, payload, board_room(event.board_id))
            continue
        who = audience(card)
        rooms = [staff_room(event.board_id), *(person_room(event.board_id, pid) for pid in sorted(who.person_ids))]
        if who.team_id is not None:
            rooms.append(team_room(event.board_id, who.team_id))
        publish(name, payload, rooms)
        publish(*removal_of(event), board_room(event.board_id))
