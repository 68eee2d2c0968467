"""Bench: every main web page, signed in, with the 100,000-asset catalogue in SQLite.

The catalogue of bench/api.py (50 OPD, 100,000 assets of mixed kinds and lifecycles) plus the
sample catalogue of Kabupaten Serang (applications, facilities, history) is served by `spbe api`
in a child process (one uvicorn worker, as users run it). An admin (who sees every OPD: the
largest counts) signs in through the real /masuk form; each page is then asked for one at a time
(a person clicking, not a load test), REPEAT times after a warm-up, and its median is printed.
`cpu_s=` is the server's CPU over the timed requests. The last line is `page_median_ms=`: the
median of the slowest main page. Goal: under 300 ms.
Usage: .venv/bin/python bench/web.py [--assets 100000 --repeat 15] [--profile PATH]
       (--profile: the server runs under cProfile and its pstats are dumped to PATH)
"""

from __future__ import annotations

import argparse
import http.client
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import HOST, fill, free_port, start_server, stop_server, wait_ready

ADMIN = "bench-admin"


def request(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def sign_in(port: int, password: str) -> dict[str, str]:
    """The session cookie of the real /masuk form."""
    form = urlencode({"name": ADMIN, "password": password, "next": "/beranda"})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, answer, _ = request(port, "POST", "/masuk", headers, form)
    cookie = answer.get("set-cookie", "") or answer.get("Set-Cookie", "")
    if status != 303 or "spbe_session=" not in cookie:
        raise SystemExit(f"sign-in failed: {status}")
    return {"Cookie": cookie.split(";", 1)[0]}


def pages(asset_id: int, app_id: int, facility_id: int) -> dict[str, str]:
    """The main pages, with the queries staff use most."""
    return {
        "beranda": "/beranda",
        "katalog_aset": "/katalog/aset",
        "katalog_aset_cari": "/katalog/aset?q=127.64.1.77",
        "katalog_aset_filter": "/katalog/aset?opd_code=OPD07&lifecycle=missing&sort=-last_seen",
        "katalog_aset_akhir": "/katalog/aset?page=1500",
        "katalog_layanan": "/katalog/layanan",
        "katalog_aplikasi": "/katalog/aplikasi",
        "katalog_opd": "/katalog/opd",
        "katalog_fasilitas": "/katalog/fasilitas",
        "katalog_jaringan": "/katalog/jaringan",
        "detail_aset": f"/katalog/aset/{asset_id}",
        "detail_aplikasi": f"/katalog/aplikasi/{app_id}",
        "detail_fasilitas": f"/katalog/fasilitas/{facility_id}",
        "detail_opd": "/katalog/opd/OPD07",
        "ekspor_aset_xlsx": "/katalog/aset/ekspor?format=xlsx",
        "pemindaian": "/pemindaian",
        "impor": "/impor",
        "kejadian_ditolak": "/kejadian-ditolak",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--profile", type=Path, help="dump the server's pstats here")
    args = parser.parse_args()

    from sqlalchemy import text

    from spbe_common.auth import Role
    from spbe_common.db import begin_write
    from spbe_inventory import migrate
    from spbe_inventory.accounts import service as accounts
    from spbe_inventory.db import make_engine
    from spbe_inventory.sample.service import load_sample

    tmp = Path(tempfile.mkdtemp(prefix="spbe-bench-web-"))
    engine = make_engine(f"sqlite:///{tmp / 'inventory.db'}")
    migrate.upgrade(engine)
    started = time.perf_counter()
    with begin_write(engine) as conn:
        load_sample(conn)
    fill(engine, args.assets)
    with begin_write(engine) as conn:
        password = accounts.add_account(conn, ADMIN, Role.ADMIN, [])
        asset_id = conn.execute(text("SELECT max(id) FROM asset")).scalar_one()
        app_id = conn.execute(text("SELECT min(id) FROM application")).scalar_one()
        facility_id = conn.execute(text("SELECT min(id) FROM facility")).scalar_one()
        total = conn.execute(text("SELECT count(*) FROM asset")).scalar_one()
    engine.dispose()
    print(f"assets={total}")
    print(f"fill_s={time.perf_counter() - started:.1f}")
    port = free_port()
    server = start_server(
        tmp, port, argparse.Namespace(profile=args.profile, threads=0, switch_ms=0)
    )
    try:
        print(f"server_ready_s={wait_ready(server, port):.2f}")
        headers = sign_in(port, password)
        medians: dict[str, float] = {}
        cpu = 0.0
        process = psutil.Process(server.pid)
        for name, path in pages(asset_id, app_id, facility_id).items():
            for _ in range(2):  # warm-up: caches, first-use imports
                status, _, body = request(port, "GET", path, headers)
            if status != 200:
                raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
            times = []
            before = process.cpu_times()
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                status, _, body = request(port, "GET", path, headers)
                times.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
            after = process.cpu_times()
            cpu += (after.user - before.user) + (after.system - before.system)
            medians[name] = statistics.median(times)
            print(f"page_{name}_median_ms={medians[name]:.1f} bytes={len(body)}")
        print(f"cpu_s={cpu:.2f}")
        slowest = max(medians, key=lambda key: medians[key])
        print(f"slowest_page={slowest}")
        print(f"page_median_ms={medians[slowest]:.1f}")
    finally:
        stop_server(server)
    if args.profile:
        stats = pstats.Stats(str(args.profile), stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
