"""The peer cities' words (commitment page, shared page, lab series) in the pseudo-language (tests/pseudo.py):
every word they show comes from the catalogues, or was typed by people."""
from workshop.boards import services as boards
from workshop.commitments import services as commitments
from workshop.extensions import db
from workshop.models import Theme, ThemeCard

from . import pseudo
from .conftest import Auth
from .helpers import SIGNATORY, lab  # noqa: F401 (lab: a fixture)
from .pseudo import pseudo_translations  # noqa: F401 (a fixture)
from .test_pseudo_locale import app, dates, offenders  # noqa: F401 (app, dates: the pseudo-language's fixtures)


def test_peer_cities_and_the_lab_series_speak_only_the_catalogues(app, lab, dates):
    glasgow_card = boards.add_card(lab.ewan, lab.board, "problem", "Families in Glasgow miss their benefits")[0]
    # Named after a card, so the name counts as typed by people (tests/pseudo.py reads no theme names).
    theme = Theme(board_id=lab.board.id, name=glasgow_card.text, central_card_id=glasgow_card.id,
                  members=[ThemeCard(card_id=lab.idea.id), ThemeCard(card_id=glasgow_card.id)])
    theme_too = Theme(board_id=lab.board.id, words="", central_card_id=lab.problem.id, members=[ThemeCard(card_id=lab.problem.id)])
    db.session.add_all([theme, theme_too])
    facilitator = lab.workshop.facilitators[0]
    facilitator.language = pseudo.CODE
    db.session.commit()
    token = commitments.share(facilitator, lab.ljubljana)
    found = []
    for user, path in ((lab.ewan, f"/workshops/{lab.workshop.id}/commitments/{lab.glasgow.id}"), (None, f"/shared/{token}"),
                       (facilitator, f"/workshops/{lab.workshop.id}/areas/{lab.board.policy_area.id}/series")):
        client = app.test_client()
        client.set_cookie("language", pseudo.CODE)
        if user is not None:
            Auth(client).as_user(user)
        response = client.get(path)
        assert response.status_code == 200 and f'lang="{pseudo.CODE}"' in response.text, path
        assert glasgow_card.text in response.text, path  # the peers (or the themes) are on the page
        found += [f"{path}: {offender}" for offender in offenders(response, dates)]
    assert not found, "text that bypassed the catalogues:\n" + "\n".join(found)


def test_the_city_reports_peer_cities_are_written_in_the_reports_language(app, lab, dates, client, auth):
    from workshop.boards.plans import PILLAR_PRINCIPLE_NAMES
    from workshop.reports.views import report_html

    glasgow_card = boards.add_card(lab.ewan, lab.board, "problem", "Families in Glasgow miss their benefits")[0]
    db.session.add(Theme(board_id=lab.board.id, words="", central_card_id=glasgow_card.id,
                         members=[ThemeCard(card_id=lab.idea.id), ThemeCard(card_id=glasgow_card.id)]))
    db.session.commit()
    auth.as_user(lab.mateja)
    client.post(lab.url, data={"plans": [str(lab.plan.id)], "statement": "Ljubljana commits.", **SIGNATORY})
    assert client.post(f"{lab.url}/final").status_code == 302
    version = commitments.commitment_of(lab.ljubljana).latest_version
    assert version.content["peers"][0]["city"] == "Glasgow"
    with app.test_request_context():  # the HTML the PDF worker gets, written in the report's language
        html = report_html("reports/commitment.html", pseudo.CODE, content=version.content, content_hash=version.content_hash,
                           principles=PILLAR_PRINCIPLE_NAMES)
    assert pseudo.pseudo("Cities working on the same problems") in html
    section = html.split(pseudo.pseudo("Cities working on the same problems"))[1].split("</section>")[0]
    typed = pseudo.typed_by_people(db.session)
    found = [f"{where}: {text!r} -> {words}" for where, text in pseudo.html_texts(section)
             if (words := pseudo.unexplained(text, typed, dates))]
    assert not found and "Glasgow" in section, found
