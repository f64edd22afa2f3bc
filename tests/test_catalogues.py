"""The catalogues are complete: the committed pot holds every string of the source, and every shipped
language translates every one of them, every plural form, with the same placeholders, in a
catalogue that compiles. A failure lists the msgids at fault, language by language."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from workshop.languages import DEFAULT_LANGUAGE, LANGUAGES

from . import pseudo

TRANSLATIONS = pseudo.ROOT / "workshop" / "translations"
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]  # English is the source

# %(name)s / %(num)d as Python formats them; {name} as the pages' JavaScript fills them in.
PYTHON = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
BRACES = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A fresh extraction of the source (what `bash .ci/messages` would write)."""
    return pseudo.extract(tmp_path_factory.mktemp("extraction") / "messages.pot")


def read(path):
    with open(path, "rb") as file:
        return read_po(file)


def ids(catalogue):
    return {message.id for message in catalogue if message.id}


def listed(ids):
    return "\n".join(f"  {message_id!r}" for message_id in sorted(ids, key=str))


def test_the_committed_pot_holds_every_string_of_the_source(source):
    committed = ids(read(TRANSLATIONS / "messages.pot"))
    new, gone = ids(source) - committed, committed - ids(source)
    assert not (new or gone), (f"the pot is out of date: run bash .ci/messages\n"
                               f"missing from it ({len(new)}):\n{listed(new)}\nno longer in the source ({len(gone)}):\n{listed(gone)}")


def test_every_shipped_language_has_a_catalogue():
    assert [code for code in TRANSLATED if not (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").exists()] == []


def untranslated(catalogue, wanted):
    """The msgids of `wanted` that `catalogue` lacks, leaves empty (any plural form) or marks fuzzy."""
    missing = []
    for message_id in wanted:
        message = catalogue.get(message_id)
        forms = message.string if message is not None and isinstance(message.string, (list, tuple)) else [
            message.string if message is not None else ""]
        plural = isinstance(message_id, (list, tuple))
        if (message is None or message.fuzzy or not all(forms)
                or (plural and len(forms) != catalogue.num_plurals)):
            missing.append(message_id)
    return missing


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(source, code):
    catalogue = read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    missing = untranslated(catalogue, ids(source))
    assert not missing, f"{code}: {len(missing)} of {len(ids(source))} messages untranslated, fuzzy or short of a plural form:\n{listed(missing)}"


def placeholders(text):
    return set(PYTHON.findall(text)), set(BRACES.findall(text))


def mismatched(catalogue):
    """(msgid, why) for each translation whose placeholders differ from its msgid's: each plural form
    must have the plural msgid's (in Polish or Slovenian the "one" form also serves 21, 101...)."""
    found = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        source = message.id[-1] if isinstance(message.id, (list, tuple)) else message.id
        forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for form in forms:
            if form and placeholders(form) != placeholders(source):
                found.append((message.id, f"{sorted(map(sorted, placeholders(source)))} != {sorted(map(sorted, placeholders(form)))} in {form!r}"))
    return found


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_match(code):
    catalogue = read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    wrong = mismatched(catalogue)
    wrong += [(message.id, str(error)) for message, errors in catalogue.check() for error in errors]
    assert not wrong, f"{code}: placeholders that differ from the msgid's:\n" + "\n".join(
        f"  {message_id!r}: {why}" for message_id, why in wrong)


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalogue_compiles_cleanly(code, tmp_path):
    """`pybabel compile --statistics`, as the install step runs it, into a scratch folder."""
    pybabel = Path(sys.executable).with_name("pybabel")
    result = subprocess.run([str(pybabel), "compile", "--statistics", "-i", str(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"),
                             "-o", str(tmp_path / "messages.mo"), "-l", code], capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "error" not in output.lower(), f"{code}:\n{output}"
    assert (tmp_path / "messages.mo").stat().st_size > 0


def test_the_placeholder_check_catches_a_mismatch():
    from babel.messages.catalog import Catalog

    catalogue = Catalog(locale="fr")
    catalogue.add("Hello %(name)s", "Bonjour %(nom)s")
    catalogue.add("{n} cards", "{count} cartes")
    catalogue.add(("%(num)d second", "%(num)d seconds"), ("une seconde", "%(num)d secondes"))
    catalogue.add("Fine %(name)s", "Bien %(name)s")
    assert [message_id for message_id, _ in mismatched(catalogue)] == [
        "Hello %(name)s", "{n} cards", ("%(num)d second", "%(num)d seconds")]
    assert untranslated(catalogue, ["Fine %(name)s", "Missing"]) == ["Missing"]


# A button or link whose accessible name adds what it acts on to its visible label (WCAG 2.5.3):
# (visible label, accessible name). In every language the name must contain the label as shown, or a
# person who says what they see ("click Remove") is not understood by their voice control.
LABELLED_BY_MORE = [
    ("Remove", "Remove %(name)s"), ("Remove", "Remove %(title)s"), ("Remove", "Remove city team %(name)s"),
    ("Remind", "Remind %(city)s"), ("Reopen", "Reopen the commitment of %(city)s"),
    ("Console", "Console of %(title)s"), ("Settings", "Settings of %(title)s"), ("Share", "Share %(title)s"),
    ("Save", "Save policy area %(title)s"), ("Save", "Save city team %(name)s"),
]


@pytest.mark.parametrize("code", TRANSLATED)
def test_an_accessible_name_contains_its_visible_label_in_every_language(source, code):
    catalogue = read(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    assert {id for pair in LABELLED_BY_MORE for id in pair} <= ids(source)  # the list follows the templates
    wrong = [f"  {name!r}: {catalogue[name].string!r} does not contain {catalogue[label].string!r}"
             for label, name in LABELLED_BY_MORE
             if catalogue[label].string.casefold() not in catalogue[name].string.casefold()]
    assert not wrong, f"{code}: accessible names without their visible label:\n" + "\n".join(wrong)
