"""The long-day soak (`bench/soak.py`) ends by reading the database back against what its harness
was acknowledged. That check must find a lost or altered write, and nothing where all is there."""
from bench.live import SECRET, seed
from bench.soak import check_database
from workshop import create_app
from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import Board, Card, Participant
from workshop.voting.services import cast_vote


def written(url):
    """A seeded workshop where one participant posted and edited a card, posted and deleted another,
    and put a dot on an idea; with the summary the soak harness would have printed for it."""
    _, board_ids = seed(url, 50, crowded_cards=0)
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        person = db.session.get(Participant, 1)
        board, voting = db.session.get(Board, board_ids["fanout"]), db.session.get(Board, board_ids["votes"])
        kept = boards.add_card(person, board, "idea", "Soak card 0-1")[0]
        gone = boards.add_card(person, board, "idea", "Soak card 0-2")[0]
        boards.edit_card(person, kept, "Soak card 0-2, edited")
        boards.delete_card(person, gone)
        idea = db.session.scalars(db.select(Card).where(Card.board_id == voting.id)).first()
        cast_vote(person, idea)
        summary = {"expected": {"cards": {str(kept.id): "Soak card 0-2, edited"}, "deleted": [gone.id], "dots": {str(idea.id): 1},
                                "card_board": board.id, "vote_board": voting.id},
                   "unsure": {"adds": 0, "cards": [], "dots": []}}
        db.session.remove()
        db.engine.dispose()
    return summary, kept.id, gone.id, idea.id


def test_the_soak_check_finds_every_acknowledged_write_and_each_one_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHESIS_EMBED_ON_WRITE", "0")  # no embedding worker for these cards
    url = f"sqlite:///{tmp_path / 'soak.sqlite'}"
    summary, kept, gone, idea = written(url)
    assert check_database(url, summary) == ([], (1, 1, 1))

    expected = summary["expected"]
    altered = {**summary, "expected": {**expected, "cards": {str(kept): "Soak card 0-2"}, "deleted": [], "dots": {str(idea): 2}}}
    wrong, _ = check_database(url, altered)
    assert sorted(line.split(":")[0] for line in wrong) == [f"card {kept}", f"dots on card {idea}"]

    unacknowledged = {**summary, "expected": {**expected, "cards": {}}}
    assert check_database(url, unacknowledged)[0] == [f"1 live cards never acknowledged (only 0 adds lost their ack): [{kept}]"]
    lost_ack = {**unacknowledged, "unsure": {"adds": 1, "cards": [], "dots": []}}
    assert check_database(url, lost_ack)[0] == []

    undeleted = {**summary, "expected": {**expected, "deleted": [kept], "cards": {}}}
    assert f"card {kept}: deletion acknowledged, not stored" in check_database(url, undeleted)[0]
    assert gone not in {int(c) for c in expected["cards"]}
