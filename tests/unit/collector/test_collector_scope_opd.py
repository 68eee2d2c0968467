"""Which scopes file is read (the same for `spbe collect scopes` and `spbe up`), and scopes whose
OPD the inventory's catalogue lacks refused at load (an httpx transport stands in for the API)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from spbe_collector import cli
from spbe_collector.registers.service import sample_opd
from spbe_collector.scopes.catalogue import (
    CATALOGUE_TTL_S,
    SAMPLE_SCOPES,
    OpdCatalogue,
    scopes_file,
)
from spbe_collector.scopes.repository import ScopeRepository, YamlScopeSource
from spbe_collector.scopes.service import ScopeRefused, parse_allowlist
from spbe_collector.service import scope_repository
from spbe_collector.settings import CollectorSettings

ROOT = Path(__file__).resolve().parents[3]
LOOPBACK = parse_allowlist(["127.0.0.0/8"])
CODES = ["DINKES", "DISKOMINFOSATIK", "BPKAD"]
runner = CliRunner()


def catalogue(seen: list[httpx.Request], status: int = 200) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        data = [{"code": c, "name": c.title()} for c in CODES]
        return httpx.Response(status, json={"data": data, "count": len(data)})

    return httpx.MockTransport(answer)


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def settings(**fields: Any) -> CollectorSettings:
    return CollectorSettings(_env_file=None, inventory_token="t" * 40, **fields)


def production() -> CollectorSettings:
    return settings(
        environment="production", bus="kafka", kafka_security_protocol="SASL_PLAINTEXT",
        kafka_username="collector", kafka_password="p" * 24,
    )  # fmt: skip


def write(path: Path, *scopes: tuple[str, str]) -> Path:
    entries = [{"key": key, "opd": opd, "ranges": ["127.0.0.1/32"]} for key, opd in scopes]
    path.write_text(yaml.safe_dump({"scopes": entries}), encoding="utf-8")
    return path


# --- which file ---------------------------------------------------------------------------------


def test_the_sample_is_read_when_no_scopes_file_exists(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPBE_SCOPES_FILE", raising=False)
    chosen = scopes_file(settings())
    assert chosen.path == SAMPLE_SCOPES
    assert chosen.why == "the loopback sample: scopes.yaml does not exist"
    write(tmp_path / "scopes.yaml", ("lokal", "DINKES"))
    assert scopes_file(settings()).path == Path("scopes.yaml")


def test_a_named_file_is_read_even_when_missing(tmp_path: Path) -> None:
    missing = tmp_path / "tidak-ada.yaml"
    chosen = scopes_file(settings(scopes_file=missing))
    assert (chosen.path, chosen.why) == (missing, "SPBE_SCOPES_FILE")
    with pytest.raises(ScopeRefused, match="does not exist"):
        scope_repository(settings(scopes_file=missing), known_opd=lambda: None).all()


def test_production_never_falls_back_to_the_sample(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPBE_SCOPES_FILE", raising=False)
    assert scopes_file(production()).path == Path("scopes.yaml")


# --- the OPD catalogue --------------------------------------------------------------------------


def test_a_scope_of_an_unknown_opd_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml", ("kominfo-lan", "DISKOMINFO"), ("dinkes-lan", "DINKES"),
        ("x-lan", "DLH"),
    )  # fmt: skip
    seen: list[httpx.Request] = []
    check = OpdCatalogue(settings(), catalogue(seen))
    repository = ScopeRepository(YamlScopeSource(path), LOOPBACK, check)
    with pytest.raises(ScopeRefused) as refused:
        repository.all()
    assert str(refused.value) == (
        "scope 'kominfo-lan': OPD 'DISKOMINFO' is not in the inventory's catalogue (did you mean"
        " DISKOMINFOSATIK?); scope 'x-lan': OPD 'DLH' is not in the inventory's catalogue"
    )
    assert [(r.url.path, r.headers["Authorization"]) for r in seen] == [
        ("/api/v1/opd", "Bearer " + "t" * 40)
    ]


def test_known_codes_load_and_are_asked_again_only_after_a_while(tmp_path: Path) -> None:
    now = [1000.0]
    seen: list[httpx.Request] = []
    check = OpdCatalogue(settings(), catalogue(seen), clock=lambda: now[0])
    path = write(tmp_path / "s.yaml", ("dinkes-lan", "dinkes"))  # codes are upper-cased first
    repository = ScopeRepository(YamlScopeSource(path), LOOPBACK, check)
    assert [s.opd for s in repository.all()] == ["DINKES"]
    repository.all()
    assert len(seen) == 1 and check.unchecked is None
    now[0] += CATALOGUE_TTL_S
    repository.all()
    assert len(seen) == 2


def test_development_loads_unchecked_when_the_inventory_is_down(tmp_path: Path, caplog) -> None:
    check = OpdCatalogue(settings(), httpx.MockTransport(down))
    path = write(tmp_path / "s.yaml", ("kominfo-lan", "DISKOMINFO"))
    assert [s.key for s in ScopeRepository(YamlScopeSource(path), LOOPBACK, check).all()] == [
        "kominfo-lan"
    ]
    assert check.unchecked is not None and "tidak dapat dihubungi" in check.unchecked
    assert "scopes loaded without checking their OPD codes" in caplog.text


def test_production_refuses_when_the_inventory_cannot_be_asked(tmp_path: Path) -> None:
    check = OpdCatalogue(production(), catalogue([], status=401))
    path = write(tmp_path / "s.yaml", ("dinkes-lan", "DINKES"))
    with pytest.raises(ScopeRefused, match=r"cannot be checked, so none is loaded: .*401"):
        ScopeRepository(YamlScopeSource(path), LOOPBACK, check).all()


def test_a_catalogue_read_earlier_stands_in_while_the_inventory_is_down(tmp_path: Path) -> None:
    now, answering = [0.0], [True]
    up = catalogue([])

    def transport(request: httpx.Request) -> httpx.Response:
        return up.handle_request(request) if answering[0] else down(request)

    check = OpdCatalogue(production(), httpx.MockTransport(transport), clock=lambda: now[0])
    assert check() == frozenset(CODES)
    now[0], answering[0] = CATALOGUE_TTL_S * 3, False
    assert check() == frozenset(CODES)


# --- the files shipped --------------------------------------------------------------------------


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scan scopes: the scopes file", 1)[1]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found, "the README shows an example scopes file"
    return found.group(1)


@pytest.mark.parametrize(
    ("name", "allowlist"),
    [
        ("deploy/collector/scopes.yaml", ["127.0.0.0/8"]),
        ("services/collector/spbe_collector/scopes/sample_scopes.yaml", ["127.0.0.0/8"]),
        ("README.md", ["10.0.0.0/8"]),
    ],
)
def test_shipped_scopes_name_opd_of_the_sample_catalogue(
    name: str, allowlist: list[str], tmp_path: Path
) -> None:
    path = ROOT / name
    if name == "README.md":
        path = tmp_path / "readme.yaml"
        path.write_text(readme_example(), encoding="utf-8")
    known = {code for code, _ in sample_opd()}
    api = {"inventory_url": "http://127.0.0.1:8150"}  # the sample probes the API `spbe up` runs
    source = YamlScopeSource(path, api if path == SAMPLE_SCOPES else None)
    scopes = ScopeRepository(source, parse_allowlist(allowlist), lambda: known)
    assert scopes.all()
    if path == SAMPLE_SCOPES:
        assert [str(u) for p in scopes.probes() for u in p.urls] == [
            "http://127.0.0.1:8150/healthz"
        ]


# --- spbe collect scopes ------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[httpx.Request]:
    """No scopes file anywhere (as on a first `spbe up`); the CLI's catalogue from CODES."""
    monkeypatch.chdir(tmp_path)
    for name in ("SPBE_SCOPES_FILE", "SPBE_ENVIRONMENT", "SPBE_BUS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(cli.console, "width", 200)  # one line per scope
    seen: list[httpx.Request] = []
    monkeypatch.setattr(cli, "OpdCatalogue", lambda s: OpdCatalogue(s, catalogue(seen)))
    return seen


def test_scopes_shows_the_sample_that_spbe_up_scans(cli_env: list[httpx.Request]) -> None:
    result = runner.invoke(cli.app, ["scopes"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"scopes file: {SAMPLE_SCOPES} (the loopback sample: scopes.yaml does not exist)" in (
        text
    )
    assert "diskominfosatik-loopback" in text and "DISKOMINFOSATIK" in text
    assert len(cli_env) == 1  # its OPD was checked


def test_scopes_refuses_a_file_naming_an_unknown_opd(
    cli_env: list[httpx.Request], tmp_path: Path
) -> None:
    write(tmp_path / "scopes.yaml", ("kominfo-lan", "DISKOMINFO"))
    result = runner.invoke(cli.app, ["scopes"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "scopes file: scopes.yaml (the default)" in text
    assert "scope 'kominfo-lan': OPD 'DISKOMINFO' is not in the inventory's catalogue" in text


def test_scopes_says_when_the_opd_codes_were_not_checked(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SPBE_SCOPES_FILE", "SPBE_ENVIRONMENT", "SPBE_BUS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "OpdCatalogue", lambda s: OpdCatalogue(s, httpx.MockTransport(down)))
    result = runner.invoke(cli.app, ["scopes"])
    assert result.exit_code == 0
    assert "OPD codes not checked: inventaris di" in " ".join(result.output.split())
