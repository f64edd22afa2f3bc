"""Themes per policy area (issue 16): the machine's groups of a board's problems and ideas
(`services.grouped_cards`), kept as Theme and ThemeCard rows and edited by facilitators, whose edits
survive the next clustering: a name stays, a dismissed theme stays dismissed, a card a facilitator placed
(`ThemeCard.pinned`) stays where they put it.

Who may see a card is `workshop.boards.visibility`'s to say; only a workshop's facilitators edit themes."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import joinedload, selectinload

from ..access import require_runs
from ..boards import votes
from ..boards.services import require_member
from ..boards.visibility import can_see
from ..errors import NotFound, Refused
from ..extensions import db
from ..models import TITLE_MAX, Board, Card, Participant, Theme, ThemeCard, utcnow
from . import services

# A machine group keeps the id (so the name, the dismissal, the pinned cards) of the stored theme it
# overlaps most, when their Jaccard index (shared cards over all their cards) reaches this. Under it the
# group is another theme: a theme that lost half its cards is still itself; one that kept a third is not.
MATCH_MIN = 0.34
LABEL_CARD_LENGTH = 80


# Finding ---------------------------------------------------------------------------------------------

def find_theme(theme_id):
    theme = db.session.get(Theme, theme_id, options=(joinedload(Theme.board).joinedload(Board.policy_area),))
    if theme is None:
        raise NotFound("no_such_theme", _l("There is no such theme."))
    return theme


def require_edits(actor, board):
    """Only the workshop's facilitators see and edit themes here (another workshop's people: `not_member`)."""
    require_member(actor, board)
    require_runs(actor, board)


# Clustering again ------------------------------------------------------------------------------------

def refresh_themes(board, actor=None):
    """Group the board's problems and ideas again (in a worker) and reconcile the groups with the stored
    themes, in one transaction. With `actor`, only if they run the board. Returns the board's themes."""
    if actor is not None:
        require_edits(actor, board)
    board_id = board.id
    try:
        groups = [{"cards": {card.id for card in group["cards"]}, "words": " ".join(group["words"]),
                   "central": group["central"].id} for group in services.grouped_cards(board)]
    except TimeoutError:
        raise Refused("synthesis_busy", _l("Finding themes is taking longer than usual. Try again in a minute: "
                                           "the cards read so far are kept.")) from None
    # The clustering took seconds: end the read it began, so that the write below starts a transaction
    # of its own, taking the lock first (on SQLite a read that turns into a write after another writer
    # committed fails at once; on PostgreSQL two refreshes would both insert the same cards).
    db.session.commit()
    _lock(board_id)
    stored = db.session.scalars(select(Theme).where(Theme.board_id == board_id).order_by(Theme.id)
                                .options(selectinload(Theme.members))
                                .execution_options(populate_existing=True)).all()
    _apply(board_id, stored, groups)
    db.session.commit()
    return themes_rows(board_id)


def _lock(board_id):
    """Serialise the writers of a board's themes: a write on the board's row (changing nothing) that
    waits for any other one to commit. Refused when the board is gone meanwhile."""
    done = db.session.execute(update(Board).where(Board.id == board_id).values(id=Board.id))
    if done.rowcount == 0:
        raise NotFound("no_such_board", _l("There is no such board."))


def match(stored, groups):
    """{group index: theme id}: each group to the stored theme it overlaps most, most overlapping pairs
    first, one group per theme, and only from MATCH_MIN. `stored` is {theme id: set of card ids}."""
    pairs = []
    for index, group in enumerate(groups):
        for theme_id, members in stored.items():
            shared = len(group & members)
            if shared:
                pairs.append((shared / len(group | members), index, theme_id))
    found, taken = {}, set()
    for overlap, index, theme_id in sorted(pairs, key=lambda pair: (-pair[0], pair[1], pair[2])):
        if overlap >= MATCH_MIN and index not in found and theme_id not in taken:
            found[index] = theme_id
            taken.add(theme_id)
    return found


def _apply(board_id, stored, groups):
    """Write what the groups say on top of the stored themes: pinned cards stay; every other card goes
    where its group goes (the matched theme, else a new theme of at least two such cards, else none);
    a theme left without a card goes unless a facilitator named it."""
    pinned = {member.card_id for theme in stored for member in theme.members if member.pinned}
    now_unpinned = {member.card_id: theme.id for theme in stored for member in theme.members if not member.pinned}
    by_id = {theme.id: theme for theme in stored}
    matched = match({theme.id: {member.card_id for member in theme.members} for theme in stored},
                    [group["cards"] for group in groups])
    wanted = {}  # card id -> theme id, for cards no facilitator placed
    for index, group in enumerate(groups):
        free = group["cards"] - pinned
        theme = by_id.get(matched.get(index))
        if theme is None:
            if len(free) < 2:
                continue  # its cards are themed elsewhere by hand: no theme of one card
            theme = Theme(board_id=board_id, words="")
            db.session.add(theme)
            db.session.flush()
            by_id[theme.id] = theme
        theme.words = group["words"][:200]
        keeps = free | {member.card_id for member in theme.members if member.pinned}
        if group["central"] in keeps:
            theme.central_card_id = group["central"]
        elif theme.central_card_id not in keeps:
            theme.central_card_id = min(keeps, default=None)
        theme.updated_at = utcnow()
        wanted.update(dict.fromkeys(free, theme.id))
    gone = [card_id for card_id in now_unpinned if card_id not in wanted]
    if gone:
        db.session.execute(delete(ThemeCard).where(ThemeCard.card_id.in_(gone)))
    moved = {}
    for card_id, theme_id in wanted.items():
        if card_id in now_unpinned and now_unpinned[card_id] != theme_id:
            moved.setdefault(theme_id, []).append(card_id)
    for theme_id, card_ids in moved.items():
        db.session.execute(update(ThemeCard).where(ThemeCard.card_id.in_(card_ids)).values(theme_id=theme_id))
    added = [{"card_id": card_id, "theme_id": theme_id, "pinned": False}
             for card_id, theme_id in wanted.items() if card_id not in now_unpinned]
    if added:
        db.session.execute(insert(ThemeCard), added)
    kept = set(wanted.values()) | {member.theme_id for theme in stored for member in theme.members if member.pinned}
    empty = [theme.id for theme in by_id.values() if theme.id not in kept and theme.name is None]
    if empty:
        db.session.execute(delete(Theme).where(Theme.id.in_(empty)))


def themes_rows(board_id):
    """The board's stored themes with their members and cards, oldest first."""
    return db.session.scalars(
        select(Theme).where(Theme.board_id == board_id).order_by(Theme.id)
        .options(selectinload(Theme.members).joinedload(ThemeCard.card).joinedload(Card.author)
                 .joinedload(Participant.city_team))
        .execution_options(populate_existing=True)
    ).all()


# What a viewer sees ----------------------------------------------------------------------------------

def themes_of(board, viewer):
    """The board's themes as `viewer` may see them: [{"id", "name", "named", "label", "words", "dismissed",
    "cities", "cards": [{"id", "lane", "text", "city", "dots", "pinned"}], "dots"}], those raised by most
    cities first. A card the viewer may not see (private to another city) is absent, with its city and
    dots; so are hidden, deleted and merged cards. A theme with no card the viewer sees is absent, except
    for facilitators (a named theme may be empty). Words come only to a viewer who sees all the theme's
    cards (they are made from every card's text). Dots as the board shows counts to the viewer: to
    facilitators always, to others once public (else `dots` are null)."""
    staff = board.is_run_by(viewer)
    tally = votes.counts(board) if staff or board.votes_public else None
    found = []
    for theme in themes_rows(board.id):
        live = [member for member in theme.members if member.card.is_live and not member.card.is_hidden]
        shown = [member for member in live if can_see(viewer, member.card)]
        if not shown and not staff:
            continue
        found.append(_theme_json(theme, shown, len(shown) == len(live), tally))
    return sorted(found, key=lambda theme: (-len(theme["cities"]), -len(theme["cards"]), theme["id"]))


def _theme_json(theme, shown, sees_all, tally):
    cards = [member.card for member in shown]
    words = theme.words.split() if sees_all else []
    central = next((card for card in cards if card.id == theme.central_card_id), cards[0] if cards else None)
    label = machine_label(words, central, theme.id)
    return {
        "id": theme.id,
        "name": theme.name or label,
        "named": theme.name is not None,
        "label": label,
        "words": words,
        "dismissed": theme.dismissed,
        "cities": sorted({card.author.city_team.name for card in cards}, key=str.casefold),
        "cards": [{"id": card.id, "lane": card.lane, "text": card.text, "city": card.author.city_team.name,
                   "dots": None if tally is None else tally.get(card.id, 0), "pinned": member.pinned}
                  for card, member in zip(cards, shown)],
        "dots": None if tally is None else sum(tally.get(card.id, 0) for card in cards),
    }


def machine_label(words, central, theme_id):
    """A theme's name until a facilitator gives one: its distinctive words and the start of its most
    central card."""
    text = None
    if central is not None:
        text = central.text if len(central.text) <= LABEL_CARD_LENGTH else central.text[:LABEL_CARD_LENGTH - 1] + "…"
    if words and text:
        return _("%(words)s: %(card)s", words=", ".join(words), card=text)
    return text or ", ".join(words) or _("Theme %(number)d", number=theme_id)


# Facilitators' edits ---------------------------------------------------------------------------------

def rename_theme(actor, theme, name):
    """Name the theme; an empty name gives it back the machine's label."""
    require_edits(actor, theme.board)
    name = name.strip() if isinstance(name, str) else ""
    if len(name) > TITLE_MAX:
        raise Refused("name_too_long", _l("A theme's name holds at most %(max)d characters.", max=TITLE_MAX), field="name")
    _lock(theme.board_id)
    theme.name = name or None
    theme.updated_at = utcnow()
    db.session.commit()
    return theme


def merge_themes(actor, theme, into):
    """Put every card of `theme` into `into`, which keeps its name and its dismissal; `theme` goes. Every
    card of both is pinned, so that clustering again does not take them apart."""
    require_edits(actor, theme.board)
    if into.board_id != theme.board_id:
        raise NotFound("no_such_theme", _l("There is no such theme."))
    if into.id == theme.id:
        raise Refused("merge_into_itself", _l("A theme cannot be merged into itself."))
    _lock(theme.board_id)
    card_ids = [member.card_id for member in theme.members]
    db.session.execute(update(ThemeCard).where(ThemeCard.theme_id.in_([theme.id, into.id]))
                       .values(theme_id=into.id, pinned=True))
    db.session.execute(delete(Theme).where(Theme.id == theme.id))
    into.updated_at = utcnow()
    db.session.commit()
    db.session.expire_all()
    return into, card_ids


def split_theme(actor, theme, card_ids, name=None):
    """Move the cards `card_ids` of `theme` into a new theme (named `name`, or by its cards); the cards of
    both are pinned, so that clustering again keeps the facilitator's split. Returns the new theme."""
    require_edits(actor, theme.board)
    name = name.strip() if isinstance(name, str) else ""
    if len(name) > TITLE_MAX:
        raise Refused("name_too_long", _l("A theme's name holds at most %(max)d characters.", max=TITLE_MAX), field="name")
    members = {member.card_id for member in theme.members}
    chosen = set(card_ids)
    if not chosen:
        raise Refused("no_cards", _l("Choose the cards to move to a new theme."), field="card_ids")
    if not chosen <= members:
        raise Refused("not_in_theme", _l("Those cards are not all in this theme."), field="card_ids")
    if chosen == members:
        raise Refused("split_everything", _l("Leave at least one card in the theme."), field="card_ids")
    _lock(theme.board_id)
    new = Theme(board_id=theme.board_id, name=name or None, words="", central_card_id=min(chosen))
    db.session.add(new)
    db.session.flush()
    db.session.execute(update(ThemeCard).where(ThemeCard.card_id.in_(chosen)).values(theme_id=new.id, pinned=True))
    db.session.execute(update(ThemeCard).where(ThemeCard.theme_id == theme.id).values(pinned=True))
    if theme.central_card_id in chosen:
        theme.central_card_id = min(members - chosen)
    theme.updated_at = utcnow()
    db.session.commit()
    db.session.expire_all()
    return new


def dismiss_theme(actor, theme):
    """Set the theme aside: it stays dismissed when clustering finds it again."""
    require_edits(actor, theme.board)
    if theme.dismissed:
        raise Refused("already_dismissed", _l("This theme is already dismissed."))
    return _set_dismissed(theme, True)


def restore_theme(actor, theme):
    require_edits(actor, theme.board)
    if not theme.dismissed:
        raise Refused("not_dismissed", _l("This theme is not dismissed."))
    return _set_dismissed(theme, False)


def _set_dismissed(theme, dismissed):
    _lock(theme.board_id)
    theme.dismissed = dismissed
    theme.updated_at = utcnow()
    db.session.commit()
    return theme
