"""Bench: filtered 50-row pages of /api/v1/assets from one API worker, 100,000 assets in SQLite.

Every request is authenticated as an `opd_operator` of OPERATOR_OPD (a bearer token), so token
checking and the OPD scope are on the hot path; the pages ask for those OPD only.

A temp inventory is migrated and filled through SQLAlchemy Core (50 OPD, mixed kinds and
lifecycles); `spbe api` serves it in a child process (one uvicorn worker, as users run it); this
process drives closed-loop keep-alive connections on loopback with an asyncio raw-socket client
(bench/_loadgen.py, uvloop when present) and prints key=value lines at the end.
Usage: .venv/bin/python bench/api.py [--assets 100000 --connections 16 --duration 10]
       --profile PATH runs the same server under cProfile (every thread), dumps pstats there and
       prints the top 25 functions (cumulative, then own time) to stderr;
       --threads N / --switch-ms X cap the handler thread pool / set sys.setswitchinterval;
       --gc-default serves without spbe_common.heap.settle() (what `spbe api` does at start);
       --commits-per-s N commits N sightings a second through another connection during the run
       (ingestion running beside the readers): the server then cannot reuse the rows it made
       before the last commit, and the figures show what that costs.
The goal is api_rps >= 1500 with api_p99_ms < 50 on one worker; compare runs by cpu_s and
server_cpu_ms_per_request when other work shares the machine (loadavg is printed).

After the run the answers are checked (check=ok, else exit 1): for fixed filters, offsets and a
walk of keyset (cursor) pages, the API's ids, rows and count equal a plain SQL reference query
on the same database (sqlite3, every public column, no code of the inventory), compared by
sha256 over the rows normalised the same way on both sides.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import orjson
import psutil
from sqlalchemy import Engine, insert

HOST = "127.0.0.1"
OPD_COUNT = 50
OPERATOR_OPD = 5  # the operator looks after OPD01..OPD05
KINDS = ("server", "vm", "vm", "network_device", "storage", "security_device", "peripheral")
LIFECYCLES = ("active",) * 16 + ("missing",) * 3 + ("retired",)  # 80% / 15% / 5%
OS_GUESSES = ("Linux 5.x", "Windows Server 2019", "Cisco IOS 15", None)
VENDORS = ("Dell", "HPE", "Cisco", "MikroTik", "Lenovo", None)
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loadgen import percentile, run  # noqa: E402


def opd_code(index: int) -> str:
    return f"OPD{index:02d}"


def asset_row(rng: random.Random, n: int) -> dict[str, Any]:
    """One realistic catalogue row; addresses are loopback, like every address in this project."""
    opd = n % OPD_COUNT + 1
    address = str(IPv4Address("127.64.0.0") + n + 1)
    kind = KINDS[n % len(KINDS)]
    hostname = f"{kind.replace('_', '-')}-{n:06d}.{opd_code(opd).lower()}.test"
    mac = ":".join(f"{b:02X}" for b in (2, opd, *(n >> s & 0xFF for s in (24, 16, 8, 0))))
    first = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
    observed = {"hostname": hostname, "address": address, "addresses": [address], "mac": mac,
                "os_guess": OS_GUESSES[n % 4], "vendor": VENDORS[n % 6], "lifecycle": "active"}  # fmt: skip
    row = {
        **observed,
        "name": f"Aset {n:06d}" if n % 3 == 0 else None,
        "kind": kind,
        "serial": f"SN-{n:08d}" if n % 4 == 0 else None,
        "opd_code": opd_code(opd),
        "location": f"Ruang Server {opd_code(opd)}",
        "owner": None,
        "facility_id": None,
        "lifecycle": LIFECYCLES[rng.randrange(len(LIFECYCLES))],
        "first_seen": first,
        "last_seen": first + timedelta(days=rng.randrange(0, 30)),
        "scope": f"{opd_code(opd).lower()}-lan",
        "last_scan_id": f"scan-{n % 7}-{opd}",
        "identity_rule": "mac",
        "fingerprint": f"{n:032x}",
        "observed": observed,
        "declared": {"name": f"Aset {n:06d}"} if n % 3 == 0 else {},
        "is_sample": False,
    }
    return {**row, "created_at": first, "updated_at": row["last_seen"]}


def fill(engine: Engine, assets: int, seed: int = 11) -> None:
    from spbe_inventory.assets.repository import ASSET
    from spbe_inventory.opd.repository import OPD

    rng = random.Random(seed)
    opd_rows: list[dict[str, Any]] = [{"code": opd_code(i), "name": f"Dinas Contoh {i:02d}", "abbreviation": None,
                 "kind": "agency", "aliases": [], "is_sample": False, "created_at": T0}
                for i in range(1, OPD_COUNT + 1)]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(OPD), opd_rows)
        for start in range(0, assets, 5000):
            rows = [asset_row(rng, n) for n in range(start, min(assets, start + 5000))]
            conn.execute(insert(ASSET), rows)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def spbe_command() -> list[str]:
    script = Path(sys.executable).with_name("spbe")
    return [str(script)] if script.exists() else [sys.executable, "-m", "spbe_cli.main"]


def start_server(data_dir: Path, port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SPBE_DATA_DIR": str(data_dir), "SPBE_API_HOST": HOST,
           "SPBE_API_PORT": str(port), "SPBE_ENVIRONMENT": "development"}  # fmt: skip
    command = [*spbe_command(), "api"]
    if tuned(args):  # the same server object, with the knobs under test
        command = [sys.executable, __file__, "--serve", "--threads", str(args.threads),
                   "--switch-ms", str(args.switch_ms)]  # fmt: skip
        command += ["--gc-default"] if args.gc_default else []
        command += ["--profile", str(args.profile)] if args.profile else []
    return subprocess.Popen(command, env=env, start_new_session=True)


def tuned(args: argparse.Namespace) -> bool:
    return bool(args.profile or args.threads or args.switch_ms or args.gc_default)


def get(
    port: int, path: str, timeout: float = 5.0, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(server: subprocess.Popen[bytes], port: int, timeout_s: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if server.poll() is not None:
            raise SystemExit(f"the API server exited with {server.returncode} before it was ready")
        try:
            if get(port, "/readyz", timeout=1.0)[0] == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"/readyz did not answer 200 within {timeout_s:.0f} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully (and cProfile dumps)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def operator_token(engine: Engine) -> str:
    """A bearer token of an opd_operator of the first OPERATOR_OPD OPD, made as the CLI makes it."""
    from spbe_common.auth import Role
    from spbe_common.db import begin_write
    from spbe_inventory.accounts import service as accounts

    opd = [opd_code(i) for i in range(1, OPERATOR_OPD + 1)]
    with begin_write(engine) as conn:
        accounts.add_account(conn, "bench-operator", Role.OPD_OPERATOR, opd, password=False)
        return accounts.create_token(conn, "bench-operator")[1]


def page_paths(count: int, assets: int, seed: int = 5) -> list[str]:
    """Filtered full pages over the operator's OPD, at offsets inside their active assets (~80%)."""
    rng = random.Random(seed)
    pages = max(1, int(assets / OPD_COUNT * 0.75) // 50)
    return [
        f"/api/v1/assets?opd_code={opd_code(rng.randint(1, OPERATOR_OPD))}&lifecycle=active"
        f"&limit=50&offset={50 * rng.randrange(0, pages)}"
        for _ in range(count)
    ]


def check_page(port: int, path: str, headers: dict[str, str]) -> None:
    status, body = get(port, path, headers=headers)
    page = orjson.loads(body)
    opd = path.split("opd_code=")[1].split("&")[0]
    rows = page["data"]
    ok = status == 200 and len(rows) == 50 and page["count"] >= 50
    if not ok or any(r["opd_code"] != opd or r["lifecycle"] != "active" for r in rows):
        raise SystemExit(f"unexpected page for {path}: status {status}, {body[:200]!r}")


# The answers checked after the run: queries of the operator over its OPD (scope applied).
CHECKED = (
    "opd_code=OPD03&lifecycle=active&limit=50&offset=0",
    "opd_code=OPD01&lifecycle=active&limit=50&offset=700",
    "kind=server&limit=100&offset=200",
    "lifecycle=missing&sort=-last_seen&limit=50&offset=50",
    "q=VM-0000&limit=20&sort=hostname",
    "q=127.64.0.&sort=address&limit=60",
    "opd_code=OPD40",
)
KEYSET_WALK = "opd_code=OPD02&lifecycle=active&limit=400"
TIMES = ("first_seen", "last_seen")


def reference(db: Path, query: str) -> tuple[list[dict[str, Any]], int]:
    """The page and count by plain SQL on the database file: the slow obvious path."""
    from spbe_inventory.assets.models import AssetPublic

    columns = list(AssetPublic.model_fields)
    params = dict(item.split("=", 1) for item in query.split("&"))
    scope = [opd_code(i) for i in range(1, OPERATOR_OPD + 1)]
    where = [f"opd_code IN ({', '.join('?' * len(scope))})"]
    values: list[Any] = list(scope)
    for name in ("opd_code", "kind", "lifecycle"):
        if name in params:
            where.append(f"{name} = ?")
            values.append(params[name])
    if "q" in params and params["q"][0].isdigit():
        where.append("address LIKE ?")
        values.append(params["q"] + "%")
    elif "q" in params:
        where.append("(name LIKE ? OR hostname LIKE ? OR address LIKE ? OR mac LIKE ?)")
        values += [f"%{params['q']}%"] * 4
    sort = params.get("sort", "id")
    order = f"{sort.lstrip('-')} {'DESC' if sort.startswith('-') else 'ASC'}, id"
    sql = f"FROM asset WHERE {' AND '.join(where)}"
    limit, offset = int(params.get("limit", 50)), int(params.get("offset", 0))
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(columns)} {sql} ORDER BY {order} LIMIT ? OFFSET ?",
            [*values, limit, offset],
        ).fetchall()
        (count,) = conn.execute(f"SELECT count(*) {sql}", values).fetchone()
    out = []
    for row in rows:
        item = dict(zip(columns, row, strict=True))
        item["addresses"] = orjson.loads(item["addresses"])
        item["is_sample"] = bool(item["is_sample"])
        for name in TIMES:
            if item[name] is not None:
                item[name] = datetime.fromisoformat(item[name]).replace(tzinfo=UTC).isoformat()
        out.append(item)
    return out, int(count)


def normalised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = dict(row)
        for name in TIMES:
            if item[name] is not None:
                item[name] = datetime.fromisoformat(item[name]).isoformat()
        out.append(item)
    return out


def sha256_rows(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(orjson.dumps(rows, option=orjson.OPT_SORT_KEYS)).hexdigest()


def check_answers(port: int, db: Path, headers: dict[str, str]) -> tuple[int, str]:
    """Every CHECKED query and a keyset walk against `reference`; (rows compared, checksum).
    Exits 1 on the first difference."""
    digest = hashlib.sha256()
    compared = 0
    for query in CHECKED:
        status, body = get(port, f"/api/v1/assets?{query}", headers=headers)
        page = orjson.loads(body) if status == 200 else {}
        expected, count = reference(db, query)
        if status != 200 or set(page) != {"data", "count"}:
            raise SystemExit(f"check failed for {query}: status {status}, {body[:200]!r}")
        got = normalised(page["data"])
        if [r["id"] for r in got] != [r["id"] for r in expected] or page["count"] != count:
            raise SystemExit(f"check failed for {query}: ids or count differ from SQL")
        if sha256_rows(got) != sha256_rows(expected):
            raise SystemExit(f"check failed for {query}: rows differ from SQL")
        digest.update(sha256_rows(expected).encode())
        compared += len(expected)
    walked: list[dict[str, Any]] = []
    cursor: str | None = ""
    pages = 0
    while cursor is not None and pages < 100:
        conn = http.client.HTTPConnection(HOST, port, timeout=5.0)
        conn.request("GET", f"/api/v1/assets?{KEYSET_WALK}{cursor}", headers=headers)
        response = conn.getresponse()
        page = orjson.loads(response.read())
        following = response.getheader("X-Next-Cursor")
        conn.close()
        walked += page["data"]
        cursor, pages = (f"&cursor={following}" if following else None), pages + 1
    expected, count = reference(db, KEYSET_WALK.replace("limit=400", f"limit={10**9}"))
    if len(walked) != count or sha256_rows(normalised(walked)) != sha256_rows(expected):
        raise SystemExit(f"check failed: the keyset walk of {KEYSET_WALK} differs from SQL")
    digest.update(sha256_rows(expected).encode())
    return compared + len(walked), digest.hexdigest()


class Writer(threading.Thread):
    """Commits `per_s` sightings a second (an asset's last_seen moved, as ingestion does it)
    through another connection to the catalogue file, until stopped: every commit makes the
    server read its pages afresh."""

    def __init__(self, db: Path, per_s: float, assets: int) -> None:
        super().__init__(daemon=True)
        self.db, self.per_s, self.assets = db, per_s, assets
        self.stopped = threading.Event()
        self.commits = 0

    def run(self) -> None:
        rng = random.Random(3)
        conn = sqlite3.connect(self.db, timeout=30, isolation_level=None)
        started = time.monotonic()
        try:
            while not self.stopped.is_set():
                seen = (T0 + timedelta(days=100, seconds=self.commits)).strftime(
                    "%Y-%m-%d %H:%M:%S.000000"
                )
                n = rng.randrange(self.assets) + 1
                conn.execute("UPDATE asset SET last_seen = ? WHERE id = ?", (seen, n))
                self.commits += 1
                self.stopped.wait(max(0.0, started + self.commits / self.per_s - time.monotonic()))
        finally:
            conn.close()


def measure(
    port: int, pid: int, args: argparse.Namespace, headers: dict[str, str], db: Path
) -> dict[str, str]:
    writer = Writer(db, args.commits_per_s, args.assets) if args.commits_per_s > 0 else None
    if writer is not None:
        writer.start()
    try:
        return _measure(port, pid, args, headers) | _writes(writer, args)
    finally:
        if writer is not None:
            writer.stopped.set()
            writer.join()


def _writes(writer: Writer | None, args: argparse.Namespace) -> dict[str, str]:
    commits = writer.commits if writer is not None else 0
    return {"commits_per_s": f"{commits / (args.warmup + args.duration):.0f}"}


def _measure(
    port: int, pid: int, args: argparse.Namespace, headers: dict[str, str]
) -> dict[str, str]:
    server = psutil.Process(pid)
    server.cpu_percent(None)
    server_before = server.cpu_times()
    me = psutil.Process()
    cpu_before = me.cpu_times()
    tally = run(HOST, port, page_paths(2000, args.assets), connections=args.connections,
                warmup_s=args.warmup, duration_s=args.duration, headers=headers)  # fmt: skip
    server_cpu = server.cpu_percent(None)  # over warm-up + run
    server_after = server.cpu_times()
    server_cpu_s = (server_after.user - server_before.user) + (
        server_after.system - server_before.system
    )
    cpu_after = me.cpu_times()
    spent = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    latencies = sorted(tally.latencies_ns)
    ms = 1e6
    return {
        "loadgen": "python-asyncio-raw-socket" + ("-uvloop" if _has_uvloop() else ""),
        "connections": str(args.connections),
        "duration_s": f"{args.duration:g}",
        "requests": str(len(latencies)),
        "errors": str(tally.errors),
        "statuses": ",".join(f"{k}:{v}" for k, v in sorted(tally.statuses.items())),
        "mb_per_s": f"{tally.bytes_in / args.duration / 1e6:.1f}",
        "server_cpu_pct": f"{server_cpu:.0f}",
        "server_cpu_ms_per_request": f"{_cpu_ms_per_request(server_cpu, tally, args):.2f}",
        "cpu_s": f"{server_cpu_s:.2f}",  # the server's CPU seconds over warm-up + run
        "loadgen_cpu_pct": f"{100 * spent / (args.warmup + args.duration):.0f}",
        "api_p50_ms": f"{percentile(latencies, 0.50) / ms:.2f}",
        "api_p90_ms": f"{percentile(latencies, 0.90) / ms:.2f}",
        "api_p99_ms": f"{percentile(latencies, 0.99) / ms:.2f}",
        "api_max_ms": f"{(latencies[-1] if latencies else 0) / ms:.2f}",
        "api_rps": f"{len(latencies) / args.duration:.0f}",
    }


def _cpu_ms_per_request(cpu_pct: float, tally: Any, args: argparse.Namespace) -> float:
    """Server CPU per answered request: comparable across runs on a machine shared with others."""
    answered = len(tally.latencies_ns) * (args.warmup + args.duration) / args.duration
    return cpu_pct / 100 * (args.warmup + args.duration) * 1000 / max(1.0, answered)


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def serve(args: argparse.Namespace) -> None:
    """The server of `spbe api` (Inventory.api_server()), with the knobs under test applied."""
    import asyncio

    from spbe_common import heap
    from spbe_inventory.runtime import Inventory
    from spbe_inventory.settings import InventorySettings

    if args.switch_ms:
        sys.setswitchinterval(args.switch_ms / 1000)
    server = Inventory.build(InventorySettings()).api_server()
    if not args.gc_default:
        heap.settle()  # as `spbe api` does

    async def main() -> None:
        if args.threads:
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = args.threads
        await server.serve()

    profiles = start_profiles() if args.profile else []
    try:
        with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
            runner.run(main())
    except KeyboardInterrupt:  # the SIGINT of stop_server: a normal end
        pass
    finally:
        if profiles:
            dump_profiles(profiles, str(args.profile))


def start_profiles() -> list[Any]:
    """cProfile in this thread and in every thread started later (handlers run in a pool)."""
    import cProfile
    import threading

    profiles: list[cProfile.Profile] = []

    def start_profile(*_: object) -> None:
        profile = cProfile.Profile()  # enable() replaces this hook in the calling thread
        profiles.append(profile)
        profile.enable()

    threading.setprofile(start_profile)
    start_profile()
    return profiles


def dump_profiles(profiles: list[Any], out: str) -> None:
    import pstats

    for profile in profiles:
        profile.disable()
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    stats.dump_stats(out)
    stats.stream = sys.stderr  # type: ignore[attr-defined]
    print(f"--- cProfile of the server (all threads), pstats in {out}", file=sys.stderr)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(25)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--profile", type=Path, help="dump the server's pstats (all threads) here")
    parser.add_argument("--threads", type=int, default=0, help="cap the handler thread pool")
    parser.add_argument("--switch-ms", type=float, default=0, help="sys.setswitchinterval, ms")
    parser.add_argument(
        "--gc-default", action="store_true", help="serve without settling the garbage collector"
    )
    parser.add_argument(
        "--commits-per-s",
        type=float,
        default=0,
        help="commit this many sightings a second during the run (another connection)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.serve:
        serve(args)
        return
    from spbe_inventory import migrate
    from spbe_inventory.db import make_engine

    tmp = Path(tempfile.mkdtemp(prefix="spbe-bench-api-"))
    server = None
    try:
        engine = make_engine(f"sqlite:///{tmp / 'inventory.db'}")
        migrate.upgrade(engine)
        started = time.perf_counter()
        fill(engine, args.assets)
        fill_s = time.perf_counter() - started
        headers = {"Authorization": f"Bearer {operator_token(engine)}"}
        engine.dispose()
        load_before = os.getloadavg()
        port = free_port()
        server = start_server(tmp, port, args)
        ready_s = wait_ready(server, port)
        check_page(port, page_paths(1, args.assets)[0], headers)
        if (
            get(port, "/api/v1/assets?opd_code=OPD40", headers=headers)[1]
            != b'{"data":[],"count":0}'
        ):
            raise SystemExit("the operator sees an OPD outside its scope")
        results = measure(port, server.pid, args, headers, tmp / "inventory.db")
        load_after = os.getloadavg()
        checked_rows, checksum = check_answers(port, tmp / "inventory.db", headers)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"assets={args.assets}")
    print(f"auth=bearer opd_operator of {OPERATOR_OPD} OPD")
    print(f"fill_s={fill_s:.1f}")
    print(f"server_ready_s={ready_s:.2f}")
    print(f"cpus={os.cpu_count()}")
    print(f"loadavg_1m_before={load_before[0]:.2f}")
    print(f"loadavg_1m_after={load_after[0]:.2f}")
    for key, value in results.items():
        print(f"{key}={value}")
    print(f"check_rows={checked_rows}")
    print(f"checksum={checksum}")
    print("check=ok")


if __name__ == "__main__":
    main()
