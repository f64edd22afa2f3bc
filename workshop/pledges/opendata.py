"""The open data of a workshop's public pledges: JSON, CSV and an Atom feed of progress updates, for a network
such as Eurocities to aggregate labs (docs/open-data.md). Public, no sign-in; each answer says it may be cached
for a short while, carries an ETag of its content, and may be read from any origin (CORS)."""
import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from flask import Response, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ..errors import Refused
from ..followup.services import STATUS_WORDS
from . import bp
from .services import pledges_data, pledges_feed, public_page_url, published_workshop

# How long a browser or a proxy may keep an answer without asking again: short, so progress shows soon.
MAX_AGE = 300
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)  # the feed's elements without a prefix
# Characters XML 1.0 does not allow at all (ElementTree writes them as they are, and the feed would not parse).
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The CSV's columns, in order (docs/open-data.md describes each).
CSV_COLUMNS = (
    "number", "city", "country", "policy_area", "title", "text", "principles", "child_guarantee", "lead", "partners",
    "starts_on", "ends_on", "resources", "indicators", "baseline", "target", "investment_amount", "investment_currency",
    "investment_period", "status", "percent", "progress_updated_at", "updates", "commitment_version", "finalised_at",
)


def filtered_data(workshop_id, of=pledges_data):
    """The published workshop and `of` it with the query's filters (a refusal, 400 or 404, otherwise)."""
    workshop = published_workshop(workshop_id)
    return workshop, of(workshop, **{name: request.args.get(name) for name in ("area", "principle", "city")})


def open_answer(body, mimetype, filename=None):
    """`body` with the headers every open data answer carries; 304 when the asker already has it."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response.make_conditional(request)


@bp.route("/pledges/<int:workshop_id>.json")
def open_data_json(workshop_id):
    """The public pledges as JSON, schema "workshop-pledges/1"; a refusal as JSON too, for programs."""
    try:
        _, data = filtered_data(workshop_id)
    except Refused as refusal:
        response = jsonify(refusal.as_ack())
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response, refusal.status
    return open_answer(json.dumps(data, ensure_ascii=False, indent=1), "application/json")


@bp.route("/pledges/<int:workshop_id>.csv")
def open_data_csv(workshop_id):
    """One row per public plan, UTF-8 with a header row; no cell can run as a spreadsheet formula."""
    _, data = filtered_data(workshop_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for city in data["cities"]:
        for plan in city["plans"]:
            writer.writerow([spreadsheet_safe(cell) for cell in csv_row(city, plan)])
    return open_answer(out.getvalue(), "text/csv", f"pledges-{workshop_id}.csv")


def csv_row(city, plan):
    investment = plan["investment"] or {"amount": "", "currency": "", "period": ""}
    progress = plan["progress"]
    return [plan["number"], city["name"], city["country"], plan["policy_area"], plan["title"], plan["text"],
            ";".join(str(number) for number in plan["principles"]), "yes" if plan["child_guarantee"] else "no",
            plan["lead"], plan["partners"], plan["starts_on"] or "", plan["ends_on"] or "", plan["resources"],
            plan["indicators"], plan["baseline"], plan["target"], investment["amount"], investment["currency"],
            investment["period"], progress["status"], progress["percent"], progress["updated_at"] or "",
            len(plan["updates"]), city["version"], city["finalised_at"]]


def spreadsheet_safe(value):
    """A text that would start a formula gets a leading single quote (OWASP's advice); the rest is as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


@bp.route("/pledges/<int:workshop_id>/updates.atom")
def updates_feed(workshop_id):
    """The public progress updates as an Atom feed (RFC 4287), newest first, in the workshop's default language
    whoever asks: one feed per address, the same for every reader and cache."""
    workshop, (data, entries) = filtered_data(workshop_id, of=pledges_feed)
    language = workshop.default_language if workshop.default_language in current_app.config["LANGUAGES"] else "en"
    with force_locale(language):
        feed = atom_feed(workshop, data, entries, language)
    return open_answer(feed, "application/atom+xml")


def atom_feed(workshop, data, entries, language):
    """The feed as UTF-8 XML, built with the standard library's ElementTree (no extra dependency, and it escapes
    every text). An entry's id is a tag URI of the update's own id, so an aggregator sees each update once."""
    page = public_page_url(workshop)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _text(feed, "title", _("Progress of the pledges of %(title)s", title=workshop.title))
    _text(feed, "id", tag_uri(workshop, "updates"))
    _text(feed, "updated", entries[0][3]["written_at"] if entries else data["workshop"]["published_at"])
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", workshop.title)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=request.url)
    for update_id, city, plan, update in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        status = _("%(status)s, %(percent)d%%", status=STATUS_WORDS[update["status"]], percent=update["percent"])
        _text(entry, "title", f"{city['name']} · {plan['number']} {plan['title'] or plan['text']}: {status}")
        _text(entry, "id", tag_uri(workshop, f"update/{update_id}"))
        _text(entry, "updated", update["written_at"])
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
        if update["evidence_url"]:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=update["evidence_url"])
        _text(entry, "content", entry_text(city, plan, update, status), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def entry_text(city, plan, update, status):
    lines = [f"{city['name']}, {plan['number']} {plan['title'] or plan['text']}", status]
    if update["text"]:
        lines.append(update["text"])
    if update["indicator_value"]:
        lines.append(_("Indicator: %(value)s (baseline %(baseline)s, target %(target)s)", value=update["indicator_value"],
                       baseline=plan["baseline"] or "–", target=plan["target"] or "–"))
    if update["evidence_url"]:
        lines.append(_("Evidence: %(url)s", url=update["evidence_url"]))
    return "\n".join(lines)


def tag_uri(workshop, specific):
    """A tag URI (RFC 4151) of this host, dated by the workshop's first day: stable as long as the app's address is."""
    return f"tag:{urlsplit(request.host_url).hostname},{workshop.starts_on.isoformat()}:workshop-pledges/{workshop.id}/{specific}"


def _text(parent, name, text, **attributes):
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", **attributes)
    element.text = NOT_XML.sub("", text)  # a control character someone typed is dropped, not a broken feed
    return element
