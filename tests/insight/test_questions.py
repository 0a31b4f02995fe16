"""Question groups: guide questions found across paraphrases, rare follow-ups set apart."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.questions import (
    NO_QUESTION,
    OTHER_GROUP,
    group_questions,
    question_by_code,
    question_by_topic,
    short_question,
)

GUIDE = [
    "How have your colleagues or your workplace culture influenced the way you use AI?",
    "Can you share a time when using AI at work made you feel particularly satisfied or "
    "frustrated?",
    "How do you think about maintaining your skills in areas where AI could take over?",
]
PARAPHRASE = [
    "That makes sense. How have your colleagues or your workplace culture shaped the way you "
    "use AI tools?",
    "Can you share a time when using AI for your lesson planning made you feel satisfied or "
    "frustrated?",
    "How do you think about maintaining your writing skills in areas where AI could take over?",
]

FOLLOW_UPS = [
    "What happens to the kiln glaze afterwards?", "Which spreadsheet macro failed first?",
    "Did the choir rehearsal change?", "Who audits invoices now?",
    "Where does the lab notebook live?", "When did the patient portal launch?",
]
"""Personal follow-ups, each asked in two interviews: too rare to be a guide question."""


def _corpus(n: int = 12) -> pd.DataFrame:
    rows = []
    for t in range(n):
        tid = f"t{t:02d}"
        for i, (guide, para) in enumerate(zip(GUIDE, PARAPHRASE, strict=True)):
            rows.append((tid, guide if t % 3 else para, i))
        rows.append((tid, FOLLOW_UPS[t % len(FOLLOW_UPS)], 9))
    rows.append(("t00", "", 10))
    return pd.DataFrame(rows, columns=["transcript_id", "question", "guide"])


def test_guide_questions_and_paraphrases_share_a_group() -> None:
    corpus = _corpus()
    groups = group_questions(corpus["question"], corpus["transcript_id"])
    corpus["group"] = groups.labels
    for i, guide in enumerate(GUIDE):
        labels = set(corpus.loc[corpus["guide"] == i, "group"])
        assert labels == {short_question(guide)}, labels  # the most-asked wording
    assert set(corpus.loc[corpus["guide"] == 9, "group"]) == {OTHER_GROUP}
    assert corpus.loc[corpus["guide"] == 10, "group"].tolist() == [NO_QUESTION]
    table = groups.groups
    assert list(table["question_group"][:3]) != [OTHER_GROUP] * 3
    assert table["question_group"].iloc[-1] in (OTHER_GROUP, NO_QUESTION)
    first = table.set_index("question_group").loc[short_question(GUIDE[0])]
    assert first["n_transcripts"] == 12
    again = group_questions(corpus["question"], corpus["transcript_id"])
    assert again.labels == groups.labels  # deterministic


def test_rare_questions_do_not_form_groups_and_empty_input() -> None:
    assert group_questions([], []).labels == []
    few = group_questions(["Why?", "What about the kiln firing schedule?"], ["a", "b"])
    assert set(few.labels) == {OTHER_GROUP}


def test_short_question_keeps_the_first_real_question() -> None:
    text = ("Could you tell me about how AI fits into your typical workday? What kinds of tasks "
            "do you use it for?")
    assert short_question(text) == "Could you tell me about how AI fits into your typical workday?"
    long = "Why " + "very " * 30 + "long?"
    cut = short_question(long)
    assert cut.endswith("…") and len(cut) <= 72


def test_matrices_share_of_answers_per_group() -> None:
    segments = pd.DataFrame({
        "transcript_id": ["a", "a", "b", "b", "c"],
        "question_group": ["Q1", "Q2", "Q1", "Q2", "Q1"],
        "codes": ["x.one;x.two", "", "x.one", "x.two", ""],
        "topic_id": [0, 1, 0, -1, 1],
    })
    codebook = pd.DataFrame({"code": ["x.one", "x.two", "x.none"], "facet": ["x", "x", "x"],
                             "label": ["One", "Two", "None"]})
    table = question_by_code(segments, codebook).set_index(["question_group", "column"])
    assert table.loc[("Q1", "x.one"), ["n", "total"]].tolist() == [2, 3]
    assert table.loc[("Q2", "x.two"), "share"] == pytest.approx(0.5)
    assert "x.none" not in table.index.get_level_values("column")  # no answer has it
    topics = pd.DataFrame({"topic_id": [-1, 0, 1], "label": ["No clear topic", "Zero", "One"]})
    by_topic = question_by_topic(segments, topics).set_index(["question_group", "column"])
    assert by_topic.loc[("Q1", "0"), "share"] == pytest.approx(2 / 3)
    assert by_topic.loc[("Q2", "1"), "label"] == "#1 One"
    assert "-1" not in by_topic.index.get_level_values("column")
    assert len(question_by_topic(segments, topics, max_topics=1)["column"].unique()) == 1


@pytest.mark.corpus
def test_real_corpus_groups_follow_the_interview_guide(corpus_dir) -> None:
    from analysis.ingest import ingest_paths
    from analysis.ingest.tables import segments_frame
    from analysis.segment import segment_transcripts

    ingest = ingest_paths([corpus_dir])
    segments = segments_frame(segment_transcripts(ingest.transcripts))
    groups = group_questions(segments["question"], segments["transcript_id"])
    table = groups.groups
    real = table[~table["question_group"].isin([OTHER_GROUP, NO_QUESTION])]
    assert 10 <= len(real) <= 25
    names = " ".join(real["question_group"]).lower()
    for stem in ("colleagues", "share a time", "maintaining your skills", "typical workday"):
        assert stem in names
    colleagues = real[real["question_group"].str.contains("colleagues")]
    assert colleagues["n_transcripts"].max() >= 800  # the guide asks ~1,000 workforce people
