"""Helpers of the browser tests (tests/e2e/web): the main pages, the server run by `spbe up`,
the network watch of a context, sign-in and the axe-core run."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
)

from spbe_common import webassets

VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT_MS = 15_000
OPERATOR_OPD = "DISKOMINFOSATIK"  # owns the loopback scan scope and srv-web-01 (127.10.0.11)
OWN_ADDRESS = "127.10.0.11"  # srv-web-01 (contoh), DISKOMINFOSATIK
OTHER_ADDRESS = "127.10.1.10"  # srv-simrs (contoh), RSDP: never shown to the operator
SCOPE_KEY = "e2e-loopback"
AXE_PATH = "/__e2e__/axe.min.js"  # served by a route of the test, never by the service


@dataclass(frozen=True)
class MainPage:
    """A main page: `path` may name {asset}, {application}, {facility}, {opd}, {scan}, {run},
    {other_run}, {period}, filled from the catalogue of the running server."""

    name: str
    path: str
    role: str | None = "admin"  # "admin", "operator", or None: signed out
    ready: str = "main h1"  # shown once the page has drawn
    axe: bool = True  # /docs and /redoc are third-party UIs: offline-checked, not axe-checked


MAIN_PAGES = (
    MainPage("masuk", "/masuk", role=None),
    MainPage("beranda", "/beranda"),
    MainPage("beranda-operator", "/beranda", role="operator"),
    MainPage("katalog-aset", "/katalog/aset"),
    MainPage("detail-aset", "/katalog/aset/{asset}"),
    MainPage("aset-baru", "/katalog/aset/baru", role="operator"),
    MainPage("katalog-layanan", "/katalog/layanan"),
    MainPage("katalog-aplikasi", "/katalog/aplikasi"),
    MainPage("detail-aplikasi", "/katalog/aplikasi/{application}"),
    MainPage("aplikasi-baru", "/katalog/aplikasi/baru", role="operator"),
    MainPage("katalog-opd", "/katalog/opd"),
    MainPage("detail-opd", "/katalog/opd/{opd}"),
    MainPage("katalog-fasilitas", "/katalog/fasilitas"),
    MainPage("detail-fasilitas", "/katalog/fasilitas/{facility}"),
    MainPage("katalog-jaringan", "/katalog/jaringan"),
    MainPage("impor", "/impor", role="operator"),
    MainPage("pemindaian", "/pemindaian", role="operator"),
    MainPage("detail-pemindaian", "/pemindaian/{scan}", role="operator"),
    MainPage("penilaian", "/penilaian"),
    MainPage("detail-penilaian", "/penilaian/{run}"),
    MainPage("banding-penilaian", "/penilaian/banding?a={other_run}&b={run}"),
    MainPage("kejadian-ditolak", "/kejadian-ditolak"),
    MainPage("akun", "/pengaturan/akun"),
    MainPage("akun-baru", "/pengaturan/akun/baru"),
    MainPage("detail-akun", "/pengaturan/akun/e2e-scorer"),  # a service account with a token
    MainPage("evaluasi", "/evaluasi"),
    MainPage("periode-evaluasi", "/evaluasi/{period}"),
    MainPage("ruang-kerja-opd", "/evaluasi/{period}/opd/DISKOMINFOSATIK"),
    MainPage("lembar-kerja", "/evaluasi/{period}/indikator/16"),
    MainPage("tinjauan-evaluasi", "/evaluasi/{period}/tinjauan"),
    MainPage("nilai-asesor", "/evaluasi/{period}/asesor"),
    MainPage("docs", "/docs", ready=".swagger-ui .info", axe=False),
    MainPage("redoc", "/redoc", ready="h1", axe=False),
)


# --- the server -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Account:
    name: str
    role: str
    password: str
    opd: str | None = None


@dataclass
class Server:
    base: str
    env: dict[str, str]
    workdir: Path
    log: Path
    accounts: dict[str, Account] = field(default_factory=dict)
    token: str = ""  # an admin's API token, to look things up and arrange data

    def spbe(self, *args: str, timeout: float = 120) -> str:
        """Run an `spbe` command on the server's data; its stdout (fails on a non-zero exit)."""
        done = subprocess.run(
            [sys.executable, "-m", "spbe_cli", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"spbe {' '.join(args)}: {done.stderr or done.stdout}"
        return done.stdout

    def api(self, path: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = httpx.get(self.base + path, params=params, headers=headers, timeout=30)
        response.raise_for_status()
        return response.json()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def environment(data: Path, port: int, scorer_port: int, scopes: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPBE_")}
    env.update(
        SPBE_ENVIRONMENT="development",
        SPBE_DATA_DIR=str(data),
        SPBE_BUS="embedded",
        SPBE_API_HOST="127.0.0.1",
        SPBE_API_PORT=str(port),
        SPBE_SCOPES_FILE=str(scopes),
        SPBE_SCORER_API_HOST="127.0.0.1",
        SPBE_SCORER_API_PORT=str(scorer_port),
        SPBE_SCORER_URL=f"http://127.0.0.1:{scorer_port}",
        SPBE_INVENTORY_URL=f"http://127.0.0.1:{port}",
        SPBE_SCAN_ALLOWLIST='["127.0.0.0/8"]',
    )
    return env


def scopes_file(workdir: Path) -> Path:
    """One loopback scope of the operator's OPD; long interval: only the scans the tests start."""
    path = workdir / "scopes.yaml"
    path.write_text(
        "scopes:\n"
        f"  - key: {SCOPE_KEY}\n"
        f"    opd: {OPERATOR_OPD}\n"
        '    ranges: ["127.0.0.1/32"]\n'
        "    profile: common-ports\n"
        "    interval: 24h\n"
    )
    return path


def add_account(server: Server, key: str, name: str, role: str, opd: str | None) -> None:
    args = ["users", "add", name, "--role", role] + (["--opd", opd] if opd else [])
    password = server.spbe(*args).strip().splitlines()[-1].strip()
    server.accounts[key] = Account(name, role, password, opd)


def wait_ready(process: subprocess.Popen[bytes], server: Server, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`spbe up` exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(server.base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"`spbe up` did not answer /healthz in {timeout_s} s:\n{server.log_tail()}")


@dataclass
class Catalogue:
    """Ids of records the main pages show, looked up through the API as the admin."""

    server: Server
    ids: dict[str, str] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)

    def asset_id(self, address: str) -> int:
        rows = self.server.api("/api/v1/assets", q=address)["data"]
        assert rows, f"no asset with address {address} in the catalogue"
        return int(rows[0]["id"])

    def lookup(self, key: str) -> str:
        if key not in self.ids:
            self.ids[key] = str(getattr(self, f"_{key}")())
        return self.ids[key]

    def _asset(self) -> int:
        return self.asset_id(OWN_ADDRESS)

    def _application(self) -> int:
        rows = self.server.api("/api/v1/applications", q="PPID")["data"]
        return int(next(r["id"] for r in rows if r["name"] == "PPID"))

    def _facility(self) -> int:
        return int(self.server.api("/api/v1/facilities")["data"][0]["id"])

    def _opd(self) -> str:
        return OPERATOR_OPD

    def _scan(self) -> str:
        return str(wait_for_scan(self.server)["scan_id"])

    def _run(self) -> str:
        return self.scoring_runs()[-1]

    def _other_run(self) -> str:
        return self.scoring_runs()[-2]

    def _period(self) -> int:
        """An evaluation period of 2026 opened through the scorer API as the admin, with the
        catalogue's proposals computed."""
        scorer = self.server.env["SPBE_SCORER_URL"]
        headers = {"Authorization": f"Bearer {self.server.token}"}
        body = {"year": 2026, "framework": "spbe-2020"}
        made = httpx.post(f"{scorer}/api/v1/periods", json=body, headers=headers, timeout=30)
        assert made.status_code == 201, made.text
        period = int(made.json()["id"])
        run = httpx.post(f"{scorer}/api/v1/periods/{period}/runs", headers=headers, timeout=120)
        assert run.status_code == 201, run.text
        return period

    def scoring_runs(self) -> list[str]:
        """Two runs of spbe-2020 made with `spbe score run` against the server (once)."""
        while len(self.runs) < 2:
            out = self.server.spbe("score", "run", "--framework", "spbe-2020", "--json")
            self.runs.append(str(json.loads(out)["id"]))
        return self.runs

    def fill(self, path: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: self.lookup(m.group(1)), path)


def wait_for_scan(server: Server, timeout_s: float = 90) -> dict[str, Any]:
    """The newest finished scan of the loopback scope (`spbe up` scans every scope at start)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        rows = server.api("/api/v1/scans", scope=SCOPE_KEY)["data"]
        done = [r for r in rows if r.get("status") in {"complete", "partial", "failed"}]
        if done:
            return dict(done[0])
        time.sleep(1)
    raise AssertionError(f"no finished scan of {SCOPE_KEY} in {timeout_s} s:\n{server.log_tail()}")


# --- the browser ------------------------------------------------------------------------------
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass
class Watch:
    """What a context tried to fetch from elsewhere, and the console errors of its pages."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    checked: bool = False  # the test asserted itself: its teardown does not report it twice

    def route(self, route: Route) -> None:
        request = route.request
        parts = urlsplit(request.url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.fallback()
            return
        self.foreign.append(f"{request.method} {request.url}")
        route.abort("blockedbyclient")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location.get("url", "")
            self.console.append(f"{message.text} ({location})")

    def allow(self, pattern: str) -> None:
        """A console error this test expects (e.g. the 404 status of a page it must refuse)."""
        self.allowed.append(re.compile(pattern))

    def assert_clean(self) -> None:
        self.checked = True
        problems = self.problems()
        assert problems == [], "\n".join(problems)

    def problems(self) -> list[str]:
        console = [c for c in self.console if not any(p.search(c) for p in self.allowed)]
        return [f"request to another host: {f}" for f in self.foreign] + [
            f"console error: {c}" for c in console
        ]


@dataclass
class Opened:
    context: BrowserContext
    page: Page
    watch: Watch


def sign_in(page: Page, account: Account) -> None:
    page.goto("/masuk")
    page.get_by_label("Nama akun").fill(account.name)
    page.get_by_label("Kata sandi").fill(account.password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/beranda", timeout=TIMEOUT_MS)


def run_axe(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each.

    CSP (script-src 'self') refuses inline scripts, and add_script_tag(path=...) injects the file
    inline: a route of this page serves the pinned file from the service's own origin instead, so
    the page's CSP stays as it is in production (no bypass_csp)."""
    axe = webassets.test_dir() / "axe.min.js"
    assert axe.exists(), f"{axe} is missing: run `python -m spbe_common.webassets`"
    page.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(path=axe, content_type="text/javascript"),
    )
    page.add_script_tag(url=AXE_PATH)
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.impact} ${v.id}: ${v.help} -> ` +
                          v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return [str(v) for v in violations]
