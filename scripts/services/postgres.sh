#!/usr/bin/env bash
# A private PostgreSQL server for the tests: loopback only, a free port, trust
# authentication, no fsync. Its cluster lives in DIR/data.
#
#   scripts/services/postgres.sh start DIR   # prints postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/services/postgres.sh stop DIR
#
# Installs Debian's postgresql if missing. PostgreSQL refuses to run as root: as
# root the cluster is created and run as the `postgres` OS user, so DIR and its
# parents must be reachable by that user (the script makes DIR itself theirs).
# A server already running from DIR is reused (its URL printed again).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"

[ $# -eq 2 ] || die "usage: postgres.sh start|stop DIR"
ACTION=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
DATA=$DIR/data
URLFILE=$DIR/url
LOG=$DIR/postgres.log

pg_bin() { # the newest installed server's bin dir
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_owner() { # run a server command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $ACTION in
start)
  apt_install postgresql pg_bin
  BIN=$(pg_bin)
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' OS user to run the server as"
    chown postgres: "$DIR"
    runuser -u postgres -- test -w "$DIR" \
      || die "$DIR is not reachable by the postgres user (a parent folder is private?)"
  fi
  if [ -s "$URLFILE" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    cat "$URLFILE"
    exit 0
  fi
  if [ ! -s "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-sync \
      >"$DIR/initdb.log" 2>&1 || { tail -n 20 "$DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  for _attempt in 1 2 3; do
    port=$(free_port)
    if as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c full_page_writes=off" \
      start >/dev/null; then
      echo "postgresql://postgres@127.0.0.1:$port/postgres" | tee "$URLFILE"
      exit 0
    fi
  done
  tail -n 20 "$LOG" >&2 2>/dev/null || true
  die "PostgreSQL did not start (log: $LOG)"
  ;;
stop)
  BIN=$(pg_bin) || exit 0
  if [ -s "$DATA/PG_VERSION" ]; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -f "$URLFILE"
  ;;
*)
  die "usage: postgres.sh start|stop DIR"
  ;;
esac
