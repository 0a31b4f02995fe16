"""Regression guard on the 90 labelled dev transcripts of the real corpus.

Floors sit a little under the figures measured when this was written (docs/EVALUATION.md),
so a change that makes coding or roles worse fails CI. The issue's targets (macro-F1 0.75,
mean |prevalence error| 8 pp, group accuracy 0.85) are reported there; the macro-F1 one is
not met yet, which is why the floor below is lower than the target.
"""

from __future__ import annotations

import pytest

from analysis.coding import code_corpus, infer_roles
from analysis.evaluation import load_labels, score_run

MACRO_F1_FLOOR = 0.67
MEAN_ABS_PREVALENCE_ERROR_CEILING_PP = 6.2
GROUP_ACCURACY_FLOOR = 0.86


@pytest.mark.corpus
@pytest.mark.slow
def test_dev_labels_scores_stay_above_floors(corpus_dir, dev_labels):
    from analysis.ingest import ingest_paths
    from analysis.ingest.tables import segments_frame, transcripts_frame
    from analysis.segment import segment_transcripts

    labels = load_labels(dev_labels)
    wanted = {lab["transcript_id"] for lab in labels}
    result = ingest_paths(
        [corpus_dir / f"{name}.csv" for name in ("workforce", "creatives", "scientists")]
    )
    result.transcripts = [t for t in result.transcripts if t.transcript_id in wanted]
    segments = segments_frame(segment_transcripts(result.transcripts))
    transcripts = transcripts_frame(result)
    coded = code_corpus(segments)
    roles = infer_roles(segments, transcripts)
    run = transcripts.merge(roles, on="transcript_id").merge(coded.participants, on="transcript_id")
    report = score_run(labels, run, list(coded.codebook["code"]))
    summary = report.summary
    assert report.errors == []
    assert summary["n_participants"] == 90
    assert summary["n_codes_in_macro"] == 32
    assert summary["macro_f1"] >= MACRO_F1_FLOOR, summary
    assert summary["mean_abs_prevalence_error_pp"] <= MEAN_ABS_PREVALENCE_ERROR_CEILING_PP, summary
    assert summary["occupation_group_accuracy"] >= GROUP_ACCURACY_FLOOR, summary
