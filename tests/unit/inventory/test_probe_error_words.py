"""A probe's error on the pages: its kind in words, the client's own text only on the detail page."""

import pytest

from spbe_inventory.web.labels import probe_error


@pytest.mark.parametrize(
    ("error", "short", "detailed"),
    [
        ("connect: [Errno 111] Connection refused", "Tidak dapat terhubung",
         "Tidak dapat terhubung ([Errno 111] Connection refused)"),
        ("timeout: timed out", "Tidak menjawab dalam batas waktu",
         "Tidak menjawab dalam batas waktu (timed out)"),
        ("tls: CERTIFICATE_VERIFY_FAILED", "Sertifikat TLS tidak valid",
         "Sertifikat TLS tidak valid (CERTIFICATE_VERIFY_FAILED)"),
        ("something else", "something else", "something else"),  # not a probe's: as it is
        (None, "-", "-"),
    ],
)  # fmt: skip
def test_probe_errors_in_words(error: str | None, short: str, detailed: str) -> None:
    assert probe_error(error) == short
    assert probe_error(error, detail=True) == detailed
