#!/usr/bin/env bash
# Entrypoint of localhost/spbe-postgres:15, after the official postgres image's: started as root,
# it makes PGDATA the postgres user's and runs itself again as postgres; on the first start
# (no PGDATA/PG_VERSION) it runs initdb with POSTGRES_USER (default postgres) and
# POSTGRES_PASSWORD, lets every host connect with scram-sha-256 (POSTGRES_HOST_AUTH_METHOD),
# listens on all addresses, creates POSTGRES_DB (default POSTGRES_USER) and runs
# /docker-entrypoint-initdb.d/*.sh (sourced unless executable), *.sql and *.sql.gz in a server
# that listens on the socket only. Then it execs the command (default `postgres`).
set -Eeuo pipefail

# `podman run image -c foo=bar`: options of postgres
if [[ ${1:0:1} == - ]]; then
    set -- postgres "$@"
fi

if [[ $1 != postgres ]]; then
    exec "$@"
fi

if [[ $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA"
    chmod 3777 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

psql_init() {
    psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" "$@"
}

if [[ ! -s $PGDATA/PG_VERSION ]]; then
    POSTGRES_USER=${POSTGRES_USER:-postgres}
    POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
    auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [[ -z ${POSTGRES_PASSWORD:-} && $auth != trust ]]; then
        cat >&2 <<'MSG'
Error: the database is uninitialised and no superuser password is set.
       Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection
       without a password, which is not advised).
MSG
        exit 1
    fi
    options=()
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
    [[ -n ${POSTGRES_PASSWORD:-} ]] && options+=(--pwfile="$pwfile")
    [[ -n ${POSTGRES_INITDB_WALDIR:-} ]] && options+=(--waldir="$POSTGRES_INITDB_WALDIR")
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as in the official image
    initdb -D "$PGDATA" --username="$POSTGRES_USER" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host="$auth" "${options[@]}" ${POSTGRES_INITDB_ARGS:-}
    rm -f "$pwfile"
    printf '\n# localhost/spbe-postgres: every host may connect, with a password\nhost all all all %s\n' \
        "$auth" >>"$PGDATA/pg_hba.conf"
    printf "\n# localhost/spbe-postgres\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

    # a server for the initialisation only: the socket, no TCP
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
    if [[ $POSTGRES_DB != postgres ]]; then
        db_exists=$(psql_init --dbname postgres -qAt --set db="$POSTGRES_DB" \
            <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")
        if [[ -z $db_exists ]]; then
            psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
        fi
    fi
    export PGPASSWORD=${PGPASSWORD:-${POSTGRES_PASSWORD:-}}
    for f in /docker-entrypoint-initdb.d/*; do
        [[ -e $f ]] || continue
        case $f in
        *.sh)
            if [[ -x $f ]]; then
                echo "$0: running $f"
                "$f"
            else
                echo "$0: sourcing $f"
                # shellcheck source=/dev/null
                . "$f"
            fi
            ;;
        *.sql)
            echo "$0: running $f"
            psql_init --dbname "$POSTGRES_DB" -f "$f"
            ;;
        *.sql.gz)
            echo "$0: running $f"
            gunzip -c "$f" | psql_init --dbname "$POSTGRES_DB"
            ;;
        *) echo "$0: ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    unset PGPASSWORD
    echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
