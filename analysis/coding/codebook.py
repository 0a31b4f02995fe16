"""Load, validate and dump codebooks (YAML).

A codebook is data the researcher owns and edits in the app, so every problem is
reported as a readable message instead of an exception deep in the coder. Only
``yaml.safe_load`` is used: a codebook file can come from anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd
import yaml

FACETS = ("trigger", "pattern", "culture", "outcome")
"""The four facets the dashboard is built around; every code belongs to one."""
_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")
_LIST_FIELDS = ("examples", "cues", "context", "context_cues", "exclude")
_REGEX_FIELDS = ("cues", "context", "context_cues", "exclude")
_KNOWN_FIELDS = {"id", "facet", "label", "description", "negatable", "own_use", *_LIST_FIELDS}
MAX_YAML_CHARS = 500_000
"""A codebook is a few dozen codes; anything far larger is not a codebook."""


class CodebookError(ValueError):
    """The codebook text has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Code:
    """One code: what a researcher reads (label, description, examples) and how it is
    recognised (regex cues on answer sentences, optionally gated by the question)."""

    id: str
    facet: str
    label: str
    description: str
    examples: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    context_cues: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    negatable: bool = True
    own_use: bool = False


@dataclass(frozen=True, slots=True)
class Codebook:
    codes: tuple[Code, ...]
    occupation_groups: tuple[str, ...] = ()
    facets: dict[str, str] = field(default_factory=dict)

    @property
    def code_ids(self) -> list[str]:
        return [code.id for code in self.codes]

    def frame(self) -> pd.DataFrame:
        """``code, facet, label, description, examples`` in display order."""
        return pd.DataFrame(
            {
                "code": [c.id for c in self.codes],
                "facet": [c.facet for c in self.codes],
                "label": [c.label for c in self.codes],
                "description": [c.description for c in self.codes],
                "examples": ["; ".join(c.examples) for c in self.codes],
            },
            columns=["code", "facet", "label", "description", "examples"],
        )


def default_codebook_yaml() -> str:
    """The YAML text of the codebook shipped with the package."""
    path = resources.files("analysis.coding").joinpath("codebook_default.yaml")
    return path.read_text(encoding="utf-8")


def _as_str_list(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where} must be a list of strings")
        return ()
    return tuple(v for v in value if v.strip())


def _check_regexes(patterns: tuple[str, ...], where: str, problems: list[str]) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            problems.append(f"{where}: invalid regular expression {pattern!r} ({exc})")


def _parse_code(raw: object, number: int, problems: list[str]) -> Code | None:
    where = f"code #{number}"
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a mapping with id, facet, label, description")
        return None
    code_id = raw.get("id")
    if not isinstance(code_id, str) or not _ID.match(code_id):
        problems.append(f"{where}: id {code_id!r} must look like 'facet.name' (lower case)")
        return None
    where = f"code {code_id}"
    unknown = sorted(set(raw) - _KNOWN_FIELDS)
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
    facet = raw.get("facet")
    if facet not in FACETS:
        problems.append(f"{where}: unknown facet {facet!r} (expected one of {', '.join(FACETS)})")
    elif code_id.split(".", 1)[0] != facet:
        problems.append(f"{where}: id prefix does not match facet {facet!r}")
    label = raw.get("label")
    description = raw.get("description")
    if not isinstance(label, str) or not label.strip():
        problems.append(f"{where}: label is missing")
        label = ""
    if not isinstance(description, str) or not description.strip():
        problems.append(f"{where}: description is missing")
        description = ""
    flags = {}
    for name, default in (("negatable", True), ("own_use", False)):
        value = raw.get(name, default)
        if not isinstance(value, bool):
            problems.append(f"{where}: {name} must be true or false")
            value = default
        flags[name] = value
    lists = {
        name: _as_str_list(raw.get(name), f"{where}: {name}", problems) for name in _LIST_FIELDS
    }
    for name in _REGEX_FIELDS:
        _check_regexes(lists[name], f"{where}: {name}", problems)
    return Code(
        id=code_id,
        facet=str(facet),
        label=label.strip(),
        description=" ".join(description.split()),
        **flags,
        **lists,
    )


def parse_codebook(text: str) -> tuple[Codebook | None, list[str]]:
    """Parse YAML text into a Codebook; returns (codebook or None, problems)."""
    if len(text) > MAX_YAML_CHARS:
        return None, [f"codebook is larger than {MAX_YAML_CHARS} characters"]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        return None, [f"codebook is not valid YAML{at}"]
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        return None, ["codebook must be a mapping with a 'codes' list"]
    problems: list[str] = []
    codes = [_parse_code(raw, i, problems) for i, raw in enumerate(data["codes"], 1)]
    parsed = [c for c in codes if c is not None]
    if not parsed and not problems:
        problems.append("codebook has no codes")
    seen: set[str] = set()
    for code in parsed:
        if code.id in seen:
            problems.append(f"duplicate code id {code.id}")
        seen.add(code.id)
    groups = _as_str_list(data.get("occupation_groups"), "occupation_groups", problems)
    facets = data.get("facets") or {}
    if not isinstance(facets, dict):
        problems.append("facets must be a mapping of facet to a short description")
        facets = {}
    if problems:
        return None, problems
    return Codebook(
        codes=tuple(parsed),
        occupation_groups=groups,
        facets={str(k): str(v) for k, v in facets.items()},
    ), []


def validate_codebook_yaml(text: str) -> list[str]:
    """Every problem with a codebook's YAML text (empty list: the codebook is usable)."""
    return parse_codebook(text)[1]


def load_codebook(text: str | None = None) -> Codebook:
    """The codebook in ``text`` (None: the default); raises CodebookError when invalid."""
    codebook, problems = parse_codebook(default_codebook_yaml() if text is None else text)
    if codebook is None:
        raise CodebookError(problems)
    return codebook


def dump_codebook(codebook: Codebook) -> str:
    """YAML text for a codebook (e.g. after edits in the app), loadable by load_codebook."""
    codes = []
    for code in codebook.codes:
        entry: dict[str, object] = {
            "id": code.id,
            "facet": code.facet,
            "label": code.label,
            "description": code.description,
            "examples": list(code.examples),
        }
        for name in _REGEX_FIELDS:
            if getattr(code, name):
                entry[name] = list(getattr(code, name))
        if not code.negatable:
            entry["negatable"] = False
        if code.own_use:
            entry["own_use"] = True
        codes.append(entry)
    data = {
        "version": 1,
        "facets": dict(codebook.facets),
        "occupation_groups": list(codebook.occupation_groups),
        "codes": codes,
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
