"""Bukti dukung: the type comes from the content, the name must agree; the form fields' checks;
the store keeps a file under its SHA-256 only once it is checked and within the limit."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from spbe_scorer.workspace import documents
from spbe_scorer.workspace.store import DirectoryStore, TooLarge

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _ooxml(folder: str) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", f"{folder}/document.xml": b"<x/>"})


def _odf(media_type: str) -> bytes:
    return _zip({"mimetype": media_type.encode(), "content.xml": b"<x/>"})


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


ACCEPTED = [
    ("laporan.pdf", PDF, "application/pdf"),
    ("tangkapan.png", PNG, "image/png"),
    ("foto.JPG", JPEG, "image/jpeg"),
    ("foto.jpeg", JPEG, "image/jpeg"),
    ("sop.docx", _ooxml("word"), documents.DOCX.media_type),
    ("daftar.xlsx", _xlsx(), documents.XLSX.media_type),
    ("paparan.pptx", _ooxml("ppt"), documents.PPTX.media_type),
    ("nota.odt", _odf(documents.ODT.media_type), "application/vnd.oasis.opendocument.text"),
    ("tabel.ods", _odf(documents.ODS.media_type), documents.ODS.media_type),
]


@pytest.mark.parametrize(("filename", "content", "media_type"), ACCEPTED)
def test_each_accepted_type_is_recognised_by_content(
    filename: str, content: bytes, media_type: str
) -> None:
    assert documents.checked_type(io.BytesIO(content), filename).media_type == media_type


@pytest.mark.parametrize(
    ("filename", "content", "says"),
    [
        ("gambar.png", PDF, "content is PDF but its name ends in .png"),  # renamed
        ("laporan.pdf", HTML, "not a type accepted"),  # an HTML page named .pdf
        ("arsip.docx", _zip({"readme.txt": b"hi"}), "not a type accepted"),  # a plain zip
        ("arsip.zip", _zip({"readme.txt": b"hi"}), "not a type accepted"),
        ("kosong.xlsx", _zip({"[Content_Types].xml": b"<Types/>"}), "not a type accepted"),
        ("nota.odt", _odf("application/zip"), "not a type accepted"),  # unknown ODF type
        ("rusak.docx", b"PK\x03\x04" + b"\x00" * 40, "not a type accepted"),  # broken zip
        ("sop.xlsx", _ooxml("word"), "content is DOCX but its name ends in .xlsx"),
        ("laporan", PDF, "ends in (nothing)"),
        ("kosong.pdf", b"", "not a type accepted"),
    ],
)
def test_content_that_is_not_accepted_or_disagrees_with_the_name_is_415(
    filename: str, content: bytes, says: str
) -> None:
    with pytest.raises(documents.Unsupported) as refused:
        documents.checked_type(io.BytesIO(content), filename)
    assert refused.value.status == 415 and says in str(refused.value)


def test_an_odf_mimetype_entry_that_is_large_is_not_inflated() -> None:
    big = _odf(documents.ODT.media_type + " " * 500)
    assert documents.detect(io.BytesIO(big)) is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\ani\\Laporan Audit 2025.pdf", "Laporan Audit 2025.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('a"b;c<d>\x00e\r\n.pdf', "a_b_c_d_e.pdf"),
        ("Daftar Aplikasi (final).xlsx", "Daftar Aplikasi (final).xlsx"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(raw: str, clean: str) -> None:
    assert documents.clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["", None, "...", "/"])
def test_a_name_with_nothing_left_is_refused(raw: str | None) -> None:
    with pytest.raises(documents.DocumentError, match="no usable name"):
        documents.clean_filename(raw)


def test_title_is_1_to_300_characters() -> None:
    assert documents.clean_title("  SOP   Pusat Data ") == "SOP Pusat Data"
    assert len(documents.clean_title("t" * 300)) == 300
    for bad in ("", "   ", "t" * 301):
        with pytest.raises(documents.DocumentError) as refused:
            documents.clean_title(bad)
        assert refused.value.field == "title" and refused.value.status == 422


def test_records_are_kind_id_of_known_kinds() -> None:
    parsed = documents.parse_records(
        ["application:12", "opd:DISKOMINFOSATIK,facility:3", "application:12"]
    )
    assert parsed == [
        {"kind": "application", "id": "12"}, {"kind": "opd", "id": "DISKOMINFOSATIK"},
        {"kind": "facility", "id": "3"},
    ]  # fmt: skip
    for bad in ("planet:1", "application", "application:", "audit:a b", "review:" + "9" * 65):
        with pytest.raises(documents.DocumentError) as refused:
            documents.parse_records([bad])
        assert refused.value.field == "records"


def test_the_store_keeps_a_checked_file_under_its_sha256(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    stored, kind = store.put(io.BytesIO(PDF), 1024, lambda f: documents.checked_type(f, "a.pdf"))
    sha = hashlib.sha256(PDF).hexdigest()
    assert (stored.sha256, stored.size, kind) == (sha, len(PDF), documents.PDF)
    assert (tmp_path / sha[:2] / sha).read_bytes() == PDF
    assert b"".join(store.chunks(sha)) == PDF
    store.put(io.BytesIO(PDF), 1024, lambda f: None)  # the same content again: kept once
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [sha]


def test_the_store_keeps_nothing_past_the_limit_or_when_the_check_refuses(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path)
    with pytest.raises(TooLarge):
        store.put(io.BytesIO(PDF), len(PDF) - 1, lambda f: None)
    with pytest.raises(documents.Unsupported):
        store.put(io.BytesIO(HTML), 1024, lambda f: documents.checked_type(f, "a.pdf"))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
