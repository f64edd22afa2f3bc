"""The board's CSV export never hands a spreadsheet a formula: a cell that would begin with =, +,
-, @, a tab or a carriage return is neutralised (OWASP: a leading single quote), and the text that
was typed is still all there."""
import csv
import io

import pytest

from workshop.boards import services as boards
from workshop.extensions import db
from workshop.reports.views import spreadsheet_safe

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TYPED = ['=HYPERLINK("http://evil.example", "details")', "+1+2", "-2+3", "@SUM(1;2)"]


@pytest.fixture
def board_with_formulas(make_workshop, make_participant):
    workshop = make_workshop(cities=("Glasgow",))
    board = workshop.policy_areas[0].board
    mallory = make_participant(workshop, "=cmd|' /C calc'!A0", "@Evil city")
    cards = [boards.add_card(mallory, board, "problem", text)[0] for text in TYPED]
    merged, _ = boards.add_card(mallory, board, "problem", "-merged part")
    boards.merge_cards(workshop.facilitators[0], merged, cards[0])
    db.session.commit()
    return workshop, board


def spreadsheet_rows(client, board):
    """The export read as a spreadsheet reads CSV: every cell, in order."""
    return list(csv.reader(io.StringIO(client.get(f"/boards/{board.id}/export.csv").data.decode("utf-8-sig"))))


def test_no_cell_of_the_export_starts_a_formula_and_the_typed_text_stays(client, auth, board_with_formulas):
    workshop, board = board_with_formulas
    auth.as_user(workshop.facilitators[0])
    header, *rows = spreadsheet_rows(client, board)
    cells = [cell for row in rows for cell in row]
    assert cells and not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    shown = {cell[1:] if cell.startswith("'") else cell for cell in cells}
    for typed in TYPED + ["=cmd|' /C calc'!A0", "@Evil city"]:
        assert typed in shown, typed
    merged_from = {row[header.index("merged_from")] for row in rows}
    assert "'-merged part" in merged_from


@pytest.mark.parametrize("typed", ["=1+1", "+1", "-1", "@A1", "\tTab", "\rReturn"])
def test_every_formula_start_is_neutralised(typed):
    assert spreadsheet_safe(typed) == "'" + typed


@pytest.mark.parametrize("value", ["Families miss support", "1+1=2", "", 3, None, "'already quoted"])
def test_other_cells_are_left_as_they_are(value):
    assert spreadsheet_safe(value) == value
