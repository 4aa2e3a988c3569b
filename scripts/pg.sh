#!/usr/bin/env bash
# A private PostgreSQL cluster for tests and benchmarks, independent of any system cluster.
#   scripts/pg.sh start DIR PORT   initdb (once) and start; prints the connection URL
#   scripts/pg.sh stop DIR
# initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
set -euo pipefail
cmd="${1:?start|stop}"; dir="${2:?data dir}"; port="${3:-55432}"
bin=""
for v in 17 16 15; do [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && { bin="/usr/lib/postgresql/$v/bin"; break; }; done
[ -n "$bin" ] || { echo "PostgreSQL server binaries not found (run scripts/setup-tools.sh)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; chmod o+x "$(dirname "$dir")"; fi
    chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bin/initdb -D '$dir' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    fi
    as_pg "$bin/pg_ctl -D '$dir' -l '$dir/server.log' -w -t 60 \
      -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start" >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_pg "$bin/pg_ctl -D '$dir' -m fast -w stop" >/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
