"""HTTP for reports and exports. A PDF not yet rendered answers 202 with a "preparing your
report" page that polls and then downloads it; a rendered one is sent from the cache."""
import csv
import io
import re

from flask import Response, abort, current_app, jsonify, render_template, request, send_file, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..access import facilitator_required, load_board, load_team, load_workshop
from ..boards.snapshots import card_json
from ..commitments import services as commitments
from ..extensions import db
from ..followup import services as followup
from ..models import CommitmentVersion
from . import bp, jobs, progress, words  # noqa: F401  (words registers the report templates' filters)
from .services import cache_dir, prepare, ranked_cards, report_html, slug, summary, version_report_html


# Where the person who asked for a report came from, by the report's address: the page that
# prepares it links back there (report endpoint -> page endpoint, its arguments, the link's text).
WAY_BACK = {
    "reports.commitment_pdf": ("commitments.edit", ("workshop_id", "team_id"), _l("Back to the commitment")),
    "reports.shared_pdf": ("commitments.shared", ("token",), _l("Back to the city's reports")),
    "reports.summary_pdf": ("room.console", ("workshop_id",), _l("Back to the console")),
    "reports.progress_pdf": ("followup.team_progress", ("workshop_id", "team_id"), _l("Back to the progress page")),
    "reports.progress_link_pdf": ("followup.update_by_link", ("token",), _l("Back to the progress page")),
    "reports.follow_up_pdf": ("followup.follow_up", ("workshop_id",), _l("Back to the follow-up view")),
}
TO_THE_WORKSHOP = ("workshops.home", (), _l("Back to the workshop"))


def way_back(workshop):
    """The link back from the preparing page: (address, text)."""
    endpoint, names, label = WAY_BACK.get(request.endpoint, TO_THE_WORKSHOP)
    if endpoint not in current_app.view_functions:  # an app without that page (the followup feature's)
        endpoint, names, label = TO_THE_WORKSHOP
    arguments = {name: request.view_args[name] for name in names} or {"workshop_id": workshop.id}
    return url_for(endpoint, **arguments), label


def send_report(html, language, filename, workshop):
    """The PDF of `html`, a report in `language` about `workshop`, from the cache, or the preparing
    page (in the page's own language) while a worker renders it (it downloads the PDF when ready and
    links back to where the person was)."""
    key, state = prepare(html, language, workshop.id)
    if state == "done":
        return send_file(jobs.cache_path(cache_dir(), key), mimetype="application/pdf", as_attachment=True,
                         download_name=filename, max_age=0)
    status = 503 if state == "failed" else 202
    back_url, back_label = way_back(workshop)
    page = render_template("reports/preparing.html", key=key, state=state, filename=filename, ahead=jobs.ahead(key),
                           waiting=waiting, back_url=back_url, back_label=back_label)
    return page, status


def waiting(ahead):
    """The preparing page's line about the queue, in the page's language."""
    return ngettext("%(num)d report is ahead of yours in the queue.", "%(num)d reports are ahead of yours in the queue.", ahead)


@bp.route("/reports/<key>/status")
def status(key):
    """Where a report stands: {"state": "rendering" | "done" | "failed" | "unknown", "ahead": how many
    reports are still to be made before it starts (0 while it is being made), "waiting": that said
    in the asker's language ("" at 0)}."""
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        abort(404)
    state = jobs.state(cache_dir(), key)
    ahead = jobs.ahead(key) if state == "rendering" else 0
    return jsonify({"state": state, "ahead": ahead, "waiting": waiting(ahead) if ahead else ""})


# City commitment reports ----------------------------------------------------------------------

def version_of(commitment, number):
    version = db.session.query(CommitmentVersion).filter_by(commitment_id=commitment.id, number=number).one_or_none() if commitment else None
    if version is None:
        abort(404)
    return version


def commitment_pdf_response(team, version):
    """A final version's report, in the language it was made final in (whatever the team chose since)."""
    html, language = version_report_html(version.content, version.content_hash)
    return send_report(html, language, f"commitment-{slug(team.name)}-v{version.number}.pdf", team.workshop)


def version_json(version):
    return jsonify({"version": version.number, "finalised_at": version.content["finalised_at"],
                    "content_hash": version.content_hash, "content": version.content})


@bp.route("/workshops/<int:workshop_id>/commitments/<int:team_id>/v<int:number>.pdf")
@login_required
def commitment_pdf(workshop_id, team_id, number):
    """A final version's report: for the city team and the workshop's facilitators."""
    team = load_team(workshop_id, team_id)
    return commitment_pdf_response(team, version_of(commitments.commitment_of(team), number))


@bp.route("/workshops/<int:workshop_id>/commitments/<int:team_id>/v<int:number>.json")
@login_required
def commitment_data(workshop_id, team_id, number):
    team = load_team(workshop_id, team_id)
    return version_json(version_of(commitments.commitment_of(team), number))


@bp.route("/shared/<token>/v<int:number>.pdf")
def shared_pdf(token, number):
    """The same report for holders of the team's private link (no account needed)."""
    commitment = commitments.by_share_token(token)
    return commitment_pdf_response(commitment.city_team, version_of(commitment, number))


@bp.route("/shared/<token>/v<int:number>.json")
def shared_data(token, number):
    return version_json(version_of(commitments.by_share_token(token), number))


# Workshop summary and board exports (facilitators) ---------------------------------------------

@bp.route("/workshops/<int:workshop_id>/summary.pdf")
@facilitator_required
def summary_pdf(workshop_id):
    """Every board with the cards the room saw, ranked by dots (of the last round, with the dots of
    each earlier round), and every city's commitment status; in the language of the facilitator's page."""
    workshop = load_workshop(workshop_id, run=True)
    boards, cities = summary(workshop)
    language = str(get_locale())
    html = report_html("reports/summary.html", language, workshop=workshop, boards=boards, cities=cities)
    return send_report(html, language, f"summary-{slug(workshop.title)}.pdf", workshop)


# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` as a CSV cell a spreadsheet shows as the text that was typed: a text that would start
    a formula gets a leading single quote (OWASP's advice), which Excel and LibreOffice do not show."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def exported_board(board_id):
    """The board and its cards for export: each card's dots and rank in the current round, and in
    every round (`rounds`, the current one last). Only cards the whole room saw have a rank."""
    board = load_board(board_id, run=True)
    rows = [{**card_json(entry["card"]), "dots": entry["dots"], "rank": entry["rank"], "rounds": entry["rounds"]}
            for entry in ranked_cards(board)]
    return board, rows


@bp.route("/boards/<int:board_id>/export.json")
@facilitator_required
def board_json_export(board_id):
    board, rows = exported_board(board_id)
    return jsonify({"board": {"id": board.id, "title": board.title, "workshop": board.workshop.title, "phase": board.phase,
                              "rounds": board.vote_round},
                    "cards": rows})


@bp.route("/boards/<int:board_id>/export.csv")
@facilitator_required
def board_csv_export(board_id):
    """One row per card: lane, text, author and city, links, dots and rank (of the current round,
    then of each round), hidden or not. No cell can run as a spreadsheet formula."""
    board, rows = exported_board(board_id)
    out = io.StringIO()
    writer = csv.writer(out)
    numbers = range(1, board.vote_round + 1)
    writer.writerow(["id", "lane", "text", "author", "city", "created_at", "links_to", "dots", "rank", "hidden", "merged_from",
                     *(f"round_{number}_{what}" for number in numbers for what in ("dots", "rank"))])
    for row in rows:
        cells = [row["id"], row["lane"], row["text"], row["author"]["name"], row["author"]["city"], row["created_at"],
                 row["link_id"] or "", row["dots"], row["rank"], "yes" if row["hidden"] else "",
                 " | ".join(part["text"] for part in row["merged"]),
                 *(value for standing in row["rounds"] for value in (standing["dots"], standing["rank"]))]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    filename = f"board-{slug(board.title)}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# Progress after the lab ----------------------------------------------------------------------------

def progress_pdf_response(commitment):
    """A city's progress report, in the team's report language (as its city report); a clear 404 page
    while the commitment is not final. Each new update changes the HTML, so the PDF is made again."""
    report = progress.city_progress(commitment)
    team = commitment.city_team
    language = commitments.report_language(team)
    html = report_html("reports/progress.html", language, report=report)
    return send_report(html, language, f"progress-{slug(team.name)}.pdf", team.workshop)


@bp.route("/workshops/<int:workshop_id>/teams/<int:team_id>/progress.pdf")
@login_required
def progress_pdf(workshop_id, team_id):
    """The city's progress report: for the city team and the workshop's facilitators (as its city report)."""
    team = load_team(workshop_id, team_id)
    return progress_pdf_response(commitments.commitment_of(team))


@bp.route("/progress/<token>/report.pdf")
def progress_link_pdf(token):
    """The same report for the holder of an active update link (no account); a revoked link: 404."""
    return progress_pdf_response(followup.by_update_token(token).commitment)


@bp.route("/workshops/<int:workshop_id>/follow-up.pdf")
@facilitator_required
def follow_up_pdf(workshop_id):
    """Every city's plans with where they stand and their last update, and the workshop's totals; in the
    language of the facilitator's page (as the workshop summary)."""
    workshop = load_workshop(workshop_id, run=True)
    language = str(get_locale())
    html = report_html("reports/follow_up.html", language, report=progress.follow_up(workshop))
    return send_report(html, language, f"follow-up-{slug(workshop.title)}.pdf", workshop)
