"""Saved projects as one file: everything a colleague needs to see the same dashboard.

A project file is a ZIP of ``project.json`` (format, version, settings, codebook YAML, fit
state, run metadata, topic renames/merges) and one Parquet file per result frame. It holds
no pickles and no paths: import reads only the member names it expects (never a name from
the archive), checks sizes, the compression ratio and each frame's sha256, and replays the
topic edits through the store's own validated ``rename_topic``/``merge_topics``. Cached
embeddings are not included (they are large and recomputed offline when re-coding).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.coding.codebook import validate_codebook_yaml
from analysis.results import AnalysisResult
from analysis.store import RESULT_FRAMES, ProjectState, Store

FORMAT = "interview-lens-project"
VERSION = 1
MANIFEST = "project.json"
STATE_FRAME = "segment_keys"
FRAMES = (*RESULT_FRAMES, STATE_FRAME)
MAX_FILE_BYTES = 400_000_000
MAX_MEMBER_BYTES = 1_000_000_000
MAX_RATIO = 200
MAX_NAME = 120
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_REQUIRED_COLUMNS = {
    "transcripts": {"transcript_id", "cohort"},
    "segments": {"transcript_id", "segment_index", "answer"},
    "participants": {"transcript_id"},
    "codebook": {"code", "facet", "label"},
}


class ProjectFileError(ValueError):
    """A file that is not a usable Interview Lens project file; the message says why."""


@dataclass(frozen=True, slots=True)
class ImportedProject:
    name: str
    n_transcripts: int
    n_edits: int


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink, compression="zstd")
    return sink.getvalue()


SAFE_PARQUET_CODECS = frozenset({"ZSTD", "SNAPPY", "GZIP", "UNCOMPRESSED"})
"""Codecs a project file's tables may use. We write zstd; Brotli is refused because the
Brotli decoder bundled with pyarrow may carry a decoder bug with no confirmed fix (see
docs/SECURITY.md, T23), and a file from someone else must not reach it."""


def _check_codecs(data: bytes) -> None:
    """Refuse a table whose column chunks use a codec outside ``SAFE_PARQUET_CODECS``.

    Reads only the Parquet footer (no page is decompressed), so an unsafe codec is refused
    before any decoder runs.
    """
    try:
        metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    except (pa.ArrowException, OSError) as error:
        raise ProjectFileError(f"a table is not valid Parquet ({type(error).__name__})") from None
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for column in range(row_group.num_columns):
            codec = str(row_group.column(column).compression).upper()
            if codec not in SAFE_PARQUET_CODECS:
                raise ProjectFileError(
                    f"a table uses {codec} compression, which Interview Lens does not read "
                    f"(allowed: {', '.join(sorted(SAFE_PARQUET_CODECS))})"
                )


def _read_frame(data: bytes) -> pd.DataFrame:
    """Parquet -> DataFrame with list columns as Python lists (as the store hands them out)."""
    _check_codecs(data)
    table = pq.read_table(io.BytesIO(data))
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            frame[field.name] = pd.Series(table.column(field.name).to_pylist(),
                                          index=frame.index, dtype=object)
    return frame


def export_project(store: Store, project: str) -> bytes:
    """The saved project ``project`` as project-file bytes; KeyError if it does not exist."""
    result = store.load_base_result(project)
    state = store.get_state(project)
    if result is None or state is None:
        raise KeyError(f"no saved project named {project!r}")
    frames = {name: getattr(result, name) for name in RESULT_FRAMES}
    frames[STATE_FRAME] = state.segment_keys
    blobs = {name: _frame_bytes(frame) for name, frame in frames.items()}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": project,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "state": {"fit_key": state.fit_key, "result_key": state.result_key,
                  "model_id": state.model_id, "config": state.config,
                  "codebook_yaml": state.codebook_yaml},
        "run": result.run,
        "messages": list(result.messages),
        "topic_edits": [{"kind": e.kind, "topic_ids": list(e.topic_ids), "label": e.label}
                        for e in store.get_topic_edits(project)],
        "frames": {name: {"rows": len(frames[name]),
                          "sha256": hashlib.sha256(blob).hexdigest()}
                   for name, blob in blobs.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        members = {MANIFEST: json.dumps(manifest, indent=1, default=str).encode("utf-8")}
        members.update({f"frames/{name}.parquet": blob for name, blob in blobs.items()})
        for member, data in members.items():
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _member(archive: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    """Read one expected member with size and ratio caps (zip bombs stop here)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ProjectFileError(f"{name} is missing") from None
    if info.flag_bits & 0x1:
        raise ProjectFileError("encrypted project files are not supported")
    if info.file_size > MAX_MEMBER_BYTES or info.file_size > budget[0]:
        raise ProjectFileError(f"{name} is larger than the limit")
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise ProjectFileError(f"{name} is compressed suspiciously well (zip bomb?)")
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ProjectFileError(f"{name} is not the size the archive says")
    budget[0] -= len(data)
    return data


def read_project_file(data: bytes) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Validate and read a project file: (manifest, frames). Raises ProjectFileError."""
    if len(data) > MAX_FILE_BYTES:
        raise ProjectFileError("project file is larger than the limit")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ProjectFileError("not a ZIP archive") from None
    if len(archive.infolist()) > 4 * len(FRAMES):
        raise ProjectFileError("project file has unexpected extra members")
    budget = [MAX_MEMBER_BYTES]
    try:
        manifest = json.loads(_member(archive, MANIFEST, budget).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProjectFileError(f"{MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ProjectFileError("not an Interview Lens project file")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise ProjectFileError("project file is from a newer version of Interview Lens")
    listed = manifest.get("frames")
    if not isinstance(listed, dict):
        raise ProjectFileError(f"{MANIFEST} lists no frames")
    frames: dict[str, pd.DataFrame] = {}
    for name in FRAMES:  # only names we know: never a path taken from the archive
        entry = listed.get(name)
        if not isinstance(entry, dict):
            raise ProjectFileError(f"frame {name} is missing")
        blob = _member(archive, f"frames/{name}.parquet", budget)
        if hashlib.sha256(blob).hexdigest() != entry.get("sha256"):
            raise ProjectFileError(f"frame {name} does not match its checksum")
        try:
            frames[name] = _read_frame(blob)
        except ProjectFileError as error:
            raise ProjectFileError(f"frame {name}: {error}") from None
        except (pa.ArrowException, OSError, ValueError):
            raise ProjectFileError(f"frame {name} is not readable Parquet") from None
        if len(frames[name]) != entry.get("rows"):
            raise ProjectFileError(f"frame {name} has the wrong number of rows")
        missing = _REQUIRED_COLUMNS.get(name, set()) - set(frames[name].columns)
        if missing and len(frames[name]):
            raise ProjectFileError(f"frame {name} lacks column(s) {', '.join(sorted(missing))}")
    return manifest, frames


def _checked_edits(raw: object, topics: pd.DataFrame
                   ) -> list[tuple[str, list[int], str | None]]:
    """The topic edits, checked against the topics *before* anything is written.

    Replays them on the set of topic ids (a merge keeps the lowest id), so an edit that
    does not fit is refused up front and an existing project is never replaced by half.
    """
    if not isinstance(raw, list):
        raise ProjectFileError("topic edits are not a list")
    known = {int(t) for t in topics.get("topic_id", pd.Series(dtype=int))} - {-1}
    edits: list[tuple[str, list[int], str | None]] = []
    for edit in raw:
        try:
            kind = edit["kind"]
            ids = sorted({int(t) for t in edit["topic_ids"]})
            label = edit.get("label")
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ProjectFileError("a topic edit is malformed") from None
        label = label.strip() if isinstance(label, str) and label.strip() else None
        fits = set(ids) <= known and (
            (kind == "rename" and len(ids) == 1 and label is not None)
            or (kind == "merge" and len(ids) >= 2))
        if not fits:
            raise ProjectFileError("a topic rename or merge does not fit the topics")
        if kind == "merge":
            known -= set(ids[1:])
        edits.append((kind, ids, label))
    return edits


def _free_name(store: Store, wanted: str) -> str:
    name, n = wanted, 2
    while store.has_project(name):
        name, n = f"{wanted} ({n})", n + 1
    return name


def import_project(store: Store, data: bytes, *, name: str | None = None,
                   replace: bool = False) -> ImportedProject:
    """Save the project in ``data`` into ``store``; a taken name gets " (2)" unless ``replace``."""
    manifest, frames = read_project_file(data)
    wanted = " ".join(str(name or manifest.get("name") or "Imported project").split())
    wanted = wanted[:MAX_NAME] or "Imported project"
    target = wanted if replace else _free_name(store, wanted)
    saved_state = manifest.get("state") if isinstance(manifest.get("state"), dict) else {}
    codebook = saved_state.get("codebook_yaml")
    state = ProjectState(
        fit_key=str(saved_state.get("fit_key") or ""),
        result_key=str(saved_state.get("result_key") or ""),
        model_id=str(saved_state.get("model_id") or ""),
        config=saved_state.get("config") if isinstance(saved_state.get("config"), dict) else {},
        codebook_yaml=codebook if isinstance(codebook, str) else None,
        segment_keys=frames.pop(STATE_FRAME),
    )
    if state.codebook_yaml is not None and validate_codebook_yaml(state.codebook_yaml):
        raise ProjectFileError("the project's codebook is not valid")
    run = manifest.get("run") if isinstance(manifest.get("run"), dict) else {}
    messages = [str(m) for m in manifest.get("messages") or [] if isinstance(m, str)]
    result = AnalysisResult(**frames, run=run, messages=messages)
    edits = _checked_edits(manifest.get("topic_edits"), result.topics)
    store.delete_project(target)
    store.save_result(target, result, state)
    for kind, ids, label in edits:
        if kind == "rename":
            store.rename_topic(target, ids[0], label or "")
        else:
            store.merge_topics(target, ids, label)
    return ImportedProject(name=target, n_transcripts=len(result.transcripts),
                           n_edits=len(edits))
