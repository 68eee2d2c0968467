"""The scorer's access control without I/O: the sign-in cache (digest keys, time-to-live on an
injected clock), asking the inventory who a token is (httpx MockTransport, as the house style
tests HTTP code), the policy table and the settings that name the inventory and its token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from spbe_common.auth import GRANTS, Permission, Principal, Role, digest
from spbe_scorer.api import security
from spbe_scorer.api.security import POLICY, PUBLIC, SIGNED_IN, TokenCache
from spbe_scorer.inventory import (
    CallerRefused,
    InventoryUnavailable,
    assignment_problems,
    make_inventory_client,
    principal_of_token,
)
from spbe_scorer.settings import ScorerSettings

TOKEN = "spbe_" + "k" * 43
RINA = Principal("bappeda-rina", Role.EVALUATOR)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_cache_keeps_a_confirmation_for_its_ttl_under_the_tokens_digest() -> None:
    clock = Clock()
    cache = TokenCache(30, clock)
    cache.put(TOKEN, RINA)
    assert list(cache._entries) == [digest(TOKEN)] and TOKEN not in repr(cache._entries)
    clock.now = 29.9
    assert cache.get(TOKEN) == RINA
    clock.now = 30.0
    assert cache.get(TOKEN) is None and len(cache) == 0
    assert cache.get("spbe_other") is None


def test_a_ttl_of_zero_caches_nothing_and_the_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    never = TokenCache(0, Clock())
    never.put(TOKEN, RINA)
    assert len(never) == 0
    monkeypatch.setattr(security, "MAX_CACHED", 3)
    clock = Clock()
    bounded = TokenCache(30, clock)
    for i in range(5):
        clock.now = i
        bounded.put(f"{TOKEN}{i}", RINA)
    assert len(bounded) == 3 and bounded.get(f"{TOKEN}4") == RINA
    assert bounded.get(f"{TOKEN}0") is None  # the oldest went first


def _inventory(handler: Any) -> httpx.Client:
    return httpx.Client(base_url="http://inventory.test", transport=httpx.MockTransport(handler))


def test_the_inventory_is_asked_with_the_callers_token_instead_of_the_service_token() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        body = {"name": "opd-dinkes", "role": "opd_operator", "opd_codes": ["DINKES"]}
        return httpx.Response(200, json=body)

    settings = ScorerSettings(_env_file=None, inventory_token="spbe_service-token")
    client = make_inventory_client(settings, httpx.MockTransport(answer))
    assert client.headers["authorization"] == "Bearer spbe_service-token"
    found = principal_of_token(client, TOKEN)
    assert found == Principal("opd-dinkes", Role.OPD_OPERATOR, frozenset({"DINKES"}))
    assert seen == [f"Bearer {TOKEN}"]


def test_no_service_token_sends_no_authorization() -> None:
    client = make_inventory_client(ScorerSettings(_env_file=None, inventory_token=None))
    assert "authorization" not in client.headers


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (httpx.Response(401, json={"detail": "x"}), None),
        (httpx.Response(200, json={"name": "a", "role": "admin", "opd_codes": None}),
         Principal("a", Role.ADMIN)),
    ],
)  # fmt: skip
def test_401_means_unknown_and_200_a_principal(answer: httpx.Response, expected: Any) -> None:
    assert principal_of_token(_inventory(lambda _r: answer), TOKEN) == expected


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, text="boom"),
        httpx.Response(403, json={"detail": "x"}),
        httpx.Response(200, text="<html>proxy error</html>"),
        httpx.Response(200, json={"name": "a", "role": "root", "opd_codes": None}),
        httpx.ConnectError("connection refused"),
    ],
)
def test_anything_else_is_the_inventory_unavailable(answer: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    with pytest.raises(InventoryUnavailable) as caught:
        principal_of_token(_inventory(handler), TOKEN)
    assert TOKEN not in str(caught.value)


def test_the_policy_reads_with_read_rights_and_changes_with_write_rights() -> None:
    """Runs and assessments: scores:read / scores:write; the evaluation workspace:
    worksheets:read (bukti dukung files: evidence:read) / scores:write, periods:manage."""
    reads = {Permission.SCORES_READ, Permission.WORKSHEETS_READ, Permission.EVIDENCE_READ}
    for (method, path), need in POLICY.items():
        if need in (PUBLIC, SIGNED_IN):
            assert path in {"/healthz", "/metrics", "/docs", "/redoc", "/openapi.json"}, path
        elif method == "GET":
            assert need in reads, path
            if not path.startswith(("/api/v1/periods", "/api/v1/documents")):
                assert need is Permission.SCORES_READ, path
        else:
            assert need in (Permission.SCORES_WRITE, Permission.PERIODS_MANAGE), (method, path)
    downloads = {role for role, grants in GRANTS.items() if Permission.EVIDENCE_READ in grants}
    assert downloads == {Role.ADMIN, Role.EVALUATOR}  # a viewer reads progress, not documents
    managers = {role for role, grants in GRANTS.items() if Permission.PERIODS_MANAGE in grants}
    assert managers == {Role.ADMIN}
    writers = {role for role, grants in GRANTS.items() if Permission.SCORES_WRITE in grants}
    assert writers == {Role.ADMIN, Role.EVALUATOR}  # not the scorer's own service account


def test_the_inventory_url_and_token_come_from_spbe_inventory_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPBE_INVENTORY_URL", "http://inventory:8000")
    monkeypatch.setenv("SPBE_INVENTORY_TOKEN", TOKEN)
    settings = ScorerSettings(_env_file=None)
    assert settings.inventory_url == "http://inventory:8000"
    assert settings.inventory_token is not None
    assert settings.inventory_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    assert settings.scorer_auth_cache_s == 30


def _production(tmp_path: Path, **fields: Any) -> ScorerSettings:
    return ScorerSettings(
        _env_file=None, environment="production", data_dir=tmp_path, bus="kafka",
        kafka_security_protocol="SASL_SSL", kafka_username="scorer",
        kafka_password="a-long-kafka-password", **fields,
    )  # fmt: skip


@pytest.mark.parametrize("token", [None, "", "changethis", "spbe_short"])
def test_production_refuses_a_missing_or_placeholder_inventory_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    monkeypatch.delenv("SPBE_INVENTORY_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="SPBE_INVENTORY_TOKEN"):
        _production(tmp_path, inventory_token=token)
    assert _production(tmp_path, inventory_token=TOKEN).inventory_token is not None


def test_an_assignment_is_checked_with_the_callers_session_and_refusals_are_told_apart() -> None:
    """The caller's cookie, not the service token; the inventory away or refusing the caller is
    never taken as "no such OPD or account"."""
    seen: list[tuple[str, str | None, str | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("authorization"),
                     request.headers.get("cookie")))  # fmt: skip
        if request.url.path == "/api/v1/opd/INSPEKTORAT":
            return httpx.Response(200, json={"code": "INSPEKTORAT"})
        return httpx.Response(200, json=[])

    settings = ScorerSettings(_env_file=None, inventory_token="spbe_service-token")
    client = make_inventory_client(settings, httpx.MockTransport(answer))
    cookie = {"Cookie": "spbe_session=rahasia"}
    problems = assignment_problems(client, cookie, "INSPEKTORAT", ["eva.x"], drop_bearer=True)
    assert problems == [("accounts", "no account eva.x")]
    assert seen == [
        ("/api/v1/opd/INSPEKTORAT", None, "spbe_session=rahasia"),
        ("/api/v1/accounts", None, "spbe_session=rahasia"),
    ]

    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"detail": "the evaluator role may not do this"})

    with pytest.raises(CallerRefused, match="may not do this"):
        assignment_problems(_inventory(refused), cookie, "INSPEKTORAT", [])

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(InventoryUnavailable):
        assignment_problems(_inventory(down), cookie, None, ["eva.x"])
