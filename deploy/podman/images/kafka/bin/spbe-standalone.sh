#!/usr/bin/env bash
# The image's default command: a single-node KRaft broker+controller without authentication,
# PLAINTEXT on :9092 (advertised as KAFKA_ADVERTISED_HOST, default localhost), controller on
# localhost:9093, data in /var/lib/kafka/data (formatted on the first start).
set -euo pipefail
data=/var/lib/kafka/data
config=$(mktemp -d)/server.properties
cat >"$config" <<CONFIG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://localhost:9093
advertised.listeners=PLAINTEXT://${KAFKA_ADVERTISED_HOST:-localhost}:9092
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
CONFIG
if [[ ! -f $data/meta.properties ]]; then
    /opt/kafka/bin/kafka-storage.sh format -t "${KAFKA_CLUSTER_ID:-$(/opt/kafka/bin/kafka-storage.sh random-uuid)}" -c "$config"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
