"""Hypothesis properties: the parser raises only IngestError; the batch never raises."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest import SUPPORTED_EXTENSIONS, ingest_blobs, parse_blob
from analysis.ingest.decode import decode_bytes
from analysis.records import IngestError
from analysis.segment import question_sentences, split_sentences

EXTENSIONS = sorted(SUPPORTED_EXTENSIONS | {".pdf", ".exe", ".TXT", ".Json"})
LABEL_LINES = st.sampled_from(
    [
        "Interviewer: ",
        "Participant: ",
        "AI: ",
        "User: ",
        "Q: ",
        "[00:01:02] Sam: ",
        "Speaker 1  0:01\n",
        "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>",
        "---\n",
        '{"role": "user", "content": ',
        '[{"role": "assistant", "content": "x"}',
        "transcript_id,text\n",
        "\x00",
        "\ufeff",
        "â€“",
    ]
)
TEXTISH = st.lists(st.one_of(LABEL_LINES, st.text(max_size=40)), max_size=12).map("".join)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _raises_only_ingest_error(name: str, data: bytes) -> None:
    try:
        parse_blob(name, data)
    except IngestError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message


@SETTINGS
@given(ext=st.sampled_from(EXTENSIONS), data=st.binary(max_size=2000))
def test_parse_blob_on_arbitrary_bytes_raises_only_ingest_error(ext: str, data: bytes) -> None:
    _raises_only_ingest_error(f"upload{ext}", data)


@SETTINGS
@given(
    ext=st.sampled_from(EXTENSIONS),
    text=TEXTISH,
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]),
)
def test_parse_blob_on_structured_text_raises_only_ingest_error(
    ext: str, text: str, encoding: str
) -> None:
    _raises_only_ingest_error(f"upload{ext}", text.encode(encoding, errors="surrogatepass"))


@st.composite
def zips(draw: st.DrawFn) -> bytes:
    names = st.sampled_from(
        ["a.txt", "../x.txt", "/abs.txt", "C:\\d.txt", "dir/b.json", "n\x00ul.txt", "ü.md", "a.txt"]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for _ in range(draw(st.integers(0, 4))):
            archive.writestr(zipfile.ZipInfo(draw(names)), draw(TEXTISH).encode("utf-8", "replace"))
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore:Duplicate name")
@SETTINGS
@given(
    blobs=st.lists(
        st.tuples(
            st.sampled_from(EXTENSIONS).map(lambda e: f"f{e}"),
            st.one_of(st.binary(max_size=500), TEXTISH.map(lambda t: t.encode("utf-8", "replace"))),
        ),
        max_size=4,
    ),
    archive=st.one_of(st.none(), zips()),
)
def test_ingest_blobs_never_raises_and_accounts_for_every_file(
    blobs: list[tuple[str, bytes]], archive: bytes | None
) -> None:
    named = [(f"{i}_{name}", data) for i, (name, data) in enumerate(blobs)]
    if archive is not None:
        named.append(("z.zip", archive))
    result = ingest_blobs(named)
    reported = [f.file for f in result.files]
    for name, _ in named:
        if name.endswith(".zip"):
            continue  # an archive is reported through its members
        assert reported.count(name) == 1
    assert all(f.status in {"parsed", "rejected"} for f in result.files)
    assert all(f.reason for f in result.files if f.status == "rejected")
    assert sum(f.transcripts for f in result.files) == len(result.transcripts) + len(
        result.duplicates
    )


WORDS = [
    "we",
    "use",
    "AI",
    "for",
    "drafting",
    "emails",
    "and",
    "the",
    "café",
    "rota",
    "naïve",
    "Zürich",
    "über",
    "señor",
    "résumé",
    "façade",
    "straße",
    "jalapeño",
    "–",
    "“quoted”",
    "€5",
    "ok?",
    "yes.",
    "Ça",
    "déjà-vu",
    "Ærø",
    "øre",
    "Å",
]
WESTERN = st.lists(st.sampled_from(WORDS), min_size=6, max_size=60).map(" ".join)
"""Realistic Western-European prose: detection needs real words, not random symbols."""


@SETTINGS
@given(text=WESTERN, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_decode_round_trips_common_encodings(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)).text == text


@SETTINGS
@given(text=st.text(max_size=400))
def test_question_sentences_come_from_the_turn(text: str) -> None:
    question = question_sentences(text)
    assert bool(question) == bool(text.strip())
    for sentence in split_sentences(question):
        assert sentence in text


XMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<?xml version='1.0'?>",
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">',
                "<w:body><w:p><w:r><w:t>",
                "</w:t></w:r></w:p>",
                "<!DOCTYPE x [<!ENTITY e 'v'>]>",
                "&e;",
                "<workbook><sheets><sheet name='s' sheetId='1' r:id='rId1'/></sheets></workbook>",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=8,
).map("".join)


@st.composite
def office_zips(draw: st.DrawFn) -> bytes:
    parts = st.sampled_from(
        ["word/document.xml", "[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in draw(st.lists(parts, max_size=4, unique=True)):
            archive.writestr(name, draw(XMLISH).encode("utf-8", "replace"))
    return buffer.getvalue()


@SETTINGS
@given(data=office_zips(), ext=st.sampled_from([".docx", ".xlsx"]))
def test_office_containers_raise_only_ingest_error(data: bytes, ext: str) -> None:
    _raises_only_ingest_error(f"upload{ext}", data)
