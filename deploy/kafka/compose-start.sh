#!/usr/bin/env bash
# Entrypoint of the `kafka` service of docker-compose.yml (image apache/kafka): a single-node KRaft
# broker+controller that authenticates every client with SASL/SCRAM-SHA-512 and authorises with
# ACLs (StandardAuthorizer). The super user `admin` is written into the storage when it is first
# formatted (SCRAM users live in the metadata, so they exist before the first connection); the
# service users, topics and ACLs are made by the `kafka-init` one-shot (deploy/kafka/provision.py).
#   CLIENT     SASL_PLAINTEXT kafka:9092       the services, on the compose network
#   HOST       SASL_PLAINTEXT localhost:9094   tools on the host (published on 127.0.0.1 only)
#   CONTROLLER SASL_PLAINTEXT localhost:9093   the broker and its controller, inside this container,
#              as a static PLAIN user `controller` whose password is new at every start
set -euo pipefail

: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}"
: "${KAFKA_CLUSTER_ID:?set KAFKA_CLUSTER_ID}"
KAFKA_HOME=${KAFKA_HOME:-/opt/kafka}
DATA_DIR=${KAFKA_DATA_DIR:-/var/lib/kafka/data}
CONFIG_DIR=${KAFKA_CONFIG_DIR:-/tmp/spbe-kafka}
SCRAM="org.apache.kafka.common.security.scram.ScramLoginModule required"
PLAIN="org.apache.kafka.common.security.plain.PlainLoginModule required"
CONTROLLER_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')

mkdir -p "$CONFIG_DIR"
chmod 700 "$CONFIG_DIR" # the files below hold the admin's password
cat >"$CONFIG_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=CLIENT://:9092,HOST://:9094,CONTROLLER://localhost:9093
advertised.listeners=CLIENT://kafka:9092,HOST://localhost:9094
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=$SCRAM username="admin" password="$KAFKA_ADMIN_PASSWORD";
listener.name.host.scram-sha-512.sasl.jaas.config=$SCRAM;
# the controller cannot look SCRAM users up in the metadata it serves: one static PLAIN user
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=$PLAIN username="controller" password="$CONTROLLER_PASSWORD" user_controller="$CONTROLLER_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:controller
allow.everyone.if.no.acl.found=false
log.dirs=$DATA_DIR
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
cat >"$CONFIG_DIR/admin.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$SCRAM username="admin" password="$KAFKA_ADMIN_PASSWORD";
EOF

if [[ ! -f $DATA_DIR/meta.properties ]]; then
    echo "formatting $DATA_DIR (cluster $KAFKA_CLUSTER_ID) with the SCRAM user admin"
    "$KAFKA_HOME/bin/kafka-storage.sh" format -t "$KAFKA_CLUSTER_ID" -c "$CONFIG_DIR/server.properties" \
        --add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]"
fi
exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$CONFIG_DIR/server.properties"
