"""A synthetic large project written straight into the scale tables with DuckDB SQL.

Why: checking that the dashboard's queries stay right and fast on a million answers must
not need a million real answers or a pipeline run. ``range()`` and string functions fill
the tables in seconds, and every row is a closed formula of its number, so a test can
recompute any expected count with numpy without reading the tables back.

The formulas (answer number ``j`` in ``0..n_answers-1``, ``P`` participants):
- participant ``i = j % P`` (id ``p0000042``), answer index ``j // P``;
- cohort ``COHORTS[i % 3]``; occupation group ``GROUPS[i % 7]`` (``Unclear`` for 6);
- topic ``(j % N_TOPICS) - 1`` (``-1`` is the outlier bucket);
- the answer contains ``KEYWORD`` when ``j % KEYWORD_EVERY == 0``;
- codes: ``CODES[j % 16]`` when ``j % 3 != 0``, and also ``CODES[(j + 5) % 16]`` when
  ``j % 5 == 0``; confidence ``((j * 37) % 100) / 100``.

Never shipped as data: the rows are generated on demand (tests, ``bench/``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.scale.schema import SCALE_TABLES, ensure_scale_schema

COHORTS = ("workforce", "creatives", "scientists")
GROUPS = ("Computer and Mathematical", "Sales and Related", "Management", "Legal",
          "Healthcare Practitioners and Technical", "Arts, Design, Entertainment, Sports, "
          "and Media", "Unclear")
FACETS = ("trigger", "pattern", "culture", "outcome")
CODES = tuple(f"{facet}.c{k}" for facet in FACETS for k in range(4))
N_TOPICS = 11
"""Topic ids -1..9."""
KEYWORD = "deadline"
KEYWORD_EVERY = 50


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def write_synthetic_project(store: Any, project: str, n_answers: int,
                            n_participants: int) -> None:
    """Replace ``project`` in the scale tables with the synthetic rows described above."""
    if n_participants < 1 or n_answers < n_participants:
        raise ValueError("need 1 <= n_participants <= n_answers")
    p = {"project": project, "n": int(n_answers), "p": int(n_participants)}
    pid = "'p' || lpad(CAST(i AS VARCHAR), 7, '0')"
    cohort = f"{_sql_list(COHORTS)}[i % 3 + 1]"
    group = f"{_sql_list(GROUPS)}[i % 7 + 1]"
    statements = [
        ("INSERT INTO scale_projects VALUES ($project, now()::TIMESTAMP, now()::TIMESTAMP, "
         "'done', $p, $n, $topics, 'synthetic', '{}', NULL, '{}')",
         {"project": project, "p": p["p"], "n": p["n"], "topics": N_TOPICS - 1}),
        (f"INSERT INTO scale_participants SELECT $project, {pid}, {cohort}, "
         f"'occupation ' || (i % 13), {group} FROM range($p) t(i)",
         {"project": project, "p": p["p"]}),
        (f"INSERT INTO scale_transcripts SELECT $project, {pid}, {cohort}, "
         f"{pid} || '.txt', CAST($n // $p + (i < $n % $p)::INT AS INTEGER) FROM range($p) t(i)",
         p),
        (f"INSERT INTO scale_segments SELECT $project, {pid}, CAST(j // $p AS INTEGER), "
         f"{cohort}, 'Question ' || (j // $p), "
         f"'Answer ' || j || CASE WHEN j % {KEYWORD_EVERY} = 0 THEN ' before a {KEYWORD}' "
         "ELSE ' about routine work' END, md5(CAST(j AS VARCHAR)), 5, "
         f"CAST(j % {N_TOPICS} - 1 AS INTEGER), CAST(j % 97 AS REAL), CAST(j % 89 AS REAL) "
         "FROM (SELECT j, j % $p AS i FROM range($n) t(j))",
         p),
        ("INSERT INTO scale_topics SELECT $project, t, CASE WHEN t = -1 THEN 'No clear topic' "
         "ELSE 'Topic ' || t END, 'word' || t || ', other' || t, "
         f"(SELECT count(*) FROM range($n) r(j) WHERE j % {N_TOPICS} - 1 = t), "
         "'[\"A quote of topic ' || t || '\"]' "
         f"FROM range(-1, {N_TOPICS - 1}) s(t)",
         {"project": project, "n": p["n"]}),
        (f"INSERT INTO scale_codebook SELECT $project, k, {_sql_list(CODES)}[k + 1], "
         f"{_sql_list(FACETS)}[k // 4 + 1], 'Label ' || k, 'Description ' || k "
         f"FROM range({len(CODES)}) t(k)",
         {"project": project}),
        (f"INSERT INTO scale_assignments SELECT $project, {pid}, CAST(j // $p AS INTEGER), "
         f"{_sql_list(CODES)}[(j + shift) % 16 + 1], CAST(((j * 37) % 100) / 100.0 AS REAL), "
         "'evidence ' || j FROM (SELECT j, j % $p AS i, shift FROM range($n) t(j), "
         "(VALUES (0), (5)) s(shift) WHERE (shift = 0 AND j % 3 <> 0) "
         "OR (shift = 5 AND j % 5 = 0))",
         p),
    ]
    with store.locked_connection() as con:
        ensure_scale_schema(con)
        con.execute("BEGIN TRANSACTION")
        try:
            for table in SCALE_TABLES:
                con.execute(f"DELETE FROM {table} WHERE project = ?", [project])
            for sql, params in statements:
                con.execute(sql, params)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def expected_arrays(n_answers: int, n_participants: int) -> dict[str, np.ndarray]:
    """Per-answer participant, topic, keyword flag and the (answer, code) pairs, in numpy.

    Tests derive every expected count from these; they never read the tables.
    """
    j = np.arange(n_answers, dtype=np.int64)
    first = j[j % 3 != 0]
    second = j[j % 5 == 0]
    code_answer = np.concatenate([first, second])
    code_index = np.concatenate([first % 16, (second + 5) % 16])
    return {
        "participant": j % n_participants,
        "segment_index": j // n_participants,
        "topic": j % N_TOPICS - 1,
        "keyword": j % KEYWORD_EVERY == 0,
        "code_answer": code_answer,
        "code_index": code_index,
        "confidence": (code_answer * 37) % 100 / 100.0,
    }


def participant_id(i: int) -> str:
    """The transcript id of participant ``i`` (as the SQL writes it)."""
    return f"p{i:07d}"
