"""The CRUD contract of every inventory API resource, NetBox style.

One base class per capability (list, filter, search, create, detail, update, duplicates), each
resource a subclass that declares its path, fields and data. Records are created through the API
(or folded in through real ingestion for scan-made resources) in a migrated SQLite catalogue.
Sort expectations follow SQLite: NULL sorts first ascending, last descending; ties by primary key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from synthetic import scan_stream

from spbe_common.bus import Record
from spbe_common.events import EventType, new_event, to_binary
from spbe_common.events.payloads import ApplicationObserved, ScanStarted
from spbe_common.events.payloads import ScanScope as Scope

Row = dict[str, Any]
Predicate = Callable[[Row], bool]
MAX_LIMIT = 500
UUID_CAUSE = re.compile(r"^request:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
OPD_FIXTURES: dict[str, Row] = {
    "DISKOMINFOSATIK": {"code": "DISKOMINFOSATIK", "kind": "agency",
                        "name": "Dinas Komunikasi, Informatika, Persandian dan Statistik"},
    "RSDP": {"code": "RSDP", "name": "RSUD dr. Dradjat Prawiranegara", "kind": "hospital"},
    "SETDA": {"code": "SETDA", "name": "Sekretariat Daerah", "kind": "secretariat"},
}  # fmt: skip


def list_all(client: TestClient, path: str, **params: Any) -> Row:
    response = client.get(path, params={"limit": MAX_LIMIT, **params})
    assert response.status_code == 200, response.text
    return response.json()


def create_opd(client: TestClient, *codes: str) -> None:
    for code in codes:
        response = client.post("/api/v1/opd", json=OPD_FIXTURES[code])
        assert response.status_code == 201, response.text


def comparable(field: str, value: Any) -> Any:
    if isinstance(value, str) and (field.endswith("_at") or field.endswith("_seen")):
        return datetime.fromisoformat(value)
    return value


def expected_order(rows: list[Row], sort: str, pk: str) -> list[Any]:
    """Primary keys in the order the API must return for `sort` (ties by ascending key)."""
    field = sort.removeprefix("-")
    by_key = sorted(rows, key=lambda row: row[pk])

    def key(row: Row) -> tuple[bool, Any]:
        value = comparable(field, row[field])
        return (value is not None, value)

    return [row[pk] for row in sorted(by_key, key=key, reverse=sort.startswith("-"))]


def assert_422(response: Any, field: str, fragment: str) -> None:
    """422 in the one documented shape: a list of errors, one of them about the field."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    assert all(set(e) == {"loc", "msg", "type"} for e in detail), "never the input echoed"
    errors = [e for e in detail if e["loc"][-1] == field or field in map(str, e["loc"])]
    assert errors, f"no error about {field!r} in {detail}"
    assert any(fragment in e["msg"] for e in errors), detail


def contains(record: Row, expected: Row) -> bool:
    return all(record.get(k) == v for k, v in expected.items())


# --- the contract, one capability per class ----------------------------------------------------
class ListContract:
    path: ClassVar[str]
    pk: ClassVar[str] = "id"
    sortable: ClassVar[tuple[str, ...]]
    default_sort: ClassVar[str | None] = None
    filters: ClassVar[list[tuple[dict[str, str], Predicate]]] = []
    bad_filters: ClassVar[list[tuple[dict[str, str], str]]] = []
    searches: ClassVar[list[str]] = []
    search_fields: ClassVar[tuple[str, ...]] = ()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        cases: dict[str, tuple[list[Any], list[str]]] = {
            "sort_field": (list(self.sortable), list(self.sortable)),
            "filter_case": (self.filters, [_ids(p) for p, _ in self.filters]),
            "bad_filter": (self.bad_filters, [_ids(p) for p, _ in self.bad_filters]),
            "search": (self.searches, self.searches),
        }
        for name, (values, ids) in cases.items():
            if name in metafunc.fixturenames:
                metafunc.parametrize(name, values, ids=ids)

    def seed(self, client: TestClient, request: pytest.FixtureRequest) -> None:
        raise NotImplementedError

    @pytest.fixture
    def records(self, client: TestClient, request: pytest.FixtureRequest) -> list[Row]:
        """Every record of the resource after seeding, in primary-key order."""
        self.seed(client, request)
        rows = sorted(list_all(client, self.path)["data"], key=lambda row: row[self.pk])
        assert len(rows) >= 3, "the contract needs at least three records"
        return rows

    def in_default_order(self, rows: list[Row]) -> list[Any]:
        return expected_order(rows, self.default_sort or self.pk, self.pk)

    def test_list_returns_count_and_data(self, client: TestClient, records: list[Row]) -> None:
        page = client.get(self.path).json()
        assert page["count"] == len(records)
        assert [r[self.pk] for r in page["data"]] == self.in_default_order(records)
        assert sorted(page["data"], key=lambda r: r[self.pk]) == records

    def test_limit_and_offset_page_through_everything(
        self, client: TestClient, records: list[Row]
    ) -> None:
        seen = []
        for offset in range(0, len(records) + 2, 2):
            body = client.get(self.path, params={"limit": 2, "offset": offset}).json()
            assert body["count"] == len(records), "count ignores limit and offset"
            assert len(body["data"]) == min(2, max(0, len(records) - offset))
            seen += [r[self.pk] for r in body["data"]]
        assert seen == self.in_default_order(records)

    def test_sort_by_each_allowed_field(
        self, client: TestClient, records: list[Row], sort_field: str
    ) -> None:
        for sort in (sort_field, f"-{sort_field}"):
            data = list_all(client, self.path, sort=sort)["data"]
            assert [r[self.pk] for r in data] == expected_order(records, sort, self.pk), sort

    def test_unknown_sort_field_is_422_naming_the_choices(self, client: TestClient) -> None:
        response = client.get(self.path, params={"sort": "-no_such_field"})
        assert response.status_code == 422
        (error,) = response.json()["detail"]
        assert error["loc"] == ["query", "sort"]
        assert "'no_such_field'" in error["msg"]
        assert all(field in error["msg"] for field in self.sortable), error

    @pytest.mark.parametrize(
        ("params", "field", "fragment"),
        [
            ({"limit": 501}, "limit", "less than or equal to 500"),
            ({"limit": 0}, "limit", "greater than or equal to 1"),
            ({"offset": -1}, "offset", "greater than or equal to 0"),
            ({"limit": "ten"}, "limit", "valid integer"),
        ],
        ids=["limit-501", "limit-0", "offset-negative", "limit-not-a-number"],
    )
    def test_bad_paging_is_422(
        self, client: TestClient, params: dict[str, Any], field: str, fragment: str
    ) -> None:
        assert_422(client.get(self.path, params=params), field, fragment)

    def test_limit_500_is_allowed(self, client: TestClient) -> None:
        assert client.get(self.path, params={"limit": MAX_LIMIT}).status_code == 200


class FilterContract(ListContract):
    def test_filter_keeps_only_matching_records(
        self,
        client: TestClient,
        records: list[Row],
        filter_case: tuple[dict[str, str], Predicate],
    ) -> None:
        params, matches = filter_case
        expected = [r for r in records if matches(r)]
        assert 0 < len(expected) < len(records), "the data must make this filter meaningful"
        page = list_all(client, self.path, **params)
        assert [r[self.pk] for r in page["data"]] == self.in_default_order(expected)
        assert page["count"] == len(expected)


class EnumFilterContract(FilterContract):
    def test_bad_filter_value_is_422(
        self, client: TestClient, bad_filter: tuple[dict[str, str], str]
    ) -> None:
        params, field = bad_filter
        assert_422(client.get(self.path, params=params), field, "")


class SearchContract(ListContract):
    def test_q_matches_substrings_literally_and_ignoring_case(
        self, client: TestClient, records: list[Row], search: str
    ) -> None:
        """`%` and `_` are characters to find, never wildcards."""
        needle = search.lower()
        expected = [
            r for r in records if any(needle in str(r[f] or "").lower() for f in self.search_fields)
        ]
        assert 0 < len(expected) < len(records), "the data must make this search meaningful"
        page = list_all(client, self.path, q=search)
        assert [r[self.pk] for r in page["data"]] == self.in_default_order(expected)
        assert page["count"] == len(expected)

    def test_q_longer_than_100_is_422(self, client: TestClient) -> None:
        assert_422(client.get(self.path, params={"q": "x" * 101}), "q", "at most 100")


class CreateContract(ListContract):
    entity: ClassVar[str]  # in the change log
    key: ClassVar[str] = "id"  # in detail URLs
    invalid_bodies: ClassVar[list[tuple[str, Row, str, str]]] = []  # id, body, field, message

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        super().pytest_generate_tests(metafunc)
        if "invalid_body" in metafunc.fixturenames:
            cases = self.invalid_bodies
            metafunc.parametrize("invalid_body", [c[1:] for c in cases], ids=[c[0] for c in cases])

    def prepare(self, client: TestClient) -> None:
        """Records the resource refers to (OPD)."""

    def bodies(self) -> list[Row]:
        raise NotImplementedError

    def expected(self, body: Row) -> Row:
        """What the API returns for a created body (normalised values)."""
        return body

    def seed(self, client: TestClient, request: pytest.FixtureRequest) -> None:
        self.prepare(client)
        for body in self.bodies():
            response = client.post(self.path, json=body)
            assert response.status_code == 201, response.text

    def test_create_returns_the_record_and_lists_it(self, client: TestClient) -> None:
        self.prepare(client)
        body = self.bodies()[0]
        response = client.post(self.path, json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        assert contains(created, self.expected(body)), (created, self.expected(body))
        listed = list_all(client, self.path)["data"]
        assert [r[self.pk] for r in listed] == [created[self.pk]]
        assert contains(created, listed[0])

    def test_create_writes_history_with_the_request_id(
        self, client: TestClient, history_of: Callable[[str, int], list[Row]]
    ) -> None:
        self.prepare(client)
        body = self.bodies()[0]
        response = client.post(self.path, json=body, headers={"X-Request-ID": "req-create-1"})
        assert response.status_code == 201, response.text
        rows = history_of(self.entity, response.json()["id"])
        assert [r["action"] for r in rows] == ["created"]
        assert rows[0]["before"] is None
        expected = {k: v for k, v in self.expected(body).items() if k in rows[0]["after"]}
        assert expected, "after names the fields that were set"
        assert contains(rows[0]["after"], expected)
        assert (rows[0]["cause_kind"], rows[0]["cause_id"]) == ("request", "request:req-create-1")

    def test_create_without_request_id_gets_a_generated_cause(
        self, client: TestClient, history_of: Callable[[str, int], list[Row]]
    ) -> None:
        self.prepare(client)
        response = client.post(self.path, json=self.bodies()[0])
        assert response.status_code == 201, response.text
        (row,) = history_of(self.entity, response.json()["id"])
        assert UUID_CAUSE.match(row["cause_id"]), row["cause_id"]

    def test_invalid_body_is_422_and_creates_nothing(
        self, client: TestClient, invalid_body: tuple[Row, str, str]
    ) -> None:
        self.prepare(client)
        body, field, fragment = invalid_body
        assert_422(client.post(self.path, json=body), field, fragment)
        assert list_all(client, self.path)["count"] == 0

    def test_body_that_is_not_json_is_422(self, client: TestClient) -> None:
        response = client.post(
            self.path, content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "json_invalid"


class DetailContract(CreateContract):
    unknown_key: ClassVar[str] = "999999"
    not_found: ClassVar[str]  # the start of the 404 message

    def test_get_returns_each_record(self, client: TestClient, records: list[Row]) -> None:
        for record in records:
            response = client.get(f"{self.path}/{record[self.key]}")
            assert response.status_code == 200, response.text
            assert contains(response.json(), record)

    def test_unknown_key_is_404_with_a_message(self, client: TestClient) -> None:
        response = client.get(f"{self.path}/{self.unknown_key}")
        assert response.status_code == 404
        shown = self.unknown_key if self.unknown_key.isdigit() else repr(self.unknown_key)
        assert response.json()["detail"] == f"{self.not_found} {shown} not found"


class UpdateContract(DetailContract):
    update: ClassVar[Row]
    invalid_updates: ClassVar[list[tuple[str, Row, str, str]]] = []

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        super().pytest_generate_tests(metafunc)
        if "invalid_update" in metafunc.fixturenames:
            cases = self.invalid_updates
            metafunc.parametrize(
                "invalid_update", [c[1:] for c in cases], ids=[c[0] for c in cases]
            )

    def test_patch_changes_the_record_and_logs_before_and_after(
        self,
        client: TestClient,
        records: list[Row],
        history_of: Callable[[str, int], list[Row]],
    ) -> None:
        target = records[0]
        url = f"{self.path}/{target[self.key]}"
        response = client.patch(url, json=self.update, headers={"X-Request-ID": "req-patch-7"})
        assert response.status_code == 200, response.text
        assert contains(response.json(), self.update)
        assert contains(client.get(url).json(), self.update)
        last = history_of(self.entity, target["id"])[-1]
        assert last["action"] == "updated"
        assert last["before"] == {k: target[k] for k in self.update}
        assert last["after"] == self.update
        assert last["cause_id"] == "request:req-patch-7"

    def test_patch_that_changes_nothing_logs_nothing(
        self,
        client: TestClient,
        records: list[Row],
        history_of: Callable[[str, int], list[Row]],
    ) -> None:
        target = records[0]
        before = history_of(self.entity, target["id"])
        same = {k: target[k] for k in self.update}
        response = client.patch(f"{self.path}/{target[self.key]}", json=same)
        assert response.status_code == 200, response.text
        assert history_of(self.entity, target["id"]) == before

    def test_patch_of_unknown_key_is_404(self, client: TestClient) -> None:
        response = client.patch(f"{self.path}/{self.unknown_key}", json=self.update)
        assert response.status_code == 404
        assert "not found" in response.json()["detail"]

    def test_invalid_patch_is_422_and_changes_nothing(
        self, client: TestClient, records: list[Row], invalid_update: tuple[Row, str, str]
    ) -> None:
        target = records[0]
        body, field, fragment = invalid_update
        url = f"{self.path}/{target[self.key]}"
        assert_422(client.patch(url, json=body), field, fragment)
        assert contains(client.get(url).json(), target)


class DuplicateContract(CreateContract):
    duplicate_message: ClassVar[str]  # a fragment of the 409 message

    def test_duplicate_is_409(self, client: TestClient, records: list[Row]) -> None:
        body = self.bodies()[0]
        response = client.post(self.path, json=body)
        assert response.status_code == 409, response.text
        assert self.duplicate_message in response.json()["detail"]
        assert list_all(client, self.path)["count"] == len(records)


def _ids(params: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


# --- the resources ------------------------------------------------------------------------------
class TestOpdApi(UpdateContract, DuplicateContract, EnumFilterContract, SearchContract):
    path = "/api/v1/opd"
    entity = "opd"
    key = "code"
    unknown_key = "NO-SUCH-OPD"
    not_found = "OPD"
    duplicate_message = "OPD 'DISKOMINFOSATIK' already exists"
    sortable = ("id", "code", "name", "kind")
    filters = [
        ({"kind": "hospital"}, lambda r: r["kind"] == "hospital"),
        ({"kind": "kecamatan"}, lambda r: r["kind"] == "kecamatan"),
    ]
    bad_filters = [({"kind": "dinas"}, "kind")]
    search_fields = ("name", "code", "abbreviation")
    searches = ["kominfo", "RSDP", "100%", "upt_lab", "sekretariat"]
    update = {"name": "Dinas Komunikasi dan Informatika", "aliases": ["Kominfo", "Diskominfo"]}
    invalid_bodies = [
        ("code-with-space", {"code": "BAD CODE", "name": "Dinas Contoh"}, "code", "pattern"),
        ("code-lowercase", {"code": "dinkes", "name": "Dinas Kesehatan"}, "code", "pattern"),
        ("name-too-short", {"code": "X1", "name": "X"}, "name", "at least 2 characters"),
        ("kind-unknown", {"code": "X2", "name": "Dinas X", "kind": "dinas"}, "kind", "Input should be"),
        ("name-missing", {"code": "X3"}, "name", "Field required"),
    ]  # fmt: skip
    invalid_updates = [
        ("name-null", {"name": None}, "name", ""),
        ("kind-null", {"kind": None}, "kind", ""),
        ("aliases-null", {"aliases": None}, "aliases", ""),
        ("kind-unknown", {"kind": "dinas"}, "kind", "Input should be"),
    ]

    def bodies(self) -> list[Row]:
        return [
            {"code": "DISKOMINFOSATIK", "kind": "agency", "abbreviation": "Diskominfosatik",
             "name": "Dinas Komunikasi, Informatika, Persandian dan Statistik", "aliases": ["Diskominfo"]},
            {"code": "RSDP", "name": "RSUD dr. Dradjat Prawiranegara", "abbreviation": "RSDP", "kind": "hospital"},
            {"code": "KEC-CIRUAS", "name": "Kecamatan Ciruas", "kind": "kecamatan"},
            {"code": "SETDA", "name": "Sekretariat Daerah", "abbreviation": "Setda", "kind": "secretariat"},
            {"code": "UPT_LAB", "name": "UPT Laboratorium 100% Terpadu"},
            {"code": "UPT-LAB2", "name": "UPT Laboratorium 1000 Sampel"},
            {"code": "KEC-KIBIN", "name": "Kecamatan Kibin", "kind": "kecamatan"},
        ]  # fmt: skip

    def expected(self, body: Row) -> Row:
        return {"kind": "agency", "aliases": [], "abbreviation": None, "is_sample": False, **body}


class TestAssetApi(UpdateContract, EnumFilterContract, SearchContract):
    path = "/api/v1/assets"
    entity = "asset"
    not_found = "asset"
    sortable = ("id", "name", "hostname", "address", "opd_code", "kind", "lifecycle",
                "first_seen", "last_seen")  # fmt: skip
    filters = [
        ({"opd_code": "RSDP"}, lambda r: r["opd_code"] == "RSDP"),
        ({"kind": "network_device"}, lambda r: r["kind"] == "network_device"),
        ({"lifecycle": "retired"}, lambda r: r["lifecycle"] == "retired"),
        ({"scope": "opd01-lan"}, lambda r: r["scope"] == "opd01-lan"),
        ({"address": "127.10.0.1"}, lambda r: r["address"] == "127.10.0.1"),
        ({"opd_code": "DISKOMINFOSATIK", "kind": "server"},
         lambda r: (r["opd_code"], r["kind"]) == ("DISKOMINFOSATIK", "server")),
    ]  # fmt: skip
    bad_filters = [({"kind": "laptop"}, "kind"), ({"lifecycle": "gone"}, "lifecycle")]
    search_fields = ("name", "hostname", "address", "mac")
    searches = ["SIMRS", "100%", "srv_simrs", "127.10.0.", "02:00:5e:10:00:1", "opd01.test"]
    update = {"owner": "Bidang Aptika", "location": "Ruang Server Lt. 2"}
    invalid_bodies = [
        ("unknown-opd", {"addresses": ["127.10.9.9"], "opd_code": "NOPE"}, "opd_code",
         "unknown OPD code 'NOPE'"),
        ("no-identity", {"name": "tanpa identitas"}, "mac",
         "a declared asset needs a MAC, a serial, an address"),
        ("bad-mac", {"mac": "02:00:5e:10:00", "opd_code": "RSDP"}, "mac", "pattern"),
        ("mac-not-hex", {"mac": "zz:zz:zz:zz:zz:zz"}, "mac", "pattern"),
        ("bad-ip", {"addresses": ["999.1.1.1"]}, "addresses", "not an IP address"),
        ("kind-unknown", {"addresses": ["127.10.9.9"], "kind": "laptop"}, "kind", "Input should be"),
        ("unknown-facility", {"addresses": ["127.10.9.9"], "facility_id": 4242}, "facility_id",
         "facility"),
    ]  # fmt: skip
    invalid_updates = [
        ("unknown-opd", {"opd_code": "NOPE"}, "opd_code", "unknown OPD code 'NOPE'"),
        ("lifecycle-unknown", {"lifecycle": "gone"}, "lifecycle", "Input should be"),
        ("kind-null", {"kind": None}, "kind", ""),
        ("lifecycle-null", {"lifecycle": None}, "lifecycle", ""),
        ("unknown-facility", {"facility_id": 4242}, "facility_id", "facility"),
    ]

    def prepare(self, client: TestClient) -> None:
        create_opd(client, "DISKOMINFOSATIK", "RSDP")

    def bodies(self) -> list[Row]:
        return [
            {"name": "srv-web-01", "kind": "server", "hostname": "srv-web-01.serangkab.test",
             "mac": "02:00:5e:10:00:11", "addresses": ["127.10.0.11"], "opd_code": "DISKOMINFOSATIK",
             "location": "Ruang Server Diskominfosatik"},
            {"name": "core-switch uplink 100%", "kind": "network_device", "hostname": "core-sw-01",
             "mac": "02-00-5E-10-00-01", "addresses": ["127.10.0.1"], "opd_code": "DISKOMINFOSATIK"},
            {"name": "core-switch uplink 1000", "kind": "network_device", "serial": "SN-0002",
             "addresses": ["127.10.0.2"], "opd_code": "DISKOMINFOSATIK", "lifecycle": "retired"},
            {"name": "srv_simrs", "kind": "server", "serial": "CONTOH-SN-0001",
             "addresses": ["127.10.1.10", "::1"], "opd_code": "RSDP"},
            {"name": "srv-simrs2", "kind": "vm", "addresses": ["127.10.1.11"], "opd_code": "RSDP"},
        ]  # fmt: skip

    def expected(self, body: Row) -> Row:
        out = {k: v for k, v in body.items() if k != "mac"}
        if body.get("mac"):
            out["mac"] = body["mac"].upper().replace("-", ":")
        if body.get("addresses"):
            out["address"] = body["addresses"][0]
        return {"identity_rule": "declared", "lifecycle": "active", "is_sample": False, **out}

    def seed(self, client: TestClient, request: pytest.FixtureRequest) -> None:
        super().seed(client, request)  # declared assets, then assets a scan saw (times, scope)
        request.getfixturevalue("ingest_events")(scan_stream(scopes=1, hosts=3, scans=1))


class TestApplicationApi(UpdateContract, DuplicateContract, EnumFilterContract, SearchContract):
    path = "/api/v1/applications"
    entity = "application"
    not_found = "application"
    duplicate_message = "application 'Portal serangkab.go.id' of DISKOMINFOSATIK already exists"
    sortable = ("id", "name", "opd_code", "kind", "status", "last_probed_at")
    filters = [
        ({"opd_code": "SETDA"}, lambda r: r["opd_code"] == "SETDA"),
        ({"kind": "general"}, lambda r: r["kind"] == "general"),
        ({"platform": "mobile"}, lambda r: r["platform"] == "mobile"),
        ({"hosting": "national_saas"}, lambda r: r["hosting"] == "national_saas"),
        ({"status": "inactive"}, lambda r: r["status"] == "inactive"),
    ]
    bad_filters = [({"platform": "fax"}, "platform"), ({"hosting": "basement"}, "hosting")]
    search_fields = ("name", "description")
    searches = ["portal", "100%", "sip_kerja", "PENGADAAN"]
    update = {"status": "inactive", "function_level": 4}
    invalid_bodies = [
        ("function-level-6", {"name": "X", "opd_code": "SETDA", "function_level": 6},
         "function_level", "less than or equal to 5"),
        ("function-level-0", {"name": "X", "opd_code": "SETDA", "function_level": 0},
         "function_level", "greater than or equal to 1"),
        ("unknown-opd", {"name": "X", "opd_code": "NOPE"}, "opd_code", "unknown OPD code 'NOPE'"),
        ("bad-url", {"name": "X", "opd_code": "SETDA", "urls": ["not a url"]}, "urls", "URL"),
        ("unknown-asset", {"name": "X", "opd_code": "SETDA", "asset_ids": [4242]}, "asset_ids",
         "unknown asset ids: [4242]"),
        ("unknown-facility", {"name": "X", "opd_code": "SETDA", "facility_id": 4242},
         "facility_id", "facility"),
        ("name-empty", {"name": "", "opd_code": "SETDA"}, "name", "at least 1 character"),
    ]  # fmt: skip
    invalid_updates = [
        ("function-level-9", {"function_level": 9}, "function_level", "less than or equal to 5"),
        ("unknown-asset", {"asset_ids": [4242]}, "asset_ids", "unknown asset ids: [4242]"),
        ("kind-null", {"kind": None}, "kind", ""),
        ("urls-null", {"urls": None}, "urls", ""),
    ]

    def prepare(self, client: TestClient) -> None:
        create_opd(client, "DISKOMINFOSATIK", "SETDA")

    def bodies(self) -> list[Row]:
        return [
            {"name": "Portal serangkab.go.id", "opd_code": "DISKOMINFOSATIK", "kind": "special",
             "platform": "web", "urls": ["https://serangkab.go.id/"], "function_level": 2,
             "service_areas": ["publik_sektor:informasi_publik"]},
            {"name": "LPSE / SPSE", "opd_code": "SETDA", "kind": "general", "hosting": "national_saas",
             "description": "Layanan pengadaan 100% elektronik", "function_level": 3},
            {"name": "Serang Tatu", "opd_code": "DISKOMINFOSATIK", "platform": "mobile",
             "status": "inactive", "description": "Layanan 1000 warga"},
            {"name": "sip_kerja", "opd_code": "SETDA", "description": "Kinerja pegawai"},
            {"name": "sip-kerja lama", "opd_code": "SETDA", "status": "retired"},
        ]  # fmt: skip

    def expected(self, body: Row) -> Row:
        return {"probe": {}, "last_probed_at": None, "asset_ids": [], "is_sample": False, **body}

    def seed(self, client: TestClient, request: pytest.FixtureRequest) -> None:
        super().seed(client, request)  # then one probe, so last_probed_at differs
        probe = ApplicationObserved(url="https://serangkab.go.id/", reachable=True, status_code=200)
        event = new_event(EventType.APPLICATION_OBSERVED, probe, source="test")
        request.getfixturevalue("ingest_events")([event])


class TestFacilityApi(DetailContract, DuplicateContract, EnumFilterContract):
    path = "/api/v1/facilities"
    entity = "facility"
    not_found = "facility"
    duplicate_message = "facility 'Ruang Server Diskominfosatik (contoh fiktif)' already exists"
    sortable = ("id", "name", "kind")
    filters = [({"kind": "pdn"}, lambda r: r["kind"] == "pdn")]
    bad_filters = [({"kind": "garage"}, "kind")]
    invalid_bodies = [
        ("unknown-owner", {"name": "DC X", "owner_opd_code": "NOPE"}, "owner_opd_code",
         "unknown OPD code 'NOPE'"),
        ("negative-bandwidth", {"name": "DC X", "intranet_mbps": -1}, "intranet_mbps",
         "greater than or equal to 0"),
        ("name-too-short", {"name": "D"}, "name", "at least 2 characters"),
        ("kind-unknown", {"name": "DC X", "kind": "garage"}, "kind", "Input should be"),
    ]  # fmt: skip

    def prepare(self, client: TestClient) -> None:
        create_opd(client, "DISKOMINFOSATIK", "RSDP")

    def bodies(self) -> list[Row]:
        return [
            {"name": "Ruang Server Diskominfosatik (contoh fiktif)", "kind": "pusat_data_pemda",
             "owner_opd_code": "DISKOMINFOSATIK", "intranet_mbps": 1000, "internet_mbps": 500},
            {"name": "Ruang Server RSDP (contoh fiktif)", "kind": "opd_server_room",
             "owner_opd_code": "RSDP", "operator": "Instalasi SIMRS"},
            {"name": "Pusat Data Nasional (contoh)", "kind": "pdn", "pdn_interconnected": True},
        ]  # fmt: skip


class TestNetworkLinkApi(DuplicateContract, FilterContract):
    path = "/api/v1/network-links"
    entity = "network_link"
    duplicate_message = "site 'Kantor Diskominfosatik' of DISKOMINFOSATIK already has a link"
    sortable = ("id", "opd_code", "site")
    filters = [({"opd_code": "RSDP"}, lambda r: r["opd_code"] == "RSDP")]
    invalid_bodies = [
        ("unknown-opd", {"opd_code": "NOPE", "site": "Kantor"}, "opd_code",
         "unknown OPD code 'NOPE'"),
        ("media-unknown", {"opd_code": "RSDP", "site": "Kantor", "media": "pigeon"}, "media",
         "Input should be"),
        ("negative-bandwidth", {"opd_code": "RSDP", "site": "Kantor", "bandwidth_mbps": -5},
         "bandwidth_mbps", "greater than or equal to 0"),
        ("site-too-short", {"opd_code": "RSDP", "site": "K"}, "site", "at least 2 characters"),
    ]  # fmt: skip

    def prepare(self, client: TestClient) -> None:
        create_opd(client, "DISKOMINFOSATIK", "RSDP")

    def bodies(self) -> list[Row]:
        return [
            {"opd_code": "DISKOMINFOSATIK", "site": "Kantor Diskominfosatik", "bandwidth_mbps": 100},
            {"opd_code": "RSDP", "site": "RSDP Gedung A", "media": "radio", "bandwidth_mbps": 20},
            {"opd_code": "RSDP", "site": "RSDP Gedung B", "media": "vpn", "jip_interconnected": True},
        ]  # fmt: skip


# --- resources made by ingestion: list contract only --------------------------------------------
class TestServiceApi(EnumFilterContract):
    path = "/api/v1/services"
    sortable = ("id", "port", "name", "product", "last_seen")
    filters = [
        ({"port": "22"}, lambda r: r["port"] == 22),
        ({"name": "https"}, lambda r: r["name"] == "https"),
        ({"product": "HTTPD"}, lambda r: "httpd" in (r["product"] or "").lower()),
        ({"asset_id": "2"}, lambda r: r["asset_id"] == 2),
        ({"protocol": "tcp", "port": "80"}, lambda r: (r["protocol"], r["port"]) == ("tcp", 80)),
    ]
    bad_filters = [({"port": "70000"}, "port"), ({"protocol": "icmp"}, "protocol")]

    def seed(self, client: TestClient, request: pytest.FixtureRequest) -> None:
        request.getfixturevalue("ingest_events")(scan_stream(scopes=2, hosts=4, scans=2))

    def test_product_filter_takes_percent_literally(
        self, client: TestClient, records: list[Row]
    ) -> None:
        assert list_all(client, self.path, product="%")["count"] == 0
        assert list_all(client, self.path, product="Open_SH")["count"] == 0


class TestScanApi(FilterContract):
    path = "/api/v1/scans"
    pk = "scan_id"
    default_sort = "-started_at"
    sortable = ("started_at", "scope", "status")
    filters = [({"scope": "opd02-lan"}, lambda r: r["scope"] == "opd02-lan")]

    def seed(self, client: TestClient, request: pytest.FixtureRequest) -> None:
        ingest = request.getfixturevalue("ingest_events")
        ingest(scan_stream(scopes=2, hosts=2, scans=2, partial_every=2))
        scope = Scope(key="opd03-lan", opd="OPD03", ranges=["127.3.0.0/24"])
        started = ScanStarted(scan_id="scan-running", scope=scope, profile="discovery",
                              started_at=datetime.fromisoformat("2026-02-01T00:00:00+00:00"))  # fmt: skip
        ingest([new_event(EventType.SCAN_STARTED, started, source="test")])

    def test_scans_show_status_and_counts(self, client: TestClient, records: list[Row]) -> None:
        statuses = {r["scan_id"]: r["status"] for r in records}
        assert statuses == {"scan-0-1": "complete", "scan-0-2": "complete",
                            "scan-1-1": "partial", "scan-1-2": "partial",
                            "scan-running": "running"}  # fmt: skip
        assert {r["hosts_up"] for r in records if r["status"] == "complete"} == {2}


class TestRejectedEventApi(ListContract):
    path = "/api/v1/rejected-events"
    sortable = ("id", "rejected_at")

    def seed(self, client: TestClient, request: pytest.FixtureRequest) -> None:
        scope = Scope(key="opd01-lan", opd="OPD01", ranges=["127.1.0.0/24"])
        good = new_event(EventType.SCAN_STARTED, ScanStarted(
            scan_id="s1", scope=scope, profile="discovery",
            started_at=datetime.fromisoformat("2026-02-01T00:00:00+00:00")), source="test")  # fmt: skip
        headers, value = to_binary(good)
        poison = [
            Record("spbe.events", 0, 10, None, b"\x00not json", headers),
            Record("spbe.events", 0, 11, None, value, []),
            Record("spbe.events", 1, 12, None, value[:-3], headers),
        ]
        for record in poison:  # one batch each, so rejected_at differs
            result = request.getfixturevalue("ingest_records")([record])
            assert len(result.rejected) == 1

    def test_rejected_events_say_why_and_hide_the_payload(
        self, client: TestClient, records: list[Row]
    ) -> None:
        assert [(r["partition"], r["offset"]) for r in records] == [(0, 10), (0, 11), (1, 12)]
        assert all(r["reason"] for r in records)
        assert all("value" not in r and "headers" not in r for r in records)
