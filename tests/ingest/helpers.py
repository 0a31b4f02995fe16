"""Small builders shared by the ingestion tests (fixture paths, in-memory ZIP/DOCX/XLSX)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from tests.conftest import FIXTURES

INGEST_FIXTURES = FIXTURES / "ingest"


def fixture_bytes(name: str) -> bytes:
    return (INGEST_FIXTURES / name).read_bytes()


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_xml(paragraphs: list[str], prolog: str = "") -> str:
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )


def make_docx(paragraphs: list[str] | None = None, *, document_xml: str | None = None) -> bytes:
    """A minimal but valid .docx (what Word needs to open it: content types + document)."""
    xml = document_xml if document_xml is not None else docx_xml(paragraphs or [])
    return make_zip(
        {"[Content_Types].xml": _DOCX_TYPES.encode(), "word/document.xml": xml.encode()}
    )


def make_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
