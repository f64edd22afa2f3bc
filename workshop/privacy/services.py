"""What a workshop holds, and the three privacy changes: export it, delete it, anonymise oneself.

A row belongs to a workshop when a chain of foreign keys leads from it to that workshop's row
(a vote -> its board -> its policy area -> the workshop). The chains are read from the tables
themselves, and export and deletion walk the same ones, so a table added later is exported and
deleted without anyone having to remember it."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from ..errors import Forbidden, Refused
from ..extensions import db
from ..models import ProgressUpdate, Workshop, utcnow
from ..access import require_runs
from ..synthesis.services import forget_unused_vectors
from ..workshops.services import may_delete, renamed_on_cards

# Credentials, not data about anyone: a password hash, the share link's token, which would let whoever
# holds a copy of the export download the city's reports, and the update links' tokens, which would let them
# write the city's progress. An export is a file that travels.
LEFT_OUT = {"facilitators": {"password_hash"}, "commitments": {"share_token"}, "update_links": {"token"}}

# What an anonymised participant is called, on their cards and everywhere else their name showed.
ANONYMOUS_NAME = "Anonymous participant"


# Which rows belong to a workshop -------------------------------------------------------------

def owning_keys():
    """{table: the foreign key that leads from it towards its workshop} for every table whose rows
    belong to a workshop (the workshops table itself maps to None)."""
    workshops = Workshop.__table__
    owners = {workshops: None}
    # Parents come before children in `sorted_tables`, so one pass finds every chain. A key that every row
    # fills comes first: an optional one (an update's author, when a link wrote it) would leave rows out.
    for table in db.metadata.sorted_tables:
        for key in sorted(table.foreign_keys, key=lambda key: (key.parent.nullable, key.parent.name)):
            if table not in owners and key.column.table is not table and key.column.table in owners:
                owners[table] = key
    return owners


def belongs(table, workshop_id, owners):
    """A condition on `table` true for the rows of the workshop."""
    key = owners[table]
    if key is None:
        return table.c.id == workshop_id
    parent = key.column.table
    return key.parent.in_(select(key.column).where(belongs(parent, workshop_id, owners)))


def named_by(table, workshop_id, owners):
    """A condition on a table the workshop does not own (facilitator accounts) true for the rows
    that the workshop's rows point to (its facilitators, its creator); None if none can."""
    pointers = [
        key.column.in_(select(key.parent).where(belongs(owned, workshop_id, owners)))
        for owned in owners
        for key in owned.foreign_keys
        if key.column.table is table
    ]
    return or_(*pointers) if pointers else None


# Export --------------------------------------------------------------------------------------

def export_workshop(actor, workshop):
    """Every row the workshop holds, table by table, as stored (credentials left out)."""
    require_runs(actor, workshop)
    owners = owning_keys()
    tables = {}
    for table in db.metadata.sorted_tables:
        condition = belongs(table, workshop.id, owners) if table in owners else named_by(table, workshop.id, owners)
        if condition is None:
            continue
        hidden = LEFT_OUT.get(table.name, set())
        columns = [column for column in table.columns if column.name not in hidden]
        rows = db.session.execute(select(*columns).where(condition).order_by(*table.primary_key.columns))
        tables[table.name] = [{name: _plain(value) for name, value in row._mapping.items()} for row in rows]
    return {
        "format": "workshop-export/1",
        "exported_at": _plain(utcnow()),
        "workshop_id": workshop.id,
        "left_out": sorted(f"{table}.{column}" for table, columns in LEFT_OUT.items() for column in columns),
        "tables": tables,
    }


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat() + "Z"  # stored in UTC without a zone
    if isinstance(value, date):
        return value.isoformat()
    return value


# Deletion ------------------------------------------------------------------------------------

def require_owner(actor, workshop):
    if not may_delete(actor, workshop):
        raise Forbidden("not_owner", _l("Only the facilitator who created this workshop can delete it."))


def delete_workshop(actor, workshop, typed_title):
    """Delete the workshop and every row that belongs to it, in one transaction. `typed_title` must
    be its title (spaces and letter case aside): a deletion cannot be undone.

    Returns what the caller needs afterwards to clear up outside the database: the ids of its
    boards and participants."""
    require_owner(actor, workshop)
    if " ".join((typed_title or "").split()).casefold() != " ".join(workshop.title.split()).casefold():
        raise Refused("title_mismatch", _l("Type the workshop's title exactly to confirm."), field="title")
    boards = [area.board.id for area in workshop.policy_areas]
    participants = [participant.id for participant in workshop.participants]
    workshop_id, owners = workshop.id, owning_keys()
    # Children first, while the parents their condition goes through are still there.
    for table in reversed(db.metadata.sorted_tables):
        if table in owners:
            db.session.execute(delete(table).where(belongs(table, workshop_id, owners)))
    # Card vectors belong to texts, not to a workshop: those no card says any more go with it.
    forget_unused_vectors()
    db.session.commit()
    return boards, participants


# Anonymise me --------------------------------------------------------------------------------

def require_participant(actor, workshop):
    if not workshop.has_participant(actor):
        raise Forbidden("not_participant", _l("Only this workshop's participants can do that."))


def anonymise(actor, workshop):
    """The participant's name becomes ANONYMOUS_NAME everywhere it shows; their cards stay, and so
    do they. Frozen commitment versions keep the names they were finalised with. Returns a
    `card_edited` event for every live card that showed the name (their own, and the cards theirs
    were merged into), for the caller to broadcast."""
    require_participant(actor, workshop)
    actor.display_name = ANONYMOUS_NAME
    # Progress updates keep the name they were written under (a link holder's is typed): theirs too.
    db.session.execute(update(ProgressUpdate).where(ProgressUpdate.by_participant_id == actor.id)
                       .values(author_name=ANONYMOUS_NAME))
    events = renamed_on_cards([actor.id])
    db.session.commit()
    return events
