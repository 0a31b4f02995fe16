"""Agreement with a researcher's coding for a large project: ``analysis.agreement`` fed from SQL.

Why only a few rows: a hand coding covers a few dozen participants, so the database
returns just those participants (when they are in view) with their 0/1 code flags, and
just their code assignments for the evidence sentences. ``compare_coding`` then runs
unchanged on those rows, so the report equals the in-memory one for the same project.

A participant has a code when any of their answers carries it (the roll-up of
``scale_assignments``, as every large-project query counts). Assignments are read in
stored order (``rowid``), the order ``compare_coding``'s stable sort breaks ties by.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.agreement import AgreementReport, HumanCoding, compare_coding
from analysis.filters import FilterSpec
from analysis.scale.queries import codebook, kept_cte

ASSIGNMENT_COLUMNS = ["transcript_id", "segment_index", "code", "confidence", "evidence"]


def coded_participants(store: Any, project: str, spec: FilterSpec, ids: list[str]
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participants, assignments) of the ``ids`` that are in view, and nothing else.

    ``participants``: ``transcript_id`` plus one 0/1 column per codebook code;
    ``assignments``: their rows of ``scale_assignments`` in stored order.
    """
    book = codebook(store, project)
    kept, params = kept_cte(project, spec)
    params["ids"] = sorted({str(i) for i in ids})
    wanted = ("wanted AS (SELECT k.transcript_id FROM kept k JOIN "
              "(SELECT unnest($ids) AS transcript_id) w USING (transcript_id))")
    with store.locked_connection() as con:
        people = con.execute(f"WITH {kept}, {wanted} SELECT transcript_id FROM wanted "
                             "ORDER BY transcript_id", params).df()
        rows = con.execute(
            f"WITH {kept}, {wanted} SELECT a.transcript_id, a.segment_index, a.code, "
            "CAST(a.confidence AS DOUBLE) AS confidence, a.evidence FROM scale_assignments a "
            "JOIN wanted USING (transcript_id) WHERE a.project = $project ORDER BY a.rowid",
            params).df()
    people["transcript_id"] = people["transcript_id"].astype(str)
    has = set(zip(rows["transcript_id"].astype(str), rows["code"].astype(str), strict=True))
    flags = {code: [int((t, code) in has) for t in people["transcript_id"]]
             for code in book["code"]}
    participants = pd.concat([people, pd.DataFrame(flags, index=people.index)], axis=1)
    return participants, rows.reindex(columns=ASSIGNMENT_COLUMNS)


def compare_large(store: Any, project: str, spec: FilterSpec, human: HumanCoding
                  ) -> AgreementReport:
    """``compare_coding`` over the human-coded participants in view of a large project."""
    participants, assignments = coded_participants(store, project, spec, list(human.codes))
    return compare_coding(human, participants, codebook(store, project), assignments)
