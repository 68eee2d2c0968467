#!/usr/bin/env bash
# Real servers for integration tests on loopback, without Docker:
#   PostgreSQL 15 on 127.0.0.1:55432 (role/db/password spbe) and a single-node Apache Kafka 4.x
#   (KRaft, combined broker+controller) on 127.0.0.1:19092, controller 127.0.0.1:19093.
# Kafka authenticates every client (SASL/SCRAM-SHA-512 on 19092; SASL/PLAIN between the broker and
# its controller on 19093) and authorises with ACLs (StandardAuthorizer). The passwords of `admin`
# (super user: the test fixtures), `collector`, `inventory` and `scorer` are generated at the first
# start into $SPBE_SERVICES_DIR/kafka/credentials.env (mode 600); deploy/kafka/provision.py then
# stores the service users and their ACLs. `env` prints them as SPBE_TEST_KAFKA_*.
# Usage: deploy/local/services.sh start|stop [kafka|postgres] | status | env
#   (idempotent; `eval "$(... env)"`; `stop kafka` + `start kafka` leave PostgreSQL running)
# Measured on 2 cores (Kafka 4.1.1): first start with an empty Maven repo (jar download + initdb +
# format) 59.6 s; jars cached but fresh data dir 16.5 s; warm start (both stopped) 10.3 s;
# already running 0.04 s; stop 2.7 s.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVICES_DIR=${SPBE_SERVICES_DIR:-/tmp/spbe-services}
KAFKA_VERSION=${SPBE_KAFKA_VERSION:-4.1.1}
LOG4J_VERSION=2.24.3 # the log4j-core that kafka-server pulls in; the binding must match it
KAFKA_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/spbe/kafka-$KAFKA_VERSION
PG_BIN=${SPBE_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=55432
KAFKA_PORT=${SPBE_KAFKA_PORT:-19092}
CONTROLLER_PORT=${SPBE_KAFKA_CONTROLLER_PORT:-19093}
START_TIMEOUT_S=${SPBE_START_TIMEOUT_S:-90}
PG_DIR=$SERVICES_DIR/postgres
KAFKA_DIR=$SERVICES_DIR/kafka
KAFKA_PID_FILE=$KAFKA_DIR/kafka.pid
KAFKA_CREDENTIALS=$KAFKA_DIR/credentials.env
KAFKA_USERS=(admin collector inventory scorer)

if [[ -x $REPO_ROOT/.venv/bin/python ]]; then PYTHON=$REPO_ROOT/.venv/bin/python; else PYTHON=python3; fi

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# PostgreSQL refuses to run as root: run its tools as the postgres user when we are root.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

privileged() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# --- nmap -------------------------------------------------------------------------------------

ensure_nmap() {
    command -v nmap >/dev/null && return
    log "installing nmap"
    privileged apt-get update -qq
    DEBIAN_FRONTEND=noninteractive privileged apt-get install -y -qq nmap >/dev/null
}

# --- chromium (the browser tests drive Debian's package; no browser download) ------------------

ensure_chromium() {
    command -v chromium >/dev/null && return
    log "installing chromium"
    privileged apt-get update -qq
    DEBIAN_FRONTEND=noninteractive privileged apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
}

# --- Prometheus (promtool checks and the monitoring tests run Debian's server; no download) ----

ensure_prometheus() {
    command -v prometheus >/dev/null && command -v promtool >/dev/null && return
    log "installing prometheus (and promtool)"
    privileged apt-get update -qq
    DEBIAN_FRONTEND=noninteractive privileged apt-get install -y -qq --no-install-recommends \
        prometheus >/dev/null
    # the package enables a system server on :9090; the tests start their own on a free port
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
        privileged systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
}

# --- PostgreSQL -------------------------------------------------------------------------------

pg_running() {
    [[ -f $PG_DIR/data/PG_VERSION ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

pg_init() {
    [[ -f $PG_DIR/data/PG_VERSION ]] && return
    log "initdb $PG_DIR/data"
    mkdir -p "$PG_DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log"
    cat >>"$PG_DIR/data/postgresql.conf" <<EOF
# spbe local test cluster
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 200
EOF
}

pg_ensure_role() {
    as_pg "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE spbe' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spbe') \gexec
-- CREATEROLE: the tests make the services' least-privilege roles as `spbe db prepare` does
ALTER ROLE spbe WITH LOGIN CREATEDB CREATEROLE PASSWORD 'spbe';
SELECT 'CREATE DATABASE spbe OWNER spbe' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'spbe') \gexec
SQL
}

pg_wait() {
    local deadline=$((SECONDS + START_TIMEOUT_S))
    until PGPASSWORD=spbe "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U spbe -d spbe -qAt \
        -c 'SELECT 1' >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            tail -n 40 "$PG_DIR/postgres.log" >&2 || true
            die "PostgreSQL did not accept connections on 127.0.0.1:$PG_PORT within ${START_TIMEOUT_S}s"
        fi
        sleep 0.2
    done
}

pg_start() {
    if pg_running; then
        log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
        return
    fi
    pg_init
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
        -t "$START_TIMEOUT_S" start >/dev/null; then
        tail -n 40 "$PG_DIR/postgres.log" >&2 || true
        die "pg_ctl start failed"
    fi
    pg_ensure_role
    pg_wait
}

pg_stop() {
    if pg_running; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
        log "PostgreSQL stopped"
    else
        log "PostgreSQL not running"
    fi
}

# --- Kafka ------------------------------------------------------------------------------------

kafka_fetch() {
    # kafka-tools: the admin tools' classes (kafka-broker-api-versions and others in the podman
    # image); a cache made before it was added is fetched again
    [[ -f $KAFKA_CACHE/.complete ]] && compgen -G "$KAFKA_CACHE/libs/kafka-tools-[0-9]*.jar" >/dev/null &&
        return
    log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_CACHE"
    local work
    work=$(mktemp -d)
    cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.spbe</groupId>
  <artifactId>kafka-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- the published POM lacks the logging binding the release tarball adds -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
    rm -rf "$KAFKA_CACHE/libs.partial"
    mkdir -p "$KAFKA_CACHE"
    if ! (cd "$work" && mvn -B dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$KAFKA_CACHE/libs.partial" >"$KAFKA_CACHE/mvn.log" 2>&1); then
        tail -n 40 "$KAFKA_CACHE/mvn.log" >&2
        die "mvn could not fetch kafka_2.13:$KAFKA_VERSION (full log: $KAFKA_CACHE/mvn.log)"
    fi
    rm -rf "$work" "$KAFKA_CACHE/libs"
    mv "$KAFKA_CACHE/libs.partial" "$KAFKA_CACHE/libs"
    touch "$KAFKA_CACHE/.complete"
}

# Passwords are made once, with the storage they were formatted into; a data directory from before
# SASL (no credentials file) holds only test topics and is formatted again.
kafka_credentials() {
    [[ -f $KAFKA_CREDENTIALS ]] && return
    if [[ -e $KAFKA_DIR/data ]]; then
        log "Kafka data in $KAFKA_DIR/data has no credentials (made before SASL): formatting it again"
        rm -rf "$KAFKA_DIR/data"
    fi
    mkdir -p "$KAFKA_DIR"
    local user
    (
        umask 077
        echo "# Kafka SASL passwords of the local test broker, made $(date -u +%FT%TZ)"
        for user in "${KAFKA_USERS[@]}" controller; do
            echo "KAFKA_${user^^}_PASSWORD=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))')"
        done
    ) >"$KAFKA_CREDENTIALS.partial"
    chmod 600 "$KAFKA_CREDENTIALS.partial"
    mv "$KAFKA_CREDENTIALS.partial" "$KAFKA_CREDENTIALS"
}

kafka_load_credentials() {
    # shellcheck source=/dev/null
    source "$KAFKA_CREDENTIALS"
}

kafka_write_config() {
    mkdir -p "$KAFKA_DIR/logs"
    local scram="org.apache.kafka.common.security.scram.ScramLoginModule required"
    local plain="org.apache.kafka.common.security.plain.PlainLoginModule required"
    touch "$KAFKA_DIR/server.properties"
    chmod 600 "$KAFKA_DIR/server.properties" # it holds the admin's and the controller's passwords
    cat >"$KAFKA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=CLIENT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=CLIENT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
# clients (and the broker itself, as admin) authenticate with SCRAM, whose users live in metadata
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=$scram username="admin" password="$KAFKA_ADMIN_PASSWORD";
# the controller cannot look SCRAM users up in the metadata it serves: one static PLAIN user
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=$plain username="controller" password="$KAFKA_CONTROLLER_PASSWORD" user_controller="$KAFKA_CONTROLLER_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:controller
allow.everyone.if.no.acl.found=false
log.dirs=$KAFKA_DIR/data
# one partition: the default 50 makes the first group join slow on 2 cores
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
    cat >"$KAFKA_DIR/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
EOF
}

kafka_format() {
    [[ -f $KAFKA_DIR/data/meta.properties ]] && return
    local cluster_id
    cluster_id=$(java -cp "$KAFKA_CACHE/libs/*" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
        -Dkafka.logs.dir="$KAFKA_DIR/logs" kafka.tools.StorageTool random-uuid)
    log "formatting KRaft storage (cluster $cluster_id) with the SCRAM user admin"
    java -cp "$KAFKA_CACHE/libs/*" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
        -Dkafka.logs.dir="$KAFKA_DIR/logs" kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$KAFKA_DIR/server.properties" --standalone \
        --add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]" \
        >"$KAFKA_DIR/format.log" 2>&1 ||
        { cat "$KAFKA_DIR/format.log" >&2; die "kafka storage format failed"; }
}

# What deploy/kafka/provision.py and the readiness check connect with: the admin.
kafka_admin_env() {
    env SPBE_ENVIRONMENT=test SPBE_BUS=kafka SPBE_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
        SPBE_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT SPBE_KAFKA_SASL_MECHANISM=SCRAM-SHA-512 \
        SPBE_KAFKA_USERNAME=admin SPBE_KAFKA_PASSWORD="$KAFKA_ADMIN_PASSWORD" \
        SPBE_KAFKA_TOPIC_PREFIX= SPBE_KAFKA_PARTITIONS=6 SPBE_KAFKA_REPLICATION_FACTOR=1 \
        KAFKA_COLLECTOR_PASSWORD="$KAFKA_COLLECTOR_PASSWORD" \
        KAFKA_INVENTORY_PASSWORD="$KAFKA_INVENTORY_PASSWORD" \
        KAFKA_SCORER_PASSWORD="$KAFKA_SCORER_PASSWORD" "$@"
}

kafka_provision() {
    kafka_admin_env "$PYTHON" "$REPO_ROOT/deploy/kafka/provision.py" >"$KAFKA_DIR/provision.log" 2>&1 ||
        { cat "$KAFKA_DIR/provision.log" >&2; die "Kafka users, topics and ACLs not provisioned"; }
    log "$(tail -n 1 "$KAFKA_DIR/provision.log")"
}

kafka_pid() {
    [[ -f $KAFKA_PID_FILE ]] || return 1
    local pid
    pid=$(<"$KAFKA_PID_FILE")
    [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' &&
        echo "$pid"
}

kafka_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

kafka_answers() {
    kafka_admin_env "$PYTHON" - <<'PY' >/dev/null 2>&1
from kafka.admin import KafkaAdminClient

from spbe_common.bus.kafka import client_config
from spbe_common.settings import BusSettings

admin = KafkaAdminClient(**client_config(BusSettings()), request_timeout_ms=5000)
admin.list_topics()
admin.close()
PY
}

kafka_wait() {
    local deadline=$((SECONDS + START_TIMEOUT_S)) pid=$1
    until kafka_answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/kafka.out" >&2 || true
            rm -f "$KAFKA_PID_FILE"
            die "Kafka exited during start-up (logs: $KAFKA_DIR/logs/server.log)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/kafka.out" >&2 || true
            kafka_stop # leave no half-started broker behind for the next `start` to trust
            die "Kafka did not answer a metadata request on 127.0.0.1:$KAFKA_PORT within ${START_TIMEOUT_S}s"
        fi
        sleep 0.5
    done
}

kafka_start() {
    if kafka_pid >/dev/null; then
        log "Kafka already running on 127.0.0.1:$KAFKA_PORT (pid $(kafka_pid))"
        return
    fi
    kafka_port_busy "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by a process this script did not start"
    kafka_fetch
    kafka_credentials
    kafka_load_credentials
    kafka_write_config
    kafka_format
    log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
    setsid nohup java -Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
        -cp "$KAFKA_CACHE/libs/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
        >"$KAFKA_DIR/kafka.out" 2>&1 </dev/null &
    echo $! >"$KAFKA_PID_FILE"
    kafka_wait "$!"
    kafka_provision
}

kafka_stop() {
    local pid
    if ! pid=$(kafka_pid); then
        log "Kafka not running"
        rm -f "$KAFKA_PID_FILE"
        return
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && { log "Kafka ignored SIGTERM for 30s, killing"; kill -KILL "$pid"; }
    rm -f "$KAFKA_PID_FILE"
    log "Kafka stopped"
}

# --- podman (tests/stack starts docker-compose.yml; its images are built from Debian packages) --

ensure_podman() {
    local tool missing=0
    for tool in podman podman-compose mmdebstrap runc iptables newuidmap mvn; do
        command -v "$tool" >/dev/null || missing=1
    done
    [[ -x /usr/lib/podman/netavark && -x /usr/lib/podman/aardvark-dns ]] || missing=1
    ((missing)) || return 0
    log "installing podman, podman-compose, mmdebstrap and what containers need here"
    privileged apt-get update -qq
    # runc: crun refuses this machine's hybrid cgroups; iptables: netavark's port forwarding
    DEBIAN_FRONTEND=noninteractive privileged apt-get install -y -qq podman podman-compose \
        mmdebstrap runc iptables uidmap netavark aardvark-dns maven >/dev/null
}

# --- commands ---------------------------------------------------------------------------------

cmd_start() {
    local t0 only=${1:-}
    t0=$(now)
    mkdir -p "$SERVICES_DIR"
    chmod 755 "$SERVICES_DIR"
    ensure_nmap
    ensure_chromium
    ensure_prometheus
    ensure_podman
    [[ $only == kafka ]] || pg_start
    [[ $only == postgres ]] || kafka_start
    log "ready in $(elapsed "$t0")s"
    cmd_env
}

cmd_stop() {
    local only=${1:-}
    [[ $only == postgres ]] || kafka_stop
    [[ $only == kafka ]] || pg_stop
}

cmd_status() {
    local pid rc=0
    if pg_running; then echo "postgresql: running on 127.0.0.1:$PG_PORT (data $PG_DIR/data)"; else
        echo "postgresql: stopped"
        rc=3
    fi
    if pid=$(kafka_pid); then
        echo "kafka: running on 127.0.0.1:$KAFKA_PORT (pid $pid, $KAFKA_VERSION, SASL/SCRAM + ACLs)"
    else
        echo "kafka: stopped"
        rc=3
    fi
    command -v nmap >/dev/null && echo "nmap: $(command -v nmap)" || echo "nmap: missing"
    command -v chromium >/dev/null && echo "chromium: $(command -v chromium)" || echo "chromium: missing"
    command -v prometheus >/dev/null && echo "prometheus: $(command -v prometheus)" || echo "prometheus: missing"
    command -v promtool >/dev/null && echo "promtool: $(command -v promtool)" || echo "promtool: missing"
    return "$rc"
}

# Test credentials: the admin (super user) for fixtures, one user per service for the ACL tests.
cmd_env() {
    local user var
    echo "export SPBE_TEST_KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT"
    if [[ -r $KAFKA_CREDENTIALS ]]; then
        kafka_load_credentials
        echo "export SPBE_TEST_KAFKA_USERNAME=admin"
        echo "export SPBE_TEST_KAFKA_PASSWORD=$KAFKA_ADMIN_PASSWORD"
        for user in "${KAFKA_USERS[@]:1}"; do
            var="KAFKA_${user^^}_PASSWORD"
            echo "export SPBE_TEST_KAFKA_${user^^}_USERNAME=$user"
            echo "export SPBE_TEST_KAFKA_${user^^}_PASSWORD=${!var}"
        done
    else
        log "no Kafka credentials yet ($KAFKA_CREDENTIALS): run '$0 start' first"
    fi
    echo "export SPBE_TEST_DATABASE_URL=postgresql+psycopg://spbe:spbe@127.0.0.1:$PG_PORT/spbe"
}

case ${1:-}:${2:-} in
start: | start:kafka | start:postgres) cmd_start "${2:-}" ;;
stop: | stop:kafka | stop:postgres) cmd_stop "${2:-}" ;;
status:) cmd_status ;;
env:) cmd_env ;;
kafka-jars:) # the jars of Apache Kafka from Maven Central (cached); prints their folder
    kafka_fetch >&2
    echo "$KAFKA_CACHE/libs"
    ;;
*)
    echo "usage: $0 start|stop [kafka|postgres] | status | env | kafka-jars" >&2
    exit 2
    ;;
esac
