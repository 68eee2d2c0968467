#!/usr/bin/env bash
# Builds, with podman and no public image registry, local stand-ins for the public images that
# docker-compose.yml uses, then the app image on the Python stand-in:
#   localhost/spbe-debian:bookworm     mmdebstrap minbase; trusts the host's CAs; apt works
#   localhost/spbe-python:3.11         for python:3.11-slim      (Debian python3 + venv on PATH)
#   localhost/spbe-kafka:4.1.1         for apache/kafka:4.1.1    (jars from Maven Central)
#   localhost/spbe-postgres:15         for postgres:15           (Debian postgresql-15)
#   localhost/spbe-prometheus:local    for prom/prometheus:v3.5.0 (Debian prometheus 2.42)
#   localhost/spbe-inventory:local     deploy/Dockerfile built FROM localhost/spbe-python:3.11
# Only a Debian mirror, PyPI, npm and Maven Central are needed. Then run the stack with
#   podman-compose -f docker-compose.yml -f deploy/podman/compose.local-images.yml ...
# (see deploy/podman/README.md). An image that exists is kept unless --rebuild, which rebuilds the
# named images only: `--rebuild app` after a change of the code (the app image holds it).
# Usage: deploy/podman/build-images.sh [--rebuild] [debian|python|kafka|postgres|prometheus|app ...]
# Needs (Debian): podman mmdebstrap runc uidmap netavark aardvark-dns iptables, maven (Kafka jars).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO_ROOT/deploy/podman
export CONTAINERS_CONF=${CONTAINERS_CONF:-$HERE/containers.conf}
SUITE=bookworm
KAFKA_VERSION=4.1.1
KAFKA_LIBS= # set by kafka_jars
HOST_CA_BUNDLE=${SPBE_HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

declare -A TAG=(
    [debian]=localhost/spbe-debian:$SUITE
    [python]=localhost/spbe-python:3.11
    [kafka]=localhost/spbe-kafka:$KAFKA_VERSION
    [postgres]=localhost/spbe-postgres:15
    [prometheus]=localhost/spbe-prometheus:local
    [app]=localhost/spbe-inventory:local
)
ORDER=(debian python kafka postgres prometheus app)

REBUILD=0
WANTED=()
for arg in "$@"; do
    case $arg in
    --rebuild) REBUILD=1 ;;
    -h | --help)
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    debian | python | kafka | postgres | prometheus | app) WANTED+=("$arg") ;;
    *)
        echo "unknown argument: $arg (try --help)" >&2
        exit 2
        ;;
    esac
done
((${#WANTED[@]})) || WANTED=("${ORDER[@]}")

log() { printf '[build-images] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
exists() { podman image exists "$1"; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
declare -A TOOK=()

# The Debian mirror the host's apt uses (deb822 .sources or one-line .list), else deb.debian.org.
apt_uri() { # $1: last path component wanted (debian | debian-security)
    local uri
    uri=$({
        sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
        grep -hE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            sed -E 's/\[[^]]*\]//' | awk '{ print $2 }'
    } | grep -E "^https?://[^ ]+/$1/?\$" | head -n 1 || true)
    echo "${uri:-http://deb.debian.org/$1}"
}

# The certificates of the host's bundle that Debian's ca-certificates lacks (the intercepting
# proxy's CA, any local CA), one file each: installed as local CAs, they survive every later
# update-ca-certificates (a package install runs it) and reach Java's cacerts too.
extra_cas() { # $1: output dir
    local debian_set=$WORK/debian-cas.pem
    cat /usr/share/ca-certificates/mozilla/*.crt >"$debian_set" 2>/dev/null || : >"$debian_set"
    awk -v out="$1" -v known="$debian_set" '
        BEGIN {
            while ((getline line < known) > 0) {
                if (line ~ /-BEGIN CERTIFICATE-/) { body = "" } else if (line ~ /-END CERTIFICATE-/) { seen[body] = 1 } else { body = body line }
            }
        }
        /-BEGIN CERTIFICATE-/ { body = ""; pem = $0 "\n"; next }
        /-END CERTIFICATE-/ {
            pem = pem $0 "\n"
            if (!(body in seen)) { n++; f = sprintf("%s/spbe-host-%02d.crt", out, n); printf "%s", pem > f; close(f) }
            next
        }
        { body = body $0; pem = pem $0 "\n" }
        END { print n + 0 }
    ' "$HOST_CA_BUNDLE"
}

build_debian() {
    local main security cas n
    main=${SPBE_DEBIAN_MIRROR:-$(apt_uri debian)}
    security=${SPBE_DEBIAN_SECURITY_MIRROR:-$(apt_uri debian-security)}
    cas=$WORK/cas
    mkdir -p "$cas"
    n=$(extra_cas "$cas")
    log "mmdebstrap $SUITE from $main ($security); $n CA(s) of $HOST_CA_BUNDLE added"
    local hooks=(
        # no service starts while a Dockerfile installs packages (there is no init in a build);
        # skipping mmdebstrap's own policy-rc.d keeps it from removing this one at the end
        --skip=chroot/policy-rc.d
        --customize-hook='printf "#!/bin/sh\nexit 101\n" >"$1/usr/sbin/policy-rc.d"; chmod 755 "$1/usr/sbin/policy-rc.d"'
    )
    if ((n > 0)); then
        hooks+=(--customize-hook="copy-in $(echo "$cas"/*.crt) /usr/local/share/ca-certificates"
            --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1')
    fi
    # like the official slim images: no manuals, docs (but copyrights) or translations
    mmdebstrap --quiet --variant=minbase --include=ca-certificates \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        "${hooks[@]}" "$SUITE" "$WORK/rootfs.tar" \
        "deb $main $SUITE main" "deb $main $SUITE-updates main" "deb $security $SUITE-security main"
    podman import --quiet \
        --change 'ENV LANG=C.UTF-8' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
        --change 'ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt' \
        --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
        --change 'CMD ["bash"]' \
        "$WORK/rootfs.tar" "${TAG[debian]}" >/dev/null
    rm -f "$WORK/rootfs.tar"
}

# Apache Kafka's jars, as the release tarball has them (broker, tools, log4j2 binding): the ones
# deploy/local/services.sh runs the test broker with (Maven Central, cached there)
kafka_jars() {
    KAFKA_LIBS=$(SPBE_KAFKA_VERSION=$KAFKA_VERSION "$REPO_ROOT/deploy/local/services.sh" kafka-jars)
}

# podman build of deploy/podman/images/$1 (a copy, so the jars can join the context)
build_dir() {
    local name=$1 ctx=$WORK/ctx-$1
    cp -r "$HERE/images/$name" "$ctx"
    if [[ $name == kafka ]]; then
        kafka_jars
        cp -r "$KAFKA_LIBS" "$ctx/libs"
    fi
    podman build --quiet --layers=false --build-arg BASE="${TAG[debian]}" -t "${TAG[$name]}" "$ctx" >/dev/null
}

build_app() {
    local dockerfile=$REPO_ROOT/deploy/Dockerfile
    if ! grep -q '^ARG PYTHON_IMAGE' "$dockerfile"; then
        # until deploy/Dockerfile takes the base image as an argument: the same file, FROM swapped
        log "WARNING: deploy/Dockerfile has no 'ARG PYTHON_IMAGE': building a copy FROM \${PYTHON_IMAGE}"
        {
            echo 'ARG PYTHON_IMAGE=python:3.11-slim'
            sed -E 's/^FROM python:3\.11-slim/FROM ${PYTHON_IMAGE}/' "$dockerfile"
        } >"$WORK/Dockerfile.app"
        dockerfile=$WORK/Dockerfile.app
    fi
    (cd "$REPO_ROOT" && podman build --quiet --layers=false --build-arg PYTHON_IMAGE="${TAG[python]}" \
        --ignorefile deploy/Dockerfile.dockerignore -t "${TAG[app]}" -f "$dockerfile" . >/dev/null)
}

command -v podman >/dev/null || die "podman is not installed (apt-get install podman runc ...)"
for name in "${ORDER[@]}"; do
    want=0
    for w in "${WANTED[@]}"; do [[ $w == "$name" ]] && want=1; done
    ((want)) || continue
    if exists "${TAG[$name]}" && ((!REBUILD)); then
        log "${TAG[$name]} exists (--rebuild to build it again)"
        continue
    fi
    [[ $name == debian ]] || exists "${TAG[debian]}" || die "${TAG[debian]} missing: build 'debian' first"
    [[ $name != app ]] || exists "${TAG[python]}" || die "${TAG[python]} missing: build 'python' first"
    log "building ${TAG[$name]}"
    old=$(podman image inspect --format '{{.Id}}' "${TAG[$name]}" 2>/dev/null || true)
    t0=$(now)
    case $name in
    debian) build_debian ;;
    app) build_app ;;
    *) build_dir "$name" ;;
    esac
    TOOK[$name]=$(elapsed "$t0")
    # the image a --rebuild replaced, if nothing else names or uses it
    if [[ -n $old && $old != "$(podman image inspect --format '{{.Id}}' "${TAG[$name]}")" ]]; then
        podman rmi "$old" >/dev/null 2>&1 || true
    fi
    log "built ${TAG[$name]} in ${TOOK[$name]}s"
done

printf '%-34s %10s %9s\n' IMAGE SIZE BUILD_S
for name in "${ORDER[@]}"; do
    exists "${TAG[$name]}" || continue
    printf '%-34s %10s %9s\n' "${TAG[$name]}" \
        "$(podman image inspect --format '{{.Size}}' "${TAG[$name]}" | awk '{ printf "%.0f MB", $1 / 1e6 }')" \
        "${TOOK[$name]:--}"
done
