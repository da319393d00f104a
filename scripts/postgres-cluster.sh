#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the tests and the benchmarks.
#
#   scripts/postgres-cluster.sh start DIR   initdb into DIR (when it holds no cluster yet), start the
#                                           server on a random free port (the same port again on a
#                                           restart) and print its URL
#   scripts/postgres-cluster.sh stop DIR    stop it (fast shutdown)
#   scripts/postgres-cluster.sh kill DIR    stop it as a crash would (immediate shutdown, no checkpoint)
#
# Run as root, the cluster belongs to the `postgres` user (initdb refuses root), so DIR's parent
# must be one that user can enter (/tmp is); otherwise it belongs to the caller. Debian's `postgresql` package provides the binaries (scripts/ensure-deps.sh installs it).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 start|stop|kill DIR" >&2; exit 64; }
# The server outlives this script: it must not keep the caller's other open files (the write end of
# a pipe the caller reads to its end would never close), so only standard input, output and error stay.
for fd in $(ls /proc/$$/fd); do
  if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
command=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed: run scripts/ensure-deps.sh" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $command in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      log=$(mktemp)
      as_owner "$bin/initdb" -D "$dir" -A trust -U postgres --no-sync -E UTF8 >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
      rm -f "$log"
    fi
    port_file="$dir/kholedger-port"
    if [ ! -f "$port_file" ]; then
      python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' | as_owner tee "$port_file" >/dev/null
    fi
    port=$(cat "$port_file")
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=200" start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop) as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null ;;
  kill) as_owner "$bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null ;;
  *) echo "usage: $0 start|stop|kill DIR" >&2; exit 64 ;;
esac
