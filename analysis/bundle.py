"""Result bundles: an ``AnalysisResult`` as a folder of parquet files plus ``run.json``.

WHY a folder of parquet files: the app must open the bundled demo project in well under a
second without running any model, and a saved result must be safe to load from a file a
user was handed. Parquet is a typed, columnar, non-executable format (no pickle anywhere);
one file per frame keeps a bundle diff-friendly and lets a reader load only what it needs.
``run.json`` carries the run metadata, the user-facing messages, a manifest of the frames
and, optionally, a sha256 fingerprint of the input files so a build script can tell when a
committed bundle is stale relative to its inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.results import AnalysisResult

BUNDLE_FORMAT = "interview-lens-result"
BUNDLE_VERSION = 1
MANIFEST_NAME = "run.json"
FRAME_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(AnalysisResult) if f.name not in ("run", "messages")
)
"""Every DataFrame field of ``AnalysisResult``, in declaration order."""


class BundleError(Exception):
    """A folder that is not a readable result bundle (missing files, wrong format)."""


def fingerprint_files(paths: Iterable[Path], root: Path) -> str:
    """sha256 over the files' paths (relative to ``root``, POSIX style) and their bytes.

    Paths are sorted so the fingerprint does not depend on directory listing order, and
    each name and content is length-prefixed so moving bytes between files changes it.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        name = path.resolve().relative_to(root.resolve()).as_posix().encode()
        data = path.read_bytes()
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _json_default(value: Any) -> Any:
    """Make numpy scalars, paths and timestamps in ``run`` JSON-safe instead of failing."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, Path | pd.Timestamp):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"run metadata value of type {type(value).__name__} is not JSON-serialisable")


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=None)
    pq.write_table(table, path, compression="zstd")


def _read_frame(path: Path) -> pd.DataFrame:
    """Read one frame; list columns come back as Python lists, not numpy arrays.

    pyarrow turns parquet list columns into numpy arrays, which compare and serialise
    differently from the lists the pipeline produced (e.g. ``representative_quotes``).
    """
    table = pq.read_table(path)
    frame = table.to_pandas()
    for field_ in table.schema:
        if pa.types.is_list(field_.type) or pa.types.is_large_list(field_.type):
            values = table.column(field_.name).to_pylist()
            frame[field_.name] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def save_result_dir(
    result: AnalysisResult, path: str | Path, *, inputs: Mapping[str, Any] | None = None
) -> None:
    """Write ``result`` to the folder ``path`` (created if needed; its frames are replaced).

    ``inputs`` is extra provenance stored under ``"inputs"`` in run.json, e.g.
    ``{"fingerprint": fingerprint_files(...), "files": 48}`` for the demo build.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    frames: dict[str, dict[str, Any]] = {}
    for name in FRAME_NAMES:
        frame = getattr(result, name)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"AnalysisResult.{name} is {type(frame).__name__}, not a DataFrame")
        file_name = f"{name}.parquet"
        _write_frame(frame, folder / file_name)
        frames[name] = {"file": file_name, "rows": len(frame), "columns": len(frame.columns)}
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "run": result.run,
        "messages": list(result.messages),
        "frames": frames,
        "inputs": dict(inputs or {}),
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default)
    (folder / MANIFEST_NAME).write_text(text + "\n", encoding="utf-8")


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The parsed run.json of a bundle, checked for format and version."""
    manifest_path = Path(path) / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BundleError(f"no {MANIFEST_NAME} in {Path(path).name!r}: not a result bundle")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{MANIFEST_NAME} is not valid JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{MANIFEST_NAME} is not an Interview Lens result manifest")
    version = manifest.get("version")
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        raise BundleError(f"result bundle version {version!r} is newer than this app reads")
    return manifest


def load_result_dir(path: str | Path) -> AnalysisResult:
    """Read a bundle written by ``save_result_dir`` back into an ``AnalysisResult``."""
    folder = Path(path)
    manifest = read_manifest(folder)
    frames: dict[str, pd.DataFrame] = {}
    for name in FRAME_NAMES:
        entry = manifest.get("frames", {}).get(name)
        if entry is None:
            frames[name] = pd.DataFrame()
            continue
        file_path = folder / Path(str(entry["file"])).name  # never follow a path elsewhere
        if not file_path.is_file():
            raise BundleError(f"result bundle is missing {file_path.name}")
        frames[name] = _read_frame(file_path)
    run = manifest.get("run") or {}
    messages = [str(m) for m in manifest.get("messages") or []]
    return AnalysisResult(**frames, run=run, messages=messages)


def bundle_is_fresh(path: str | Path, fingerprint: str) -> bool:
    """True when the bundle at ``path`` was built from inputs with this fingerprint."""
    try:
        manifest = read_manifest(path)
    except BundleError:
        return False
    recorded = manifest.get("inputs", {}).get("fingerprint")
    return isinstance(recorded, str) and recorded == fingerprint
