#!/usr/bin/env bash
# kafka-run-class.sh CLASS [ARGS]: a JVM on /opt/kafka/libs, honouring the variables of upstream's
# script (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS, LOG_DIR).
# Tools log warnings to stderr (config/tools-log4j2.properties) unless KAFKA_LOG4J_OPTS says else.
set -euo pipefail
base_dir=$(cd "$(dirname "$0")/.." && pwd)
LOG_DIR=${LOG_DIR:-$base_dir/logs}
heap=${KAFKA_HEAP_OPTS:--Xmx256M}
perf=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.properties}
# upstream's options for kafka-server-start.sh; nothing to do in a container
while [[ ${1:-} == -daemon || ${1:-} == -loggc || ${1:-} == -name ]]; do
    [[ $1 == -name ]] && shift
    shift
done
# word splitting of the *_OPTS variables is intended, as upstream
# shellcheck disable=SC2086
exec java $heap $perf $log4j -Dkafka.logs.dir="$LOG_DIR" ${KAFKA_OPTS:-} -cp "$base_dir/libs/*" "$@"
