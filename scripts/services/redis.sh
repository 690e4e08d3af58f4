#!/usr/bin/env bash
# A private Redis server for the tests: loopback only, a free port, no persistence.
#
#   scripts/services/redis.sh start DIR   # prints redis://127.0.0.1:PORT/0
#   scripts/services/redis.sh stop DIR
#
# Installs Debian's redis-server if missing. A server already running from DIR is
# reused (its URL printed again). Everything it writes stays in DIR.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/common.sh"

[ $# -eq 2 ] || die "usage: redis.sh start|stop DIR"
ACTION=$1
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
PIDFILE=$DIR/redis.pid
URLFILE=$DIR/url
LOG=$DIR/redis.log

ping() { # PORT
  [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

case $ACTION in
start)
  apt_install redis-server "command -v redis-server && command -v redis-cli"
  if pid_alive "$PIDFILE" && [ -s "$URLFILE" ]; then
    port=$(sed -E 's#.*:([0-9]+)/.*#\1#' "$URLFILE")
    if ping "$port"; then cat "$URLFILE"; exit 0; fi
  fi
  for _attempt in 1 2 3; do
    port=$(free_port)
    rm -f "$PIDFILE"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --daemonize yes --pidfile "$PIDFILE" --dir "$DIR" --logfile "$LOG" \
      || continue
    for _ in $(seq 1 100); do
      if ping "$port"; then
        echo "redis://127.0.0.1:$port/0" | tee "$URLFILE"
        exit 0
      fi
      sleep 0.1
    done
    pid_alive "$PIDFILE" && kill "$(cat "$PIDFILE")" 2>/dev/null || true
  done
  tail -n 20 "$LOG" >&2 2>/dev/null || true
  die "redis-server did not start (log: $LOG)"
  ;;
stop)
  if pid_alive "$PIDFILE"; then
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$URLFILE"
  ;;
*)
  die "usage: redis.sh start|stop DIR"
  ;;
esac
