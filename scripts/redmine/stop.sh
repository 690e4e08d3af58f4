#!/usr/bin/env bash
# Stops the local Redmine started by start.sh from STATE_DIR (default
# <repo>/.redmine).  Keeps the database and server.log for post-mortems,
# removes env.json/env.sh so nothing keeps using a dead server. On 6.0/6.1 (chroot.sh)
# the chroot's mounts live in the server's own mount namespace and go with it.
#
#   scripts/redmine/stop.sh [STATE_DIR]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
STATE_DIR=${1:-$REPO/.redmine}
[ -d "$STATE_DIR" ] || exit 0
STATE_DIR=$(cd "$STATE_DIR" && pwd)
PID_FILE=$STATE_DIR/server.pid

if [ "${2:-}" != "--locked" ]; then # start.sh already holds the lock
  exec 9>"$STATE_DIR/.lock"
  flock -w 120 9 || { echo "stop.sh: timed out waiting for $STATE_DIR/.lock" >&2; exit 1; }
fi

is_our_server() { # PID: alive and really a `rails server` (not a recycled pid; Redmine 6's
  # puma names its process "puma 6.6.0 (tcp://127.0.0.1:PORT) [redmine]")
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qE 'rails server|^puma .*\[redmine\]'
}

if [ -f "$PID_FILE" ]; then
  pid=$(cat "$PID_FILE")
  if is_our_server "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
fi
rm -f "$PID_FILE" "$STATE_DIR/rails.pid" "$STATE_DIR/env.json" "$STATE_DIR/env.sh"
