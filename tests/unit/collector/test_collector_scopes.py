from ipaddress import ip_network
from pathlib import Path

import pytest

from spbe_collector.scans.enums import ProfileName
from spbe_collector.schedules.schemas import Cron, Interval
from spbe_collector.scopes.repository import ScopeRepository, YamlScopeSource
from spbe_collector.scopes.schemas import ScopeConfig
from spbe_collector.scopes.service import ScopeRefused, parse_allowlist, validate_scope

ALLOW = parse_allowlist(["127.0.0.0/8"])


def _config(**overrides: object) -> ScopeConfig:
    values: dict[str, object] = {"key": "diskominfosatik-lan", "opd": "diskominfosatik"}
    values |= {"ranges": ["127.0.0.0/30"], **overrides}
    return ScopeConfig.model_validate(values)


def test_valid_scope_is_parsed_into_typed_values() -> None:
    scope = validate_scope(
        _config(exclude=["127.0.0.1"], ports=[80, "8000-8100"], interval="6h"), ALLOW
    )
    assert scope.opd == "DISKOMINFOSATIK"
    assert scope.networks == (ip_network("127.0.0.0/30"),)
    assert scope.exclude == (ip_network("127.0.0.1/32"),)
    assert scope.ports == ((80, 80), (8000, 8100))
    assert scope.schedule == Interval(6 * 3600)
    assert scope.profile is ProfileName.DISCOVERY
    assert scope.payload().ranges == ["127.0.0.0/30"]


def test_range_outside_the_allowlist_is_refused() -> None:
    with pytest.raises(ScopeRefused, match=r"10\.0\.0\.0/24 is outside the scan allowlist"):
        validate_scope(_config(ranges=["10.0.0.0/24"]), ALLOW)


def test_range_wider_than_the_allowlist_is_refused() -> None:
    with pytest.raises(ScopeRefused, match="outside the scan allowlist"):
        validate_scope(_config(ranges=["126.0.0.0/7"]), ALLOW)


def test_ipv6_is_refused_unless_allowed() -> None:
    with pytest.raises(ScopeRefused, match="outside"):
        validate_scope(_config(ranges=["::1/128"]), ALLOW)
    scope = validate_scope(_config(ranges=["::1/128"]), parse_allowlist(["::1/128"]))
    assert scope.networks == (ip_network("::1/128"),)


@pytest.mark.parametrize(
    "text",
    [
        "127.0.0.1 -oN /tmp/out",
        "127.0.0.1;id",
        "127.0.0.0/24 --script vuln",
        "127.0.0.1\n-oN x",
        "-oN",
        " 127.0.0.1",
        "127.0.0.1-5",
        "localhost",
        "",
    ],
)
def test_injection_in_ranges_is_refused(text: str) -> None:
    with pytest.raises(ScopeRefused, match="is not a CIDR range"):
        validate_scope(_config(ranges=[text]), ALLOW)


@pytest.mark.parametrize("text", ["127.0.0.1 --script x", "127.0.0.1;id", "-oN"])
def test_injection_in_exclusions_is_refused(text: str) -> None:
    with pytest.raises(ScopeRefused, match="is not a CIDR range"):
        validate_scope(_config(exclude=[text]), ALLOW)


@pytest.mark.parametrize("key", ["Bad", "a;rm -rf", "-oN", "x\ny", "a b", "", "a" * 64, "../etc"])
def test_bad_scope_keys_are_refused(key: str) -> None:
    with pytest.raises(ScopeRefused, match="scope key"):
        validate_scope(_config(key=key), ALLOW)


@pytest.mark.parametrize("opd", ["dinas kesehatan", "A;B", "-oN", "X\nY", "", "A" * 33])
def test_bad_opd_codes_are_refused(opd: str) -> None:
    with pytest.raises(ScopeRefused, match="OPD code"):
        validate_scope(_config(opd=opd), ALLOW)


@pytest.mark.parametrize(
    "profile", ["--script=vuln", "-oN", "discovery;id", "discovery\n-oN x", "aggressive"]
)
def test_profiles_outside_the_registry_are_refused(profile: str) -> None:
    with pytest.raises(ScopeRefused, match="unknown scan profile"):
        validate_scope(_config(profile=profile), ALLOW)


@pytest.mark.parametrize("port", ["80;id", "0", "70000", "80-70", "--script", "1e3", -1])
def test_bad_ports_are_refused(port: object) -> None:
    with pytest.raises(ScopeRefused, match="port"):
        validate_scope(_config(ports=[port]), ALLOW)


def test_boolean_port_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scopes.yaml"
    path.write_text("scopes:\n  - {key: a, opd: B, ranges: [127.0.0.1/32], ports: [true]}\n")
    with pytest.raises(ScopeRefused, match=r"scopes\.0\.ports\.0"):
        ScopeRepository(YamlScopeSource(path), ALLOW).all()


def test_interval_and_cron_together_are_refused() -> None:
    with pytest.raises(ScopeRefused, match="not both"):
        validate_scope(_config(interval="1h", cron="0 2 * * *"), ALLOW)


def test_yaml_file_loads_and_rejects_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "scopes.yaml"
    path.write_text(
        "scopes:\n"
        "  - {key: dinkes-lan, opd: DINKES, ranges: [127.0.1.0/24], cron: '0 2 * * 1-5'}\n"
        "  - {key: bapenda-dmz, opd: BAPENDA, ranges: [127.0.2.0/28], profile: service-version}\n"
    )
    repository = ScopeRepository(YamlScopeSource(path), ALLOW)
    assert [s.key for s in repository.all()] == ["dinkes-lan", "bapenda-dmz"]
    assert isinstance(repository.get("dinkes-lan").schedule, Cron)
    path.write_text(
        path.read_text() + "  - {key: dinkes-lan, opd: DINKES, ranges: [127.0.0.1/32]}\n"
    )
    with pytest.raises(ScopeRefused, match="duplicate scope keys: dinkes-lan"):
        repository.all()


def test_unknown_fields_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "scopes.yaml"
    path.write_text("scopes:\n  - {key: a, opd: B, ranges: [127.0.0.1/32], args: '-oN x'}\n")
    with pytest.raises(ScopeRefused, match="Extra inputs are not permitted"):
        ScopeRepository(YamlScopeSource(path), ALLOW).all()
    with pytest.raises(ScopeRefused, match="does not exist"):
        ScopeRepository(YamlScopeSource(tmp_path / "nope.yaml"), ALLOW).all()


def test_lookup_by_an_injected_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scopes.yaml"
    path.write_text("scopes: []\n")
    with pytest.raises(ScopeRefused, match="scope key"):
        ScopeRepository(YamlScopeSource(path), ALLOW).get("x; -oN /tmp/y")
