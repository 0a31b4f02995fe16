"""Question × theme, agreement and withdrawal for large projects: SQL equals in-memory.

The demo project (447 answers, 20 question groups) is put into the scale tables with
``write_result_tables``; every SQL table is compared with the in-memory function on the
same filter, withdrawal is checked table by table (the participant's rows gone, every
other row untouched), and the three pages are driven through AppTest on a large project.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.agreement import HumanCoding, compare_coding, parse_human_coding
from analysis.bundle import load_result_dir
from analysis.embedding import text_key
from analysis.embedding.base import normalise_text
from analysis.filters import FilterSpec, apply_filters
from analysis.questions import OTHER_GROUP, normalise_question, question_by_code, question_by_topic
from analysis.results import AnalysisResult
from analysis.scale import queries
from analysis.scale import question_matrix as qm
from analysis.scale.agreement import coded_participants, compare_large
from analysis.scale.convert import write_result_tables
from analysis.scale.schema import SCALE_TABLES
from analysis.scale.withdraw import participant_ids, withdraw_large_participant
from analysis.store import Store
from tests.scale_dashboard.conftest import open_large_project
from ui import large_project, state

DEMO = Path(__file__).resolve().parents[2] / "demo" / "project"
LARGE = "Large demo"
ODD_QUESTION = "İstanbul  office:\u2003how do you use AI there?"
"""Python and DuckDB lower-case it differently: the matrix's Python re-keying path."""
SPECS = [
    FilterSpec(),
    FilterSpec(cohorts=("workforce",)),
    FilterSpec(codes=("outcome.saves_time",)),
    FilterSpec(topics=(1, 4), keyword="check"),
    FilterSpec(keyword="no such words anywhere"),
]


def _demo() -> AnalysisResult:
    """The demo, with a few questions re-worded so the SQL key misses them."""
    result = load_result_dir(DEMO)
    segments = result.segments.copy()
    odd = segments.index[::40]
    segments.loc[odd, "question"] = ODD_QUESTION
    segments.loc[odd, "question_group"] = OTHER_GROUP
    result.segments = segments
    return result


@pytest.fixture(scope="module")
def demo() -> AnalysisResult:
    return _demo()


@pytest.fixture(scope="module")
def tables(demo):
    with Store(":memory:") as store:
        write_result_tables(store, "demo", demo)
        write_result_tables(store, "other", load_result_dir(DEMO))  # another project's rows
        yield store


def _equal(sql: pd.DataFrame, mem: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(sql.reset_index(drop=True), mem.reset_index(drop=True),
                                  check_dtype=False)


def _groups_in_memory(segments: pd.DataFrame) -> pd.DataFrame:
    """``ui.research_view.question_groups_table``'s pandas (that module needs Streamlit)."""
    grouped = segments.groupby("question_group", sort=False)
    table = pd.DataFrame({
        "answers": grouped.size(),
        "interviews": grouped["transcript_id"].nunique(),
        "most asked wording": grouped["question"].agg(lambda q: q.value_counts().index[0]),
    }).reset_index()
    return table.sort_values(["answers", "question_group"], ascending=[False, True],
                             kind="mergesort").reset_index(drop=True)


# --- question × theme ----------------------------------------------------------------------


def test_sql_question_key_is_normalise_question(tables) -> None:
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    texts = [f"A{s}{s}b " for s in spaces] + [spaces + "How DO you\t\nwork?" + spaces,
                                               "", "ǅ ẞ Ünïcode"]
    with tables.locked_connection() as con:
        got = con.execute(f"SELECT {qm.question_key_sql('q')} FROM "
                          "(SELECT unnest($t) AS q, generate_subscripts($t, 1) AS i) ORDER BY i",
                          {"t": texts}).fetchall()
    assert [r[0] for r in got] == [normalise_question(t) for t in texts]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_question_matrix_equals_in_memory(tables, demo, spec: FilterSpec) -> None:
    view = apply_filters(demo, spec)
    for facet in (None, "culture"):
        _equal(qm.question_by_code(tables, "demo", spec, facet),
               question_by_code(view.segments, demo.codebook, facet))
    for top in (15, 3):
        _equal(qm.question_by_topic(tables, "demo", spec, top),
               question_by_topic(view.segments, demo.topics, max_topics=top))
    groups = qm.question_groups_table(tables, "demo", spec)
    if view.segments.empty:
        assert groups.empty and list(groups.columns) == qm.GROUPS_TABLE_COLUMNS
        assert qm.question_by_code(tables, "demo", spec).empty
    else:
        _equal(groups, _groups_in_memory(view.segments))
        assert qm.question_by_code(tables, "demo", spec)["n"].sum() > 0


def test_odd_questions_keep_their_group(tables, demo) -> None:
    """The re-worded answers are counted in their group although DuckDB keys them apart."""
    matrix = qm.question_by_topic(tables, "demo", FilterSpec(), None)
    other = matrix[matrix["question_group"] == OTHER_GROUP]["total"].iloc[0]
    assert other == int((demo.segments["question_group"] == OTHER_GROUP).sum())
    assert qm.has_question_groups(tables, "demo")
    assert not qm.has_question_groups(tables, "nobody")


# --- agreement --------------------------------------------------------------------------------


def _human(demo: AnalysisResult, seed: int) -> HumanCoding:
    rng = random.Random(seed)
    people = list(demo.participants["transcript_id"])
    coded = [*rng.sample(people, 14), "not_in_the_project"]
    codes = {t: {c for c in demo.code_ids if rng.random() < 0.25} for t in coded}
    evidence = {(t, c): f"my quote {i}" for i, t in enumerate(coded) for c in codes[t]}
    return HumanCoding(codes=codes, evidence=evidence)


@pytest.mark.parametrize("spec", SPECS[:3], ids=str)
def test_agreement_report_equals_in_memory(tables, demo, spec: FilterSpec) -> None:
    human = _human(demo, 7)
    view = apply_filters(demo, spec)
    sql = compare_large(tables, "demo", spec, human)
    mem = compare_coding(human, view.participants, demo.codebook, view.assignments)
    _equal(sql.per_code, mem.per_code)
    _equal(sql.disagreements, mem.disagreements)
    assert (sql.n_participants, sql.missing, sql.unknown_codes) == (
        mem.n_participants, mem.missing, mem.unknown_codes)
    assert mem.n_participants > 0 and len(mem.disagreements) > 0


def test_agreement_reads_only_the_coded_participants(tables, demo) -> None:
    data = b'{"transcript_id": "demo_work_01", "codes": ["trigger.wording", "x.unknown"]}\n'
    human = parse_human_coding("mine.jsonl", data)
    people, rows = coded_participants(tables, "demo", FilterSpec(), list(human.codes))
    assert people["transcript_id"].tolist() == ["demo_work_01"]
    assert set(rows["transcript_id"]) == {"demo_work_01"}
    assert len(rows) == int((demo.assignments["transcript_id"] == "demo_work_01").sum())
    report = compare_large(tables, "demo", FilterSpec(), human)
    assert report.n_participants == 1 and report.unknown_codes == ["x.unknown"]


# --- withdrawal -------------------------------------------------------------------------------


def _rows(store: Store) -> dict[str, pd.DataFrame]:
    """Every scale table, whole (a few hundred rows each here)."""
    with store.locked_connection() as con:
        return {t: con.execute(f"SELECT * FROM {t}").df() for t in SCALE_TABLES}


def _quoted_participant(demo: AnalysisResult) -> str:
    """A participant one of whose answers is a topic's representative quote."""
    quotes = {q for qs in demo.topics["representative_quotes"] for q in qs}
    hit = demo.segments[demo.segments["answer"].isin(quotes)]
    return str(hit["transcript_id"].iloc[0])


def test_withdrawal_removes_every_row_of_the_participant_and_nothing_else(tmp_path) -> None:
    demo = load_result_dir(DEMO)
    tid = _quoted_participant(demo)
    theirs = demo.segments[demo.segments["transcript_id"] == tid]
    with Store(tmp_path / "store.duckdb") as store:
        write_result_tables(store, "demo", demo)
        write_result_tables(store, "other", demo)  # same ids and texts in another project
        with store.locked_connection() as con:
            model = con.execute("SELECT model_id FROM scale_projects LIMIT 1").fetchall()[0][0]
            # a streaming-only table (write_result_tables writes scale_transcript_meta)
            con.execute("INSERT INTO scale_topic_rows SELECT project, transcript_id, "
                        "segment_index, topic_id, x, y FROM scale_segments "
                        "WHERE topic_id IS NOT NULL")
        keys = sorted({text_key(a) for a in demo.segments["answer"]})
        store.put_vectors(keys, np.random.default_rng(0).normal(size=(len(keys), 8))
                          .astype(np.float32), model)
        before = _rows(store)
        report = withdraw_large_participant(store, "demo", tid)
        after = _rows(store)

        mine = {t: (f["project"] == "demo") & (f["transcript_id"] == tid)
                for t, f in before.items() if "transcript_id" in f.columns}
        for table, gone in mine.items():
            assert gone.sum() > 0, table  # the test data has rows of theirs everywhere
            kept = before[table][~gone].reset_index(drop=True)
            _equal(after[table], kept)  # exactly their rows are gone, the rest unchanged
        for table in ("scale_codebook", "scale_files", "scale_stages"):
            _equal(after[table], before[table])
        for table in ("scale_topics", "scale_question_groups", "scale_projects"):
            other = before[table]["project"] == "other"
            _equal(after[table][after[table]["project"] == "other"], before[table][other])

        n_turns = int(demo.transcripts.set_index("transcript_id").loc[tid, "n_turns"])
        assert (report.answers, report.assignments, report.turns) == (
            len(theirs), int((demo.assignments["transcript_id"] == tid).sum()), n_turns)
        assert n_turns > 0
        assert "1 participant withdrawn" in report.detail() and tid not in report.detail()
        # every answer text is also in "other": its vectors stay
        assert report.vectors_deleted == 0 and report.vectors_kept_shared > 0

        remaining = demo.segments[demo.segments["transcript_id"] != tid]
        topics = queries.topics(store, "demo").set_index("topic_id")
        sizes = remaining["topic_id"].value_counts()
        assert topics["size"].to_dict() == {int(t): int(sizes.get(t, 0)) for t in topics.index}
        quotes = {normalise_text(q) for qs in topics["representative_quotes"] for q in qs}
        assert not quotes & {normalise_text(a) for a in theirs["answer"]}
        assert report.topics_requoted >= 1
        # replacements are other members' answers
        assert quotes <= {normalise_text(a) for a in remaining["answer"]}
        project = after["scale_projects"].set_index("project").loc["demo"]
        assert (project["n_transcripts"], project["n_segments"]) == (
            len(demo.transcripts) - 1, len(remaining))
        assert json.loads(project["run_json"])["withdrawals"] == 1
        over = queries.overview(store, "demo", FilterSpec())
        assert (over.n_participants, over.n_answers) == (len(demo.participants) - 1,
                                                          len(remaining))
        assert participant_ids(store, "demo", tid) == ([], 0)
        with pytest.raises(KeyError):
            withdraw_large_participant(store, "demo", tid)


def test_withdrawal_deletes_unshared_vectors(tmp_path) -> None:
    demo = load_result_dir(DEMO)
    tid = str(demo.participants["transcript_id"].iloc[5])
    theirs = demo.segments[demo.segments["transcript_id"] == tid]["answer"]
    with Store(tmp_path / "store.duckdb") as store:
        write_result_tables(store, "demo", demo)
        with store.locked_connection() as con:
            model = con.execute("SELECT model_id FROM scale_projects").fetchall()[0][0]
        keys = sorted({text_key(a) for a in demo.segments["answer"]})
        store.put_vectors(keys, np.ones((len(keys), 4), np.float32), model)
        report = withdraw_large_participant(store, "demo", tid, compact=False)
        left = store.get_vectors(keys, model)
    others = demo.segments[demo.segments["transcript_id"] != tid]["answer"]
    shared = {text_key(a) for a in theirs} & {text_key(a) for a in others}
    mine = {text_key(a) for a in theirs} - shared  # a text someone else also said stays
    assert report.vectors_deleted == len(mine) > 0 and not mine & set(left)
    assert report.vectors_kept_shared == len(shared)
    assert set(left) == set(keys) - mine


def test_withdrawal_leaves_no_bytes_of_their_words_in_the_file(tmp_path) -> None:
    """Deleted rows stay readable in DuckDB's freed blocks until the file is rewritten."""
    from tests.team.forensics import occurrences

    marker = "Zanzibar-quokka-7781"
    demo = load_result_dir(DEMO)
    tid = str(demo.participants["transcript_id"].iloc[4])
    segments, assignments = demo.segments.copy(), demo.assignments.copy()
    row = segments.index[segments["transcript_id"] == tid][0]
    segments.loc[row, "answer"] += f" My code name is {marker}."
    coded = assignments.index[assignments["transcript_id"] == tid][0]
    assignments.loc[coded, "evidence"] = f"code name is {marker}"
    demo.segments, demo.assignments = segments, assignments
    path = tmp_path / "store.duckdb"
    store = Store(path)
    write_result_tables(store, "demo", demo)
    with store.locked_connection() as con:
        con.execute("CHECKPOINT")
    assert occurrences(path.read_bytes(), marker) > 0  # the scanner sees it while stored
    withdraw_large_participant(store, "demo", tid, compact=False)
    with store.locked_connection() as con:
        con.execute("CHECKPOINT")
    assert occurrences(path.read_bytes(), marker) > 0  # deleted, but still in the file
    store.compact()
    store.close()
    data = path.read_bytes()
    assert occurrences(data, marker) == 0 and data.count(tid.encode()) == 0


# --- the pages --------------------------------------------------------------------------------


def _store_file(path: Path) -> Path:
    with Store(path) as store:
        write_result_tables(store, LARGE, _demo())
    return path


@pytest.fixture(scope="module")
def page_store(tmp_path_factory) -> Path:
    return _store_file(tmp_path_factory.mktemp("qat") / "store.duckdb")


def _opener(path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], AppTest]:
    monkeypatch.setenv("INTERVIEW_LENS_STORE", str(path))

    def _open(page: str) -> AppTest:
        at = open_large_project(page)
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


def _shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_question_page_draws_the_sql_matrix(page_store, monkeypatch) -> None:
    at = _opener(page_store, monkeypatch)("app_pages/questions.py")
    assert large_project.NOT_AVAILABLE not in _shown(at)
    assert len(at.get("vega_lite_chart")) == 1
    groups = at.dataframe[0].value
    assert int(groups["answers"].sum()) == len(load_result_dir(DEMO).segments)
    at.segmented_control(key=state.page_key("questions", "themes")).set_value("Topics").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 1


def test_agreement_page_compares_in_sql(page_store, monkeypatch) -> None:
    at = _opener(page_store, monkeypatch)("app_pages/agreement.py")
    assert large_project.NOT_AVAILABLE not in _shown(at)
    demo = load_result_dir(DEMO)
    people = demo.participants.iloc[:6]
    records = [{"transcript_id": t, "codes": [] if flag else ["trigger.wording"]}
               for t, flag in zip(people["transcript_id"], people["trigger.wording"],
                                  strict=True)]
    data = "\n".join(json.dumps(r) for r in records).encode()
    at.file_uploader(key=state.page_key("agreement", "file")).set_value(
        [("mine.jsonl", data, "application/octet-stream")]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert next(m.value for m in at.metric if m.label == "Participants compared") == "6"
    table = at.dataframe[0].value.set_index("code")
    assert table.loc["trigger.wording", "both_yes"] == 0  # the opposite of ours, everywhere
    assert table.loc["trigger.wording", "human_yes"] + table.loc["trigger.wording",
                                                                 "auto_yes"] == 6


def test_team_page_withdraws_from_a_large_project_and_audits(tmp_path, monkeypatch) -> None:
    path = _store_file(tmp_path / "store.duckdb")
    demo = load_result_dir(DEMO)
    tid = str(demo.participants["transcript_id"].iloc[2])
    at = _opener(path, monkeypatch)("app_pages/team.py")
    assert large_project.NOT_AVAILABLE not in _shown(at)
    go = "team.withdraw.go"
    at.text_input(key="team.withdraw.search").input(tid[:-1]).run()
    at.selectbox(key="team.withdraw.pick").set_value(tid).run()
    assert at.button(key=go).disabled  # not confirmed yet
    at.text_input(key="team.withdraw.confirm").input(tid).run()
    at.button(key=go).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("1 participant withdrawn" in s.value for s in at.success)
    audit = at.dataframe[-1].value
    withdrawn = audit[audit["action"] == "withdraw"]
    assert len(withdrawn) == 1 and withdrawn["project"].iloc[0] == LARGE
    assert tid not in withdrawn["detail"].iloc[0]
    from ui import cache

    store = cache.get_store(str(path))
    assert participant_ids(store, LARGE, tid) == ([], 0)
    over = queries.overview(store, LARGE, FilterSpec())
    assert over.n_participants == len(demo.participants) - 1
    store.close()
    cache.get_store.clear()


def test_question_page_says_how_to_group_a_large_project_without_groups(tmp_path,
                                                                         monkeypatch) -> None:
    from tests.app.fixture_result import build_result

    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        write_result_tables(store, LARGE, build_result())  # analysed before question groups
    at = _opener(path, monkeypatch)("app_pages/questions.py")
    assert any("--streaming" in str(i.value) for i in at.info)
    assert not at.get("vega_lite_chart")
