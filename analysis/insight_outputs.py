"""The CLI's insight files: ``findings.md``, ``econ_index.csv`` and ``parity.csv``.

Kept apart from ``analysis.outputs`` (the tables contract) because these are derived
summaries of the whole project, not tables of the pipeline:
- ``findings.md``: the plain-language summary of every participant (``analysis.findings``);
- ``econ_index.csv``: the Economic Index split, measured rows then published rows;
- ``parity.csv``: written only when the corpus is detected as the public Anthropic
  Interviewer dataset; for any other corpus the file is not written (a stale one from an
  earlier run into the same folder is removed, so its absence always means "not detected").
Each file is written to a temporary name and renamed, like the other outputs; group names
(user metadata) are formula-escaped like every export.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from analysis.econ_index import econ_table
from analysis.export import escape_frame
from analysis.filters import FilterSpec, apply_filters
from analysis.findings import Findings, build_findings, render_markdown
from analysis.parity import is_anthropic_interviewer, parity_table
from analysis.results import AnalysisResult

FINDINGS_FILE = "findings.md"
ECON_FILE = "econ_index.csv"
PARITY_FILE = "parity.csv"


def _replace(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_insight_files(out_dir: Path, *, findings: Findings, title: str,
                        econ: pd.DataFrame, participants: pd.DataFrame) -> list[Path]:
    """Write built insight tables (``participants``: the whole project, for parity).

    Shared by the in-memory run and the streaming run (``analysis.scale.participant_views``),
    so both write the same files with the same columns and escaping.
    """
    written = [out_dir / FINDINGS_FILE, out_dir / ECON_FILE]
    _replace(written[0], render_markdown(findings, title=title))
    _replace(written[1], escape_frame(econ).to_csv(index=False))  # group names are user data
    parity_path = out_dir / PARITY_FILE
    if is_anthropic_interviewer(participants["transcript_id"]):
        _replace(parity_path, parity_table(participants).to_csv(index=False))
        written.append(parity_path)
    else:
        parity_path.unlink(missing_ok=True)
    return written


def write_insight_outputs(result: AnalysisResult, out_dir: Path) -> list[Path]:
    """Write the insight files for ``result`` into ``out_dir``; return the paths written."""
    view = apply_filters(result, FilterSpec())
    findings = build_findings(view, result.codebook, result.topics)
    title = f"Findings: {result.run.get('project', 'project')}"
    econ = econ_table(result.participants, result.segments, result.assignments)
    return write_insight_files(out_dir, findings=findings, title=title, econ=econ,
                               participants=result.participants)
