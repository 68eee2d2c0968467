"""Browser-side files (htmx, Chart.js, Swagger UI, Redoc, axe-core) pinned from the npm registry.

Regency networks often have no internet, so the services serve every script and stylesheet
themselves. `fetch()` downloads each pinned package tarball once from the npm registry (at
install time: `make` runs `python -m spbe_common.webassets`, the container build does too),
checks it against the registry's sha512 integrity, and copies the few files the pages use into
`vendor/` beside this module. Nothing is fetched while a service runs: `mount()` refuses to start
a service whose files are missing and says how to get them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

REGISTRY = os.environ.get("SPBE_NPM_REGISTRY", "https://registry.npmjs.org")
VENDOR_DIR = Path(__file__).with_name("vendor")
VENDOR_URL = "/vendor"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "spbe" / "npm"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's dist.integrity (sha512, base64)
    files: dict[str, str]  # path inside the tarball -> name served under /vendor
    served: bool = True  # False: used by the tests only (kept in the cache, not in vendor/)
    # (file served, text in it, replacement): a bundle that would still load something from
    # another host is changed at install time (the tarball's integrity is checked before)
    patches: tuple[tuple[str, str, str], ...] = ()

    @property
    def tarball(self) -> str:
        base = self.name.rsplit("/", 1)[-1]
        return f"{REGISTRY}/{self.name}/-/{base}-{self.version}.tgz"


PACKAGES = (
    Package(
        "htmx.org",
        "2.0.11",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        {"dist/htmx.min.js": "htmx.min.js", "LICENSE": "htmx.LICENSE"},
    ),
    Package(
        "chart.js",
        "4.5.1",
        "sha512-GIjfiT9dbmHRiYi6Nl2yFCq7kkwdkp1W/lp2J99rX0yo9tgJGn3lKQATztIjb5tVtevcBtIdICNWqlq5+E8/Pw==",
        {"dist/chart.umd.min.js": "chart.umd.min.js", "LICENSE.md": "chart.js.LICENSE.md"},
    ),
    Package(
        "swagger-ui-dist",
        "5.35.0",
        "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==",
        {
            "swagger-ui-bundle.js": "swagger-ui-bundle.js",
            "swagger-ui.css": "swagger-ui.css",
            "favicon-32x32.png": "favicon-32x32.png",
            "LICENSE": "swagger-ui.LICENSE",
        },
    ),
    Package(
        "redoc",
        "2.5.2",
        "sha512-sTJfItvRkcDTojB6wdLN4M+Ua6mlZwElV21Tf8Mn7IbQF/1Os6GvgQpZyLWPGZZHbhy7GC1Or1hTMHfz1vKh5A==",
        {"bundles/redoc.standalone.js": "redoc.standalone.js", "LICENSE": "redoc.LICENSE"},
        patches=(  # the "API docs by Redocly" footer's logo comes from their CDN
            ("redoc.standalone.js", "https://cdn.redoc.ly/redoc/logo-mini.svg", "data:,"),
        ),
    ),
    Package(
        "axe-core",
        "4.11.0",
        "sha512-ilYanEU8vxxBexpJd8cWM4ElSQq4QctCLKih0TSfjIfCQTeyH/6zVrmIJfLPrKTKJRbiG+cfnZbQIjAlJmF1jQ==",
        {"axe.min.js": "axe.min.js"},
        served=False,
    ),
)


class AssetsMissing(RuntimeError):
    """The pinned browser-side files are not installed."""


def _verified(package: Package, data: bytes) -> bytes:
    algorithm, _, expected = package.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise AssetsMissing(
            f"{package.name}@{package.version}: the tarball does not match its pinned integrity"
        )
    return data


def _tarball(package: Package, client: httpx.Client) -> bytes:
    cached = CACHE_DIR / f"{package.name.replace('/', '_')}-{package.version}.tgz"
    if cached.exists():
        try:
            return _verified(package, cached.read_bytes())
        except AssetsMissing:
            cached.unlink()
    response = client.get(package.tarball)
    response.raise_for_status()
    data = _verified(package, response.content)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(cached)
    return data


def _extract(package: Package, data: bytes, target: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for inner, served_as in package.files.items():
            member = archive.extractfile(f"package/{inner}")
            if member is None:
                raise AssetsMissing(f"{package.name}@{package.version} has no {inner}")
            data = member.read()
            for name, old, new in package.patches:
                if name == served_as:
                    if old.encode() not in data:
                        raise AssetsMissing(f"{package.name}@{package.version}: {old} not found")
                    data = data.replace(old.encode(), new.encode())
            out = target / served_as
            tmp = out.with_suffix(out.suffix + ".part")
            tmp.write_bytes(data)
            tmp.replace(out)


def _stamp(package: Package) -> str:
    return f"{package.name}@{package.version} {package.integrity} {len(package.patches)} patches"


def test_dir() -> Path:
    """Where the files used only by tests (axe-core) are kept."""
    return CACHE_DIR / "test-assets"


def fetch() -> list[str]:
    """Install every pinned package's files (a no-op when they are current); returns what it did."""
    done: list[str] = []
    with httpx.Client(timeout=120, follow_redirects=True) as client:
        for package in PACKAGES:
            target = VENDOR_DIR if package.served else test_dir()
            target.mkdir(parents=True, exist_ok=True)
            stamp = target / f".{package.name.replace('/', '_')}.pinned"
            present = all((target / name).exists() for name in package.files.values())
            if present and stamp.exists() and stamp.read_text() == _stamp(package):
                continue
            _extract(package, _tarball(package, client), target)
            stamp.write_text(_stamp(package))
            done.append(f"{package.name}@{package.version}")
    return done


def missing() -> list[str]:
    return [
        name
        for package in PACKAGES
        if package.served
        for name in package.files.values()
        if not (VENDOR_DIR / name).exists()
    ]


def mount(app: FastAPI) -> None:
    """Serve the pinned files under /vendor; refuse to start without them."""
    absent = missing()
    if absent:
        raise AssetsMissing(
            f"browser-side files are not installed ({', '.join(absent)}): run "
            "`python -m spbe_common.webassets` (make does) with access to the npm registry"
        )
    app.mount(VENDOR_URL, StaticFiles(directory=VENDOR_DIR), name="vendor")


def url(name: str) -> str:
    return f"{VENDOR_URL}/{name}"


if __name__ == "__main__":
    try:
        fetched = fetch()
    except (httpx.HTTPError, AssetsMissing) as exc:
        print(f"error: could not install the browser-side files: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print("browser-side files: " + (", ".join(fetched) if fetched else "current"))
