"""A pseudo-language for tests: every catalogue string accented and bracketed ("Save" -> "⟦Šávë⟧"),
so that any text on a page that is not between the brackets bypassed the catalogues.

It is made at test time from a fresh extraction of the source (not the committed pot), so a string
added since the last `bash .ci/messages` is in it too. Its code is "sw" (Swahili): both Babel and
the browser's Intl know it, so dates and relative times come out in it on either side, in words
that are not English (Esperanto, "eo", the usual choice, is unknown to Chromium's Intl, which then
writes English: "6 minutes ago" would have to pass); it has English's plural rule (one for 1, other
for the rest), so a test takes the same plural branches as the source; it is written left to right
in Latin letters; and no city of the labs asks for it, so it never collides with a shipped catalogue."""
import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_timedelta
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CODE = "sw"
OPEN, CLOSE = "⟦", "⟧"

ACCENTS = str.maketrans("aeiouycnszAEIOUYCNSZ", "áëíöüýçñšžÁËÍÖÜÝÇÑŠŽ")
# What a translation must keep as it is: Python and JavaScript placeholders, HTML tags and entities.
UNTOUCHED = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|%[sd%]|\{[^{}]*\}|<[^>]*>|&#?\w+;")


def pseudo(text):
    """`text` with its letters accented, bracketed; placeholders, tags and entities untouched."""
    pieces, last = [], 0
    for kept in UNTOUCHED.finditer(text):
        pieces += [text[last:kept.start()].translate(ACCENTS), kept.group()]
        last = kept.end()
    pieces.append(text[last:].translate(ACCENTS))
    return OPEN + "".join(pieces) + CLOSE


def extract(pot):
    """Extract every string of the source into `pot`, with the keywords `.ci/messages` passes (that
    script is the one place that names them)."""
    script = (ROOT / ".ci" / "messages").read_text()
    tokens = shlex.split(script, comments=True)
    keywords = [word for flag, word in zip(tokens, tokens[1:]) if flag == "-k"]
    pybabel = Path(sys.executable).with_name("pybabel")
    command = [str(pybabel), "-q", "extract", "-F", "babel.cfg", *[part for k in keywords for part in ("-k", k)], "-o", str(pot), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as file:
        return read_po(file)


def build(directory):
    """Write the pseudo-language's compiled catalogue under `directory` (a translations directory:
    <code>/LC_MESSAGES/messages.mo) from a fresh extraction; returns the catalogue."""
    template = extract(Path(directory) / "messages.pot")
    catalogue = Catalog(locale=CODE)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            forms = [pseudo(message.id[0])] + [pseudo(message.id[1])] * (catalogue.num_plurals - 1)
            catalogue.add(message.id, forms, flags=message.flags)
        else:
            catalogue.add(message.id, pseudo(message.id), flags=message.flags)
    folder = Path(directory) / CODE / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "messages.mo", "wb") as file:
        write_mo(file, catalogue)
    return catalogue


# Checking text --------------------------------------------------------------------------------------

def without_catalogue_text(text):
    """`text` with every bracketed (translated) part taken out, innermost first: a translation may
    carry another in one of its placeholders."""
    while True:
        shorter = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        if shorter == text:
            return text
        text = shorter


def lines(text):
    """`text` (a page's innerText) line by line, a translation that spans lines kept whole, so that
    a failure shows the line at fault rather than the page."""
    found, pending = [], ""
    for line in text.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if pending.count(OPEN) <= pending.count(CLOSE):
            found.append(pending)
            pending = ""
    return [line for line in found + [pending] if line.strip()]


def words(text):
    return re.findall(r"[^\W\d_]+", text)


def date_words(locale=CODE):
    """The words Babel writes dates and relative times with in `locale` (month and day names, eras,
    day periods, time units), computed rather than listed."""
    locale = Locale.parse(locale)
    found = set()
    for table in (locale.months, locale.days, locale.quarters):
        for context in table.values():
            for width, names in context.items():
                if width != "narrow":  # single letters, which would let any "a" through
                    found.update(*map(words, names.values()))
    for names in (locale.eras, locale.day_periods.get("format", {})):
        for width in names.values():
            found.update(*map(words, width.values()))
    for seconds in (1, 2, 60, 120, 3600, 7200, 86400, 172800, 7 * 86400, 14 * 86400, 31 * 86400, 62 * 86400,
                    366 * 86400, 800 * 86400):
        for direction in ("past", "future", None):
            for format in ("long", "short", "narrow"):
                options = {"add_direction": True, "threshold": 0.85} if direction else {}
                found.update(words(format_timedelta(seconds if direction != "past" else -seconds, format=format,
                                                    locale=locale, **options)))
    return {word.lower() for word in found}


def unexplained(text, allowed=(), allowed_words=()):
    """The words of `text` that come neither from a catalogue (between the brackets), nor from
    `allowed` (what the user typed: names, card texts, titles), nor from `allowed_words` (dates'
    words), nor a language's own name (the language switch lists each in itself); numbers and
    punctuation never count."""
    from workshop.languages import LANGUAGES

    allowed = (*allowed, *LANGUAGES.values())
    text = re.sub(r"\bhttps?://\S+", " ", without_catalogue_text(text)).lower()  # links: the site's own addresses
    typed = sorted({typed.lower() for typed in allowed}, key=len, reverse=True)
    for whole in typed:
        text = text.replace(whole, " ")
    for whole in typed if "…" in text else ():  # then what a page shows cut short: its beginning and an ellipsis
        text = re.sub("|".join(re.escape(whole[:end]) + "…" for end in range(len(whole) - 1, 11, -1)) or "(?!)", " ", text)
    allowed_words = {word.lower() for word in allowed_words}
    return [word for word in words(text) if word not in allowed_words]


# Text a person meets in a page, read from its HTML ------------------------------------------------

# The attributes whose text a person meets: shown on hover, read out by a screen reader, or shown
# in an empty field.
NAMED_ATTRIBUTES = ("placeholder", "aria-label", "title", "alt", "aria-description", "aria-roledescription",
                    "aria-valuetext")


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.skipping, self.json = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skipping = tag
            if tag == "script" and attrs.get("type") == "application/json":
                self.json = attrs.get("id") or "data"
            return
        for name in NAMED_ATTRIBUTES:
            if attrs.get(name):
                self.found.append((f"<{tag} {name}>", attrs[name]))
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.found.append((f"<{tag} value>", attrs["value"]))

    def handle_endtag(self, tag):
        if tag == self.skipping:
            self.skipping = self.json = None

    def handle_data(self, data):
        if self.json:
            self.found.append((f"#{self.json}", data))
        elif not self.skipping and data.strip():
            self.found.append(("text", data.strip()))


def html_texts(html):
    """(where, text) for each text a person meets in `html`: text nodes (also <title> and <option>s),
    the attributes above, button values, and the pages' embedded JSON data (kept whole: see
    `json_messages`)."""
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return parser.found


def json_messages(data):
    """The strings of the page's embedded data meant for people: its message table(s)."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "messages" and isinstance(value, dict):
                found += [(f"messages.{name}", text) for name, text in value.items() if isinstance(text, str)]
            else:
                found += json_messages(value)
    elif isinstance(data, list):
        for value in data:
            found += json_messages(value)
    return found


# What people typed ----------------------------------------------------------------------------------

def typed_by_people(connection):
    """Every text people typed that the database at `connection` (SQLAlchemy) holds: names, titles,
    card texts, plans, statements; and the join codes it made. Not the codes it keeps (phases, lanes, statuses), which a page
    must never show untranslated."""
    import sqlalchemy as sa

    from workshop.models import ActionPlan, Card, CityTeam, Commitment, Facilitator, Participant, PolicyArea, Signatory, Theme, Workshop

    columns = [Card.text, Card.hidden_reason, *(getattr(ActionPlan, name) for name in (
        "title", "lead", "partners", "resources", "indicators", "target", "baseline")),
        Commitment.statement, Signatory.name, Signatory.role, Signatory.organisation, Facilitator.name,
        Facilitator.email, Workshop.title, Workshop.host_city, Workshop.description, Workshop.join_code,
        PolicyArea.title, PolicyArea.description, CityTeam.name, CityTeam.country, Participant.display_name]
    found = set()
    for column in columns:
        found.update(value for value in connection.execute(sa.select(column)).scalars() if value)
    codes = connection.execute(sa.select(Workshop.join_code)).scalars()
    # A theme's name is a facilitator's; its words are the machine's picks from card texts, shown in its
    # label as "word, word, word" (synthesis: themes).
    found.update(value for value in connection.execute(sa.select(Theme.name)).scalars() if value)
    found.update(", ".join(words.split()) for words in connection.execute(sa.select(Theme.words)).scalars() if words)
    return found | {" ".join(code) for code in codes}  # a join code as a screen reader spells it


# The pseudo-language in a test app or server ---------------------------------------------------------

@pytest.fixture(scope="session")
def pseudo_translations(tmp_path_factory):
    """A translations folder holding the pseudo-language's compiled catalogue, made once a run."""
    folder = tmp_path_factory.mktemp("pseudo-translations")
    build(folder)
    return folder


def settings(folder):
    """The settings that add the pseudo-language (catalogue in `folder`) to the shipped ones."""
    from workshop.languages import LANGUAGES

    return {"LANGUAGES": [*LANGUAGES, CODE], "BABEL_TRANSLATION_DIRECTORIES": f"translations;{folder}"}
