"""Exporter: every formula trigger is neutralised in CSV and XLSX, text is kept."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.export import FORMULA_TRIGGERS, escape_cell, to_csv_bytes, to_xlsx_bytes
from tests.analysis.fixture_project import load_fixture_result

DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-5% budget",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_escape_cell_prefixes_formula_triggers(text: str) -> None:
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain answer", "", "a=b", " =x", 42, -5, 3.5, None, True])
def test_escape_cell_leaves_safe_values_alone(value) -> None:
    assert escape_cell(value) == value


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "answer": [*DANGEROUS, "I use it for <b>emails</b>", None],
            "n": [*range(len(DANGEROUS)), np.int64(7), -3],
            "share": [*[0.5] * (len(DANGEROUS) + 1), float("nan")],
            "quotes": [["=a", "b"], *[[]] * (len(DANGEROUS) + 1)],
        }
    )


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_csv_escapes_and_round_trips_text() -> None:
    frame = _frame()
    raw = to_csv_bytes(frame)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["answer", "n", "share", "quotes"]
    answers = [r[0] for r in rows[1:]]
    for original, written in zip(DANGEROUS, answers, strict=False):
        assert written == "'" + original
    assert answers[len(DANGEROUS)] == "I use it for <b>emails</b>"
    text_cells = [cell for row in rows for cell in row if not _is_number(cell)]
    assert not any(cell.startswith(FORMULA_TRIGGERS) for cell in text_cells)
    assert rows[-1][1] == "-3"  # numbers are numbers, not escaped text


def test_xlsx_has_no_formula_cells_and_keeps_text() -> None:
    frame = _frame()
    payload = to_xlsx_bytes({"Coded answers": frame, "bad/name:*?": frame.head(2)})
    workbook = load_workbook(io.BytesIO(payload))
    assert workbook.sheetnames == ["Coded answers", "badname"]
    sheet = workbook["Coded answers"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    answers = [row[0].value for row in sheet.iter_rows(min_row=2)]
    for original, written in zip(DANGEROUS, answers, strict=False):
        assert written.replace("\r", "") == ("'" + original).replace("\r", "")
    assert sheet.cell(row=2, column=4).value == "'=a; b"
    assert sheet.cell(row=len(DANGEROUS) + 3, column=2).value == -3
    assert sheet.cell(row=len(DANGEROUS) + 3, column=3).value is None
    assert all(
        not str(cell.value).startswith(FORMULA_TRIGGERS)
        for cell in cells
        if isinstance(cell.value, str)
    )


def test_xlsx_sheet_names_are_unique_and_short() -> None:
    long_name = "Participants filtered by a very long description"
    payload = to_xlsx_bytes({long_name: pd.DataFrame({"a": [1]}), long_name[:31]: pd.DataFrame()})
    names = load_workbook(io.BytesIO(payload)).sheetnames
    assert len(names) == 2 and len(set(n.lower() for n in names)) == 2
    assert all(len(n) <= 31 for n in names)


def test_fixture_answers_are_escaped_in_both_formats() -> None:
    segments = load_fixture_result().segments[["transcript_id", "question", "answer"]]
    risky = segments["answer"].str.startswith(FORMULA_TRIGGERS)
    assert risky.sum() == 3  # "=SUM(...)", "-5% budget", "@clients"
    rows = list(csv.reader(io.StringIO(to_csv_bytes(segments).decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == [
        ("'" + a if r else a) for a, r in zip(segments["answer"], risky, strict=True)
    ]
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes({"answers": segments})))["answers"]
    assert [c.value for c in sheet["C"][1:]] == [r[2] for r in rows[1:]]
    assert all(c.data_type == "s" for c in sheet["C"])
