"""The converted pages on a ~200k-answer large project: they render and show the right numbers.

Expected numbers come from the synthetic project's formulas (numpy), not from the tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.scale.synthetic_tables import CODES, COHORTS, GROUPS, KEYWORD, expected_arrays
from tests.scale_dashboard.conftest import LARGE, N_ANSWERS, N_PEOPLE
from ui import large_project, state

X = expected_arrays(N_ANSWERS, N_PEOPLE)
PEOPLE = np.arange(N_PEOPLE)


def _flags() -> tuple[np.ndarray, np.ndarray]:
    pairs = np.unique(X["participant"][X["code_answer"]] * len(CODES) + X["code_index"])
    return pairs // len(CODES), pairs % len(CODES)


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_the_upload_page_lists_and_opens_the_large_project(open_large) -> None:
    at = open_large()
    _ok(at)
    assert at.session_state[state.ACTIVE_PROJECT] == LARGE
    assert at.session_state[state.ACTIVE_LARGE] is True
    shell = at.session_state[state.ACTIVE_RESULT]
    assert shell.segments.empty and shell.participants.empty  # nothing big in memory
    assert list(shell.codebook["code"]) == list(CODES)
    cohort = at.multiselect(key=state.WIDGET_PREFIX + state.F_COHORTS)
    sizes = dict(zip(COHORTS, np.bincount(PEOPLE % 3).tolist(), strict=True))
    assert cohort.options == [f"{c} ({sizes[c]:,} people)" for c in sorted(COHORTS)]  # SQL


def test_overview_counts_in_the_database(open_large) -> None:
    at = open_large("app_pages/overview.py")
    _ok(at)
    values = {m.label: m.value for m in at.metric}
    assert values["Participants"] == f"{N_PEOPLE:,}"
    assert values["Answers"] == f"{N_ANSWERS:,}"
    assert values["Topics"] == "10"
    known = (PEOPLE % 7 != 6).mean()
    assert values["With a known role"] == f"{known:.0%}"
    assert len(at.get("vega_lite_chart")) == 1
    assert "CLI" in _text(at)  # exports: the CLI's job, said plainly


def test_overview_follows_the_sidebar_filters(open_large) -> None:
    at = open_large("app_pages/overview.py")
    at.multiselect(key=state.WIDGET_PREFIX + state.F_COHORTS).select(COHORTS[1])
    at.text_input(key=state.WIDGET_PREFIX + state.F_KEYWORD).input(KEYWORD).run()
    _ok(at)
    kept = (PEOPLE % 3 == 1) & (np.bincount(X["participant"][X["keyword"]],
                                            minlength=N_PEOPLE) > 0)
    values = {m.label: m.value for m in at.metric}
    assert values["Participants"] == f"{int(kept.sum()):,}"
    assert values["Answers"] == f"{int(kept[X['participant']].sum()):,}"
    assert f"{int(kept.sum())} of {N_PEOPLE} participants" in _text(at)


@pytest.mark.parametrize(("page", "facet"), [("app_pages/triggers.py", "trigger"),
                                              ("app_pages/patterns.py", "pattern"),
                                              ("app_pages/culture.py", "culture"),
                                              ("app_pages/outcomes.py", "outcome")])
def test_facet_pages_show_shares_and_paged_evidence_with_roles(open_large, page, facet) -> None:
    at = open_large(page)
    _ok(at)
    table = at.dataframe[0].value
    _, which = _flags()
    expected = np.bincount(which, minlength=len(CODES))
    mine = [i for i, c in enumerate(CODES) if c.startswith(facet + ".")]
    assert table["code"].tolist() == [CODES[i] for i in mine]
    assert table["n"].tolist() == expected[mine].tolist()
    assert (table["total"] == N_PEOPLE).all()
    quotes = [c.value for c in at.caption if " · " in str(c.value)]
    assert len(quotes) == 20  # one page of evidence, each with who said it
    assert any(g.replace(",", "\\,") in q or g in q for q in quotes for g in GROUPS)
    pager = at.number_input(key=state.page_key(facet, "page"))
    first = quotes[0]
    pager.set_value(3).run()
    _ok(at)
    assert next(c.value for c in at.caption if " · " in str(c.value)) != first


def test_facet_split_by_group_hides_small_groups(open_large) -> None:
    at = open_large("app_pages/triggers.py")
    at.multiselect(key=f"{state.WIDGET_PREFIX}{state.F_CODES}.trigger").select(CODES[1])
    at.multiselect(key=state.WIDGET_PREFIX + state.F_COHORTS).select(COHORTS[0]).run()
    _ok(at)
    who, which = _flags()
    kept = (PEOPLE % 3 == 0) & np.isin(PEOPLE, who[which == 1])
    assert at.dataframe[0].value["total"].iloc[0] == int(kept.sum())
    at.segmented_control(key=state.page_key("trigger", "split")).set_value(
        "Occupation group").run()
    _ok(at)
    assert len(at.get("vega_lite_chart")) == 2


def test_topics_page_sizes_map_and_paged_quotes(open_large) -> None:
    at = open_large("app_pages/topics.py")
    _ok(at)
    table = at.dataframe[0].value
    counts = np.bincount(X["topic"] + 1, minlength=11)
    assert dict(zip(table["topic_id"], table["answers in view"], strict=True)) == {
        t - 1: int(n) for t, n in enumerate(counts)}
    assert len(at.get("vega_lite_chart")) == 3  # sizes, map sample, topic x cohort
    assert "a fixed sample of 3,000 of 200,000 answers" in str(at.get("vega_lite_chart")[1]
                                                              .proto.spec)
    assert any("answer(s) in view in this topic" in str(c.value) for c in at.caption)
    assert len([c for c in at.caption if "Question" in str(c.value)]) == 5  # one page


def test_quotes_page_pages_through_answers(open_large) -> None:
    at = open_large("app_pages/quotes.py")
    _ok(at)
    assert f"{N_ANSWERS:,} answer(s)" in _text(at)
    who = [str(c.value) for c in at.caption if " · " in str(c.value)]
    assert len(who) == 20 and who[0].startswith("p0000000")
    at.text_input(key=state.page_key("quotes", "q")).input(KEYWORD).run()
    _ok(at)
    assert f"{int(X['keyword'].sum()):,} answer(s)" in _text(at)
    at.number_input(key=state.page_key("quotes", "page")).set_value(2).run()
    _ok(at)
    shown = [str(m.value) for m in at.markdown if str(m.value).startswith("Answer")]
    assert len(shown) == 20 and all(KEYWORD in m for m in shown)
    at.number_input(key=state.page_key("quotes", "page")).set_value(150).run()
    at.text_input(key=state.page_key("quotes", "q")).input("answer 1000").run()
    _ok(at)  # fewer pages now: the stale page 150 falls back to the first page
    hits = sum(str(j).startswith("1000") for j in range(N_ANSWERS))
    assert f"{hits:,} answer(s)" in _text(at) and hits < 150 * 20
    assert at.number_input(key=state.page_key("quotes", "page")).value == 1


def test_pages_of_quotes_are_redacted_per_participant(monkeypatch) -> None:
    from ui import large_pages

    topics = pd.DataFrame({"topic_id": [0], "label": ["[NAME-1] topic"], "top_words": ["w"],
                           "representative_quotes": [[]]})
    page = pd.DataFrame({"transcript_id": ["a", "b"], "topic_id": [0, 0],
                         "topic_label": ["Sarah topic", "Sarah topic"],
                         "answer": ["Mail me at sam@example.org", "Call 0207 946 0958"],
                         "question": ["", ""]})
    out = large_pages.redacted(page, topics)
    assert out["answer"].tolist() == ["Mail me at [EMAIL-1]", "Call [PHONE-1]"]
    assert out["topic_label"].tolist() == ["[NAME-1] topic"] * 2  # the redacted shell's
    assert page["answer"].iloc[0].endswith("example.org")  # the cached page is not touched


def test_cooccurrence_page_draws_from_sql(open_large) -> None:
    at = open_large("app_pages/cooccurrence.py")
    _ok(at)
    assert len(at.get("vega_lite_chart")) == 1


def test_every_page_is_available_the_codebook_too(open_large) -> None:
    at = open_large("app_pages/codebook.py")  # re-coding: test_large_exports_recode.py
    _ok(at)
    assert not any(large_project.NOT_AVAILABLE in str(i.value) for i in at.info)
    assert at.button(key="codebook.recode").label == "Re-run coding"


def test_opening_a_saved_project_leaves_the_large_path(open_large) -> None:
    at = open_large("app_pages/upload.py")
    at.button(key="upload.open").click().run()
    _ok(at)
    assert at.session_state[state.ACTIVE_PROJECT] == "Demo (synthetic)"
    assert state.ACTIVE_LARGE not in at.session_state
    at.switch_page("app_pages/participants.py").run()
    _ok(at)
    assert not any(large_project.NOT_AVAILABLE in str(i.value) for i in at.info)
