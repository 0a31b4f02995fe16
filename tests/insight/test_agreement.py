"""Agreement with a researcher's coding: kappa against scikit-learn, parsing, disagreements."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis.agreement import cohen_kappa, compare_coding, parse_human_coding, summary

CODEBOOK = pd.DataFrame({
    "code": ["trigger.wording", "outcome.saves_time", "culture.stigma"],
    "facet": ["trigger", "outcome", "culture"],
    "label": ["Wording help", "Saves time", "Stigma"],
})
PARTICIPANTS = pd.DataFrame({
    "transcript_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
    "cohort": ["w"] * 6,
    "trigger.wording": [1, 1, 0, 0, 1, 0],
    "outcome.saves_time": [1, 1, 1, 1, 1, 1],
    "culture.stigma": [0, 0, 0, 0, 0, 0],
})
ASSIGNMENTS = pd.DataFrame({
    "transcript_id": ["p1", "p1", "p5"],
    "segment_index": [0, 1, 0],
    "code": ["trigger.wording", "trigger.wording", "trigger.wording"],
    "confidence": [0.4, 0.9, 0.7],
    "evidence": ["weak sentence", "I ask it to fix my wording", "=HYPERLINK(\"x\")"],
})


@pytest.mark.parametrize("seed", range(6))
def test_kappa_matches_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    human = rng.random(40) < 0.4
    auto = np.where(rng.random(40) < 0.7, human, rng.random(40) < 0.5)
    assert cohen_kappa(human, auto) == pytest.approx(cohen_kappa_score(human, auto))


def test_kappa_known_values() -> None:
    assert cohen_kappa([1, 1, 0, 0], [1, 1, 0, 0]) == pytest.approx(1.0)
    assert cohen_kappa([1, 1, 0, 0], [0, 0, 1, 1]) == pytest.approx(-1.0)
    # po = 0.75, pe = 0.5 -> 0.5
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.5)
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) == 1.0


def _jsonl() -> bytes:
    records = [
        {"transcript_id": "p1", "codes": ["trigger.wording", "outcome.saves_time"],
         "evidence": {"trigger.wording": "fix my wording"}},
        {"transcript_id": "p2", "codes": ["outcome.saves_time"]},
        {"transcript_id": "p3", "codes": ["trigger.wording", "culture.stigma"],
         "evidence": {"trigger.wording": "I hate my phrasing"}},
        {"transcript_id": "p4", "codes": ["outcome.saves_time", "custom.extra"]},
        {"transcript_id": "zz9", "codes": []},
    ]
    return "\n".join(json.dumps(r) for r in records).encode()


def test_jsonl_upload_per_code_figures_and_disagreements() -> None:
    human = parse_human_coding("mine.jsonl", _jsonl())
    report = compare_coding(human, PARTICIPANTS, CODEBOOK, ASSIGNMENTS)
    assert report.n_participants == 4
    assert report.missing == ["zz9"]
    assert report.unknown_codes == ["custom.extra"]
    row = report.per_code.set_index("code").loc["trigger.wording"]
    # human p1,p3 yes; auto p1,p2 yes (p5 not human-coded)
    assert (row["both_yes"], row["auto_only"], row["human_only"], row["both_no"]) == (1, 1, 1, 1)
    assert row["precision"] == pytest.approx(0.5) and row["recall"] == pytest.approx(0.5)
    assert row["kappa"] == pytest.approx(cohen_kappa_score([1, 0, 1, 0], [1, 1, 0, 0]))
    wording = report.disagreements[report.disagreements["code"] == "trigger.wording"]
    assert set(wording["transcript_id"]) == {"p2", "p3"}
    p3 = wording.set_index("transcript_id").loc["p3"]
    assert p3["human_evidence"] == "I hate my phrasing" and p3["auto_evidence"] == ""
    saves = report.per_code.set_index("code").loc["outcome.saves_time"]
    assert saves["human_only"] == 0 and saves["auto_only"] == 1  # p3 lacks it for the human
    assert summary(report)["n_participants"] == 4


def test_csv_upload_with_evidence_column() -> None:
    data = (
        b"transcript_id,trigger.wording,culture.stigma,evidence.trigger.wording\n"
        b"p1,1,0,fix my wording\n"
        b"p5,yes,0,\n"
        b"p6,0,1,\n"
    )
    human = parse_human_coding("coding.csv", data)
    report = compare_coding(human, PARTICIPANTS, CODEBOOK, ASSIGNMENTS)
    assert list(report.per_code["code"]) == ["trigger.wording", "culture.stigma"]
    wording = report.per_code.set_index("code").loc["trigger.wording"]
    assert wording["kappa"] == pytest.approx(1.0)
    stigma = report.disagreements[report.disagreements["code"] == "culture.stigma"]
    assert stigma[["transcript_id", "human", "auto"]].values.tolist() == [["p6", 1, 0]]
    ours = compare_coding(parse_human_coding("c.csv", b"transcript_id,trigger.wording\np5,0\n"),
                          PARTICIPANTS, CODEBOOK, ASSIGNMENTS).disagreements
    assert ours["auto_evidence"].tolist() == ["=HYPERLINK(\"x\")"]  # raw; exports escape


def test_most_confident_evidence_is_ours() -> None:
    human = parse_human_coding("c.csv", b"transcript_id,trigger.wording\np1,0\n")
    report = compare_coding(human, PARTICIPANTS, CODEBOOK, ASSIGNMENTS)
    assert report.disagreements["auto_evidence"].tolist() == ["I ask it to fix my wording"]


@pytest.mark.parametrize("name,data", [
    ("c.csv", b"id,trigger.wording\n1,1\n"),
    ("c.csv", b"transcript_id,notes\np1,hello\n"),
    ("c.csv", b"transcript_id,trigger.wording\np1,maybe\n"),
    ("l.jsonl", b'{"codes": []}\n'),
    ("l.jsonl", b'{"transcript_id": "p1", "codes": "trigger.wording"}\n'),
    ("l.jsonl", b"[" * 100_000 + b"]" * 100_000),
])
def test_bad_uploads_raise_value_error(name: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        parse_human_coding(name, data)


def test_dev_labels_file_parses(dev_labels) -> None:
    human = parse_human_coding(dev_labels.name, dev_labels.read_bytes())
    assert len(human.codes) == 90
    assert human.evidence  # the dev labels carry verbatim evidence quotes
