"""Where the model-heavy stages run: ``local`` (this process) or ``ray`` (a Ray cluster).

``engine_for(name, address=..., workers=...)`` is what the pipeline and the CLI call. An
engine changes speed, never results: every engine equals ``local`` exactly (tests compare
embeddings with ``np.array_equal``, topics and codes frame by frame), so the engine is not
part of any saved-result key. Ray is imported only when the Ray engine does its first work.
"""

from __future__ import annotations

from analysis.engines.base import (
    ENGINES,
    EmbedderSpec,
    Engine,
    EngineError,
    EngineUnavailable,
)
from analysis.engines.local import LocalEngine

__all__ = [
    "ENGINES",
    "EmbedderSpec",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "LocalEngine",
    "engine_for",
    "ray_available",
]


def engine_for(name: str, *, address: str | None = None, workers: int | None = None) -> Engine:
    """The engine a run's settings name; ``address``/``workers`` only apply to ``ray``."""
    if name == "local":
        return LocalEngine()
    if name == "ray":
        if not ray_available():
            raise EngineUnavailable("the Ray engine needs the 'ray' package (pip install ray)")
        from analysis.engines.ray_engine import RayEngine

        return RayEngine(address=address, workers=workers)
    raise ValueError(f"unknown engine {name!r} (use one of {', '.join(ENGINES)})")


def ray_available() -> bool:
    """Whether ``ray`` (with Ray Data) can be imported, without importing it."""
    from importlib.util import find_spec

    return find_spec("ray") is not None and find_spec("ray.data") is not None
