"""A full-size ``AnalysisResult`` built from the real 1,250-transcript corpus, without models.

Page speed depends on table sizes, not on how topics and codes were found, so the real
transcripts, turns and answers are used with seeded random topics, codes and roles. This
lets the timing test run in seconds instead of the pipeline's minutes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.coding.codebook import load_codebook
from analysis.ingest import ingest_paths
from analysis.results import AnalysisResult
from analysis.segment import segment_transcripts

N_TOPICS = 40
GROUPS = ["Computer and Mathematical", "Educational Instruction and Library",
          "Arts, Design, Entertainment, Sports, and Media", "Management",
          "Healthcare Practitioners and Technical", "Sales and Related", "Unclear"]


def build_scaled_result(corpus_dir: Path, seed: int = 7) -> AnalysisResult:
    rng = np.random.default_rng(seed)
    ingest = ingest_paths(sorted(corpus_dir.glob("*.csv")))
    transcripts = ingest.transcripts
    turns = pd.DataFrame([
        {"transcript_id": t.transcript_id, "turn_index": turn.index, "speaker": turn.speaker,
         "role": turn.role, "text": turn.text} for t in transcripts for turn in t.turns])
    segments = pd.DataFrame([
        {"transcript_id": s.transcript_id, "segment_index": s.segment_index,
         "turn_index": s.turn_index, "question": s.question, "answer": s.answer,
         "question_turn": s.question_turn} for s in segment_transcripts(transcripts)])
    codebook = load_codebook().frame()[["code", "facet", "label", "description"]]
    codes = list(codebook["code"])
    segments["topic_id"] = rng.integers(-1, N_TOPICS, len(segments))
    segments["topic_label"] = segments["topic_id"].map(lambda t: f"Topic {t}")
    segments["x"] = rng.normal(size=len(segments)) + segments["topic_id"] % 7
    segments["y"] = rng.normal(size=len(segments)) + segments["topic_id"] // 7
    picked = [list(rng.choice(codes, size=rng.integers(0, 3), replace=False))
              for _ in range(len(segments))]
    segments["codes"] = [";".join(p) for p in picked]
    assignments = pd.DataFrame([
        {"transcript_id": tid, "segment_index": idx, "code": code,
         "confidence": 0.8, "evidence": answer.split(".")[0]}
        for tid, idx, answer, chosen in zip(segments["transcript_id"],
                                            segments["segment_index"], segments["answer"],
                                            picked, strict=True) for code in chosen])
    transcript_frame = pd.DataFrame([
        {"transcript_id": t.transcript_id, "cohort": t.cohort, "source_file": t.source_file,
         "n_turns": len(t.turns), "n_participant_turns": len(t.participant_turns),
         "encoding": t.encoding} for t in transcripts])
    participants = transcript_frame[["transcript_id", "cohort"]].copy()
    participants["occupation"] = ""
    participants["occupation_group"] = rng.choice(GROUPS, len(participants))
    owned = assignments.groupby("transcript_id")["code"].agg(set)
    for code in codes:
        participants[code] = participants["transcript_id"].map(
            lambda tid, c=code: int(c in owned.get(tid, set())))
    sizes = segments.groupby("topic_id").size()
    topics = pd.DataFrame({
        "topic_id": sizes.index, "label": [f"Topic {t}" for t in sizes.index],
        "size": sizes.to_numpy(), "top_words": "work, ai, use",
        "representative_quotes": [[] for _ in sizes.index]})
    files = pd.DataFrame([{"file": f.file, "status": f.status, "transcripts": f.transcripts,
                           "reason": f.reason} for f in ingest.files])
    return AnalysisResult(files=files, transcripts=transcript_frame, turns=turns,
                          segments=segments, topics=topics, participants=participants,
                          assignments=assignments, codebook=codebook)
