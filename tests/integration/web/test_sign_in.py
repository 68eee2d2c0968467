"""Masuk and keluar: the sign-in form, its refusals in Bahasa Indonesia, and what a page
answers to a visitor who has not signed in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.security import SESSION_COOKIE


def test_a_page_without_a_sign_in_redirects_to_masuk_and_back(
    browser: Callable[..., TestClient],
) -> None:
    visitor = browser(None)
    response = visitor.get("/katalog/aset?q=10.0")
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=%2Fkatalog%2Faset%3Fq%3D10.0"
    form = visitor.get("/masuk?next=/katalog/aset")
    assert form.status_code == 200
    assert 'lang="id"' in form.text and "Kata sandi" in form.text
    assert "Content-Security-Policy" in form.headers


def test_sign_in_sets_the_session_and_sign_out_ends_it(
    browser: Callable[..., TestClient], engine: Engine
) -> None:
    with begin_write(engine) as conn:
        password = accounts.add_account(conn, "staf-aptika", Role.VIEWER, [])
    visitor = browser(None)
    wrong = visitor.post("/masuk", data={"name": "staf-aptika", "password": "salah"})
    assert wrong.status_code == 401 and "Nama akun atau kata sandi salah." in wrong.text
    assert SESSION_COOKIE not in visitor.cookies
    right = visitor.post(
        "/masuk", data={"name": "staf-aptika", "password": password, "next": "//elsewhere.example"}
    )
    assert right.status_code == 303 and right.headers["location"] == "/beranda"  # no open redirect
    assert visitor.cookies.get(SESSION_COOKIE)
    assert visitor.get("/masuk").headers["location"] == "/beranda"  # already signed in
    csrf = _csrf_of(engine)
    refused = visitor.post("/keluar", data={})
    assert refused.status_code == 403  # no CSRF token: another site cannot sign people out
    out = visitor.post("/keluar", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/masuk"
    assert visitor.get("/katalog/aset").status_code == 303  # the session ended


def _csrf_of(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT csrf FROM web_session").scalar_one())


def test_unknown_pages_and_refusals_are_pages_in_bahasa_indonesia(
    browser: Callable[..., TestClient],
) -> None:
    viewer = browser(Role.VIEWER)
    missing = viewer.get("/tidak-ada")
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in missing.text
    refused = viewer.get("/kejadian-ditolak")
    assert refused.status_code == 403 and "Akses ditolak" in refused.text
    assert viewer.get("/api/v1/rejected-events").json()["detail"]  # the API keeps JSON


NUL_REFUSED = {"detail": [{"loc": ["query"], "msg": "a NUL character is not allowed",
                           "type": "value_error"}]}  # fmt: skip


def test_a_nul_character_in_a_page_address_is_a_page_in_bahasa_indonesia(
    browser: Callable[..., TestClient],
) -> None:
    viewer = browser(Role.VIEWER)
    for address in ("/katalog/aset?q=%00", "/katalog/aset/%00"):
        refused = viewer.get(address)
        assert refused.status_code == 422, address
        assert refused.headers["content-type"].startswith("text/html"), address
        assert "karakter yang tidak diizinkan" in refused.text, address
        assert '<a href="/katalog/aset" id="kembali">Kembali ke Aset</a>' in refused.text
        assert "Content-Security-Policy" in refused.headers
    assert "karakter yang tidak diizinkan" in browser(None).get("/beranda?x=%00").text
    api = viewer.get("/api/v1/assets?q=%00")  # the API keeps its JSON body
    assert api.status_code == 422 and api.json() == NUL_REFUSED
    health = viewer.get("/healthz?x=%00")
    assert health.status_code == 422 and health.json() == NUL_REFUSED


def test_docs_and_redoc_load_only_this_services_scripts(browser: Callable[..., TestClient]) -> None:
    visitor = browser(None)
    for path in ("/docs", "/redoc"):
        html = visitor.get(path).text
        assert "/vendor/" in html
        assert "cdn" not in html.lower() and "fonts.googleapis" not in html
    assert visitor.get("/vendor/swagger-ui-bundle.js").status_code == 200
    assert visitor.get("/vendor/redoc.standalone.js").status_code == 200


def test_an_unexpected_error_is_a_page_in_bahasa_indonesia_and_json_on_the_api(
    browser: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(accounts, "listed", broken)
    monkeypatch.setattr(accounts, "accounts_named", broken)
    admin = browser(Role.ADMIN)
    client = TestClient(admin.app, raise_server_exceptions=False, cookies=admin.cookies)
    shown = client.get("/pengaturan/akun")
    assert shown.status_code == 500
    assert shown.headers["content-type"].startswith("text/html")
    assert "Terjadi kesalahan pada server" in shown.text and 'lang="id"' in shown.text
    assert "internal error" not in shown.text
    assert "Content-Security-Policy" in shown.headers
    api = client.get("/api/v1/accounts?name=admin")
    assert api.status_code == 500 and api.json() == {"detail": "internal error"}


def test_an_over_long_name_or_password_is_a_wrong_sign_in_on_the_form(
    browser: Callable[..., TestClient],
) -> None:
    visitor = browser(None)
    for name, password in (("a" * 300, "sandi"), ("admin", "x" * 2000)):
        refused = visitor.post("/masuk", data={"name": name, "password": password})
        assert refused.status_code == 401
        assert "Nama akun atau kata sandi salah." in refused.text and 'id="' in refused.text
        assert "Alamat halaman" not in refused.text


def test_a_refused_form_field_is_said_as_the_forms_not_the_addresss(
    browser: Callable[..., TestClient],
) -> None:
    """A form without a message of its own for a field: the error page names the form."""
    admin = browser(Role.ADMIN)
    refused = admin.post(
        "/tinjauan/1/abaikan", data={"csrf_token": admin.csrf, "reason": "x" * 600}
    )
    assert refused.status_code == 422
    assert "Isian formulir terlalu panjang: paling banyak 500 karakter." in refused.text
    assert "Alamat halaman" not in refused.text


def test_the_name_is_signed_in_whatever_its_capitals_and_they_share_one_lockout(
    browser: Callable[..., TestClient], engine: Engine
) -> None:
    with begin_write(engine) as conn:
        password = accounts.add_account(conn, "tik-dinkes", Role.OPD_OPERATOR, ["DINKES"])
    for typed in ("TIK-DINKES", "Tik-dinkes"):  # a phone's capital
        signed_in = browser(None).post("/masuk", data={"name": typed, "password": password})
        assert signed_in.status_code == 303, typed
    other = browser(None)
    for typed in ("Tik-dinkes", "TIK-DINKES", "tik-Dinkes", "TIK-dinkes", "tik-dinkes"):
        wrong = other.post("/masuk", data={"name": typed, "password": "salah"})
        assert wrong.status_code == 401, typed
    for typed in ("TIK-DINKES", "tik-dinkes"):  # the sixth try, any capitals: locked out
        locked = other.post("/masuk", data={"name": typed, "password": password})
        assert locked.status_code == 429, typed
    with engine.connect() as conn:
        keys = conn.exec_driver_sql("SELECT DISTINCT account_name FROM login_failure").scalars()
        assert set(keys) == {"tik-dinkes"}
