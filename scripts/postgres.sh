#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the tests (Debian's postgresql package):
# a fresh data folder, port 55432, role `desmig` (password `desmig`, may create databases).
# Prints the admin URL to use as DESMIG_TEST_POSTGRES_URL. Usage: scripts/postgres.sh [start|stop]
set -euo pipefail
PORT="${DESMIG_PG_PORT:-55432}"
DATA="${DESMIG_PG_DATA:-/tmp/desmig-pg-$PORT}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$BIN" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
# initdb and postgres refuse to run as root: run them as the postgres user the package created.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
  start)
    if as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      echo "postgres://desmig:desmig@127.0.0.1:$PORT/postgres"
      exit 0
    fi
    rm -rf "$DATA"
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
    # TLS with the test certificate (tests/fixtures), for the sslmode tests; plain connections
    # stay allowed.
    cp "$(dirname "$0")/../tests/fixtures/test-server.crt" "$DATA/server.crt"
    cp "$(dirname "$0")/../tests/fixtures/test-server.key" "$DATA/server.key"
    chmod 600 "$DATA/server.key"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA/server.crt" "$DATA/server.key"
    as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA -c max_connections=300 -c fsync=on -c ssl=on" start >/dev/null
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE ROLE desmig LOGIN PASSWORD 'desmig' CREATEDB" >/dev/null
    echo "postgres://desmig:desmig@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
