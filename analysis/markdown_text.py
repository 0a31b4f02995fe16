"""Markdown that displays transcript text literally, for files the CLI writes.

``findings.md`` quotes participants and names codes and groups that come from uploaded
files (codebook YAML, metadata). Opened in a Markdown viewer, such text must never become
a link, an image, HTML or a heading, so every ASCII punctuation character is
backslash-escaped (CommonMark allows escaping any of them) and line breaks are folded
into spaces so a quote cannot leave its blockquote. ``ui.widgets.escape_markdown`` applies
the same character rule to text the app draws.
"""

from __future__ import annotations

import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'^%@/])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def escape_inline(text: Any) -> str:
    """``text`` as one line of Markdown that renders exactly as written."""
    value = "" if text is None else str(text)
    return _MD_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", value).strip())
