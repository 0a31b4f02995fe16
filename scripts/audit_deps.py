"""Audit the pinned dependencies for known advisories (threat T23): ``pip-audit`` first.

Why a script: ``pip-audit`` is a development tool, not a runtime dependency, so it is not
pinned in ``requirements.txt``; this wraps it with the project's options and a fallback.
pip-audit asks PyPI's per-version JSON API (``/pypi/<name>/<version>/json``). Where that
endpoint is unavailable (some mirrors and proxies answer 404 for every version, as on the
development machine) pip-audit skips the package; the fallback then reads the
per-project JSON (``/pypi/<name>/json``), whose ``vulnerabilities`` list describes the
*latest* release, so it can only vouch for a pin that *is* the latest release. Anything
else is reported as unaudited, never as clean. The fallback asks only about the packages
that face untrusted input or the network (``EXPOSED``), to keep registry look-ups few.

Offline part: ``scripts/advisory_floors.toml`` lists, for the same exposed packages, the
lowest version free of every advisory we know of, with the advisories behind it. Checking
pins against those floors needs no network, so CI does it on every run (the test suite's
``tests/security/test_dependency_floors.py``); ``--floors-only`` runs just that part.

Usage:
    .venv/bin/python scripts/audit_deps.py --floors-only       # offline: pins vs floors
    .venv/bin/pip install pip-audit==2.10.1                    # online: the full audit
    .venv/bin/python scripts/audit_deps.py [--requirements requirements.txt]
Exit status: 0 when nothing known is found, 1 when an advisory applies to a pin or a pin is
below its floor.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPI = "https://pypi.org/pypi/{name}/json"
FLOORS = ROOT / "scripts" / "advisory_floors.toml"
EXPOSED = ("streamlit", "starlette", "uvicorn", "python-multipart", "websockets", "lxml",
           "defusedxml", "openpyxl", "xlsxwriter", "pillow", "charset-normalizer", "duckdb",
           "pyarrow", "jinja2", "requests", "urllib3", "authlib", "cryptography",
           "python-pptx", "plotly", "transformers", "huggingface-hub", "protobuf", "h11",
           "joserfc", "ray")
"""Parse uploads or exports, serve HTTP, sign in users, load model files, or reach a cluster."""
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


@dataclass
class Finding:
    name: str
    version: str
    status: str  # "clean", "vulnerable", "unaudited"
    source: str
    advisories: list[str] = field(default_factory=list)
    note: str = ""


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: Path) -> dict[str, str]:
    """``name -> version`` for every ``name==version`` line (local tags like +cpu kept)."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            found[normalise(match[1])] = match[2]
    return found


def load_floors(path: Path = FLOORS) -> dict[str, dict[str, Any]]:
    """``normalised name -> entry`` from the floors file (see its header for the fields)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {normalise(name): entry for name, entry in data["packages"].items()}


def highest_fix(entry: dict[str, Any]) -> Version | None:
    """The highest known ``fixed`` version of an entry's advisories (None without any)."""
    fixed = [Version(a["fixed"]) for a in entry.get("advisories", [])
             if a.get("fixed", "unknown") != "unknown"]
    return max(fixed, default=None)


def floor_problems(pinned: dict[str, str], floors: dict[str, dict[str, Any]]) -> list[str]:
    """Each pin below its floor, below a ``requires`` minimum, or at/below a last-affected
    version; and each installed-by-default floor package that is not pinned at all."""
    problems = []
    for name, entry in sorted(floors.items()):
        if name not in pinned:
            if entry.get("installed", True):
                problems.append(f"{name}: has a floor but no pin in requirements")
            continue
        pin = Version(pinned[name])
        for key in ("floor", "requires"):
            if key in entry and pin < Version(entry[key]):
                problems.append(f"{name}=={pinned[name]} is below its {key} {entry[key]}")
        for advisory in entry.get("advisories", []):
            last = advisory.get("last_affected")
            if last and pin <= Version(last):
                problems.append(f"{name}=={pinned[name]} is affected by {advisory['id']} "
                                f"(last affected {last})")
    return problems


def unverified(floors: dict[str, dict[str, Any]]) -> list[str]:
    """Advisories whose fix version no source gave: the floors cannot vouch for them."""
    return [f"{name}: {a['id']} ({a.get('note', 'fix version unknown')})"
            for name, entry in sorted(floors.items()) for a in entry.get("advisories", [])
            if a.get("fixed") == "unknown"]


def check_floors(requirements: Path, floors_path: Path = FLOORS) -> int:
    """Print the offline floors check; 1 when a pin is below a floor."""
    floors = load_floors(floors_path)
    problems = floor_problems(pins(requirements), floors)
    for line in problems:
        print(f"below-floor {line}")
    for line in unverified(floors):
        print(f"unverified  {line}")
    print(f"floors: {len(floors)} packages, {len(problems)} below their floor")
    return 1 if problems else 0


def run_pip_audit(requirements: Path) -> dict[str, Finding]:
    command = [sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps",
               "--format", "json", "--progress-spinner", "off", "--desc", "off"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise SystemExit(f"pip-audit gave no JSON (exit {done.returncode}):\n"
                         f"{done.stderr[-2000:]}") from error
    findings = {}
    for dep in report.get("dependencies", []):
        name, version = normalise(dep["name"]), str(dep.get("version", ""))
        if dep.get("skip_reason"):
            findings[name] = Finding(name, version, "unaudited", "pip-audit",
                                     note=str(dep["skip_reason"]))
            continue
        vulns = [v["id"] + (f" (fixed in {', '.join(v['fix_versions'])})"
                            if v.get("fix_versions") else "") for v in dep.get("vulns", [])]
        findings[name] = Finding(name, version, "vulnerable" if vulns else "clean",
                                 "pip-audit", vulns)
    return findings


def latest_release_check(name: str, version: str) -> Finding:
    """Fallback for a skipped pin: PyPI's per-project JSON, valid only for the latest."""
    try:
        with urllib.request.urlopen(PYPI.format(name=name), timeout=30) as response:
            data = json.load(response)
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as error:
        return Finding(name, version, "unaudited", "pypi-latest",
                       note=f"lookup failed ({type(error).__name__})")
    latest = str(data.get("info", {}).get("version", ""))
    if latest != version.split("+")[0]:
        return Finding(name, version, "unaudited", "pypi-latest",
                       note=f"pin is not the latest release ({latest})")
    vulns = [str(v.get("id")) for v in data.get("vulnerabilities") or []]
    return Finding(name, version, "vulnerable" if vulns else "clean", "pypi-latest", vulns,
                   note="latest release")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, default=ROOT / "requirements.txt")
    parser.add_argument("--json", type=Path, help="also write the findings here")
    parser.add_argument("--floors", type=Path, default=FLOORS)
    parser.add_argument("--floors-only", action="store_true",
                        help="only the offline check of pins against the floors file")
    args = parser.parse_args(argv)
    floors_status = check_floors(args.requirements, args.floors)
    if args.floors_only:
        return floors_status
    pinned = pins(args.requirements)
    findings = run_pip_audit(args.requirements)
    for name in EXPOSED:
        finding = findings.get(name)
        if name in pinned and (finding is None or finding.status == "unaudited"):
            findings[name] = latest_release_check(name, pinned[name])
    rows = sorted(findings.values(), key=lambda f: (f.status != "vulnerable", f.name))
    for f in rows:
        detail = "; ".join(f.advisories) or f.note
        print(f"{f.status:10} {f.name}=={f.version} [{f.source}] {detail}")
    counts = {s: sum(f.status == s for f in rows) for s in ("vulnerable", "clean", "unaudited")}
    print(f"summary: {counts}")
    if args.json:
        args.json.write_text(json.dumps([f.__dict__ for f in rows], indent=1), encoding="utf-8")
    return 1 if counts["vulnerable"] or floors_status else 0


if __name__ == "__main__":
    raise SystemExit(main())
