"""Pengaturan > Akun: an admin adds accounts, disables and enables them, makes new passwords and
API tokens and revokes them from the browser; each secret is shown once (no-store), each refusal
in Bahasa Indonesia on the form (422) with what was typed kept; other roles are refused."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.security import SESSION_COOKIE

OPD = "DISKOMINFOSATIK"
BASE = "/pengaturan/akun"
Browser = Callable[..., TestClient]


def _secret(response: httpx.Response) -> str:
    text = response.text
    found = re.search(r'<code id="rahasia">([^<]+)</code>', text)
    assert found, f"no secret shown: {text[:400]}"
    return html.unescape(found.group(1))


def _post(client: TestClient, path: str, **data: str) -> httpx.Response:
    csrf = getattr(client, "csrf", "")
    return client.post(path, data={"csrf_token": csrf, **data})


def _sign_in(browser: Browser, name: str, password: str) -> TestClient:
    visitor = browser(None)
    response = visitor.post("/masuk", data={"name": name, "password": password})
    assert response.status_code == 303, f"{name} could not sign in: {response.status_code}"
    assert visitor.get("/beranda").status_code == 200
    return visitor


def _add(
    admin: TestClient, name: str, role: str = "opd_operator", opd: list[str] | None = None
) -> httpx.Response:
    return admin.post(
        f"{BASE}/baru",
        data={"csrf_token": getattr(admin, "csrf", ""), "nama": name, "peran": role,
              "opd": opd if opd is not None else [OPD]},
    )  # fmt: skip


def test_admin_adds_an_operator_who_signs_in_with_the_password_shown_once(
    browser: Browser, engine: Engine
) -> None:
    admin = browser(Role.ADMIN)
    listing = admin.get(BASE)
    assert listing.status_code == 200 and f'href="{BASE}/baru"' in listing.text
    assert '<a href="/pengaturan/akun"' in listing.text  # "Akun" in the admin's menu
    form = admin.get(f"{BASE}/baru")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert (
        'for="f-nama"' in form.text and 'for="f-peran"' in form.text and 'for="f-opd"' in form.text
    )
    assert '<option value="">(pilih peran)</option>' in form.text  # never admin by default
    assert "selected" not in form.text
    added = _add(admin, "tik-kominfo")
    assert added.status_code == 200
    assert added.headers["cache-control"] == "no-store"
    password = _secret(added)
    with engine.connect() as conn:
        row = accounts_repo.by_name(conn, "tik-kominfo")
    assert row is not None and row["role"] == "opd_operator" and row["opd_codes"] == [OPD]
    assert password not in str(row["password_hash"])  # stored only as its argon2 hash
    assert password not in admin.get(f"{BASE}/tik-kominfo").text  # shown once, never again
    listed = admin.get(BASE).text
    assert "tik-kominfo" in listed and "Pengelola TIK OPD" in listed and OPD in listed
    operator = _sign_in(browser, "tik-kominfo", password)
    assert "Terakhir masuk" in admin.get(f"{BASE}/tik-kominfo").text
    assert operator.get("/katalog/aset").status_code == 200


def test_a_service_account_gets_no_password_but_a_pointer_to_its_tokens(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    added = _add(admin, "kolektor-2", "collector", [])
    assert added.status_code == 200 and 'id="rahasia"' not in added.text
    assert 'id="akun-layanan"' in added.text and f"{BASE}/kolektor-2" in added.text
    assert 'id="reset-sandi"' not in admin.get(f"{BASE}/kolektor-2").text


@pytest.mark.parametrize(
    ("name", "role", "opd", "field", "message"),
    [
        ("Tik Dinkes!", "viewer", [], "nama", "Nama akun 2 sampai 64 karakter"),
        ("sudah-ada", "viewer", [], "nama", "Nama akun ini sudah dipakai"),
        ("baru", "viewer", [], "nama", "Nama akun ini dipakai oleh halaman Akun"),
        ("tik-baru", "opd_operator", [], "opd", "Pengelola TIK OPD harus memiliki"),
        ("tik-baru", "opd_operator", ["TIDAKADA"], "opd", "Kode OPD tidak dikenal: TIDAKADA"),
        ("kolektor-3", "collector", [OPD], "opd", "Peran ini tidak memiliki OPD"),
        ("", "viewer", [], "nama", "Wajib diisi."),
        ("tik-baru", "superuser", [], "peran", "Pilih salah satu peran"),
    ],
)
def test_a_refused_account_is_shown_on_the_form_with_what_was_typed(
    browser: Browser,
    engine: Engine,
    name: str,
    role: str,
    opd: list[str],
    field: str,
    message: str,
) -> None:
    admin = browser(Role.ADMIN)
    with begin_write(engine) as conn:
        accounts.add_account(conn, "sudah-ada", Role.VIEWER, [], password=False)
        before = len(accounts_repo.all_accounts(conn))
    refused = _add(admin, name, role, opd)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert f'<p class="error" id="e-{field}">{message}' in text
    assert f'value="{name}"' in text  # what was typed is kept
    if role in {r.value for r in Role}:
        assert f'<option value="{role}" selected>' in text
    for code in opd:
        if code != "TIDAKADA":
            assert f'<option value="{code}" selected>' in text
    with engine.connect() as conn:
        assert len(accounts_repo.all_accounts(conn)) == before  # nothing saved


def test_disable_ends_the_session_and_enable_lets_the_account_in_again(
    browser: Browser, engine: Engine
) -> None:
    with begin_write(engine) as conn:
        password = accounts.add_account(conn, "staf-dinkes", Role.VIEWER, [])
    person = _sign_in(browser, "staf-dinkes", password)
    admin = browser(Role.ADMIN)
    without_csrf = admin.post(f"{BASE}/staf-dinkes/nonaktifkan", data={})
    assert without_csrf.status_code == 403
    assert person.get("/beranda").status_code == 200
    disabled = _post(admin, f"{BASE}/staf-dinkes/nonaktifkan")
    assert disabled.status_code == 303
    assert disabled.headers["location"] == f"{BASE}/staf-dinkes?pesan=dinonaktifkan"
    page = admin.get(disabled.headers["location"]).text
    assert "Akun dinonaktifkan" in page and 'id="aktifkan"' in page
    assert person.get("/beranda").status_code == 303  # its session ended: back to /masuk
    refused = browser(None).post("/masuk", data={"name": "staf-dinkes", "password": password})
    assert refused.status_code == 401
    enabled = _post(admin, f"{BASE}/staf-dinkes/aktifkan")
    assert enabled.status_code == 303
    assert "Akun diaktifkan kembali" in admin.get(enabled.headers["location"]).text
    _sign_in(browser, "staf-dinkes", password)


def test_a_new_password_replaces_the_old_one_and_is_shown_once(
    browser: Browser, engine: Engine
) -> None:
    with begin_write(engine) as conn:
        old = accounts.add_account(conn, "lupa-sandi", Role.EVALUATOR, [])
    person = _sign_in(browser, "lupa-sandi", old)
    admin = browser(Role.ADMIN)
    reset = _post(admin, f"{BASE}/lupa-sandi/reset-sandi")
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    new = _secret(reset)
    assert new != old
    assert person.get("/beranda").status_code == 303  # its sessions ended
    visitor = browser(None)
    assert visitor.post("/masuk", data={"name": "lupa-sandi", "password": old}).status_code == 401
    _sign_in(browser, "lupa-sandi", new)
    assert 'id="akun-nonaktif"' not in reset.text  # an enabled account: no notice


def test_a_new_password_of_a_disabled_account_says_it_waits_for_aktifkan(
    browser: Browser, engine: Engine
) -> None:
    with begin_write(engine) as conn:
        accounts.add_account(conn, "cuti-panjang", Role.VIEWER, [])
        accounts.disable(conn, "cuti-panjang")
    admin = browser(Role.ADMIN)
    reset = _post(admin, f"{BASE}/cuti-panjang/reset-sandi")
    assert reset.status_code == 200
    new = _secret(reset)
    assert (
        "Akun ini nonaktif: kata sandi baru baru dapat dipakai setelah akun diaktifkan."
        in reset.text
    )
    assert f'action="{BASE}/cuti-panjang/aktifkan"' in reset.text and 'id="aktifkan"' in reset.text
    assert f'value="{admin.csrf}"' in reset.text
    refused = browser(None).post("/masuk", data={"name": "cuti-panjang", "password": new})
    assert refused.status_code == 401  # as the notice says
    enabled = _post(admin, f"{BASE}/cuti-panjang/aktifkan")
    assert enabled.status_code == 303
    _sign_in(browser, "cuti-panjang", new)


def test_a_token_made_on_the_page_works_until_it_is_revoked(
    browser: Browser, engine: Engine
) -> None:
    with begin_write(engine) as conn:
        accounts.add_account(conn, "penilai", Role.SCORER, [])
    admin = browser(Role.ADMIN)
    bad = _post(admin, f"{BASE}/penilai/token", hari="0")
    assert bad.status_code == 422
    assert 'id="e-hari">Isi masa berlaku 1 sampai 3650 hari.' in bad.text
    assert 'value="0"' in bad.text
    made = _post(admin, f"{BASE}/penilai/token", hari="30")
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    token = _secret(made)
    api = browser(None)
    me = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["name"] == "penilai"
    page = admin.get(f"{BASE}/penilai").text
    assert token not in page and "Berlaku" in page
    (token_id,) = re.findall(rf'action="{BASE}/penilai/token/([0-9a-f]+)/cabut"', page)
    revoked = _post(admin, f"{BASE}/penilai/token/{token_id}/cabut")
    assert revoked.status_code == 303
    assert "Token dicabut" in admin.get(revoked.headers["location"]).text
    refused = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    again = _post(admin, f"{BASE}/penilai/token/{token_id}/cabut")
    assert again.status_code == 422 and "sudah dicabut" in again.text


def test_a_token_is_revoked_only_through_its_own_account(browser: Browser, engine: Engine) -> None:
    with begin_write(engine) as conn:
        accounts.add_account(conn, "pemilik", Role.VIEWER, [], password=False)
        accounts.add_account(conn, "lain", Role.VIEWER, [], password=False)
        token_id, _ = accounts.create_token(conn, "pemilik")
    admin = browser(Role.ADMIN)
    assert _post(admin, f"{BASE}/lain/token/{token_id}/cabut").status_code == 422
    assert _post(admin, f"{BASE}/tidak-ada/token/{token_id}/cabut").status_code == 404
    with engine.connect() as conn:
        (row,) = accounts_repo.tokens(conn, "pemilik")
    assert row["revoked_at"] is None


def test_an_admin_cannot_disable_their_own_account_or_the_last_admin(
    browser: Browser, engine: Engine
) -> None:
    """The acting admin is enabled, so the last enabled admin can only be the actor's own
    account on the pages (the service refuses the last admin for the CLI too: its own test)."""
    admin = browser(Role.ADMIN)
    me = admin.get("/api/v1/auth/me").json()["name"]
    with engine.connect() as conn:
        assert accounts_repo.count_admins(conn) == 1  # the last enabled admin too
    page = admin.get(f"{BASE}/{me}").text
    assert 'id="nonaktifkan"' not in page  # no button for one's own account
    own = _post(admin, f"{BASE}/{me}/nonaktifkan")
    assert own.status_code == 422
    assert "tidak dapat menonaktifkan akun Anda sendiri" in own.text
    assert admin.get(BASE).status_code == 200  # still signed in
    with begin_write(engine) as conn:
        accounts.add_account(conn, "admin-kedua", Role.ADMIN, [], password=False)
    assert _post(admin, f"{BASE}/admin-kedua/nonaktifkan").status_code == 303
    with engine.connect() as conn:
        assert accounts_repo.count_admins(conn) == 1


@pytest.mark.parametrize(
    ("role", "opd"), [(Role.OPD_OPERATOR, (OPD,)), (Role.EVALUATOR, ()), (Role.VIEWER, ())]
)
def test_only_admins_open_or_change_accounts(
    browser: Browser, engine: Engine, role: Role, opd: tuple[str, ...]
) -> None:
    with begin_write(engine) as conn:
        accounts.add_account(conn, "sasaran", Role.VIEWER, [], password=False)
        token_id, _ = accounts.create_token(conn, "sasaran")
    client = browser(role, opd)
    assert '<a href="/pengaturan/akun"' not in client.get("/beranda").text  # not in the menu
    for path in (BASE, f"{BASE}/baru", f"{BASE}/sasaran"):
        assert client.get(path).status_code == 403, path
    posts = {
        f"{BASE}/baru": {"nama": "penyusup", "peran": "admin"},
        f"{BASE}/sasaran/nonaktifkan": {},
        f"{BASE}/sasaran/aktifkan": {},
        f"{BASE}/sasaran/reset-sandi": {},
        f"{BASE}/sasaran/token": {"hari": "30"},
        f"{BASE}/sasaran/token/{token_id}/cabut": {},
    }
    for path, data in posts.items():
        assert _post(client, path, **data).status_code == 403, path
    with engine.connect() as conn:
        assert accounts_repo.by_name(conn, "penyusup") is None
        (token,) = accounts_repo.tokens(conn, "sasaran")
        assert token["revoked_at"] is None
        assert len(accounts_repo.tokens(conn, "sasaran")) == 1
        row = accounts_repo.by_name(conn, "sasaran")
        assert row is not None and not row["disabled"]
    assert SESSION_COOKIE in client.cookies


@pytest.mark.parametrize("days", ["²", "٣", "1.5", "0", "3651"])
def test_token_days_not_written_in_ascii_digits_are_refused_on_the_form(
    browser: Browser, days: str
) -> None:
    admin = browser(Role.ADMIN)
    assert _add(admin, "tik-hari").status_code == 200
    refused = _post(admin, f"{BASE}/tik-hari/token", hari=days)
    assert refused.status_code == 422, refused.text[:300]
    assert "Isi masa berlaku 1 sampai 3650 hari." in refused.text
    assert f'value="{days}"' in refused.text  # what was typed is kept


def test_token_days_with_spaces_around_are_read(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    assert _add(admin, "tik-spasi").status_code == 200
    made = _post(admin, f"{BASE}/tik-spasi/token", hari=" 30 ")
    assert made.status_code == 200 and "berlaku 30 hari" in made.text
    _secret(made)


def test_an_over_long_name_or_token_days_is_shown_on_the_form_with_what_was_typed(
    browser: Browser,
) -> None:
    admin = browser(Role.ADMIN)
    long_name = "a" * 300
    refused = _add(admin, long_name)
    assert refused.status_code == 422
    assert "Nama akun terlalu panjang (paling banyak 64 karakter)." in refused.text
    assert f'value="{long_name}"' in refused.text and 'id="f-peran"' in refused.text
    assert "Alamat halaman" not in refused.text
    assert _add(admin, "tik-panjang").status_code == 200
    days = "9" * 30
    refused = _post(admin, f"{BASE}/tik-panjang/token", hari=days)
    assert refused.status_code == 422
    assert "Isi masa berlaku 1 sampai 3650 hari." in refused.text
    assert f'value="{days}"' in refused.text
