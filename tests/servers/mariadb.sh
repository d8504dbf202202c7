#!/usr/bin/env bash
# Starts a throwaway MariaDB server for the mysql connector's tests and benchmarks, and prints
# the environment that reaches it. Idempotent: a second run finds the server up and only prints.
#
#   eval "$(bash tests/servers/mariadb.sh)"     # start (installs the Debian packages if missing)
#   bash tests/servers/mariadb.sh stop          # stop it and remove its data directory
#
# The server listens on 127.0.0.1 only, at a fixed port (DVT_MARIADB_PORT, default 33069), runs
# as the `mysql` user with its data directory under DVT_MARIADB_DIR (default
# ${TMPDIR:-/tmp}/dvt-mariadb), and logs every statement to a general log table
# (mysql.general_log, switched on by the tests that check pushdown). The test user `dvt` (password
# `dvt-test-pw`) may create databases, read the general log and kill its own connections.
set -euo pipefail

port=${DVT_MARIADB_PORT:-33069}
dir=${DVT_MARIADB_DIR:-${TMPDIR:-/tmp}/dvt-mariadb}
user=dvt
password=dvt-test-pw
socket="$dir/mysqld.sock"

log() { printf '[mariadb] %s\n' "$*" >&2; }

print_env() {
  printf 'export MYSQL_HOST=127.0.0.1\nexport MYSQL_TCP_PORT=%s\n' "$port"
  printf 'export MYSQL_USER=%s\nexport MYSQL_PWD=%s\n' "$user" "$password"
}

# The MYSQL_* variables an earlier `eval` of this script exported point at the test user over
# TCP (the client prefers MYSQL_HOST to --socket); root logs in by socket.
as_root() { env -u MYSQL_PWD -u MYSQL_HOST -u MYSQL_TCP_PORT -u MYSQL_USER mysql --no-defaults --socket="$socket" -uroot "$@"; }

if [ "${1:-start}" = stop ]; then
  if [ -f "$dir/mysqld.pid" ]; then
    kill "$(cat "$dir/mysqld.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -f "$dir/mysqld.pid" ] || break; sleep 0.2; done
  fi
  rm -rf "$dir"
  exit 0
fi

if [ -S "$socket" ] && as_root -e 'SELECT 1' >/dev/null 2>&1; then
  print_env
  exit 0
fi

if ! command -v mariadb-install-db >/dev/null 2>&1 || ! command -v mysql >/dev/null 2>&1; then
  log "installing mariadb-server mariadb-client"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package from starting its own system service: this script runs its own server.
  guard=/usr/sbin/policy-rc.d
  [ -e "$guard" ] || { printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod +x "$guard"; added_guard=1; }
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >&2 || status=$?
  [ -n "${added_guard:-}" ] && rm -f "$guard"
  [ "${status:-0}" -eq 0 ] || { log "apt-get install failed"; exit 1; }
fi
id mysql >/dev/null 2>&1 || useradd --system --no-create-home mysql

mkdir -p "$dir"
chown mysql:mysql "$dir"
if [ ! -d "$dir/data/mysql" ]; then
  log "initialising $dir/data"
  mariadb-install-db --no-defaults --user=mysql --datadir="$dir/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 ||
    { cat "$dir/install.log" >&2; exit 1; }
fi

log "starting mariadbd on 127.0.0.1:$port"
# --log-output=TABLE: the general log is queried with SQL; it stays off until a test turns it on.
nohup mariadbd --no-defaults --user=mysql --datadir="$dir/data" --socket="$socket" \
  --pid-file="$dir/mysqld.pid" --bind-address=127.0.0.1 --port="$port" \
  --log-error="$dir/error.log" --log-output=TABLE --general-log=0 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
  --innodb-buffer-pool-size=256M --max-connections=200 --skip-name-resolve \
  >/dev/null 2>&1 </dev/null &

for _ in $(seq 1 150); do
  if [ -S "$socket" ] && as_root -e 'SELECT 1' >/dev/null 2>&1; then break; fi
  sleep 0.2
done
as_root -e 'SELECT 1' >/dev/null 2>&1 || { log "server did not start:"; tail -20 "$dir/error.log" >&2; exit 1; }

as_root <<SQL
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$user'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
print_env
