"""PII redaction (T17): emails, phones, URLs and names become per-participant pseudonyms."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.export import to_csv_bytes, to_xlsx_bytes
from analysis.filters import FilterSpec, apply_filters
from analysis.redact import Pseudonyms, find_pii, first_names, redact_result, redact_text
from tests.app.fixture_result import build_result

PII_ANSWER = (
    "Sarah Jones (sarah.jones@acme-health.co.uk, +44 20 7946 0958) reviews it; "
    "our wiki is https://intranet.acme-health.co.uk/ai-policy. Later Sarah said to call "
    "415-555-0132, and Dr. Okafor agreed."
)
SEEDED = ["Sarah", "Jones", "sarah.jones@acme-health.co.uk", "7946 0958", "415-555-0132",
          "intranet.acme-health", "Okafor"]


def test_each_kind_is_found_and_replaced_with_a_numbered_placeholder() -> None:
    redacted = redact_text(PII_ANSWER, "p1")
    assert redacted == (
        "[NAME-1] ([EMAIL-1], [PHONE-1]) reviews it; our wiki is [URL-1]. Later [NAME-1] "
        "said to call [PHONE-2], and [NAME-2] agreed."
    )
    assert {m.kind for m in find_pii(PII_ANSWER)} == {"NAME", "EMAIL", "PHONE", "URL"}


def test_pseudonyms_are_stable_within_a_participant_and_fresh_for_the_next() -> None:
    pseudonyms = Pseudonyms()
    first = pseudonyms.redact("Priya emailed priya@x.org, then Tom Baker called.", "p1")
    again = pseudonyms.redact("Tom and Priya again; write to priya@x.org.", "p1")
    other = pseudonyms.redact("Tom Baker is my manager.", "p2")
    assert first == "[NAME-1] emailed [EMAIL-1], then [NAME-2] called."
    assert again == "[NAME-2] and [NAME-1] again; write to [EMAIL-1]."
    assert other == "[NAME-1] is my manager."
    assert pseudonyms.replaced == {"NAME": 3, "EMAIL": 1}  # distinct people and addresses
    assert pseudonyms.scopes == {"p1", "p2"}


@pytest.mark.parametrize(
    "text",
    [
        "I saved 3.5 hours in 2023-2024 on about 1,000 cases (ratio 12-14).",
        "Between 2019 2020 2021 we tripled output.",
        "I use Claude and Gemini; in May the team uses Copilot with Grace periods.",
        "Will it replace junior analysts? Mark my words, the job changes.",
    ],
)
def test_ordinary_numbers_months_and_ai_products_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_the_gazetteer_is_offline_and_leaves_common_words_out() -> None:
    names = first_names()
    assert len(names) > 5000
    assert {"sarah", "priya", "tom", "wei", "giulia"} <= names
    assert not {"may", "will", "grace", "claude", "alexa", "mark"} & names


def _pii_result():
    result = build_result()
    segments = result.segments.copy()
    first = segments.index[segments["transcript_id"] == "work_001"][0]
    original = segments.at[first, "answer"]
    segments.at[first, "answer"] = PII_ANSWER
    turns = result.turns.copy()
    turns.loc[turns["text"] == original, "text"] = PII_ANSWER
    assignments = result.assignments.copy()
    assignments.loc[assignments["transcript_id"] == "work_001", "evidence"] = "Sarah Jones"
    topics = result.topics.copy()
    topics.at[topics.index[topics["topic_id"] == 0][0], "representative_quotes"] = [PII_ANSWER]
    topics.loc[topics["topic_id"] == 0, "top_words"] = "email, sarah, client"
    topics.loc[topics["topic_id"] == 0, "label"] = "Emails to sarah.jones@acme-health.co.uk"
    result.segments, result.turns, result.assignments, result.topics = (
        segments, turns, assignments, topics)
    return result


def test_redact_result_covers_answers_turns_evidence_quotes_and_topic_text() -> None:
    redacted, log = redact_result(_pii_result())
    answer = redacted.segments.loc[redacted.segments["transcript_id"] == "work_001", "answer"]
    assert answer.iloc[0].startswith("[NAME-1] ([EMAIL-1], [PHONE-1])")
    turn_text = redacted.turns.loc[redacted.turns["transcript_id"] == "work_001", "text"]
    assert answer.iloc[0] in set(turn_text)
    evidence = redacted.assignments.loc[redacted.assignments["transcript_id"] == "work_001"]
    assert set(evidence["evidence"]) == {"[NAME-1]"}  # the same person as in the answer
    topic = redacted.topics[redacted.topics["topic_id"] == 0].iloc[0]
    assert topic["representative_quotes"] == [answer.iloc[0]]
    assert topic["top_words"] == "email, [NAME-1], client"
    assert topic["label"] == "Emails to [EMAIL-1]"
    # work_001's email, site, 2 phones and 2 people; the label's email and keyword name;
    # the fixture's hostile answer (work_006) holds two links
    assert log.replaced == {"EMAIL": 2, "URL": 3, "PHONE": 2, "NAME": 3}
    assert log.participants == 2
    assert log.describe() == (
        "Replaced 2 emails, 3 urls, 2 phones, 3 names in the text of 2 participant(s).")
    # participants without PII keep their text as it was
    untouched = build_result()
    clean = ~untouched.segments["transcript_id"].isin(["work_001", "work_006"])
    pd.testing.assert_frame_equal(redacted.segments[clean], untouched.segments[clean])


def test_exports_of_a_redacted_result_hold_no_seeded_pii() -> None:
    from ui.state import ActiveProject
    from ui.widgets import PageContext, coded_answers, participants_table

    redacted, _ = redact_result(_pii_result())
    spec = FilterSpec()
    ctx = PageContext(project=ActiveProject("p", redacted, "fp.redacted"), spec=spec,
                      view=apply_filters(redacted, spec), filters_text="", min_group_size=5,
                      presentation=False)
    answers, people = coded_answers(ctx), participants_table(ctx)
    csv_text = to_csv_bytes(answers).decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(to_xlsx_bytes({"a": answers, "p": people})))
    cells = " ".join(str(c.value) for sheet in workbook for row in sheet.iter_rows()
                     for c in row)
    for text in (csv_text, cells):
        assert "[EMAIL-1]" in text and "[NAME-1]" in text
        for seeded in SEEDED:
            assert seeded not in text, seeded
    # and the same export without redaction does carry them (the test can fail)
    raw = _pii_result()
    raw_ctx = PageContext(project=ActiveProject("p", raw, "fp"), spec=spec,
                          view=apply_filters(raw, spec), filters_text="", min_group_size=5,
                          presentation=False)
    assert "sarah.jones@acme-health.co.uk" in to_csv_bytes(coded_answers(raw_ctx)).decode()
