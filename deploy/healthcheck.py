#!/usr/bin/env python3
"""Container health checks for docker-compose.yml (installed as /usr/local/bin/spbe-healthcheck).

spbe-healthcheck http URL    the endpoint answers 200 (the API)
spbe-healthcheck kafka       the broker of SPBE_KAFKA_BOOTSTRAP_SERVERS answers a metadata request
                             (workers without an HTTP port: consumer, collector, scorer)
spbe-healthcheck heartbeat PATH MAX_AGE_S
                             the worker writing SPBE_HEARTBEAT_FILE=PATH did its work within the
                             last MAX_AGE_S seconds (the consumer, the collector's scheduler);
                             standard library only
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as response:  # the URL is fixed in compose
        return bool(response.status == 200)


def heartbeat_problem(path: str, max_age_s: float) -> str | None:
    """None when the file at `path` was written less than `max_age_s` seconds ago, else why not."""
    try:
        written = os.stat(path).st_mtime
    except FileNotFoundError:
        return f"no heartbeat at {path} (the worker has not done any work yet)"
    age = time.time() - written  # negative (a clock set back): the file is as fresh as can be
    if age >= max_age_s:
        return f"heartbeat at {path} is {age:.0f}s old (at most {max_age_s:g}s allowed)"
    return None


def heartbeat_ok(path: str, max_age: str) -> bool:
    problem = heartbeat_problem(path, float(max_age))
    if problem is not None:
        print(f"unhealthy: {problem}", file=sys.stderr)
    return problem is None


def kafka_ok() -> bool:
    from kafka import KafkaAdminClient

    from spbe_common.bus.kafka import client_config
    from spbe_common.settings import BusSettings

    settings = BusSettings()  # signs in as the service's own Kafka user
    admin = KafkaAdminClient(**client_config(settings), request_timeout_ms=5000)
    try:
        admin.list_topics()
        return True
    finally:
        admin.close()


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["http"] and len(argv) == 2:
            return 0 if http_ok(argv[1]) else 1
        if argv == ["kafka"]:
            return 0 if kafka_ok() else 1
        if argv[:1] == ["heartbeat"] and len(argv) == 3 and _positive(argv[2]):
            return 0 if heartbeat_ok(argv[1], argv[2]) else 1
    except Exception as exc:  # any failure is "unhealthy"; say why in `docker inspect`
        print(f"unhealthy: {exc!r}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


def _positive(number: str) -> bool:
    try:
        return float(number) > 0
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
