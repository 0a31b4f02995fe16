"""Namespaces and deterministic GUIDs for REFI-QDA files.

GUIDs are UUID5 of a stable key (a code id, a transcript id), never random: exporting the
same project twice gives byte-identical XML apart from the date, and a code has the same
GUID in the ``.qdc`` codebook and in the ``.qdpx`` project, so a QDA tool that imported one
recognises the codes of the other.
"""

from __future__ import annotations

import re
import uuid

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "Interview Lens 0.1.0"
USER_NAME = "Interview Lens"
_ROOT = uuid.UUID("6a1f3c2e-5b7d-4e8a-9c0f-2d4b6e8a1c3f")
GUID_RE = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)


def guid(kind: str, *parts: str) -> str:
    """An upper-case GUID (the form NVivo and ATLAS.ti write) for ``kind`` + key parts."""
    key = "\x1f".join((kind, *parts))
    return str(uuid.uuid5(_ROOT, key)).upper()


def code_guid(code_id: str) -> str:
    return guid("code", code_id)


def facet_guid(facet: str) -> str:
    return guid("facet", facet)


def user_guid() -> str:
    return guid("user", USER_NAME)
