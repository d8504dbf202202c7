#!/usr/bin/env bash
# Starts the PostgreSQL server the tests and benchmarks use, from Debian packages, and prints the
# environment to use it. Idempotent: installs postgresql-15 when missing, creates the data
# directory once, starts the server when it is not running, and (re)creates the test role.
#
#   eval "$(tests/servers/postgres.sh)"      # as root; then deno task test / deno task bench
#
# The server runs as the `postgres` OS user, listens on 127.0.0.1 only, on DVT_PG_PORT (54329),
# with its data under DVT_PG_DIR (/tmp/dvt-pg), and loads pg_stat_statements (the pushdown tests
# read what the server actually ran). Everything is logged to stderr; stdout is only the env.
set -euo pipefail

PG_VERSION=15
PORT="${DVT_PG_PORT:-54329}"
BASE="${DVT_PG_DIR:-/tmp/dvt-pg}"
DATA="$BASE/data"
ROLE="${DVT_PG_USER:-dvt}"
PASSWORD="${DVT_PG_PASSWORD:-dvt-test-secret}"
BIN="/usr/lib/postgresql/$PG_VERSION/bin"

log() { printf '[postgres] %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "run as root: it installs packages and starts the server as the postgres user"
  exit 1
fi

if [ ! -x "$BIN/postgres" ] || [ ! -f "/usr/share/postgresql/$PG_VERSION/extension/pg_stat_statements.control" ]; then
  log "installing postgresql-$PG_VERSION"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package from starting its own cluster service: this script runs its own server.
  guard=/usr/sbin/policy-rc.d
  [ -e "$guard" ] || { printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard"; added_guard=1; }
  installed=0
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends \
    "postgresql-$PG_VERSION" "postgresql-contrib-$PG_VERSION" "postgresql-client-$PG_VERSION" >&2 ||
    installed=$?
  [ -n "${added_guard:-}" ] && rm -f "$guard"
  [ "$installed" -eq 0 ] || { log "apt-get install failed"; exit 1; }
fi

as_postgres() { runuser -u postgres -- "$@"; }

mkdir -p "$BASE"
chown postgres: "$BASE"
chmod 700 "$BASE"
if [ ! -f "$DATA/PG_VERSION" ]; then
  log "initialising $DATA"
  as_postgres "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >&2
  cat >>"$DATA/postgresql.conf" <<EOF
# dvt test server
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$BASE'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi

# TLS with a self-signed certificate, and one role that may connect only over TLS (the tests of
# sslmode). Checked on every run, so data directories made before this still get it.
if [ ! -f "$BASE/server.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -keyout "$BASE/server.key" -out "$BASE/server.crt" 2>/dev/null
  chown postgres: "$BASE/server.key" "$BASE/server.crt"
  chmod 600 "$BASE/server.key"
fi
HBA="$DATA/pg_hba.conf"
if ! grep -q dvt_tls_only "$HBA"; then
  { echo "hostssl all dvt_tls_only 127.0.0.1/32 scram-sha-256"
    echo "hostnossl all dvt_tls_only 127.0.0.1/32 reject"
    cat "$HBA"; } >"$HBA.new"
  mv "$HBA.new" "$HBA"
  chown postgres: "$HBA"
fi

if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$PORT"
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$BASE/server.log" -w -t 60 start >&2
fi

psql_admin() { as_postgres psql -h "$BASE" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_admin -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE \"$ROLE\" LOGIN SUPERUSER;
  END IF;
END \$\$;" >&2
psql_admin -c "ALTER ROLE \"$ROLE\" PASSWORD '$PASSWORD'" >&2
psql_admin -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >&2
psql_admin -c "ALTER SYSTEM SET ssl = on" -c "ALTER SYSTEM SET ssl_cert_file = '$BASE/server.crt'" \
  -c "ALTER SYSTEM SET ssl_key_file = '$BASE/server.key'" -c "SELECT pg_reload_conf()" >/dev/null

cat <<EOF
export PGHOST=127.0.0.1
export PGPORT=$PORT
export PGUSER=$ROLE
export PGPASSWORD=$PASSWORD
export PGDATABASE=postgres
EOF
