"""``AnalysisResult``: the finished, tidy output of one pipeline run.

The app's pages and the CLI's writers read only this object (never the stage modules), so
its frames follow the column contracts in ``analysis.tables``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(slots=True)
class AnalysisResult:
    """Tidy tables of one analysed project.

    Frames (see ``analysis.tables`` for the guaranteed columns):
    - ``files``: one row per input file, parsed or rejected with a reason.
    - ``transcripts``: one row per transcript (plus ``attr.<name>`` metadata columns).
    - ``turns``: every turn of every transcript, for reading a whole interview.
    - ``segments``: one row per participant answer with its question, topic, 2-D map
      coordinates and ``codes`` (``;``-separated code ids).
    - ``topics``: one row per topic (``topic_id`` -1 is the outlier bucket when present);
      ``representative_quotes`` is a list of strings.
    - ``participants``: one row per transcript with role columns and one 0/1 column per code.
    - ``assignments``: segment-level code assignments with confidence and evidence sentence.
    - ``codebook``: ``code, facet, label, description`` in display order.
    - ``topic_hierarchy``: ``parent_id, child_left_id, child_right_id, distance, topics``
      (BERTopic's hierarchical_topics shape), possibly empty.
    """

    files: pd.DataFrame
    transcripts: pd.DataFrame
    turns: pd.DataFrame
    segments: pd.DataFrame
    topics: pd.DataFrame
    participants: pd.DataFrame
    assignments: pd.DataFrame
    codebook: pd.DataFrame
    topic_hierarchy: pd.DataFrame = field(default_factory=pd.DataFrame)
    run: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    """Plain-language notes for the user (degenerate corpus, duplicates, unmatched metadata)."""

    @property
    def code_ids(self) -> list[str]:
        return list(self.codebook["code"]) if len(self.codebook) else []
