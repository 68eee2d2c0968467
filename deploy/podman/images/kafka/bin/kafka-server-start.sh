#!/usr/bin/env bash
# kafka-server-start.sh [-daemon] server.properties [--override property=value]*
# As upstream's: a 1 GiB heap unless KAFKA_HEAP_OPTS, the broker's log to stdout
# (config/log4j2.properties) unless KAFKA_LOG4J_OPTS; -daemon is ignored (the container's process).
set -euo pipefail
base_dir=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -lt 1 ]]; then
    echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
    exit 1
fi
[[ $1 == -daemon ]] && shift
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/log4j2.properties}
exec "$base_dir/bin/kafka-run-class.sh" kafka.Kafka "$@"
