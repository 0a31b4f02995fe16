"""The public Anthropic Interviewer dataset in one click: fetch, cache, hand to ingestion.

This is the one place Interview Lens may use the network, and only when the user asks
(a button, or the ``load-public`` command): the three CSVs are streamed from Hugging Face,
or from a mirror URL or a local folder (``$INTERVIEW_LENS_PUBLIC_DATA`` or the setting in
the app), with a size cap and a timeout, into a per-user cache with their sha256 recorded.
A cached file whose checksum still matches is reused without any request. Files are saved
as ``<cohort>.csv`` whatever the source calls them (Hugging Face: ``<cohort>_transcripts
.csv``), so ingestion names the cohorts ``workforce``, ``creatives`` and ``scientists``.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

COHORTS = ("workforce", "creatives", "scientists")
HF_BASE = ("https://huggingface.co/datasets/Anthropic/AnthropicInterviewer/resolve/main/"
           "interview_transcripts/")
SOURCE_ENV = "INTERVIEW_LENS_PUBLIC_DATA"
CACHE_ENV = "INTERVIEW_LENS_CACHE"
MAX_FILE_BYTES = 50_000_000
"""The largest file (workforce) is 9.3 MB; five times that is not the dataset."""
TIMEOUT_SECONDS = 30.0
CHUNK = 1 << 16
ATTRIBUTION = (
    "Transcripts: the Anthropic Interviewer dataset by Anthropic "
    "(huggingface.co/datasets/Anthropic/AnthropicInterviewer), licensed CC-BY. "
    "Credit Anthropic whenever you use or redistribute them."
)
MANIFEST = "manifest.json"
_HEADER = b"transcript_id,text"

Progress = Callable[[str, int, int | None], None]
"""``progress(cohort, bytes so far, total bytes or None)``."""


class PublicDataError(RuntimeError):
    """The dataset could not be loaded; the message is one line for the user."""


class _NotFound(PublicDataError):
    pass


def remote_names(cohort: str) -> tuple[str, str]:
    """File names to try: Hugging Face's, then the local copy's."""
    return f"{cohort}_transcripts.csv", f"{cohort}.csv"


@dataclass(frozen=True, slots=True)
class PublicSource:
    kind: str  # "url" | "folder"
    location: str

    def describe(self) -> str:
        return self.location if self.kind == "url" else f"folder {self.location}"


def resolve_source(setting: str | None = None) -> PublicSource:
    """The setting (else ``$INTERVIEW_LENS_PUBLIC_DATA``, else Hugging Face) as a source."""
    value = (setting or "").strip() or os.environ.get(SOURCE_ENV, "").strip() or HF_BASE
    scheme = urllib.parse.urlsplit(value).scheme.lower()
    if scheme in ("http", "https"):
        return PublicSource("url", value if value.endswith("/") else value + "/")
    if "://" in value:
        raise PublicDataError("the dataset source must be an http(s) URL or a local folder")
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise PublicDataError(f"no folder at {folder}")
    return PublicSource("folder", str(folder.resolve()))


def default_cache_dir() -> Path:
    """``$INTERVIEW_LENS_CACHE``, else the per-user cache directory (XDG on Linux)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser() / "public-dataset"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interview-lens" / "public-dataset"


@dataclass(frozen=True, slots=True)
class FetchedFile:
    cohort: str
    path: Path
    origin: str
    sha256: str
    size: int
    from_cache: bool


@dataclass(frozen=True, slots=True)
class PublicDataset:
    source: PublicSource
    files: tuple[FetchedFile, ...]

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.files]

    def blobs(self) -> list[tuple[str, bytes]]:
        """``(<cohort>.csv, bytes)`` pairs, the shape the upload page ingests."""
        return [(f.path.name, f.path.read_bytes()) for f in self.files]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_header(first: bytes, origin: str) -> None:
    if not first.lstrip(b"\xef\xbb\xbf").startswith(_HEADER):
        raise PublicDataError(f"{origin} is not a transcript CSV (expected a "
                              "'transcript_id,text' header)")


def _copy_stream(read: Callable[[int], bytes], target: Path, *, origin: str, cohort: str,
                 total: int | None, max_bytes: int, progress: Progress | None) -> str:
    """Stream into ``target`` (via a ``.part`` file) with the size cap; returns the sha256."""
    if total is not None and total > max_bytes:
        raise PublicDataError(f"{origin} is larger than the {max_bytes:,}-byte limit")
    partial = target.with_name(target.name + ".part")
    digest, done, first = hashlib.sha256(), 0, True
    try:
        with partial.open("wb") as out:
            while chunk := read(CHUNK):
                if first:
                    _check_header(chunk, origin)
                    first = False
                done += len(chunk)
                if done > max_bytes:
                    raise PublicDataError(f"{origin} is larger than the {max_bytes:,}-byte limit")
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(cohort, done, total)
        if first:
            raise PublicDataError(f"{origin} is empty")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return digest.hexdigest()


def _download(url: str, target: Path, *, cohort: str, timeout: float, max_bytes: int,
              progress: Progress | None) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": "interview-lens"})
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            return _copy_stream(response.read, target, origin=url, cohort=cohort,
                                total=total, max_bytes=max_bytes, progress=progress)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise _NotFound(f"{url} was not found (HTTP 404)") from None
        raise PublicDataError(f"{host} answered HTTP {exc.code} for {url}") from None
    except TimeoutError:
        raise PublicDataError(f"{host} did not answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise PublicDataError(f"{host} did not answer within {timeout:g} s") from None
        raise PublicDataError(f"could not reach {host} ({exc.reason})") from None
    except (OSError, ValueError) as exc:
        raise PublicDataError(f"download from {host} failed ({type(exc).__name__})") from None


def _fetch_one(source: PublicSource, cohort: str, target: Path, *, timeout: float,
               max_bytes: int, progress: Progress | None) -> tuple[str, str]:
    """(origin, sha256) of the first candidate name the source has."""
    misses = []
    for name in remote_names(cohort):
        if source.kind == "folder":
            path = Path(source.location) / name
            if not path.is_file():
                misses.append(name)
                continue
            with path.open("rb") as handle:
                sha = _copy_stream(handle.read, target, origin=str(path), cohort=cohort,
                                   total=path.stat().st_size, max_bytes=max_bytes,
                                   progress=progress)
            return str(path), sha
        url = urllib.parse.urljoin(source.location, urllib.parse.quote(name))
        try:
            return url, _download(url, target, cohort=cohort, timeout=timeout,
                                  max_bytes=max_bytes, progress=progress)
        except _NotFound:
            misses.append(name)
    raise PublicDataError(f"{source.describe()} has no {' or '.join(misses)}")


def _read_manifest(cache: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((cache / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def fetch_public_dataset(
    setting: str | None = None,
    *,
    cache_dir: str | Path | None = None,
    refresh: bool = False,
    progress: Progress | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_FILE_BYTES,
) -> PublicDataset:
    """Fetch (or reuse from the cache) the three CSVs; raises ``PublicDataError``."""
    source = resolve_source(setting)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(cache)
    files: list[FetchedFile] = []
    for cohort in COHORTS:
        target = cache / f"{cohort}.csv"
        entry = manifest.get(cohort) or {}
        if (not refresh and target.is_file() and entry.get("source") == source.location
                and entry.get("sha256") == _sha256(target)):
            files.append(FetchedFile(cohort, target, str(entry.get("origin")),
                                     str(entry["sha256"]), target.stat().st_size, True))
            continue
        origin, sha = _fetch_one(source, cohort, target, timeout=timeout,
                                 max_bytes=max_bytes, progress=progress)
        size = target.stat().st_size
        manifest[cohort] = {"source": source.location, "origin": origin, "sha256": sha,
                            "bytes": size,
                            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds")}
        (cache / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        files.append(FetchedFile(cohort, target, origin, sha, size, False))
    return PublicDataset(source=source, files=tuple(files))
