#!/usr/bin/env bash
# Installs Redmine 5.0 (Debian packages, SQLite backend, thin) if missing.
# Idempotent and quiet on success; needs root (or passwordless sudo) only when
# something actually has to be installed or repaired.
#
#   scripts/redmine/install.sh
set -euo pipefail

REDMINE_ROOT=/usr/share/redmine
LOCK=/var/lib/redmine/Gemfile.lock
PKGS=(redmine redmine-sqlite thin)

log() { printf 'install.sh: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    log "need root to run: $*"
    return 1
  fi
}

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

thin_installed_now=0
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} (apt-get: a few minutes on a fresh machine, more if another install holds the lock)"
  out=$(mktemp)
  trap 'rm -f "$out"' EXIT
  # Another install on a shared machine may hold the package manager's lock: wait for
  # it (up to 10 minutes) instead of failing. `apt-get update` takes the lists lock, which
  # DPkg::Lock::Timeout does not cover (apt 2.6 fails at once): retry it while held.
  wait_lock=(-o DPkg::Lock::Timeout=600)
  apt_update() {
    local waited=0
    until as_root env DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" update -q \
            >"$out" 2>&1; do
      grep -q 'Could not get lock' "$out" && [ "$waited" -lt 600 ] || return 1
      [ "$waited" -gt 0 ] || log "waiting for the package lists lock (another apt-get update)"
      sleep 5
      waited=$((waited + 5))
    done
  }
  if ! apt_update ||
     ! as_root env DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" install -y -q \
         -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
         "${PKGS[@]}" >>"$out" 2>&1; then
    tail -n 40 "$out" >&2
    log "apt-get failed"
    exit 1
  fi
  case " ${missing[*]} " in *" thin "*) thin_installed_now=1 ;; esac
fi

# Bundler resolves Redmine's Gemfile against the Debian-installed gems and
# caches the result in Gemfile.lock.  The Gemfile only adds `gem 'thin'` when
# thin is installed, so a lock written before thin was installed is stale:
# delete it once right after installing thin, or whenever it does not list thin
# as a dependency; bundler regenerates it on the next start (as root).
if [ -e "$LOCK" ]; then
  if [ "$thin_installed_now" -eq 1 ] || ! grep -qx '  thin' "$LOCK"; then
    as_root rm -f "$LOCK"
  fi
fi

# Sanity check (also regenerates the lock): bundler must resolve and load thin.
check() {
  (cd "$REDMINE_ROOT" && ruby -e '
    ENV["BUNDLE_GEMFILE"] = File.expand_path("Gemfile")
    require "bundler/setup"
    require "thin"
  ') 2>&1
}
if ! err=$(check); then
  # A lock that no longer matches the installed gems (e.g. after a Debian
  # update): drop it and let bundler resolve again.
  as_root rm -f "$LOCK"
  if ! err=$(check); then
    printf '%s\n' "$err" | tail -n 20 >&2
    log "bundler cannot load Redmine's gems (see above)"
    exit 1
  fi
fi

# Keep the Debian ownership of a lock we made bundler regenerate.
if [ -e "$LOCK" ] && [ "$(stat -c %U "$LOCK")" = root ] && id www-data >/dev/null 2>&1; then
  as_root chown www-data:www-data "$LOCK" || true
fi

db_yml=/etc/redmine/default/database.yml
if [ ! -r "$db_yml" ]; then
  log "$db_yml missing or unreadable: the redmine package is not configured (dpkg-reconfigure redmine?)"
  exit 1
fi
