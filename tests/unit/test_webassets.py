"""The pinned browser-side files: integrity checked, nothing served from elsewhere, a service
without them refuses to start."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from fastapi import FastAPI

from spbe_common import webassets


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_every_package_is_pinned_to_an_exact_version_and_a_sha512() -> None:
    for package in webassets.PACKAGES:
        assert package.version.count(".") == 2 and package.version[0].isdigit(), package
        assert package.integrity.startswith("sha512-"), package
        assert package.tarball.startswith(webassets.REGISTRY), package


def test_a_tarball_that_does_not_match_its_integrity_is_refused(tmp_path: Path) -> None:
    data = _tarball({"dist/x.js": b"console.log(1)"})
    good = webassets.Package("x", "1.0.0", _integrity(data), {"dist/x.js": "x.js"})
    webassets._extract(good, webassets._verified(good, data), tmp_path)
    assert (tmp_path / "x.js").read_bytes() == b"console.log(1)"
    tampered = _tarball({"dist/x.js": b"steal()"})
    with pytest.raises(webassets.AssetsMissing, match="integrity"):
        webassets._verified(good, tampered)


def test_a_service_without_the_files_refuses_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webassets, "VENDOR_DIR", tmp_path)
    with pytest.raises(webassets.AssetsMissing, match=r"python -m spbe_common\.webassets"):
        webassets.mount(FastAPI())


def test_the_installed_files_are_the_pinned_ones() -> None:
    """`make` installed them (the Makefile's first step): each present with its pin stamp."""
    assert not webassets.missing()
    for package in webassets.PACKAGES:
        if package.served:
            stamp = webassets.VENDOR_DIR / f".{package.name}.pinned"
            assert stamp.read_text() == webassets._stamp(package)


def test_a_bundle_is_patched_so_it_loads_nothing_from_another_host(tmp_path: Path) -> None:
    data = _tarball({"b.js": b'logo="https://cdn.example/logo.svg"'})
    patch = ("b.js", "https://cdn.example/logo.svg", "data:,")
    package = webassets.Package("b", "1.0.0", _integrity(data), {"b.js": "b.js"}, patches=(patch,))
    webassets._extract(package, data, tmp_path)
    assert (tmp_path / "b.js").read_bytes() == b'logo="data:,"'
    moved = _tarball({"b.js": b"logo elsewhere"})  # a new version moved it: say so, not pass
    with pytest.raises(webassets.AssetsMissing, match="not found"):
        webassets._extract(package, moved, tmp_path)


def test_no_served_file_names_another_host_to_load_from() -> None:
    for name in ("redoc.standalone.js",):
        assert b"cdn.redoc.ly" not in (webassets.VENDOR_DIR / name).read_bytes()
