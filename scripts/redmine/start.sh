#!/usr/bin/env bash
# Starts a throw-away local Redmine (Debian packages, SQLite) for the integration
# tests and writes STATE_DIR/env.json and STATE_DIR/env.sh.
#
#   scripts/redmine/start.sh [STATE_DIR]     # default: <repo>/.redmine
#   . .redmine/env.sh                        # REDMINE_URL, REDMINE_API_KEY, ...
#   scripts/redmine/stop.sh [STATE_DIR]
#
# Every start works on a fresh copy of the Debian-installed (pristine) SQLite
# database, configured by setup.rb.  If a healthy server from the same
# STATE_DIR is already running it is reused.  Prints the URL on success.
#
# Environment: REDMINE_VERSION: 5.0 (default: the host's Debian 12 package, with thin),
#                6.0 (Debian trixie's package) or 6.1 (Debian sid's), each in a chroot
#                built once by chroot.sh and cached (see there);
#              REDMINE_START_TIMEOUT (seconds, default 120),
#              REDMINE_PORT (fixed port instead of a free random one).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
STATE_DIR=${1:-$REPO/.redmine}
DB_YML=/etc/redmine/default/database.yml
TIMEOUT=${REDMINE_START_TIMEOUT:-120}
VERSION=${REDMINE_VERSION:-5.0}
export REDMINE_VERSION=$VERSION # for run.sh

die() { printf 'start.sh: %s\n' "$*" >&2; exit 1; }
case $VERSION in
  5.0) ROOTFS="" ;;                                      # the host's package
  6.0 | 6.1) ROOTFS=$("$HERE/chroot.sh" path "$VERSION") ;; # the host path of its /
  *) die "REDMINE_VERSION=$VERSION: one of 5.0 (the host's package), 6.0, 6.1" ;;
esac
# The end of server.log without Ruby backtrace frames (the message matters).
show_log() { grep -v '^[[:space:]]*from /' "$LOG" | tail -n 30 >&2 || true; }

mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)
ENV_JSON=$STATE_DIR/env.json
PID_FILE=$STATE_DIR/server.pid
LOG=$STATE_DIR/server.log
DB=$STATE_DIR/redmine.sqlite3

# One start/stop at a time per state dir.
exec 9>"$STATE_DIR/.lock"
flock -w 600 9 || die "timed out waiting for the lock on $STATE_DIR/.lock"

# Health check: the admin key works and /issues.json answers 200.  No proxies
# (CI machines often export http_proxy without no_proxy for 127.0.0.1).
healthy() { # URL KEY ADMIN_LOGIN
  python3 - "$@" <<'PY'
import json, sys, urllib.request
url, key, login = sys.argv[1:4]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def get(path):
    req = urllib.request.Request(url + path, headers={"X-Redmine-API-Key": key})
    with opener.open(req, timeout=10) as r:
        return r.status, r.read()
try:
    status, body = get("/users/current.json")
    assert status == 200 and json.loads(body)["user"]["login"] == login
    status, _ = get("/issues.json?limit=1")
    assert status == 200
except Exception:
    sys.exit(1)
PY
}

is_our_server() { # PID (Redmine 6's puma names its process "puma 6.6.0 (tcp://...) [redmine]")
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qE 'rails server|^puma .*\[redmine\]'
}

# ------------------------------------------------------------------ reuse
if [ -f "$ENV_JSON" ] && [ -f "$PID_FILE" ] && is_our_server "$(cat "$PID_FILE")"; then
  read -r url key login < <(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
print(e["url"], e["keys"][e["admin_login"]], e["admin_login"])' "$ENV_JSON") || true
  was=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("redmine_version", "5.0"))' "$ENV_JSON") || true
  if [ -n "${url:-}" ] && [ "$was" = "$VERSION" ] && healthy "$url" "$key" "$login"; then
    echo "$url"
    exit 0
  fi
fi
# Anything left over from an earlier run in this state dir goes away.
"$HERE/stop.sh" "$STATE_DIR" --locked >/dev/null

# ---------------------------------------------------------------- install
if [ -z "$ROOTFS" ]; then
  "$HERE/install.sh"
else
  "$HERE/chroot.sh" build "$VERSION" >/dev/null || die "no Redmine $VERSION (see above)"
fi

# ------------------------------------------------------ fresh DB for this run
pristine=$("$HERE/run.sh" ruby -ryaml -e '
  c = YAML.load_file(ARGV[0])["production"]
  abort "production adapter is #{c["adapter"]}, expected sqlite3" unless c["adapter"] == "sqlite3"
  puts c["database"]' "$DB_YML") || die "cannot read the database path from $DB_YML"
pristine=$ROOTFS$pristine # its host path
[ -f "$pristine" ] || die "pristine database $pristine does not exist"
rm -f "$DB" "$DB-journal" "$DB-wal" "$DB-shm"
cp "$pristine" "$DB"
chmod 0644 "$DB"

# Redmine stores timestamps in the *process* time zone
# (config.active_record.default_timezone = :local): pin it to UTC.
export TZ=UTC
export DATABASE_URL="sqlite3:$DB"
export RAILS_ENV=production
unset RAILS_LOG_TO_STDOUT

if ! "$HERE/run.sh" bin/rails runner -e production "$HERE/setup.rb" \
    >"$STATE_DIR/setup.out" 2>"$STATE_DIR/setup.log"; then
  tail -n 30 "$STATE_DIR/setup.log" >&2
  die "setup.rb failed (full output: $STATE_DIR/setup.log)"
fi
grep '^{' "$STATE_DIR/setup.out" | tail -n 1 >"$STATE_DIR/setup.json"
[ -s "$STATE_DIR/setup.json" ] || die "setup.rb printed no JSON (see $STATE_DIR/setup.out)"
read -r admin_login admin_key < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["admin_login"], s["keys"][s["admin_login"]])' "$STATE_DIR/setup.json")

# ----------------------------------------------------------------- server
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

: >"$LOG"
started=0
for attempt in 1 2 3; do
  port=${REDMINE_PORT:-$(free_port)}
  url="http://127.0.0.1:$port"
  printf '=== start.sh attempt %s: %s\n' "$attempt" "$url" >>"$LOG"
  # setsid: own session, so Ctrl-C in the starting terminal / pytest does not
  # kill a server that later runs may reuse.  RAILS_LOG_TO_STDOUT puts the
  # request log (and errors) into server.log instead of /var/log/redmine;
  # stdout_sync.rb makes that log unbuffered.
  # 9>&-: the server must not inherit (and keep holding) the state-dir lock.
  # run.sh: in /usr/share/redmine, on the host or in the chroot, keeping this pid.
  (RAILS_LOG_TO_STDOUT=1 RUBYOPT="-r$HERE/stdout_sync.rb" exec setsid "$HERE/run.sh" bin/rails server -e production \
      -b 127.0.0.1 -p "$port" -P "$STATE_DIR/rails.pid" </dev/null >>"$LOG" 2>&1 9>&-) &
  pid=$!
  echo "$pid" >"$PID_FILE"
  deadline=$((SECONDS + TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    if healthy "$url" "$admin_key" "$admin_login"; then
      started=1
      break
    fi
    sleep 0.5
  done
  [ "$started" -eq 1 ] && break
  if kill -0 "$pid" 2>/dev/null; then
    "$HERE/stop.sh" "$STATE_DIR" --locked >/dev/null || true
    show_log
    die "Redmine did not answer on $url within ${TIMEOUT}s (log: $LOG)"
  fi
  rm -f "$PID_FILE"
  if [ -z "${REDMINE_PORT:-}" ] && grep -qiE 'address already in use|no acceptor' "$LOG"; then
    continue # lost the race for the free port: try another one
  fi
  show_log
  die "Redmine exited during start-up (log: $LOG)"
done
[ "$started" -eq 1 ] || { show_log; die "could not start Redmine (log: $LOG)"; }

# ---------------------------------------------------------------- env files
python3 - "$STATE_DIR" "$url" "$port" "$pid" "$DB" "$pristine" "$VERSION" "$ROOTFS" <<'PY'
import json, os, re, shlex, sys, time
state, url, port, pid, db, pristine, version, rootfs = sys.argv[1:9]
setup = json.load(open(os.path.join(state, "setup.json")))
env = {
    "url": url,
    "port": int(port),
    "pid": int(pid),
    "db_path": db,
    "pristine_db_path": pristine,
    "state_dir": state,
    "log": os.path.join(state, "server.log"),
    "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "redmine_version": version,  # REDMINE_VERSION: 5.0, 6.0 or 6.1
    "redmine_root": rootfs + "/usr/share/redmine",  # on the host's file system
    **setup,
}
tmp = os.path.join(state, "env.json.tmp")
with open(tmp, "w", encoding="utf-8") as f:
    json.dump(env, f, ensure_ascii=False, indent=2)
    f.write("\n")
os.replace(tmp, os.path.join(state, "env.json"))

admin = env["admin_login"]
lines = {
    "REDMINE_URL": url,
    "REDMINE_API_KEY": env["keys"][admin],
    "REDMINE_ADMIN_KEY": env["keys"][admin],
    "REDMINE_ENV": os.path.join(state, "env.json"),
    "REDMINE_DB_PATH": db,
    "REDMINE_PID": pid,
    "REDMINE_VERSION": version,
}
for login, key in env["keys"].items():
    lines["REDMINE_KEY_" + re.sub(r"[^A-Za-z0-9]", "_", login).upper()] = key
with open(os.path.join(state, "env.sh"), "w", encoding="utf-8") as f:
    for k, v in lines.items():
        f.write(f"export {k}={shlex.quote(str(v))}\n")
PY

echo "$url"
