import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from spbe_collector.probes.enums import ProbeError
from spbe_collector.probes.get import fetch, make_client
from spbe_collector.probes.schemas import RawProbe
from spbe_collector.probes.service import InvalidProbeUrl, ProbeService, validate_urls
from spbe_collector.probes.transform import page_title, transform
from spbe_collector.settings import CollectorSettings
from spbe_common.events import EventType

HTTP = Path(__file__).resolve().parents[2] / "data" / "http"


def _recorded(name: str) -> RawProbe:
    return RawProbe.from_json(json.loads((HTTP / f"{name}.json").read_text()))


def test_reachable_page_has_status_title_server_and_time() -> None:
    observed = transform(_recorded("ok"))
    assert observed.reachable and observed.status_code == 200
    assert observed.title == "Portal Kabupaten Serang & Layanan (contoh)"
    assert observed.server == "nginx/1.22.1"
    assert observed.response_ms is not None and observed.response_ms > 0
    assert observed.tls is None and observed.error is None


def test_redirects_are_counted_and_the_final_url_kept() -> None:
    observed = transform(_recorded("redirects"))
    assert observed.redirects == 2
    assert str(observed.final_url).endswith("/")
    assert str(observed.url).endswith("/lama")


def test_not_found_is_reachable_with_its_status() -> None:
    observed = transform(_recorded("not_found"))
    assert (observed.reachable, observed.status_code, observed.title) == (
        True,
        404,
        "404 Not Found",
    )


def test_trusted_tls_certificate_is_reported() -> None:
    tls = transform(_recorded("tls_ok")).tls
    assert tls is not None
    assert tls.subject == "C=ID, O=Contoh Diskominfosatik (fiktif), CN=127.0.0.3"
    assert tls.issuer == "C=ID, O=Contoh Diskominfosatik (fiktif), CN=Contoh CA Uji"
    assert tls.not_after > datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("tls_untrusted", "tls"), ("timeout", "timeout"), ("refused", "connect")],
)
def test_failures_are_results(name: str, kind: str) -> None:
    observed = transform(_recorded(name))
    assert observed.reachable is False and observed.status_code is None
    assert (observed.error or "").startswith(f"{kind}: ")


def test_title_edge_cases() -> None:
    assert page_title("<TITLE lang='id'>  Sistem\n Informasi </TITLE>") == "Sistem Informasi"
    assert page_title("<html>no title</html>") is None
    assert page_title("<title></title>") is None


def _mock(handler) -> httpx.Client:
    return make_client(1.0, httpx.MockTransport(handler))


def test_fetch_follows_redirects_through_an_injected_transport() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return httpx.Response(302, headers={"Location": "/portal"})
        return httpx.Response(200, headers={"Server": "Apache"}, text="<title>SIP Kerja</title>")

    with _mock(handler) as client:
        raw = fetch(client, "http://sipkerja.example.test/")
    assert (raw.status_code, raw.redirects, raw.final_url) == (
        200, 1, "http://sipkerja.example.test/portal",
    )  # fmt: skip
    assert transform(raw).title == "SIP Kerja"


def test_fetch_turns_exceptions_into_results() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/"})

    with _mock(timeout) as client:
        assert fetch(client, "http://lambat.example.test/").error_kind is ProbeError.TIMEOUT
    with _mock(loop) as client:
        assert (
            fetch(client, "http://loop.example.test/").error_kind is ProbeError.TOO_MANY_REDIRECTS
        )


def test_body_is_read_only_up_to_the_limit() -> None:
    huge = "<title>Besar</title>" + "x" * 10_000_000
    with _mock(lambda request: httpx.Response(200, text=huge)) as client:
        raw = fetch(client, "http://besar.example.test/")
    assert len(raw.body) == 64 * 1024 and transform(raw).title == "Besar"


def test_probe_service_publishes_one_event_per_url(tmp_path: Path, producer) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<title>A</title>"))
    service = ProbeService(CollectorSettings(data_dir=tmp_path), producer, transport)
    results = list(service.probe(["http://a.example.test/", "http://b.example.test/"]))
    assert len(results) == 2
    assert [e.type for e in producer.events()] == [EventType.APPLICATION_OBSERVED] * 2


def test_urls_are_validated_all_at_once() -> None:
    assert validate_urls(["https://ppid.serangkab.go.id", "https://ppid.serangkab.go.id"]) == [
        "https://ppid.serangkab.go.id/"
    ]
    with pytest.raises(InvalidProbeUrl, match=r"'ftp://x', 'bukan url'$"):
        validate_urls(["ftp://x", "bukan url", "http://ok.example.test"])
