"""Batch rules: metadata, interviewer override, duplicates, id collisions, tables, progress."""

from __future__ import annotations

from analysis.ingest import (
    IngestOptions,
    apply_interviewer_override,
    ingest_blobs,
    ingest_paths,
    speaker_summary,
)
from analysis.ingest.tables import files_frame, segments_frame, transcripts_frame, turns_frame
from analysis.segment import segment_transcripts
from analysis.tables import FILES_COLUMNS, SEGMENTS_COLUMNS, TRANSCRIPTS_COLUMNS, TURNS_COLUMNS
from tests.ingest.helpers import INGEST_FIXTURES, fixture_bytes, make_xlsx

QA = fixture_bytes("qa_teacher.txt")
NAMES = fixture_bytes("names_only.txt")


def test_metadata_adds_attributes_normalises_role_and_reports_unmatched_keys() -> None:
    result = ingest_paths(
        [INGEST_FIXTURES / "header_nurse.txt", INGEST_FIXTURES / "qa_teacher.txt"],
        metadata=INGEST_FIXTURES / "metadata.csv",
    )
    by_id = {t.transcript_id: t for t in result.transcripts}
    assert by_id["qa_teacher"].attributes == {
        "role": "Secondary science teacher",
        "interview_date": "2025-03-14",
    }
    assert by_id["qa_teacher"].cohort == "education"
    assert by_id["nurse_014"].cohort == "clinical"
    assert result.metadata_unmatched == ["ghost_999"]
    frame = transcripts_frame(result)
    assert list(frame.columns) == [
        *TRANSCRIPTS_COLUMNS,
        "attr.date",
        "attr.interview_date",
        "attr.role",
    ]
    assert frame.set_index("transcript_id").loc["qa_teacher", "attr.date"] == ""


def test_metadata_from_xlsx_with_a_job_title_header() -> None:
    meta = make_xlsx([["Transcript ID", "Job Title", "Seniority"], ["QA_TEACHER", "Teacher", "5"]])
    result = ingest_blobs([("qa_teacher.txt", QA)], metadata=("meta.xlsx", meta))
    assert result.transcripts[0].attributes == {"role": "Teacher", "seniority": "5"}
    assert result.metadata_unmatched == []


def test_unreadable_metadata_is_a_warning_not_a_failure() -> None:
    result = ingest_blobs([("qa.txt", QA)], metadata=("meta.csv", b"\x00\x01\x02"))
    assert len(result.transcripts) == 1
    assert result.warnings == ["metadata file meta.csv not used: binary file, not text"]


def test_interviewer_override_per_transcript_and_for_all() -> None:
    auto = ingest_blobs([("names.txt", NAMES), ("qa.txt", QA)])
    assert [t.interviewer_speaker for t in auto.transcripts] == ["Jordan", "Q"]

    one = ingest_blobs(
        [("names.txt", NAMES), ("qa.txt", QA)],
        options=IngestOptions(interviewer_override={"names": "elif"}),
    )
    assert [t.interviewer_speaker for t in one.transcripts] == ["Elif", "Q"]
    assert one.transcripts[0].participant_turns[0].speaker == "Jordan"

    everyone = ingest_blobs(
        [("names.txt", NAMES), ("qa.txt", QA)],
        options=IngestOptions(interviewer_override={"*": "A"}),
    )
    assert [t.interviewer_speaker for t in everyone.transcripts] == ["Jordan", "A"]
    assert "names: interviewer override 'A' names no speaker" in everyone.files[0].reason


def test_override_after_parsing_and_speaker_summary() -> None:
    result = ingest_blobs([("names.txt", NAMES)])
    summary = speaker_summary(result)
    columns = ["transcript_id", "speaker", "role", "n_turns", "n_questions"]
    assert list(summary.columns) == columns
    assert summary.values.tolist() == [
        ["names", "Jordan", "interviewer", 3, 3],
        ["names", "Elif", "participant", 3, 0],
    ]
    messages = apply_interviewer_override(result, {"names": "Elif", "other": "X"})
    assert messages == []
    assert result.transcripts[0].interviewer_speaker == "Elif"
    assert speaker_summary(result)["role"].tolist() == ["participant", "interviewer"]
    assert apply_interviewer_override(result, {"*": "Nobody"}) == [
        "names: no speaker named 'Nobody'"
    ]


def test_duplicates_are_reported_once_and_left_out() -> None:
    reformatted = QA.replace(b"\n", b"\r\n").replace(b"A: Yes.", b"A:   YES.")
    result = ingest_blobs([("a.txt", QA), ("b.txt", reformatted), ("c.txt", QA), ("d.txt", NAMES)])
    assert [t.transcript_id for t in result.transcripts] == ["a", "d"]
    assert result.duplicates == [("a", "b"), ("a", "c")]
    assert [f.transcripts for f in result.files] == [1, 1, 1, 1]
    assert "2 duplicate transcript(s) left out" in result.warnings


def test_colliding_ids_get_a_suffix_and_a_message() -> None:
    other = QA.replace(b"chemistry", b"biology")
    result = ingest_blobs([("x/interview.txt", QA), ("y/interview.txt", other)])
    assert [(t.transcript_id, t.cohort) for t in result.transcripts] == [
        ("interview", "x"),
        ("interview_2", "y"),
    ]
    assert result.warnings == [
        "transcript id 'interview' used more than once; "
        "the copy from y/interview.txt is now 'interview_2'"
    ]


def test_tables_follow_the_column_contracts() -> None:
    result = ingest_blobs([("qa.txt", QA), ("bad.txt", b"")])
    segments = segment_transcripts(result.transcripts)
    assert list(files_frame(result).columns) == FILES_COLUMNS
    assert files_frame(result)["transcripts"].tolist() == [1, 0]
    assert list(turns_frame(result).columns) == TURNS_COLUMNS
    assert len(turns_frame(result)) == 6
    frame = segments_frame(segments)
    assert list(frame.columns) == [*SEGMENTS_COLUMNS, "turn_index", "question_turn"]
    assert frame["turn_index"].tolist() == [1, 3, 5]
    assert list(segments_frame([]).columns) == [*SEGMENTS_COLUMNS, "turn_index", "question_turn"]


def test_progress_reports_every_file() -> None:
    calls: list[tuple[int, int, str]] = []
    ingest_blobs([("a.txt", QA), ("b.txt", NAMES)], progress=lambda *c: calls.append(c))
    assert calls == [(1, 2, "a.txt"), (2, 2, "b.txt")]


def test_override_keyed_by_a_renamed_id_applies_to_that_copy() -> None:
    other = NAMES.replace(b"grant applications", b"ethics forms")
    options = IngestOptions(interviewer_override={"interview_2": "Elif"})
    result = ingest_blobs([("a/interview.txt", NAMES), ("b/interview.txt", other)], options=options)
    assert [(t.transcript_id, t.interviewer_speaker) for t in result.transcripts] == [
        ("interview", "Jordan"),
        ("interview_2", "Elif"),
    ]


def test_paths_mix_folders_zips_and_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.ingest.helpers import make_zip

    (tmp_path / "round2").mkdir()
    (tmp_path / "round2" / "pilots.zip").write_bytes(
        make_zip({"legal/para.json": fixture_bytes("chat_messages.json")})
    )
    (tmp_path / "round2" / ".hidden.txt").write_bytes(QA)
    result = ingest_paths(
        [
            tmp_path / "round2",
            INGEST_FIXTURES / "cohorts" / "teachers",
            INGEST_FIXTURES / "teams.vtt",
        ]
    )
    assert [(t.transcript_id, t.cohort) for t in result.transcripts] == [
        ("export-7f3a", "legal"),  # the JSON's own cohort wins over the folder in the ZIP
        ("primary", "teachers"),
        ("teams", "ingest"),
    ]
    assert [f.file.split("/")[-1] for f in result.files] == [
        "para.json",
        "primary.txt",
        "teams.vtt",
    ]
