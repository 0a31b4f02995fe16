"""Ray engine tests: one real local Ray cluster per module (2 workers on 2 CPUs).

Skips cleanly when ``ray`` is not installed. The cluster is started through
``analysis.engines.cluster.connect`` — the same loopback-only, no-usage-stats settings the
CLI and the app use — and shut down when the module's tests are done.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from analysis.engines import ray_available
from analysis.records import IngestResult
from tests.engine.conftest import ENGINE_CORPUS

WORKERS = 2


@pytest.fixture(scope="session")
def fixture_ingest() -> IngestResult:
    """The engine fixture corpus (12 transcripts, 60 answers), ingested once."""
    from analysis.ingest import ingest_paths

    return ingest_paths([ENGINE_CORPUS])


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[int]:
    """A local Ray cluster for this module; yields its CPU count."""
    if not ray_available():
        pytest.skip("ray is not installed")
    from analysis.engines import cluster

    cluster.shutdown()  # another module's cluster never leaks into this one
    cpus = cluster.connect(None, workers=WORKERS)
    yield cpus
    cluster.shutdown()


@pytest.fixture(scope="module")
def remote_everything() -> Iterator[None]:
    """Send every embedding to the workers, however few texts (the threshold is for speed)."""
    from analysis.engines import ray_engine

    saved = ray_engine.MIN_REMOTE_TEXTS
    ray_engine.MIN_REMOTE_TEXTS = 0
    yield
    ray_engine.MIN_REMOTE_TEXTS = saved
