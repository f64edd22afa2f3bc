"""One ranking, of the cards the room sees: a hidden card, or one still private to its author,
keeps its dots but is never ranked, so it cannot push a public card down for anyone."""
from workshop.extensions import db
from workshop.boards.votes import standings

from .test_board_events import post
from .test_voting import vote, voting  # noqa: F401  (the voting fixture)


def test_the_ranking_leaves_out_cards_the_room_does_not_see(voting, client, auth):
    first, second = voting.ideas  # both Ben's
    for _ in range(3):
        vote(voting.ana_socket, second)
    vote(voting.ana_socket, first)
    voting.board.phase = "collect"
    voting.board.private_writing = True
    db.session.commit()
    private = post(voting.ana_socket, voting.board, "A private idea", lane="idea")["card"]
    voting.board.phase = "vote"
    db.session.commit()
    assert voting.staff_socket.emit("hide_card", {"card_id": second["id"], "reason": "Duplicate"}, callback=True)["ok"]

    ranking = standings(voting.board)
    assert ranking[first["id"]] == (1, 1)  # first among what the room sees, though the hidden card has more
    assert ranking[second["id"]] == (3, None)
    assert ranking[private["id"]][1] is None

    auth.as_user(voting.facilitator)
    cards = {card["id"]: card for card in client.get(f"/boards/{voting.board.id}/export.json").get_json()["cards"]}
    assert (cards[first["id"]]["rank"], cards[second["id"]]["rank"], cards[second["id"]]["dots"]) == (1, None, 3)
