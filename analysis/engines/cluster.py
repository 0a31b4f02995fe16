"""Connecting to Ray without phoning home: a loopback-only local cluster, or the user's own.

Privacy rule: no network except what the user asks for. So usage statistics are off (for
the driver and, through the runtime environment, for every worker), the dashboard is not
started, and a local cluster (no address) is bound to 127.0.0.1 only — Ray would otherwise
bind its servers to the machine's outward-facing address. ``--ray-address`` is the user
asking for a network connection, to that address only; it is checked with one TCP connect
(seconds) before ``ray.init``, which would otherwise retry an unreachable address for minutes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.engines.base import EngineUnavailable

LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024
"""Object store of a local cluster: vectors and partitions are small, the machine is shared."""
CONNECT_TIMEOUT_S = 5.0
DEAD_PROXY = "http://127.0.0.1:9"
"""Loopback discard port: HTTP sent "through" it fails at once, without leaving the machine."""
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
_NO_PROXY = "127.0.0.1,localhost,::1"
PROJECT_ROOT = Path(__file__).resolve().parents[2]

_LOCK = threading.Lock()
_CONNECTED: dict[str, object] = {}
"""The connection this module made: {"address": ...}; empty when someone else's or none."""


def _quiet_environment(local: bool) -> dict[str, str]:
    """Environment for the driver and every worker: no usage stats, no hub, our code."""
    env = {
        "RAY_USAGE_STATS_ENABLED": "0",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    if local:
        # Ray's "single machine" mode: every server binds to the loopback address.
        env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    model_cache = os.environ.get("INTERVIEW_LENS_MODEL_CACHE")
    if model_cache:
        env["INTERVIEW_LENS_MODEL_CACHE"] = model_cache
    return env


def _host_port(address: str) -> tuple[str, int] | None:
    """(host, port) of ``host:port`` or ``ray://host:port``; None for "auto" and the like."""
    bare = address.removeprefix("ray://").strip()
    host, sep, port = bare.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """One TCP connect to the cluster's address; EngineUnavailable if nothing answers."""
    target = _host_port(address)
    if target is None:
        if address.strip() == "auto":
            return  # "the cluster `ray start` left on this machine": ray.init finds it
        raise EngineUnavailable(
            f"the Ray address {address!r} is not of the form host:port or ray://host:port"
        )
    try:
        with socket.create_connection(target, timeout=timeout):
            pass
    except OSError as exc:
        raise EngineUnavailable(
            f"cannot reach the Ray cluster at {address} ({exc.strerror or type(exc).__name__}); "
            "check the address or use the local engine"
        ) from None


def connect(address: str | None = None, workers: int | None = None) -> int:
    """Start or join a Ray cluster (reusing this process's connection); returns its CPUs.

    ``address`` None starts a local cluster of ``workers`` CPUs (default: all cores) on
    127.0.0.1. A connection made elsewhere in this process (e.g. a test's cluster) is
    reused when no address is asked for.
    """
    local = not address
    env = _quiet_environment(local)
    os.environ.update({k: v for k, v in env.items() if k != "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"})
    with _LOCK:
        import ray

        if ray.is_initialized():
            if not _CONNECTED and local:
                return _cpus(ray)
            if _CONNECTED and _CONNECTED.get("address") == address:
                return _cpus(ray)
            ray.shutdown()
            _CONNECTED.clear()
        if address:
            check_reachable(address)
        _single_machine(local)
        runtime_env = {"env_vars": {**env, "PYTHONPATH": _pythonpath()}}
        try:
            if local:
                with _no_cloud_probe():
                    ray.init(
                        address="local",
                        num_cpus=workers or os.cpu_count() or 1,
                        include_dashboard=False,
                        _node_ip_address="127.0.0.1",
                        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                        runtime_env=runtime_env,
                        log_to_driver=False,
                        logging_level=logging.WARNING,
                        configure_logging=False,
                    )
            else:
                ray.init(
                    address=address,
                    runtime_env=runtime_env,
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                    configure_logging=False,
                )
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, its own types
            what = "start a local Ray cluster" if local else f"join the Ray cluster at {address}"
            raise EngineUnavailable(f"could not {what} ({type(exc).__name__})") from exc
        _CONNECTED["address"] = address
        _quiet_ray_data()
        return _cpus(ray)


@contextmanager
def _no_cloud_probe() -> Iterator[None]:
    """While a local cluster starts, send plain HTTP to a dead loopback proxy.

    Ray's dashboard process (started even with the dashboard off, for its usage-statistics
    module) asks the cloud metadata address 169.254.169.254 which cloud it runs on — before
    it reads that usage statistics are disabled (tests/engines/test_ray_offline.py caught
    it). The processes Ray starts inherit this environment, so that request goes to a closed
    loopback port and fails at once; loopback traffic (Ray's own gRPC) bypasses the proxy.
    This process's environment is restored as soon as ``ray.init`` returns.
    """
    names = (*_PROXY_VARIABLES, "no_proxy", "NO_PROXY")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: DEAD_PROXY for name in _PROXY_VARIABLES})
    os.environ.update({"no_proxy": _NO_PROXY, "NO_PROXY": _NO_PROXY})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _single_machine(local: bool) -> None:
    """Loopback-only node address for a local cluster; Ray reads this flag when it resolves
    the node's address (after import, so setting the module attribute is what counts)."""
    from ray._private import ray_constants

    ray_constants.ENABLE_RAY_CLUSTER = not local


def _pythonpath() -> str:
    """Workers import ``analysis`` from the same checkout as the driver."""
    existing = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (str(PROJECT_ROOT), existing) if p)


def _quiet_ray_data() -> None:
    """No progress bars or execution banners on the CLI's stderr (our own bar shows progress)."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)


def _cpus(ray) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def shutdown() -> None:
    """End this module's connection (tests; the CLI's process exit does it too)."""
    with _LOCK:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        _CONNECTED.clear()
