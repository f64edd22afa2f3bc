"""The city report in the city's language and the summary in the facilitator's: the team's choice
on the commitment page (validated, saved as shown), each shipped language read back from the PDF
(official names, a heading, /Lang), a frozen version keeping its language, and the cache keyed by it."""
import io
from datetime import date

import pytest
from flask import render_template
from flask_babel import force_locale, refresh
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.forms_as_shown import form_with
from workshop.extensions import db
from workshop.languages import LANGUAGES
from workshop.models import CityTeam, Commitment, CommitmentVersion
from workshop.reports import jobs, words

from .conftest import download, pdf_text
from .helpers import lab, save  # noqa: F401  (the lab fixture)

# The EU's official names, nominative (the glossary beside the catalogues).
OFFICIAL_NAMES = {
    "en": ("European Pillar of Social Rights", "European Child Guarantee"),
    "fr": ("socle européen des droits sociaux", "garantie européenne pour l'enfance"),
    "de": ("europäische Säule sozialer Rechte", "Europäische Garantie für Kinder"),
    "es": ("pilar europeo de derechos sociales", "Garantía Infantil Europea"),
    "it": ("pilastro europeo dei diritti sociali", "garanzia europea per l'infanzia"),
    "pl": ("Europejski filar praw socjalnych", "europejska gwarancja dla dzieci"),
    "sl": ("evropski steber socialnih pravic", "evropsko jamstvo za otroke"),
}


def team_of(lab):
    db.session.expire_all()
    return db.session.get(CityTeam, lab.ljubljana.id)


def shown_language(page):
    return form_with(page, "report_language")[1]["report_language"]


def pdf_language(data):
    return str(PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"])


def folded(data):
    """A PDF's text in one line, lower case: pdftotext wraps long names anywhere."""
    return " ".join(pdf_text(data).split()).lower()


def finalise_in(client, lab, language):
    save(client, lab, [lab.plan], report_language=language)
    assert client.post(f"{lab.url}/final").status_code == 302
    return db.session.scalar(select(Commitment)).latest_version


# The choice on the commitment page ------------------------------------------------------------

@pytest.mark.parametrize("country, default, shown", [("Slovenia", "en", "sl"), ("Polska", "fr", "pl"), ("", "de", "de"), ("Narnia", "it", "it")])
def test_the_page_offers_the_shipped_languages_in_themselves_with_the_countrys_by_default(client, auth, lab, country, default, shown):
    lab.ljubljana.country, lab.workshop.default_language = country, default
    db.session.commit()
    auth.as_user(lab.mateja)
    page = client.get(lab.url).text
    assert shown_language(page) == shown
    for code, name in LANGUAGES.items():
        assert f'<option value="{code}" lang="{code}"' in page and f">{name}</option>" in page
    assert team_of(lab).report_language is None


@pytest.mark.parametrize("who", ["team", "facilitator"])
def test_the_team_and_its_facilitators_choose_and_saving_as_shown_changes_nothing(client, auth, lab, who):
    auth.as_user(lab.mateja if who == "team" else lab.workshop.facilitators[0])
    assert save(client, lab, [lab.plan], report_language="fr").status_code == 302
    assert team_of(lab).report_language == "fr"
    page = client.get(lab.url).text
    assert shown_language(page) == "fr"
    action, shown = form_with(page, "statement")
    assert client.post(action or lab.url, data=shown).status_code == 302
    assert team_of(lab).report_language == "fr"


def test_a_team_that_never_chose_keeps_following_its_country_when_saved_as_shown(client, auth, lab):
    lab.ljubljana.country = "Slovenia"
    db.session.commit()
    auth.as_user(lab.mateja)
    action, shown = form_with(client.get(lab.url).text, "statement")
    assert shown["report_language"] == "sl"
    assert client.post(action or lab.url, data=shown).status_code == 302
    assert team_of(lab).report_language is None  # a later change of country still counts


@pytest.mark.parametrize("language", ["xx", "", "EN", "en-GB", "fr ", "<script>"])
def test_an_unknown_language_is_refused_and_nothing_changes(client, auth, lab, language):
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan], report_language="de")
    before = db.session.scalar(select(Commitment)).statement
    refused = save(client, lab, [lab.plan, lab.other_plan], statement="Changed", report_language=language)
    assert refused.status_code == 400 and "Pick the report's language from the list." in refused.text
    assert shown_language(refused.text) == "de"  # the page shows what is stored, not an unknown code
    db.session.expire_all()
    assert team_of(lab).report_language == "de" and db.session.scalar(select(Commitment)).statement == before


def test_a_participant_of_another_team_cannot_choose(client, auth, lab):
    auth.as_user(lab.ewan)
    assert save(client, lab, [lab.plan], report_language="fr").status_code == 403
    assert team_of(lab).report_language is None
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_a_final_commitment_keeps_its_language_until_the_team_makes_changes(client, auth, lab):
    auth.as_user(lab.mateja)
    finalise_in(client, lab, "it")
    refused = save(client, lab, [lab.plan], report_language="pl")
    assert refused.status_code == 400 and "This commitment is final" in refused.text
    assert team_of(lab).report_language == "it"
    client.post(f"{lab.url}/reopen")
    assert save(client, lab, [lab.plan], report_language="pl").status_code == 302
    assert team_of(lab).report_language == "pl"


# The report in each shipped language ----------------------------------------------------------

@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_city_report_is_written_in_each_shipped_language(app, client, auth, lab, language):
    auth.as_user(lab.mateja)
    version = finalise_in(client, lab, language)
    assert version.content["language"] == language
    data = download(client, f"{lab.url}/v1.pdf").data
    reader = PdfReader(io.BytesIO(data))
    assert pdf_language(data) == language
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in reader.trailer["/Root"]
    text = folded(data)
    pillar, guarantee = OFFICIAL_NAMES[language]
    assert pillar.lower() in text and guarantee.lower() in text
    with app.test_request_context(), force_locale(language):
        headings = [_("Our commitment"), _("Signatories"), _("Page %(page)s of %(pages)s", page=2, pages=len(reader.pages))]
        principle = _("Principle %(number)d: %(name)s", number=11, name=_("Childcare and support to children"))
    for heading in headings + [principle]:
        assert " ".join(heading.split()).lower() in text, heading
    if language != "en":
        assert "our commitment" not in text and "signatories" not in text and "page 2 of" not in text


def test_dates_are_written_as_each_language_writes_them(app):
    """Months spelt out in every language, spans as the language writes them (the locale data's
    spans abbreviate the month in German, French, Italian and Slovenian: widened here)."""
    same_month, across_months = (date(2025, 11, 5), date(2025, 11, 7)), (date(2025, 11, 28), date(2025, 12, 2))
    expected = {
        "en": ("5–7 November 2025", "28 November – 2 December 2025", "30 November 2026"),
        "de": ("5.–7. November 2025", "28. November\u2009–\u20092. Dezember 2025", "30. November 2026"),
        "fr": ("5–7 novembre 2025", "28 novembre\u2009–\u20092 décembre 2025", "30 novembre 2026"),
        "it": ("5–7 novembre 2025", "28 novembre\u2009–\u20092 dicembre 2025", "30 novembre 2026"),
        "sl": ("5.–7. november 2025", "28. november–2. december 2025", "30. november 2026"),
        "pl": ("5–7 listopada 2025", "28 listopada\u2009–\u20092 grudnia 2025", "30 listopada 2026"),
        "es": ("5–7 de noviembre de 2025", "28 de noviembre\u2009–\u20092 de diciembre de 2025", "30 de noviembre de 2026"),
    }
    for language, (span, longer_span, day) in expected.items():
        with app.test_request_context(), force_locale(language):
            assert words.written_dates(*same_month) == span
            assert words.written_dates(*across_months) == longer_span
            assert words.written_date("2026-11-30T10:00:00Z") == day


def test_the_page_numbers_are_safe_css_whatever_the_translation(app, monkeypatch):
    with app.test_request_context():
        assert str(words.page_numbers_css()) == '"Page " counter(page) " of " counter(pages)'
    monkeypatch.setattr(words, "_", lambda text, **values: 'S. %(page)s "von"\\ </style> %(pages)s' % values)
    css = str(words.page_numbers_css())
    assert css == '"S. " counter(page) " \\22 von\\22 \\5c  \\3c /style\\3e  " counter(pages)'


# A frozen version keeps its language -------------------------------------------------------------

def test_a_frozen_version_keeps_the_language_it_was_made_final_in(client, auth, lab):
    lab.ljubljana.country = "Slovenia"
    db.session.commit()
    auth.as_user(lab.mateja)
    client.post(lab.url, data={"plans": [str(lab.plan.id)], "statement": "We commit.", "signatory-0-name": "Mateja"})
    client.post(f"{lab.url}/final")
    first = db.session.scalar(select(CommitmentVersion))
    assert first.content["language"] == "sl"  # the country's, never chosen
    assert first.content_hash == CommitmentVersion.fingerprint(first.content)
    assert CommitmentVersion.fingerprint({**first.content, "language": "fr"}) != first.content_hash  # the hash covers it
    client.post(f"{lab.url}/reopen")
    save(client, lab, [lab.plan], report_language="fr")
    assert pdf_language(download(client, f"{lab.url}/v1.pdf").data) == "sl"
    written_in_slovenian = '(<span lang="sl">Slovenščina</span>)'
    assert written_in_slovenian in client.get(lab.url).text
    client.post(f"{lab.url}/share")
    assert written_in_slovenian in client.get(f"/shared/{db.session.scalar(select(Commitment)).share_token}").text
    client.post(f"{lab.url}/final")
    assert pdf_language(download(client, f"{lab.url}/v2.pdf").data) == "fr"
    assert pdf_language(download(client, f"{lab.url}/v1.pdf").data) == "sl"
    assert client.get(f"{lab.url}/v1.json").get_json()["content"]["language"] == "sl"


def test_a_version_frozen_before_reports_had_a_language_is_printed_in_english(client, auth, lab):
    """As it was printed when it was made final: a frozen report never changes with a later choice."""
    auth.as_user(lab.mateja)
    version = finalise_in(client, lab, "en")
    old = {key: value for key, value in version.content.items() if key != "language"}
    version.content, version.content_hash = old, CommitmentVersion.fingerprint(old)
    team_of(lab).report_language = "de"
    db.session.commit()
    data = download(client, f"{lab.url}/v1.pdf").data
    assert pdf_language(data) == "en" and "Our commitment" in pdf_text(data)


# The cache is keyed by the language ---------------------------------------------------------------

def test_the_cache_key_includes_the_language():
    html = "<p>Same words</p>"
    assert len({jobs.key_of(html, language) for language in LANGUAGES}) == len(LANGUAGES)
    assert jobs.key_of(html, "fr") == jobs.key_of(html, "fr")


def test_a_change_of_language_gives_a_new_city_report_never_the_cached_one(client, auth, lab):
    auth.as_user(lab.mateja)
    finalise_in(client, lab, "en")
    english = download(client, f"{lab.url}/v1.pdf").data
    client.post(f"{lab.url}/reopen")
    save(client, lab, [lab.plan], report_language="sl")
    client.post(f"{lab.url}/final")
    slovenian = download(client, f"{lab.url}/v2.pdf").data
    assert (pdf_language(english), pdf_language(slovenian)) == ("en", "sl")


def test_the_summary_is_in_the_language_of_the_facilitators_page(app, client, auth, lab, monkeypatch):
    facilitator = lab.workshop.facilitators[0]
    auth.as_user(facilitator)
    summary = f"/workshops/{lab.workshop.id}/summary.pdf"
    asked = []
    original = jobs.ensure_rendered
    monkeypatch.setattr(jobs, "ensure_rendered", lambda html, language, *args: asked.append((html, language)) or original(html, language, *args))
    languages = []
    for language in ("de", "pl", "en"):
        facilitator.language = language
        db.session.commit()
        refresh()  # the tests' requests share one app context, where Flask-Babel keeps the page's locale
        languages.append(pdf_language(download(client, summary).data))
        assert f'<html lang="{language}">' in asked[-1][0] and asked[-1][1] == language
    assert languages == ["de", "pl", "en"]
    keys = {jobs.key_of(html, language) for html, language in asked}
    assert len(keys) == 3
