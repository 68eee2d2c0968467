"""docker-compose.yml under podman, driven as an operator would (deploy/README.md, first start).

The images are local stand-ins of the public ones (deploy/podman/build-images.sh: Debian packages,
PyPI, Maven Central; no image registry is reachable here) selected by
deploy/podman/compose.local-images.yml, which changes nothing but `image:`. podman-compose 1.0
ignores `condition:` and podman runs no health check by itself without systemd, so each stage is
started, then waited for with the services' own health checks (deploy/podman/wait-healthy.sh).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PODMAN = ROOT / "deploy" / "podman"
PROJECT = "spbe-stack-test"
API = "http://127.0.0.1:8000"
PROMETHEUS = "http://127.0.0.1:9090"
# Grafana has no stand-in (no package of it is reachable): everything else is started
RUNNING = ("postgres", "kafka", "api", "consumer", "collector", "scorer", "prometheus")
PASSWORD_NAMES = (
    "POSTGRES_PASSWORD",
    "POSTGRES_INVENTORY_PASSWORD",
    "POSTGRES_SCORER_PASSWORD",
    "KAFKA_ADMIN_PASSWORD",
    "KAFKA_COLLECTOR_PASSWORD",
    "KAFKA_INVENTORY_PASSWORD",
    "KAFKA_SCORER_PASSWORD",
    "GRAFANA_ADMIN_PASSWORD",
)


class StackError(AssertionError):
    pass


def container(service: str) -> str:
    return f"{PROJECT}_{service}_1"  # podman-compose 1.0's naming


def wait_until(check: Callable[[], Any], timeout_s: float, what: str, every_s: float = 2) -> Any:
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, StackError, KeyError, ValueError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(every_s)
    raise StackError(f"{what}: not within {timeout_s:g} s (last: {last!r})")


@dataclass
class Stack:
    env: dict[str, str] = field(default_factory=dict)
    admin_token: str = ""

    @classmethod
    def new(cls) -> Stack:
        env = {
            **os.environ,
            "CONTAINERS_CONF": str(PODMAN / "containers.conf"),
            "COLLECTOR_INVENTORY_TOKEN": "",
            "SCORER_INVENTORY_TOKEN": "",
        }
        env.update({name: secrets.token_urlsafe(18) for name in PASSWORD_NAMES})
        return cls(env)

    # --- podman and podman-compose ------------------------------------------------------------

    def run(
        self,
        args: Sequence[str],
        timeout_s: float = 300,
        check: bool = True,
        stdin: str | bytes = "",
        text: bool = True,
    ) -> subprocess.CompletedProcess[Any]:
        done = subprocess.run(
            list(args),
            cwd=ROOT,
            env=self.env,
            input=stdin.encode() if not text and isinstance(stdin, str) else stdin,
            capture_output=True,
            text=text,
            timeout=timeout_s,
        )
        if check and done.returncode != 0:
            raise StackError(
                f"{' '.join(args)} exited {done.returncode}\n{done.stdout[-3000:]!s}\n"
                f"{done.stderr[-3000:]!s}"
            )
        return done

    def compose(self, *args: str, timeout_s: float = 600) -> subprocess.CompletedProcess[str]:
        files = ["-f", "docker-compose.yml", "-f", str(PODMAN / "compose.local-images.yml")]
        return self.run(["podman-compose", "-p", PROJECT, *files, *args], timeout_s)

    def one_shot(self, service: str, *command: str) -> list[str]:
        """`run --rm` of a service (its own command, or `command`): its output lines. podman-compose
        1.0 exits 0 whatever the container did and prints "exit code: N" after its output."""
        done = self.compose("run", "--rm", "--no-deps", service, *command)
        lines = done.stdout.splitlines()
        codes = [line.split(":", 1)[1].strip() for line in lines if line.startswith("exit code:")]
        if codes != ["0"]:
            raise StackError(f"{service} {' '.join(command)}: exit {codes}\n{done.stdout[-3000:]}")
        return [line for line in lines if not line.startswith("exit code:")]

    def tool(self, *command: str) -> str:
        """A one-off `spbe` command in the migrate service (the owner's database URL), as
        deploy/README.md's first start runs them: its last output line."""
        return self.one_shot("migrate", *command)[-1].strip()

    def exec(self, service: str, *command: str, env: dict[str, str] | None = None) -> str:
        flags = [f"--env={k}={v}" for k, v in (env or {}).items()]
        return self.run(["podman", "exec", *flags, container(service), *command]).stdout

    def wait_healthy(self, services: Sequence[str], timeout_s: float = 300) -> None:
        names = [container(s) for s in services]
        self.run([str(PODMAN / "wait-healthy.sh"), "--timeout", str(int(timeout_s)), *names],
                 timeout_s + 30)  # fmt: skip

    def start_infrastructure(self) -> None:
        """Kafka and PostgreSQL healthy, then the one-shots: Kafka users, topics and ACLs; the
        migrations and the services' database roles."""
        self.compose("up", "-d", "postgres", "kafka")
        self.wait_healthy(["postgres", "kafka"])
        self.one_shot("kafka-init")
        self.one_shot("migrate")

    def start_services(self) -> None:
        """In `depends_on` order, each stage healthy before the next (podman-compose 1.0 does
        not wait for `condition:` itself)."""
        self.compose("up", "-d", "--no-deps", "api", "consumer")
        self.wait_healthy(["api"])
        self.compose("up", "-d", "--no-deps", "collector", "scorer", "prometheus")
        self.wait_healthy(["consumer", "collector", "scorer", "prometheus"])

    def down(self, volumes: bool = False) -> None:
        self.compose("down", "-t", "30", *(["-v"] if volumes else []))
        self.run(["podman", "network", "rm", "-f", f"{PROJECT}_default"], check=False)

    def logs(self) -> str:
        out = []
        for service in RUNNING:
            done = self.run(["podman", "logs", "--tail", "40", container(service)], check=False)
            out.append(f"--- {service}\n{done.stdout[-4000:]}{done.stderr[-4000:]}")
        return "\n".join(out)

    # --- HTTP, from the host (the API's published port) or inside the scorer's container ------

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        request = urllib.request.Request(
            API + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.admin_token}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise StackError(f"{method} {path}: {exc.code} {exc.read()[:500]!r}") from None

    def scorer(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """The scorer API has no published port: ask it from inside its own container."""
        script = (
            "import json, sys, urllib.request as u\n"
            "body = sys.stdin.read().encode() or None\n"
            "r = u.Request('http://127.0.0.1:8002' + sys.argv[1], data=body, method=sys.argv[2],"
            " headers={'Authorization': 'Bearer ' + sys.argv[3], 'Content-Type': 'application/json'})\n"
            "print(u.urlopen(r, timeout=60).read().decode())\n"
        )
        payload = "" if body is None else json.dumps(body)
        done = self.run(
            ["podman", "exec", "-i", container("scorer"), "python", "-c", script, path, method,
             self.admin_token],
            stdin=payload,
        )  # fmt: skip
        return json.loads(done.stdout)

    def prometheus(self, query: str) -> list[dict[str, Any]]:
        url = f"{PROMETHEUS}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        with urllib.request.urlopen(url, timeout=10) as response:
            answer = json.loads(response.read())
        return list(answer["data"]["result"])


def tools_missing() -> list[str]:
    return [t for t in ("podman", "podman-compose", "mmdebstrap") if shutil.which(t) is None]


def build_images(timeout_s: float = 1500) -> str:
    """The stand-ins when missing (kept between runs), and the app image always anew: it holds
    the code under test (podman's layer cache makes an unchanged build quick)."""
    out = []
    for args in ([], ["--rebuild", "app"]):
        done = subprocess.run(
            [str(PODMAN / "build-images.sh"), *args],
            cwd=ROOT,
            env={**os.environ, "CONTAINERS_CONF": str(PODMAN / "containers.conf")},
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if done.returncode != 0:
            raise StackError(f"build-images.sh exited {done.returncode}\n{done.stderr[-4000:]}")
        out.append(done.stderr)
    return "".join(out)
