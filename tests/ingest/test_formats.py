"""One realistic fixture per transcript format users actually have."""

from __future__ import annotations

import pytest

from analysis.ingest import IngestOptions, ingest_blobs, ingest_paths
from analysis.records import IngestResult, Transcript
from analysis.segment import segment_transcripts
from tests.ingest.helpers import INGEST_FIXTURES, fixture_bytes, make_docx, make_xlsx, make_zip


def _one(result: IngestResult) -> Transcript:
    assert [f.status for f in result.files] == ["parsed"], result.files
    assert len(result.transcripts) == 1
    return result.transcripts[0]


def _speakers(transcript: Transcript) -> list[tuple[str, str]]:
    return [(t.speaker, t.role) for t in transcript.turns]


def test_txt_with_header_block_takes_id_and_attributes_from_the_header() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "header_nurse.txt"]))
    assert transcript.transcript_id == "nurse_014"
    assert transcript.attributes == {"date": "2025-03-12", "role": "Charge nurse"}
    assert transcript.turns[0].text.startswith("Thanks for making time")
    assert {t.speaker for t in transcript.turns} == {"Interviewer", "Participant"}
    # "Note:" inside the participant's answer is prose, not a new speaker.
    assert "Note: I never paste patient identifiers" in transcript.turns[3].text
    assert len(transcript.participant_turns) == 3


def test_q_and_a_labels_without_header_use_the_file_stem_as_id() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "qa_teacher.txt"]))
    assert transcript.transcript_id == "qa_teacher"
    assert _speakers(transcript)[:2] == [("Q", "interviewer"), ("A", "participant")]
    assert "balanced an equation incorrectly" in transcript.turns[3].text


def test_markdown_bold_labels_heading_id_and_named_participant() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "dialog_00771.md"]))
    assert transcript.transcript_id == "dialog_00771"
    assert transcript.interviewer_speaker == "Interviewer"
    assert [t.speaker for t in transcript.turns].count("Maria") == 4
    assert all(t.role == "participant" for t in transcript.turns if t.speaker == "Maria")
    # Two consecutive participant turns are two answers to the same question.
    segments = segment_transcripts([transcript])
    assert segments[1].question == segments[2].question
    assert segments[1].question == "How do you decide which ideas from the moodboard to keep?"


def test_json_message_list_drops_system_messages() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "chat_list.json"]))
    assert _speakers(transcript)[:2] == [("assistant", "interviewer"), ("user", "participant")]
    assert len(transcript.turns) == 6
    assert "payroll specialist" in transcript.participant_turns[0].text


def test_json_messages_object_with_content_parts_and_metadata() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "chat_messages.json"]))
    assert transcript.transcript_id == "export-7f3a"
    assert transcript.cohort == "legal"
    assert transcript.attributes["role"] == "Paralegal"
    assert transcript.participant_turns[1].text.startswith("Maybe one in twenty")


def test_jsonl_one_conversation_per_line_keeps_good_lines_and_reports_the_bad_one() -> None:
    result = ingest_paths([INGEST_FIXTURES / "conversations.jsonl"])
    assert [t.transcript_id for t in result.transcripts] == ["ops_01", "ops_02", "ops_04"]
    assert {t.cohort for t in result.transcripts} == {"conversations"}
    (report,) = result.files
    assert report.status == "parsed" and report.transcripts == 3
    assert "line 3" in report.reason
    assert any("line 3" in w for w in result.warnings)
    assert "DNS" not in report.reason  # reasons never quote transcript text


def test_jsonl_one_message_per_line_groups_by_conversation_id() -> None:
    result = ingest_paths([INGEST_FIXTURES / "messages.jsonl"])
    by_id = {t.transcript_id: t for t in result.transcripts}
    assert sorted(by_id) == ["acct_1", "acct_2"]
    assert len(by_id["acct_1"].turns) == 4
    assert by_id["acct_2"].participant_turns[0].text.startswith("An audit trail")


def test_webvtt_voice_tags_merge_consecutive_cues_of_one_speaker() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "teams.vtt"]))
    assert _speakers(transcript) == [
        ("Priya Raman", "interviewer"),
        ("Tom Okafor", "participant"),
        ("Priya Raman", "interviewer"),
        ("Tom Okafor", "participant"),
    ]
    assert transcript.turns[1].text == (
        "I'm a logistics planner. I schedule about forty trucks a day. "
        "We started using an AI route optimiser this spring."
    )


def test_webvtt_name_prefixes_and_unlabelled_continuation_cues() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "zoom.vtt"]))
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Lena Fischer"] * 2
    assert transcript.turns[1].text.endswith("refund requests especially.")
    assert transcript.turns[3].text == "I rewrite it from scratch & flag it for the team lead."


def test_srt_with_moderator_and_respondent() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "pharmacist.srt"]))
    assert transcript.interviewer_speaker == "Moderator"
    assert len(transcript.turns) == 4
    assert transcript.turns[3].text.endswith("patient leaflets more simply.")


def test_otter_speaker_lines_pick_the_questioner_as_interviewer() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "otter_export.txt"]))
    assert transcript.interviewer_speaker == "Speaker 1"
    assert [t.speaker for t in transcript.turns] == ["Speaker 1", "Speaker 2"] * 3
    assert "ad hoc SQL" in transcript.turns[1].text  # merged consecutive cues


def test_bracketed_timestamps_with_names() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "timestamped_names.txt"]))
    assert transcript.interviewer_speaker == "Dana Whitfield"
    assert len(transcript.turns) == 6
    assert transcript.turns[3].text.endswith("though I always verify.")


def test_names_only_transcript_uses_who_asks_the_questions() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "names_only.txt"]))
    assert transcript.interviewer_speaker == "Jordan"
    assert {t.role for t in transcript.turns if t.speaker == "Elif"} == {"participant"}


def test_interviewer_respondent_initials_keep_prose_colons_inside_answers() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "label_variants.txt"]))
    assert _speakers(transcript)[:2] == [("I", "interviewer"), ("R", "participant")]
    assert "For example: last week it priced a bumper" in transcript.turns[3].text


def test_csv_dataset_reports_skipped_rows_and_keeps_extra_columns() -> None:
    result = ingest_paths([INGEST_FIXTURES / "pilot_study.csv"])
    assert [t.transcript_id for t in result.transcripts] == ["pilot_01", "pilot_02"]
    assert [t.attributes["site"] for t in result.transcripts] == ["Leeds", "York"]
    assert {t.cohort for t in result.transcripts} == {"pilot_study"}
    (report,) = result.files
    assert report.transcripts == 2
    assert "row 5 skipped" in report.reason  # the row without speakers, by number
    assert "notes from a call" not in report.reason


def test_tsv_with_escaped_newlines() -> None:
    transcript = _one(ingest_paths([INGEST_FIXTURES / "pilot_study.tsv"]))
    assert _speakers(transcript) == [("Moderator", "interviewer"), ("Respondent", "participant")]


def test_xlsx_dataset_with_user_chosen_columns() -> None:
    rows = [
        ["Interview", "Notes", "Full transcript", "Team"],
        ["x1", "pilot", "Interviewer: Any AI at work?\nParticipant: Copilot for email.", "HR"],
        ["x2", "", "Interviewer: And you?\nParticipant: Only for translation.", "Sales"],
    ]
    options = IngestOptions(
        id_column="Interview", text_column="Full transcript", cohort_column="Team"
    )
    result = ingest_blobs([("survey.xlsx", make_xlsx(rows))], options=options)
    assert [(t.transcript_id, t.cohort) for t in result.transcripts] == [
        ("x1", "HR"),
        ("x2", "Sales"),
    ]
    assert result.transcripts[0].attributes == {"notes": "pilot"}


def test_missing_user_column_is_a_clear_rejection() -> None:
    result = ingest_blobs(
        [("a.csv", fixture_bytes("pilot_study.csv"))], options=IngestOptions(text_column="body")
    )
    assert result.files[0].status == "rejected"
    assert "column 'body' not found" in result.files[0].reason


def test_wide_csv_with_a_role_column_is_not_mistaken_for_long_format() -> None:
    data = (
        b"transcript_id,text,role\n"
        b'n1,"Interviewer: Any AI?\nParticipant: For rotas.",Charge nurse\n'
        b'n2,"Interviewer: Any AI?\nParticipant: No.",Midwife\n'
    )
    result = ingest_blobs([("roles.csv", data)])
    assert [t.attributes for t in result.transcripts] == [
        {"role": "Charge nurse"},
        {"role": "Midwife"},
    ]


def test_long_format_csv_one_turn_per_row() -> None:
    data = (
        b"transcript_id,speaker,text\n"
        b"t1,Interviewer,What do you use AI for?\n"
        b"t1,Kim,Drafting tenders.\n"
        b"t1,Kim,And checking spelling.\n"
        b"t2,Interviewer,Any worries?\n"
        b"t2,Lee,Data privacy.\n"
    )
    result = ingest_blobs([("turns.csv", data)])
    assert [t.transcript_id for t in result.transcripts] == ["t1", "t2"]
    assert result.transcripts[0].turns[1].text == "Drafting tenders.\n\nAnd checking spelling."
    assert result.transcripts[1].interviewer_speaker == "Interviewer"


def test_docx_paragraphs_with_speaker_labels() -> None:
    docx = make_docx(
        [
            "Interview with a procurement officer",
            "",
            "Interviewer: How has AI changed your tender reviews?",
            "Respondent: It summarises the bids, so I read the summary first.",
            "Then I read the full bid for the top three.",
            "Interviewer: Do suppliers know?",
            "Respondent: Not yet. We are writing a policy.",
        ]
    )
    transcript = _one(ingest_blobs([("procurement.docx", docx)]))
    assert transcript.encoding == "docx"
    assert transcript.turns[1].text.endswith("full bid for the top three.")
    assert transcript.attributes == {}


def test_teams_style_docx_with_name_and_time_lines() -> None:
    docx = make_docx(
        [
            "Ana Lopez   0:03",
            "So what does AI do in your clinic?",
            "Ben Carter   0:09",
            "Triage notes. It drafts them from the intake form.",
            "Ana Lopez   0:15",
            "Do you edit them?",
            "Ben Carter   0:17",
            "Always.",
        ]
    )
    transcript = _one(ingest_blobs([("meeting.docx", docx)]))
    assert [(t.speaker, t.role) for t in transcript.turns][:2] == [
        ("Ana Lopez", "interviewer"),
        ("Ben Carter", "participant"),
    ]


def test_zip_of_mixed_files_uses_folders_inside_the_archive_as_cohorts() -> None:
    archive = make_zip(
        {
            "study/nurses/a.txt": fixture_bytes("cohorts/nurses/ward_a.txt"),
            "study/teachers/b.md": fixture_bytes("dialog_00771.md"),
            "loose.vtt": fixture_bytes("teams.vtt"),
            "chats.jsonl": fixture_bytes("messages.jsonl"),
            "photo.png": b"\x89PNG\r\n\x1a\n\x00\x00",
            "__MACOSX/._a.txt": b"\x00\x05",
        }
    )
    result = ingest_blobs([("interviews.zip", archive)])
    cohorts = {t.transcript_id: t.cohort for t in result.transcripts}
    assert cohorts == {
        "a": "nurses",
        "dialog_00771": "teachers",
        "loose": "interviews",
        "acct_1": "chats",
        "acct_2": "chats",
    }
    status = {f.file: (f.status, f.reason) for f in result.files}
    assert status["interviews.zip/photo.png"] == ("rejected", "unsupported file type '.png'")
    assert status["interviews.zip/study/nurses/a.txt"][0] == "parsed"
    assert not any("__MACOSX" in f for f in status)


def test_folders_name_the_cohorts() -> None:
    result = ingest_paths([INGEST_FIXTURES / "cohorts"])
    assert {t.transcript_id: t.cohort for t in result.transcripts} == {
        "ward_a": "nurses",
        "ward_b": "nurses",
        "primary": "teachers",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("header_nurse.txt", 3),
        ("qa_teacher.txt", 3),
        ("teams.vtt", 2),
        ("chat_list.json", 3),
    ],
)
def test_every_fixture_answer_is_paired_with_a_question(name: str, expected: int) -> None:
    result = ingest_paths([INGEST_FIXTURES / name])
    segments = segment_transcripts(result.transcripts)
    assert len(segments) == expected
    assert all(s.question and s.answer for s in segments)


def test_upper_case_labels_with_a_parenthetical_name_and_tab_separators() -> None:
    text = (
        b"INTERVIEWER (Sam): How do you use AI?\n"
        b"JO BAKER:\tFor code review.\n"
        b"INTERVIEWER (Sam): Why?\n"
        b"JO BAKER: Speed. Also: it never gets tired.\n"
    )
    transcript = _one(ingest_blobs([("caps.txt", text)]))
    assert (
        _speakers(transcript)
        == [
            ("INTERVIEWER (Sam)", "interviewer"),
            ("JO BAKER", "participant"),
        ]
        * 2
    )
    assert transcript.turns[3].text == "Speed. Also: it never gets tired."


def test_headerless_csv_uses_the_long_column_as_text_and_the_first_as_id() -> None:
    data = (
        b'a1,"Interviewer: Which AI tools do you use?\nParticipant: Copilot, daily.",2025\n'
        b'a2,"Interviewer: Which AI tools do you use?\nParticipant: None at all.",2025\n'
    )
    result = ingest_blobs([("export.csv", data)])
    assert [(t.transcript_id, t.attributes) for t in result.transcripts] == [
        ("a1", {"column_3": "2025"}),
        ("a2", {"column_3": "2025"}),
    ]


def test_table_without_any_text_column_is_rejected_without_quoting_cells() -> None:
    result = ingest_blobs([("scores.csv", b"id,score\n1,5\n2,4\n")])
    assert result.files[0].reason == "no transcript text column; columns are id, score"


def test_claude_style_export_with_chat_messages_and_senders() -> None:
    export = (
        b'[{"uuid": "c-1", "name": "AI at work", "chat_messages": ['
        b'{"sender": "assistant", "text": "How do you use AI in your lab?"},'
        b'{"sender": "human", "text": "Mostly to write analysis scripts."}]},'
        b'{"uuid": "c-2", "name": "Second", "chat_messages": ['
        b'{"sender": "assistant", "text": "Any worries?"},'
        b'{"sender": "human", "text": "Reproducibility."}]}]'
    )
    result = ingest_blobs([("conversations.json", export)])
    assert [(t.transcript_id, t.cohort) for t in result.transcripts] == [
        ("c-1", "conversations"),
        ("c-2", "conversations"),
    ]
    assert result.transcripts[0].attributes == {"name": "AI at work"}
    assert result.transcripts[1].participant_turns[0].text == "Reproducibility."


def test_rare_known_labels_inside_answers_stay_in_the_answer() -> None:
    turns = []
    for i in range(12):
        turns.append(f"AI: Question number {i}?")
        turns.append(f"User: Answer {i}.")
    turns[3] += "\nQ: what my manager asked\nA: what I told her"
    turns[7] += "\nA: and another quoted reply"
    transcript = _one(ingest_blobs([("quoted.txt", "\n\n".join(turns).encode())]))
    assert [t.speaker for t in transcript.turns] == ["AI", "User"] * 12
    assert transcript.turns[3].text == "Answer 1.\nQ: what my manager asked\nA: what I told her"


def test_short_exchange_of_names_each_used_once() -> None:
    text = b"Jane Doe: Do you use AI for rostering?\nTom Lee: Yes, since March.\n"
    transcript = _one(ingest_blobs([("short.txt", text)]))
    assert _speakers(transcript) == [("Jane Doe", "interviewer"), ("Tom Lee", "participant")]
    prose = b"Summary: we talked about AI.\nOutcome: nothing decided.\nSome more prose here.\n"
    assert ingest_blobs([("prose.txt", prose)]).files[0].status == "rejected"


def test_rev_style_labels_with_the_timestamp_after_the_colon() -> None:
    text = (
        b"Speaker 1: (00:05)\nHow did AI change your editing?\n\n"
        b"Speaker 2: (00:09)\nIt does the first pass on captions.\n\n"
        b"Speaker 2: (00:15)\nI fix names and jargon.\n\n"
        b"Speaker 1: (00:21)\nAnything you won't let it do?\n\n"
        b"Speaker 2: (00:24)\nFinal sign-off.\n"
    )
    transcript = _one(ingest_blobs([("rev.txt", text)]))
    assert [t.text for t in transcript.turns] == [
        "How did AI change your editing?",
        "It does the first pass on captions.\n\nI fix names and jargon.",
        "Anything you won't let it do?",
        "Final sign-off.",
    ]
    assert transcript.interviewer_speaker == "Speaker 1"


def test_markdown_front_matter_sets_id_cohort_and_attributes() -> None:
    text = (
        b"---\nid: fm_07\ncohort: pharmacists\noccupation: Hospital pharmacist\n---\n\n"
        b"**Interviewer:** What do you use AI for?\n\n**Participant:** Leaflet wording.\n"
    )
    transcript = _one(ingest_blobs([("front.md", text)]))
    assert (transcript.transcript_id, transcript.cohort) == ("fm_07", "pharmacists")
    assert transcript.attributes == {"role": "Hospital pharmacist"}
    assert transcript.turns[1].text == "Leaflet wording."


def test_explicit_transcript_id_line_beats_the_heading() -> None:
    """``# Dialog 07`` is a display title; ``**Transcript ID:** work_0487`` is the id."""
    transcript = _one(ingest_paths([INGEST_FIXTURES / "heading_and_id.md"]))
    assert transcript.transcript_id == "work_0487"
    assert transcript.attributes.get("date") == "2025-04-02"
    assert len(transcript.participant_turns) == 2
    # The id line wins wherever it sits, also above the heading.
    flipped = fixture_bytes("heading_and_id.md").decode().replace(
        "# Dialog 07\n\n**Transcript ID:** work_0487",
        "**Transcript ID:** work_0487\n\n# Dialog 07")
    assert _one(ingest_blobs([("flipped.md", flipped.encode())])).transcript_id == "work_0487"
