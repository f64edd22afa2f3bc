"""What the board pages' JavaScript is given besides the snapshot: the strings it shows, translated
on the server (one small table), and the server's limits, so that the browser never writes a number
of its own.

A message with a count comes in each plural form the page's language has (CLDR's categories: "one",
"few", "many", "other"...): `key.one`, `key.few`... beside `key` (the general form), and messages.js
`count()` picks with the browser's `Intl.PluralRules`. Each form is gettext's own (ngettext for a
number of that category), so translators write plurals the usual way."""
import functools

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from ..models import CARD_TEXT_MAX, HIDE_REASON_MAX
from .plans import INVESTMENT_PERIOD_MAX, PILLAR_PRINCIPLE_NAMES, TEXT_FIELDS, currency_names


def page_limits():
    """The longest card text, hide reason and action plan text field (by name) the server takes, and
    the currencies an investment may be in, EUR first, each with its name in the page's language
    (CLDR's, through Babel, as dates are: not a catalogue string)."""
    return {"text": CARD_TEXT_MAX, "reason": HIDE_REASON_MAX,
            "plan": {**TEXT_FIELDS, "investment_period": INVESTMENT_PERIOD_MAX},
            "currencies": [{"code": code, "name": name} for code, name in currency_names().items()]}


def counted(key, singular, plural):
    """`key` (the general form) and `key.<category>` for each plural category of the page's
    language, each the catalogue's ngettext for a number of that category. ngettext sees "{n}", not
    "%(num)d": the browser fills the slot, with the number written its locale's way."""
    forms = {f"{key}.{category}": ngettext(singular, plural, n) for category, n in examples(str(get_locale()))}
    return {key: forms.get(f"{key}.other", ngettext(singular, plural, GENERAL)), **forms}


GENERAL = 5  # a count in the general form in every shipped language ("5 dots", "5 kropek", "5 pik")
# Numbers to try for a category's example, smallest first; those past 200 are for categories such as
# French "many" (a million). Categories only fractions reach (Polish "other") get none: counts are whole.
_CANDIDATES = [*range(201), 1000, 10_000, 100_000, 1_000_000]


@functools.cache
def examples(language):
    """[(category, a whole number in it)] for each plural category `language` has (Babel's CLDR)."""
    from babel import Locale

    rule = Locale.parse(language).plural_form
    found = {}
    for n in _CANDIDATES:
        found.setdefault(rule(n), n)
    return sorted(found.items(), key=lambda item: item[1])


def board_messages():
    return {
        "signed_out": _("You are signed out. Sign in again to continue."),
        "lane.problem": _("Problems"),
        "lane.idea": _("Ideas"),
        "lane.action": _("Action plans"),
        "add.problem": _("Add problem"),
        "add.idea": _("Add idea"),
        "add.action": _("Add action plan"),
        "new.problem": _("New problem"),
        "new.idea": _("New idea"),
        "new.action": _("New action plan"),
        "compose.problem": _("Add a problem…"),
        "compose.idea": _("Add an idea…"),
        "compose.action": _("Add an action plan…"),
        "compose.hint": _("Ctrl+Enter posts, Escape closes. In a lane, N writes a new card."),
        "lanes": _("Lanes"),
        "link.idea": _("Answers the problem"),
        "link.action": _("Builds on the idea"),
        "link.none": _("(none)"),
        "links.idea": _("Answers:"),
        "links.action": _("Builds on:"),
        **counted("left", "{n} character left", "{n} characters left"),
        **counted("over", "{n} character too many", "{n} characters too many"),
        "edit": _("Edit"),
        "edit.label": _("Edit card"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "delete": _("Delete"),
        "delete.confirm": _("Delete this card?"),
        "delete.yes": _("Yes, delete"),
        "hide": _("Hide"),
        "hide.reason": _("Why hide it? Its author will see this."),
        "hide.submit": _("Hide card"),
        "hidden.note": _("Hidden by a facilitator: {reason}"),
        "restore": _("Restore"),
        "merge": _("Merge into…"),
        "merge.target": _("Merge this card into"),
        "merge.submit": _("Merge"),
        "merged.from": _("Merged from"),
        "private": _("Private until revealed"),
        "pending": _("Waiting for the connection; it will be sent"),
        **counted("presence", "{n} here now", "{n} here now"),
        "presence.cities": _("from {cities}"),
        "reconnecting": _("Reconnecting…"),
        "online": _("Back online"),
        "announce.error": _("Not saved: {message}"),
        **counted("slow_down.join", "Opening the board too often: it opens again in {n} second.",
                  "Opening the board too often: it opens again in {n} seconds."),
        **counted("slow_down.card", "You are posting faster than the board allows: this card waits and goes by itself in {n} second.",
                  "You are posting faster than the board allows: this card waits and goes by itself in {n} seconds."),
        "me": _("you"),
        "card.actions": _("Actions for this card"),
        "card.by": _("by {name}, {city}"),
        "phase.collect": _("Collecting cards"),
        "phase.vote": _("Voting"),
        "phase.results": _("Results"),
        "phase.closed": _("Closed"),
        "paused": _("Paused by the facilitator"),
        "dots.left": _("Dots left: {left} of {budget}"),
        "dots.left.city": _("Dots left for {city}: {left} of {budget}"),
        "dot.add": _("Add a dot"),
        "dot.remove": _("Take a dot back"),
        "dots.mine": _("Your dots: {n}"),
        "dots.team": _("{city}: {people}"),
        **counted("dots.count", "{n} dot", "{n} dots"),
        "dots.mine.card": _("Your dots on this card: {n} of {cap}"),
        "dots.team.card": _("Dots from {city} on this card: {n} of {cap}"),
        "dot.reason.left": _("No dots left: take one back from another card first."),
        "dot.reason.cap": _("This card has the most dots it can take from you ({cap})."),
        "phase.round": _("{phase}, round {n}"),
        "rounds.earlier": _("Earlier voting rounds"),
        "rounds.round": _("Round {n}"),
        "rank": _("Rank {n}"),
        "rank.tie": _("Rank {n} (tie)"),
        "timer": _("Time left: {time}"),
        "timer.paused": _("Timer paused at {time}"),
        "timer.up": _("Time is up"),
        "spotlight": _("Spotlight"),
        "spotlight.release": _("Release spotlight"),
        "spotlight.on": _("In the spotlight"),
        "removed": _("A facilitator removed you from this workshop."),
        "deleted": _("This workshop has been deleted."),
        "plan.details": _("Plan details"),
        "plan.title": _("Title"),
        "plan.lead": _("Lead (department or role)"),
        "plan.partners": _("Partners"),
        "plan.starts_on": _("Start date"),
        "plan.ends_on": _("End or deadline"),
        "plan.resources": _("Resources or funding line"),
        "plan.indicators": _("Success indicators"),
        "plan.target": _("Target"),
        "plan.baseline": _("Baseline"),
        "plan.status": _("Status"),
        "plan.status.draft": _("Draft"),
        "plan.status.agreed": _("Agreed"),
        "plan.principles": _("European Pillar of Social Rights principles served"),
        "plan.child_guarantee": _("Implements the European Child Guarantee"),
        "plan.save": _("Save plan"),
        "plan.more": _("More about this plan"),
        "plan.principle": _("{n}. {name}"),
        "plan.dates": _("Dates"),
        **{f"principle.{number}": str(name) for number, name in PILLAR_PRINCIPLE_NAMES.items()},
        **investment_messages(),
        **room_news_messages(),
        "reminder": _("A facilitator reminds {city} to finish its commitment."),
        "reminder.link": _("Open the commitment"),
    }


def investment_messages():
    """The plan form's investment fields (the currencies and their names: `page_limits`)."""
    return {
        "plan.investment": _("Investment"),
        "plan.investment_amount": _("Investment amount (whole units)"),
        "plan.investment_currency": _("Investment currency"),
        "plan.investment_currency.none": _("(none)"),
        "plan.investment_currency.option": _("{name} ({code})"),
        "plan.investment_period": _("Investment period"),
        "plan.investment_period.hint": _("For example 2025-2030"),
    }


def room_news_messages():
    """What others do, as static/js/announce.js tells it politely (the board and the projector).
    Counts carry every plural form of the page's language (`counted`)."""
    return {
        "announce.added.problem": _("{name} ({city}) added a problem: {text}"),
        "announce.added.idea": _("{name} ({city}) added an idea: {text}"),
        "announce.added.action": _("{name} ({city}) added an action plan: {text}"),
        **counted("announce.cards", "{n} new card: {lanes}.", "{n} new cards: {lanes}."),
        **counted("announce.lane.problem", "{n} problem", "{n} problems"),
        **counted("announce.lane.idea", "{n} idea", "{n} ideas"),
        **counted("announce.lane.action", "{n} action plan", "{n} action plans"),
        "announce.phase": _("The board is now: {phase}."),
        "announce.resumed": _("The board goes on."),
        "announce.revealed": _("The votes are revealed."),
        "announce.timer.running": _("Timer running: {time} left."),
        "announce.timer.stopped": _("Timer stopped."),
        "announce.spotlight": _("In the spotlight: {text}"),
        "announce.spotlight.off": _("The spotlight is off."),
        "announce.merged": _("Cards merged into: {text}"),
        "announce.removed": _("Taken off the board: {text}"),
        **counted("announce.removed.count", "{n} card taken off the board.", "{n} cards taken off the board."),
    }


def console_messages():
    """The board page's strings and those only the facilitator's console shows."""
    return {
        **board_messages(),
        "console.paused": _("paused"),
        **counted("console.online", "{n} online", "{n} online"),
        **counted("console.cities", "{n} city", "{n} cities"),
        **counted("console.cards", "{n} card", "{n} cards"),
        **counted("console.dots", "{n} dot cast", "{n} dots cast"),
        "console.where": _("Online now: {cities}"),
        "console.nobody": _("Nobody is on this board right now."),
        "console.round": _("Round {n}."),
        "console.votes.hidden": _("The room does not see the counts until you reveal them."),
        "console.votes.revealed": _("The room sees the counts (revealed)."),
        "console.votes.public": _("The room sees the counts as they come in."),
        "console.latest": _("The latest {n} of {total} cards. Find a card or show all to see the others."),
        **counted("console.all", "All {n} cards, newest first.", "All {n} cards, newest first."),
        **counted("console.matches", "{n} card matches.", "{n} cards match."),
        "console.none": _("No cards yet."),
    }
