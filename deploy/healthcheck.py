#!/usr/bin/env python3
"""Container health checks for docker-compose.yml (installed as /usr/local/bin/spbe-healthcheck).

spbe-healthcheck http URL    the endpoint answers 200 (the API)
spbe-healthcheck kafka       the broker of SPBE_KAFKA_BOOTSTRAP_SERVERS answers a metadata request
                             (workers without an HTTP port: consumer, collector, scorer)
"""

from __future__ import annotations

import sys
import urllib.request


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as response:  # the URL is fixed in compose
        return bool(response.status == 200)


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
    except Exception as exc:  # any failure is "unhealthy"; say why in `docker inspect`
        print(f"unhealthy: {exc!r}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
