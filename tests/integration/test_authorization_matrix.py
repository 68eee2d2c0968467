"""The authorisation matrix: every operation of both APIs (from their OpenAPI documents and their
routes) x every role x an operator of another OPD x no credentials, an expired and a revoked token.

One catalogue with two OPD (A, B) is seeded through the APIs as an admin: assets (declared and
scanned, with services), applications, network links, facilities, scans, evaluation records, a
rejected event; the scorer holds two runs and an assessment. Each caller calls each operation
with path parameters naming a real record of A (the operator of B also its own records of B) and
the smallest valid body (`authorization_table.py`). A call fails the matrix when

- a caller without the right gets a 2xx, or a permitted caller does not (refused for its role);
- a response to a caller limited to some OPD holds data of another OPD (text marks, `*opd_code`
  fields, ids of its assets and applications), lists included;
- a refused write changed the database (tables compared before and after);
- no credentials, an expired or a revoked token get anything but 401 on a non-public route.

Permitted writes run on the seeded databases and both are restored from a copy right after, so
every call sees the same catalogue. Every problem of an operation is reported together, each
with its exact request.
"""

from __future__ import annotations

import html
import itertools
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from harness import InventoryHarness, bearer, build_inventory, grant
from integration.authorization_table import (
    INVENTORY,
    MARK,
    PDF,
    SCORER,
    XLSX,
    A,
    B,
    Rule,
    Scope,
    dry_run_of,
    register,
)
from integration.scorer.scoring_harness import scorer_settings
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, inspect, text

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_common.events import EventType, new_event
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import (
    AssetObserved,
    ObservedService,
    ScanCompleted,
    ScanScope,
    ScanStarted,
)
from spbe_inventory.accounts import service as accounts
from spbe_scorer.api.app import create_app as create_scorer_app
from spbe_scorer.runtime import Runtime, build_runtime

Op = tuple[str, str]
# Tables whose rows reading requests write (sign-in bookkeeping), left out of the comparison.
BOOKKEEPING = {"api_token", "web_session", "login_failure"}
NOT_ROUTES = {"HEAD", "OPTIONS"}


# --- who calls --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Caller:
    name: str
    role: Role | None  # None: no valid credentials
    opd: tuple[str, ...] = ()  # the account's OPD list
    target: str = A  # whose records the path and body name
    credential: str = "valid"  # valid | none | expired | revoked

    @property
    def scope(self) -> frozenset[str] | None:
        if self.role is Role.OPD_OPERATOR or (self.role is Role.VIEWER and self.opd):
            return frozenset(self.opd)
        return None

    @property
    def hidden(self) -> str | None:
        """The OPD whose data this caller must never see."""
        scope = self.scope
        return None if scope is None else next((c for c in (A, B) if c not in scope), None)


CALLERS = [
    Caller("admin", Role.ADMIN),
    Caller("operator_a", Role.OPD_OPERATOR, (A,)),
    Caller("evaluator", Role.EVALUATOR),
    Caller("viewer", Role.VIEWER),
    Caller("viewer_a", Role.VIEWER, (A,)),
    Caller("collector", Role.COLLECTOR),
    Caller("scorer", Role.SCORER),
    Caller("operator_b_on_a", Role.OPD_OPERATOR, (B,)),
    Caller("operator_b_on_b", Role.OPD_OPERATOR, (B,), target=B),
    Caller("anonymous", None, credential="none"),
    Caller("expired_token", None, credential="expired"),
    Caller("revoked_token", None, credential="revoked"),
]


# --- the seeded world ---------------------------------------------------------------------------
@dataclass
class App:
    name: str
    client: TestClient
    engines: list[Engine]
    templates: list[Path] = field(default_factory=list)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for n, engine in enumerate(self.engines):
            with engine.connect() as conn:
                for table in inspect(conn).get_table_names():
                    if table in BOOKKEEPING:
                        continue
                    cols = "id, name, role, opd_codes, disabled" if table == "account" else "*"
                    rows = conn.execute(text(f'SELECT {cols} FROM "{table}"'))
                    out[f"{n}.{table}"] = sorted(tuple(map(repr, r)) for r in rows)
        return out

    def save(self) -> None:
        self.templates = [_copy(engine, None) for engine in self.engines]

    def restore(self) -> None:
        for engine, template in zip(self.engines, self.templates, strict=True):
            _copy(engine, template)


def _copy(engine: Engine, template: Path | None) -> Path:
    """Saves the engine's SQLite file beside it (template None), or puts `template` back."""
    live = Path(str(engine.url.database))
    engine.dispose()  # no pooled connection holds the file while it is copied
    saved = live.with_suffix(".template")
    src, dst = (live, saved) if template is None else (template, live)
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    source.close()
    target.close()
    return saved


@dataclass
class World:
    apps: dict[str, App]
    ids: dict[str, dict[str, Any]]  # per OPD code: the ids its records have
    hidden_ids: dict[str, dict[str, set[int]]]  # per OPD code: asset and application ids
    tokens: dict[str, str]
    counter: Iterator[int] = field(default_factory=itertools.count)

    def restore(self) -> None:
        for app in self.apps.values():
            app.restore()


def _scan_events(code: str, index: int) -> list[Any]:
    mark = MARK[code]
    scope = ScanScope(key=f"{mark}-lan", opd=code, ranges=[f"127.6{index}.0.0/24"])
    scan_id = f"{mark}-scan-1"
    start = datetime(2026, 1, 5, 1, index, tzinfo=UTC)
    end = start + timedelta(minutes=1)
    host = AssetObserved(
        addresses=[f"127.6{index}.0.10"],
        mac=f"02:00:00:00:0{index}:10",
        hostname=f"{mark}-host.test",
        services=[ObservedService(port=443, name="https", product=f"{mark}-httpd", version="1")],
    )
    twin = AssetObserved(  # the declared server seen on a second interface: merged in the seed
        addresses=[f"127.6{index}.0.11"],
        mac=f"02:00:00:00:0{index}:11",
        hostname=f"{mark}-twin.test",
        services=[ObservedService(port=22, name="ssh", product=f"{mark}-sshd", version="1")],
    )
    common = {"source": "spbe-matrix", "scan_id": scan_id, "scope": scope.key}
    started = ScanStarted(scan_id=scan_id, scope=scope, profile="service-version", started_at=start)
    done = ScanCompleted(
        scan_id=scan_id, scope=scope, profile="service-version", status=ScanStatus.COMPLETE,
        started_at=start, finished_at=end, hosts_up=2,
    )  # fmt: skip
    return [
        new_event(EventType.SCAN_STARTED, started, time=start, **common),
        new_event(EventType.ASSET_OBSERVED, host, time=start + timedelta(seconds=1), **common),
        new_event(EventType.ASSET_OBSERVED, twin, time=start + timedelta(seconds=2), **common),
        new_event(EventType.SCAN_COMPLETED, done, time=end, **common),
    ]


def _post(client: TestClient, path: str, body: Any, method: str = "POST") -> dict[str, Any]:
    response = client.request(method, path, json=body)
    assert response.status_code in (200, 201), f"seeding {method} {path}: {response.text}"
    result: dict[str, Any] = response.json()
    return result


def _seed_inventory(h: InventoryHarness) -> dict[str, dict[str, Any]]:
    """Records of OPD A and B, made through the API as an admin and through scans."""
    c = h.client
    shared = _post(c, "/api/v1/facilities", {"name": "Pusat Data Pemda", "owner_opd_code": None})
    # facilities are shared infrastructure (every reader sees them, forms offer them): their
    # names carry no OPD mark
    ids: dict[str, dict[str, Any]] = {}
    for index, code in enumerate((A, B), start=1):
        m = MARK[code]
        _post(c, "/api/v1/opd", {"code": code, "name": f"Dinas {m}"})
        facility = _post(
            c, "/api/v1/facilities", {"name": f"Ruang {index}", "owner_opd_code": code}
        )
        asset = _post(
            c, "/api/v1/assets",
            {"name": f"{m} server", "kind": "server", "opd_code": code,
             "hostname": f"{m}-declared.test", "serial": f"{m}-sn-0",
             "facility_id": facility["id"]},
        )  # fmt: skip
        h.publish(_scan_events(code, index))
        h.drain()
        found = {
            r["hostname"]: r["id"]
            for r in c.get("/api/v1/review", params={"opd_code": code}).json()["data"]
        }  # the review queue: one host waits, the other is merged into the declared server
        discovery_id, merged_id = found[f"{m}-host.test"], found[f"{m}-twin.test"]
        _post(c, f"/api/v1/review/{merged_id}/merge", {"into": asset["id"]})
        app = _post(
            c, "/api/v1/applications",
            {"name": f"{m} aplikasi", "opd_code": code, "asset_ids": [asset["id"]],
             "facility_id": facility["id"], "urls": [f"https://{m}.example.go.id"]},
        )  # fmt: skip
        link = _post(c, "/api/v1/network-links", {"opd_code": code, "site": f"{m} kantor"})
        audit = _post(
            c, "/api/v1/evaluation/audits",
            {"opd_code": code, "kind": "application", "audited_on": "2026-01-10",
             "scope": f"{m} audit"},
        )  # fmt: skip
        review = _post(
            c, "/api/v1/evaluation/reviews",
            {"opd_code": code, "subject": "data_centre", "reviewed_on": "2026-01-10",
             "summary": f"{m} reviu"},
        )  # fmt: skip
        bus = _post(
            c,
            "/api/v1/evaluation/service-buses",
            {"name": f"{m} bus", "opd_code": code, "application_ids": [app["id"]]},
        )
        use = _post(
            c,
            "/api/v1/evaluation/facility-uses",
            {"facility_id": facility["id"], "opd_code": code, "note": f"{m} pakai"},
        )
        _post(
            c, f"/api/v1/evaluation/application-practices/{app['id']}",
            {"consulted_with_ict_opd": True}, "PUT",
        )  # fmt: skip
        _post(c, f"/api/v1/assets/{asset['id']}", {"owner": f"{m} pengelola"}, "PATCH")
        ids[code] = {
            "code": code, "asset_id": asset["id"], "app_id": app["id"],
            "facility_id": facility["id"], "shared_facility_id": shared["id"],
            "audit_id": audit["id"], "review_id": review["id"], "bus_id": bus["id"],
            "use_id": use["id"], "discovery_id": discovery_id, "merged_id": merged_id,
            "link_id": link["id"],
        }  # fmt: skip
    for code, record in ids.items():  # what the web pages' paths and forms name
        record["scope"], record["scan_id"] = f"{MARK[code]}-lan", f"{MARK[code]}-scan-1"
        record["asset_etag"] = c.get(f"/api/v1/assets/{record['asset_id']}").headers["etag"]
        record["app_etag"] = c.get(f"/api/v1/applications/{record['app_id']}").headers["etag"]
        facility = f"/api/v1/facilities/{record['facility_id']}"
        record["facility_etag"] = c.get(facility).headers["etag"]
        link_path = f"/api/v1/network-links/{record['link_id']}"
        record["link_etag"] = c.get(link_path).headers["etag"]
    _post(c, "/api/v1/evaluation/profile", {"ict_opd_code": A}, "PUT")
    h.send_raw(json.dumps({"rahasia": MARK[B]}).encode(), [])  # set aside: no CloudEvents headers
    h.drain()
    return ids


def _tokens(engine: Engine) -> dict[str, str]:
    tokens = {
        c.name: grant(engine, c.role, c.opd) for c in CALLERS if c.credential == "valid" and c.role
    }
    tokens["scorer_service"] = grant(engine, Role.SCORER, name="scorer")  # SPBE_INVENTORY_TOKEN
    with begin_write(engine) as conn:
        for kind in ("expired", "revoked"):
            name = f"zq-{kind}"
            accounts.add_account(conn, name, Role.ADMIN, [], password=False)
            token_id, tokens[f"{kind}_token"] = accounts.create_token(conn, name)
            if kind == "revoked":
                accounts.revoke_token(conn, token_id)
            else:
                past = datetime.now(UTC) - timedelta(days=1)
                conn.execute(
                    text("UPDATE api_token SET expires_at = :at WHERE id = :id"),
                    {"at": past.replace(tzinfo=None), "id": token_id},
                )
    return tokens


def _hidden_ids(engine: Engine) -> dict[str, dict[str, set[int]]]:
    with engine.connect() as conn:
        return {
            code: {
                "asset": set(
                    conn.scalars(text("SELECT id FROM asset WHERE opd_code=:c"), {"c": code})
                ),
                "application": set(
                    conn.scalars(text("SELECT id FROM application WHERE opd_code=:c"), {"c": code})
                ),
            }
            for code in (A, B)
        }


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[InventoryHarness, World]]:
    h = build_inventory(tmp_path_factory.mktemp("matrix-inventory"))
    ids = _seed_inventory(h)
    with begin_write(h.engine) as conn:
        password = accounts.add_account(conn, "zq-login", Role.VIEWER, [])
        accounts.add_account(conn, "zq-akun", Role.OPD_OPERATOR, [A])  # the accounts pages'
        token_id = accounts.create_token(conn, "zq-akun")[0]
    for code in ids:
        ids[code].update(pw=password, name="zq-akun", token_id=token_id)
    tokens = _tokens(h.engine)
    for code in ids:  # an import waiting for its commit, uploaded by the admin caller
        uploaded = h.client.post(
            "/impor", data={"opd": code}, files={"berkas": ("aset.xlsx", register(code, "0"), XLSX)},
            headers=bearer(tokens["admin"]), follow_redirects=False,
        )  # fmt: skip
        assert uploaded.status_code == 303, f"seeding an import: {uploaded.text[:300]}"
        ids[code]["import_id"] = uploaded.headers["location"].rsplit("/", 1)[1]
        dry_run = h.client.get(uploaded.headers["location"], headers=bearer(tokens["admin"]))
        ids[code]["uji_coba"] = dry_run_of(dry_run.text)  # what its save form carries
    client = TestClient(h.client.app, raise_server_exceptions=False)
    app = App("inventory", client, [h.engine])
    world = World({"inventory": app}, ids, _hidden_ids(h.engine), tokens)
    app.save()
    yield h, world
    h.engine.dispose()


@pytest.fixture(scope="module")
def world(inventory: tuple[InventoryHarness, World]) -> World:
    return inventory[1]


@pytest.fixture(scope="module")
def scorer_app(
    tmp_path_factory: pytest.TempPathFactory, inventory: tuple[InventoryHarness, World]
) -> Iterator[App]:
    """The scorer, reading the seeded inventory with its own service token (nothing seeded)."""
    h, world = inventory
    as_scorer = TestClient(h.client.app, headers=bearer(world.tokens["scorer_service"]))
    settings = scorer_settings(tmp_path_factory.mktemp("matrix-scorer"))
    runtime: Runtime = build_runtime(
        settings, inventory=as_scorer, registry=CollectorRegistry(), publish=False
    )
    fastapi_app: FastAPI = create_scorer_app(settings, runtime.scorer, runtime.registry)
    client = TestClient(fastapi_app, raise_server_exceptions=False)
    # the Penilaian pages of the inventory ask this scorer, as the signed-in caller
    h.client.app.state.scorer_http = TestClient(fastapi_app, raise_server_exceptions=False)
    yield App("scorer", client, [runtime.scorer.engine])
    runtime.scorer.engine.dispose()


@pytest.fixture(scope="module")
def scorer_world(world: World, scorer_app: App) -> World:
    """The scorer with two runs and one assessment, made by the admin."""
    admin = bearer(world.tokens["admin"])
    made = []
    for path, body in (
        ("/api/v1/runs", {"framework": "spbe-2020"}),
        ("/api/v1/runs", {"framework": "spbe-2020"}),
        ("/api/v1/assessments", {"framework": "spbe-2020", "indicator": "1", "level": 2,
                                 "justification": "uji matriks"}),
    ):  # fmt: skip
        response = scorer_app.client.post(path, json=body, headers=admin)
        assert response.status_code == 201, (
            f"seeding the scorer as an admin: POST {path} answered {response.status_code}: "
            f"{response.text[:300]} (does the scorer have authentication, and may it read the "
            "inventory's snapshot with its service token?)"
        )
        made.append(response.json())
    common = {"run_a": made[0]["id"], "run_b": made[1]["id"], "run_id": made[0]["id"]}
    common["assessment_id"] = made[2]["id"]
    common.update(_seed_workspace(scorer_app, world, admin))
    ids = {code: {**world.ids[code], **common} for code in world.ids}
    scorer_app.save()
    return World({"scorer": scorer_app, **world.apps}, ids, world.hidden_ids, world.tokens)


def _seed_workspace(scorer: App, world: World, admin: dict[str, str]) -> dict[str, Any]:
    """A 59/2020 period whose worksheets 1, 2, 3 and 16 name the account "evaluator": 1 with a
    document, 2 submitted by another evaluator (to verify or return), 3 filled in (to submit),
    16 with the catalogue's proposal (to accept); and a Pemdi period to compare it with."""

    def call(method: str, path: str, headers: dict[str, str] = admin, **kwargs: Any) -> Any:
        response = scorer.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code in (200, 201), (
            f"seeding the workspace: {method} {path} answered {response.status_code}: "
            f"{response.text[:300]}"
        )
        return response.json()

    period = call("POST", "/api/v1/periods", json={"year": 2026, "framework": "spbe-2020"})["id"]
    pemdi = call("POST", "/api/v1/periods", json={"year": 2027, "framework": "pemdi-2026"})["id"]
    call("POST", f"/api/v1/periods/{period}/runs")
    second = grant(world.apps["inventory"].engines[0], Role.EVALUATOR, name="zq-evaluator2")
    me = world.apps["inventory"].client.get(
        "/api/v1/auth/me", headers=bearer(world.tokens["evaluator"])
    )
    evaluator = me.json()["name"]  # the caller "evaluator"'s account
    sheets = f"/api/v1/periods/{period}/worksheets"
    for indicator in ("1", "2", "3", "16"):
        assignment = {"opd": A, "accounts": [evaluator, "zq-evaluator2"]}
        call("PUT", f"{sheets}/{indicator}/assignment", json=assignment)
    for indicator in ("2", "3"):
        call("PATCH", f"{sheets}/{indicator}", json={"level": 2, "explanation": "Perbup SPBE"})
    call("POST", f"{sheets}/2/submit", headers=bearer(second), json={})
    document = call(
        "POST", f"{sheets}/1/documents", data={"title": "SOP Pusat Data"},
        files={"file": ("sop.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    return {
        "period_id": period, "pemdi_period_id": pemdi, "indicator": "1",
        "document_id": document["id"], "evaluator_account": evaluator,
    }  # fmt: skip


# --- expectations -------------------------------------------------------------------------------
ALLOW, DENY, UNAUTH = "2xx", "refused (403/404)", "401"


def expected(rule: Rule, caller: Caller, has_record_path: bool, method: str) -> str:
    if rule.scope is Scope.PUBLIC:
        return ALLOW
    if caller.credential != "valid":
        return UNAUTH
    if caller.role not in rule.roles:
        return DENY
    if rule.scope is Scope.OWN:
        return ALLOW if caller.name == "admin" else DENY  # the admin made them
    out_of_scope = caller.scope is not None and caller.target not in caller.scope
    if rule.scope is Scope.OPD and out_of_scope and (has_record_path or method != "GET"):
        return DENY
    return ALLOW


def _exposes(payload: Any, code: str, ids: dict[str, set[int]]) -> str | None:
    """Where `payload` shows data of OPD `code`, or None."""
    mark = MARK[code]
    if isinstance(payload, str):
        return f"text {payload[:80]!r}" if mark in payload.lower() else None
    if isinstance(payload, list):
        return next((w for item in payload if (w := _exposes(item, code, ids))), None)
    if not isinstance(payload, dict):
        return None
    for key, value in payload.items():
        if key.endswith("opd_code") and value == code:
            return f"{key}={value}"
        kind = "asset" if key.startswith("asset_id") else "application" if key.startswith(
            "application_id") else None  # fmt: skip
        values = value if isinstance(value, list) else [value]
        if kind and any(v in ids[kind] for v in values if isinstance(v, int)):
            return f"{key}={value} (a record of {code})"
        if where := _exposes(value, code, ids):
            return f"{key}: {where}"
    return None


def _payload(response: httpx.Response) -> Any:
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            return response.text
    if response.headers.get("content-type", "").startswith("text"):
        return response.text
    return None  # binary (the XLSX export)


def _is_page(template: str) -> bool:
    """A web page (HTML; a visitor without credentials is sent to /masuk) rather than the API."""
    return not template.startswith(("/api/", "/healthz", "/readyz", "/metrics", "/openapi.json",
                                    "/docs", "/redoc"))  # fmt: skip


def _fill(path: str, ids: dict[str, Any]) -> str:
    for key, value in ids.items():
        path = path.replace("{" + key + "}", str(value))
    return path


def _headers(world: World, caller: Caller) -> dict[str, str]:
    token = world.tokens.get(caller.name)
    return bearer(token) if token else {}


def check(world: World, app: App, op: Op, rule: Rule, caller: Caller) -> list[str]:
    method, template = op
    ids = {**world.ids[caller.target], **rule.ids}
    suffix = str(next(world.counter))
    path = _fill(template, ids)
    body = rule.body(ids, suffix) if rule.body else None
    query = rule.query(ids, suffix) if rule.query else None
    want = expected(rule, caller, "{" in template, method)
    writes = method not in ("GET", "HEAD")
    before = app.snapshot() if writes else None
    form = rule.form(ids, suffix) if rule.form else None
    files = rule.files(ids, suffix) if rule.files else None
    response = app.client.request(
        method, path, json=body, params=query, headers=_headers(world, caller), data=form,
        files=files, follow_redirects=False,
    )  # fmt: skip
    app.client.cookies.clear()  # a sign-in's cookie must not follow to the next caller
    status = response.status_code
    page = _is_page(template)
    location = response.headers.get("location", "")
    if page and status == 303:  # a page's answer to a form, or its way to the sign-in
        status = 401 if location.startswith("/masuk?next=") else 200
    request = f"{caller.name}: {method} {path}" + (f" body={json.dumps(body)}" if body else "")
    request += f" form={form}" if form else ""
    request += f" query={query}" if query else ""
    problems: list[str] = []

    def fail(why: str) -> None:
        problems.append(f"{request} -> {status} {response.text[:160]!r}: {why}")

    changed = writes and app.snapshot() != before
    if want == ALLOW:
        bad_creds = rule.scope is Scope.PUBLIC and caller.credential not in ("valid", "none")
        if not (200 <= status < 300 or (bad_creds and status == 401)):
            fail(f"expected {ALLOW} (the {caller.role} role may do this)")
    elif want == UNAUTH:
        if status != 401:
            fail("expected 401 (a page: a redirect to /masuk) for missing or invalid credentials")
    elif status not in (403, 404) and not (status == 422 and method == "POST"):
        fail(f"expected {DENY}: the caller may not do this")
    if want == DENY and "{" in template and caller.role in rule.roles and status != 404:
        fail("a record outside the caller's OPD must answer 404, exactly as a missing one")
    if want != ALLOW and changed:
        fail("LEAK: a refused call changed the database")
    if 200 <= status < 300 and want != ALLOW:
        fail("LEAK: a 2xx to a caller without the right")
    _check_data(world, rule, caller, method, template, response, fail, form)
    if writes and (changed or 200 <= status < 300):
        world.restore()
    return problems


def _check_data(
    world: World, rule: Rule, caller: Caller, method: str, template: str,
    response: httpx.Response, fail: Any, form: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    payload = _payload(response)
    if payload is None or rule.aggregates:
        return
    if form and isinstance(payload, str):  # a refused form shows back what the caller typed
        for value in map(str, form.values()):
            payload = payload.replace(html.escape(value), "").replace(value, "")
    hidden = caller.hidden if rule.scope is Scope.OPD else None
    if caller.credential != "valid" or caller.role not in rule.roles:
        hidden = caller.target if method == "GET" else None  # nothing of the record may show
    if hidden and (where := _exposes(payload, hidden, world.hidden_ids[hidden])):
        fail(f"LEAK: data of OPD {hidden} ({where}) to a caller who must not see it")
    is_list = method == "GET" and "{" not in template and rule.scope is Scope.OPD and rule.seeded
    if is_list and caller.name == "admin" and not _exposes(payload, B, world.hidden_ids[B]):
        fail(f"the admin's list shows nothing of {B}: the seed misses this record kind")


# --- the tests ----------------------------------------------------------------------------------
def _operations(app: FastAPI) -> set[Op]:
    """Every operation of the OpenAPI document, and every route left out of it."""
    ops = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    }
    for method, path in _routes(app.routes):
        if method not in NOT_ROUTES:
            ops.add((method, path))
    return ops


def _routes(routes: Any, prefix: str = "") -> Iterator[Op]:
    """(method, path) of every route, those of included routers too (the web pages are left out
    of the OpenAPI document; FastAPI keeps an included router's routes inside it)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes, prefix + route.include_context.prefix)
            continue
        path = getattr(route, "path", None)
        for method in getattr(route, "methods", None) or set():
            if path:
                yield method, prefix + path


def _uncovered(app: FastAPI, table: dict[Op, Rule]) -> list[str]:
    ops = _operations(app)
    missing = [f"not in the matrix: {m} {p}" for m, p in sorted(ops - table.keys())]
    stale = [f"in the matrix but not served: {m} {p}" for m, p in sorted(table.keys() - ops)]
    return missing + stale


def test_every_inventory_operation_is_in_the_matrix(world: World) -> None:
    app = world.apps["inventory"].client.app
    assert isinstance(app, FastAPI)
    assert not _uncovered(app, INVENTORY), "\n".join(_uncovered(app, INVENTORY))


def test_every_scorer_operation_is_in_the_matrix(scorer_app: App) -> None:
    app = scorer_app.client.app
    assert isinstance(app, FastAPI)
    assert not _uncovered(app, SCORER), "\n".join(_uncovered(app, SCORER))


def _run(world: World, app_name: str, op: Op, rule: Rule) -> None:
    app = world.apps[app_name]
    problems = [p for caller in CALLERS for p in check(world, app, op, rule, caller)]
    assert not problems, f"{len(problems)} problem(s) of {op[0]} {op[1]}:\n" + "\n".join(problems)


@pytest.mark.parametrize("op", sorted(INVENTORY), ids=" ".join)
def test_inventory_operation(world: World, op: Op, request: pytest.FixtureRequest) -> None:
    if op[1].startswith(("/penilaian", "/evaluasi")):  # pages over the scorer's API
        world = request.getfixturevalue("scorer_world")
    _run(world, "inventory", op, INVENTORY[op])


@pytest.mark.parametrize("op", sorted(SCORER), ids=" ".join)
def test_scorer_operation(scorer_world: World, op: Op) -> None:
    _run(scorer_world, "scorer", op, SCORER[op])


# Writes by the operator of B, on B's own records, that name a record of A in the body.
CROSS_REFERENCES = [
    ("POST", "/api/v1/applications", lambda a, b: {"name": f"{MARK[B]} silang", "opd_code": B,
                                                   "asset_ids": [a["asset_id"]]}),
    ("PATCH", "/api/v1/applications/{app_id}", lambda a, b: {"asset_ids": [a["asset_id"]]}),
    ("PATCH", "/api/v1/assets/{asset_id}", lambda a, b: {"opd_code": A}),
    ("PATCH", "/api/v1/facilities/{facility_id}", lambda a, b: {"owner_opd_code": A}),
    ("PATCH", "/api/v1/network-links/{link_id}", lambda a, b: {"opd_code": A}),
    ("POST", "/api/v1/review/{discovery_id}/merge", lambda a, b: {"into": a["asset_id"]}),
]  # fmt: skip


@pytest.mark.parametrize("case", CROSS_REFERENCES, ids=lambda c: f"{c[0]} {c[1]}")
def test_a_body_cannot_name_a_record_of_another_opd(world: World, case: Any) -> None:
    method, template, build = case
    app = world.apps["inventory"]
    path = _fill(template, world.ids[B])
    body = build(world.ids[A], world.ids[B])
    before = app.snapshot()
    response = app.client.request(
        method, path, json=body, headers=bearer(world.tokens["operator_b_on_b"])
    )
    changed = app.snapshot() != before
    if changed or response.is_success:
        world.restore()
    request = f"operator_b_on_b: {method} {path} body={json.dumps(body)}"
    assert not response.is_success and not changed, (
        f"LEAK: {request} -> {response.status_code} {response.text[:200]!r}"
        f" (database changed: {changed})"
    )
