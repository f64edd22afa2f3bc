"""Peer cities and earlier labs, read from the stored themes (`Theme`, `ThemeCard`): for a city team, the
other cities of its workshop that raised the same problems and ideas, theme by theme; for a board, its
themes with their cities and dots (the summary report); for a facilitator, the themes of the same policy
area in the earlier workshops they ran.

Only cards that every participant may see count (live, not hidden, not private: `visibility.audience`), so
that nobody learns through a peer, a report or a label what another city wrote privately. Nothing here
embeds or clusters: it only reads what the themes already hold."""
from sqlalchemy import select, union
from sqlalchemy.orm import aliased, selectinload

from ..boards.visibility import audience
from ..boards.votes import counts
from ..extensions import db
from ..models import Card, Participant, PolicyArea, Theme, ThemeCard, Workshop, workshop_facilitators

LABEL_MAX = 80  # a theme named by one of its cards: that card's first characters


def _cards_of(theme):
    """The theme's cards that are still on the board (neither deleted nor merged away)."""
    return [member.card for member in theme.members if member.card.is_live]


def _teams_of(card):
    """The city teams that wrote `card`: its author's, and those of the cards merged into it."""
    return [card.author.city_team, *(part.author.city_team for part in card.merged)]


def theme_name(theme, cards, shown):
    """What a theme is called where every participant may read it: the facilitators' name; else the
    machine's words, unless a card not everyone may see is among those they came from; else the start of
    its most central card that everyone may see (`shown`: those cards, in order)."""
    if theme.name:
        return theme.name
    if theme.words and len(shown) == len(cards):
        return " · ".join(theme.words.split())
    card = theme.central_card if theme.central_card in shown else shown[0]
    text = " ".join(card.text.split())
    return text if len(text) <= LABEL_MAX else text[:LABEL_MAX - 1].rstrip() + "…"


def _visible_themes(board, among=None):
    """The board's themes that are not dismissed, each with its cities: [(theme, name, shown, teams)], where `shown`
    are its live cards that everyone may see (never empty) and `teams` {id: CityTeam} those that wrote them.
    `among`: a select of theme ids to keep to (the others are not even loaded)."""
    query = select(Theme).where(Theme.board_id == board.id, Theme.dismissed.is_(False)).order_by(Theme.id)
    if among is not None:
        query = query.where(Theme.id.in_(among))
    themes = db.session.scalars(query.options(
        selectinload(Theme.central_card),
        selectinload(Theme.members).selectinload(ThemeCard.card).options(
            selectinload(Card.author).selectinload(Participant.city_team),
            selectinload(Card.merged).selectinload(Card.author).selectinload(Participant.city_team))))
    found = []
    for theme in themes:
        cards = _cards_of(theme)
        shown = [card for card in cards if audience(card).everyone]
        if shown:
            teams = {team.id: team for card in shown for team in _teams_of(card)}
            found.append((theme, theme_name(theme, cards, shown), shown, teams))
    return found


def shared_themes(board):
    """The board's themes as the whole room may know them, most cities first: [{"id", "name", "cities":
    [city names], "team_ids": {ids}, "cards": [Card], "dots": int}]. Dismissed themes are left out, and so
    is a theme with no card that everyone may see; `dots` are those of the current round on those cards."""
    tally = counts(board)
    found = [{"id": theme.id, "name": name, "cities": sorted((team.name for team in teams.values()), key=str.casefold),
              "team_ids": set(teams), "cards": shown, "dots": sum(tally.get(card.id, 0) for card in shown)}
             for theme, name, shown, teams in _visible_themes(board)]
    return sorted(found, key=lambda theme: (-len(theme["team_ids"]), -theme["dots"], theme["id"]))


# Peer cities -----------------------------------------------------------------------------------------

def _themes_touching(team):
    """The ids of the themes holding a card by `team`, or one a card of theirs was merged into: those where
    it may have peers (which of its cards everyone may see is decided on the cards themselves)."""
    part = aliased(Card)
    by_team = select(Participant.id).where(Participant.city_team_id == team.id)
    written = select(ThemeCard.theme_id).join(Card, Card.id == ThemeCard.card_id).where(Card.author_id.in_(by_team))
    merged = (select(ThemeCard.theme_id).join(part, part.merged_into_id == ThemeCard.card_id)
              .where(part.author_id.in_(by_team)))
    return union(written, merged)


def peers_of(team):
    """The other city teams of `team`'s workshop that share its themes, most shared first: [{"city": name,
    "themes": [{"name", "area"}], "count": how many}]. A theme is shared when both cities have a card in it
    that everyone may see; a dismissed theme shares nothing."""
    found = {}
    among = _themes_touching(team)
    for area in team.workshop.policy_areas:
        visible = sorted(_visible_themes(area.board, among), key=lambda entry: (-len(entry[3]), entry[0].id))
        for theme, name, shown, teams in visible:
            if team.id not in teams:
                continue
            for other in teams.keys() - {team.id}:
                found.setdefault(other, []).append({"name": name, "area": area.title})
    names = {other.id: other.name for other in team.workshop.city_teams}
    peers = [{"city": names[other], "themes": themes, "count": len(themes)} for other, themes in found.items()]
    return sorted(peers, key=lambda peer: (-peer["count"], peer["city"].casefold()))


# Earlier labs ----------------------------------------------------------------------------------------

def same_title(title):
    return " ".join(title.split()).casefold()


def earlier_labs(facilitator, area):
    """The same policy area (by title, spaces and letter case aside) in the workshops that `facilitator`
    runs and that started before `area`'s, the latest first: [{"workshop", "area", "themes"}]. Never another
    facilitator's workshop, whoever ran this one with them."""
    workshop = area.workshop
    areas = db.session.scalars(
        select(PolicyArea).join(Workshop).join(workshop_facilitators)
        .where(workshop_facilitators.c.facilitator_id == facilitator.id, Workshop.id != workshop.id,
               Workshop.starts_on < workshop.starts_on)
        .order_by(Workshop.starts_on.desc(), Workshop.id.desc(), PolicyArea.position)
    ).all()
    wanted = same_title(area.title)
    return [{"workshop": other.workshop, "area": other, "themes": shared_themes(other.board)}
            for other in areas if same_title(other.title) == wanted]
