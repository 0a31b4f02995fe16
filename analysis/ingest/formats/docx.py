"""Word documents read as what they are: a ZIP of XML, under the archive caps.

No python-docx: ``word/document.xml`` is streamed with the ZIP caps and parsed by defusedxml
with DTDs forbidden (OOXML never needs one; a DTD means an entity attack).
"""

from __future__ import annotations

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from analysis.ingest.archive import open_zip, read_member
from analysis.ingest.formats.plaintext import parse_labelled_text
from analysis.ingest.options import IngestOptions
from analysis.ingest.raw import RawTranscript
from analysis.records import IngestError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(data: bytes, options: IngestOptions) -> str:
    """The document's paragraphs, one per line (tabs and line breaks kept)."""
    archive = open_zip(data, options)
    with archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError as exc:
            raise IngestError("not a Word document: word/document.xml is missing") from exc
        xml = read_member(archive, info, options.max_file_bytes, options)
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise IngestError("Word document XML is unsafe or malformed") from exc
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def parse_docx(data: bytes, options: IngestOptions) -> RawTranscript:
    return parse_labelled_text(docx_text(data, options))
