#!/usr/bin/env bash
# Waits until containers pass their own health check (the image's or compose's `healthcheck:`).
# podman 4.3 schedules health checks with systemd timers; without systemd (this CI machine) none
# ever runs, the status stays "starting" and podman-compose 1.0.3 ignores `condition:` anyway, so
# a caller that needs `service_healthy` runs the checks itself, here with `podman healthcheck run`.
# Usage: deploy/podman/wait-healthy.sh [--timeout SECONDS] CONTAINER...   (default 180 s, total)
set -euo pipefail

export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf}
timeout=180
if [[ ${1:-} == --timeout ]]; then
    timeout=$2
    shift 2
fi
(($#)) || {
    echo "usage: $0 [--timeout SECONDS] CONTAINER..." >&2
    exit 2
}

deadline=$((SECONDS + timeout))
for container in "$@"; do
    until podman healthcheck run "$container" >/dev/null 2>&1; do
        if [[ $(podman inspect --format '{{.State.Running}}' "$container" 2>/dev/null) != true ]]; then
            echo "$container is not running" >&2
            podman logs --tail 30 "$container" >&2 || true
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            echo "$container not healthy within ${timeout}s; last check:" >&2
            podman inspect --format '{{range .State.Health.Log}}{{.Output}}{{end}}' "$container" | tail -n 5 >&2
            exit 1
        fi
        sleep 2
    done
    echo "$container healthy after $((SECONDS - deadline + timeout))s"
done
