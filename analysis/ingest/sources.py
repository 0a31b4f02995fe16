"""Turn paths (files, folders) and uploads into a flat list of named inputs.

Files are read lazily so a folder that breaks the limits is refused before it is read, and
each input carries the cohort its location implies (containing folder or archive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(slots=True)
class Source:
    name: str
    """Display name: path as given, ``archive.zip/inner/file.txt`` for members."""
    size: int
    load: Callable[[], bytes]
    cohort_hint: str
    depth: int = 0
    """How many archives this input sits inside."""


def _is_hidden(path: Path) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in path.parts)


def folder_cohort(path: PurePosixPath | Path, fallback: str) -> str:
    """The containing folder's name, or ``fallback`` for top-level names."""
    parent = path.parent.name
    return parent or fallback


def sources_from_paths(paths: list[Path]) -> tuple[list[Source], list[tuple[str, str]]]:
    """Expand folders recursively (sorted; hidden files and symlinks inside folders skipped)."""
    sources: list[Source] = []
    missing: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not p.is_symlink() and not _is_hidden(p.relative_to(path))
            )
            sources.extend(_file_source(p, str(p), folder_cohort(p, path.name)) for p in files)
        elif path.is_file():
            sources.append(_file_source(path, str(path), folder_cohort(path.resolve(), "default")))
        else:
            missing.append((str(path), "no such file or folder"))
    return sources, missing


def _file_source(path: Path, name: str, cohort: str) -> Source:
    return Source(name=name, size=path.stat().st_size, load=path.read_bytes, cohort_hint=cohort)


def sources_from_blobs(blobs: list[tuple[str, bytes]]) -> list[Source]:
    """Uploads: a name with folders (``cohort/x.txt``) still implies the folder's cohort."""
    out = []
    for name, data in blobs:
        cohort = folder_cohort(PurePosixPath(name.replace("\\", "/")), "default")
        out.append(Source(name=name, size=len(data), load=lambda d=data: d, cohort_hint=cohort))
    return out
