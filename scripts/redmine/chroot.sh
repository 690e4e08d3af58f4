#!/usr/bin/env bash
# Redmine 6.0 (Debian trixie's package) or 6.1 (Debian sid's) on a Debian 12 host: each
# lives in a chroot made once by debootstrap and cached between test sessions.
#
#   scripts/redmine/chroot.sh build VERSION        # idempotent; prints the chroot's path
#   scripts/redmine/chroot.sh exec VERSION CMD...  # CMD in /usr/share/redmine in the chroot
#   scripts/redmine/chroot.sh path VERSION
#
# `exec` runs CMD in a mount namespace of its own (unshare): /proc, /dev and the host
# directories it needs (this folder, the directory of DATABASE_URL's file, the directory
# of every absolute path among the arguments, each bound at the first directory of its
# path that the chroot lacks or has empty, e.g. /tmp or /work) are bind-mounted into the
# chroot at the same paths, so a database file on the host is the one Redmine uses and the tests age
# it with sqlite3 from the host as they do on 5.0. The mounts exist only in that
# namespace: they go away with the process (nothing to unmount, nothing left behind). The
# process keeps its pid (unshare and chroot exec), so a pid file and `kill` work as on the
# host. The environment passes through (TZ, DATABASE_URL, RAILS_*, RUBYOPT), with HOME and
# PATH of the chroot.
#
# Environment: REDMINE_CHROOT_DIR (default /var/cache/sup-sla-sync): where the chroots are
# kept, as chroot-6.0 and chroot-6.1 (about 0.5 GB each). Needs root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${REDMINE_CHROOT_DIR:-/var/cache/sup-sla-sync}
MIRROR=http://deb.debian.org/debian
# What a ready chroot holds; a change here makes the next build start over.
LAYOUT=1

log() { printf 'chroot.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

suite_of() {
  case $1 in
    6.0) echo trixie ;;
    6.1) echo sid ;;
    *) die "REDMINE_VERSION=$1: a chroot is for 6.0 (Debian trixie) or 6.1 (Debian sid)" ;;
  esac
}

need_root() {
  [ "$(id -u)" -eq 0 ] ||
    die "Redmine $1 runs in a chroot ($2), which needs root: run the tests as root, or use REDMINE_VERSION=5.0"
  unshare --mount --propagation private true 2>/dev/null ||
    die "Redmine $1 runs in a chroot ($2) with mounts of its own, and 'unshare --mount' fails here (a container without CAP_SYS_ADMIN?): use REDMINE_VERSION=5.0 on this machine"
}

# mounts ROOT DIR...: (in a private mount namespace) /proc, /dev and each DIR at its path.
mounts() {
  local root=$1 d
  shift
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  for d in "$@"; do
    [ -d "$d" ] || continue
    d=$(bind_point "$root" "$d") || continue
    mountpoint -q "$root$d" && continue
    mkdir -p "$root$d"
    mount --bind "$d" "$root$d"
  done
}

# bind_point ROOT DIR: the shallowest directory on DIR's path that the chroot lacks or
# has empty (/tmp, /work, ...: bound whole, once, so no mount points pile up in the
# chroot); nothing when every one is a non-empty directory of the chroot's own (e.g.
# /etc/redmine/default: the chroot's Redmine must not see the host's).
bind_point() {
  local root=$1 dir=$2 a=""
  local IFS=/ part
  for part in ${dir#/}; do
    a=$a/$part
    if [ ! -d "$root$a" ] || [ -z "$(ls -A "$root$a" 2>/dev/null)" ] || mountpoint -q "$root$a"; then
      echo "$a"
      return 0
    fi
  done
  return 1
}

# in_ns ROOT DIR... -- CMD...: CMD chrooted into ROOT with the mounts, in a namespace of
# its own; exec all the way down, so CMD keeps this process' pid.
in_ns() {
  local root=$1
  shift
  local dirs=()
  while [ "$1" != -- ]; do dirs+=("$1"); shift; done
  shift
  exec unshare --mount --propagation private -- bash -c '
    set -e
    . "$0" --functions
    root=$1; n=$2; shift 2
    mounts "$root" "${@:1:$n}"
    shift "$n"
    exec chroot "$root" /usr/bin/env HOME=/root \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
  ' "${BASH_SOURCE[0]}" "$root" "${#dirs[@]}" "${dirs[@]}" "$@"
}

# settle_pristine ROOT: Rails 7.2 (Redmine 6) keeps SQLite in WAL mode, and the database
# the package made still has most of its pages in redmine_default-wal: write them into
# the file and make it a rollback-journal one, so that start.sh copies a whole database
# with `cp`, as on 5.0 (Redmine turns WAL on again in its copy).
settle_pristine() {
  local root=$1 db
  db=$root$(sed -n 's/^ *database: *//p' "$root/etc/redmine/default/database.yml" | head -n 1)
  [ -f "$db" ] || { log "no database file $db"; return 1; }
  python3 - "$db" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
conn.close()
assert mode == "delete", mode
PY
}

ready() { # ROOT
  [ "$(cat "$1/.sup-sla-sync-ready" 2>/dev/null)" = "$LAYOUT" ]
}

build() { # VERSION
  local version=$1 suite root
  suite=$(suite_of "$version")
  root=$CACHE/chroot-$version
  if ready "$root"; then
    echo "$root"
    return 0
  fi
  need_root "$version" "$root"
  mkdir -p "$CACHE"
  # One build at a time per version; a second caller waits and finds it ready.
  exec 8>"$CACHE/.chroot-$version.lock"
  flock -w 1800 8 || die "timed out waiting for another build of $root ($CACHE/.chroot-$version.lock)"
  if ready "$root"; then
    echo "$root"
    return 0
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    . "$HERE/../services/common.sh"
    log "installing debootstrap on the host (apt-get)"
    apt_install debootstrap "command -v debootstrap"
  fi
  local tmp=$root.building out=$CACHE/chroot-$version.build.log
  rm -rf "$tmp" "$root"
  log "building Redmine $version's chroot: debootstrap $suite into $root (once; about 2 minutes, 0.5 GB; log: $out)"
  : >"$out"
  if ! debootstrap --variant=minbase "$suite" "$tmp" "$MIRROR" >>"$out" 2>&1; then
    tail -n 30 "$out" >&2
    rm -rf "$tmp"
    die "debootstrap $suite $tmp $MIRROR failed (full log: $out)"
  fi
  # No daemon may start in the chroot while packages install.
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod 0755 "$tmp/usr/sbin/policy-rc.d"
  # sid's Release file may be past its Valid-Until on a mirror snapshot.
  printf 'Acquire::Check-Valid-Until "false";\n' >"$tmp/etc/apt/apt.conf.d/99sup-sla-sync"
  log "installing redmine redmine-sqlite in the chroot (apt-get)"
  if ! (in_ns "$tmp" -- sh -c '
      set -e
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q
      apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        redmine redmine-sqlite
      apt-get clean
      mkdir -p /usr/share/redmine/tmp/cache /usr/share/redmine/tmp/pids /usr/share/redmine/tmp/sockets
      chown -R www-data:www-data /usr/share/redmine/tmp/
      test -r /etc/redmine/default/database.yml
    ') >>"$out" 2>&1; then
    tail -n 40 "$out" >&2
    die "installing redmine in the $suite chroot $tmp failed (full log: $out; the chroot is kept for a look and rebuilt next time)"
  fi
  rm -f "$tmp/usr/sbin/policy-rc.d"
  settle_pristine "$tmp" || die "cannot settle the pristine database in $tmp (see above)"
  echo "$LAYOUT" >"$tmp/.sup-sla-sync-ready"
  mv "$tmp" "$root"
  log "Redmine $(cat "$root/usr/share/redmine/lib/redmine/version.rb" 2>/dev/null |
    sed -n 's/^ *\(MAJOR\|MINOR\|TINY\) *= *\([0-9]*\).*/\2/p' | paste -sd.) ready in $root"
  echo "$root"
}

# exec VERSION CMD...: CMD (e.g. bin/rails server ...) in /usr/share/redmine in the chroot.
run() {
  local version=$1 root
  shift
  root=$CACHE/chroot-$version
  suite_of "$version" >/dev/null
  ready "$root" || die "no chroot for Redmine $version in $root: run scripts/redmine/chroot.sh build $version"
  need_root "$version" "$root"
  local dirs=("$HERE") a
  if [ -n "${DATABASE_URL:-}" ]; then
    a=${DATABASE_URL#sqlite3:}
    dirs+=("$(dirname "$a")")
  fi
  for a in "$@"; do
    case $a in
      /*) if [ -d "$a" ]; then dirs+=("$a"); else dirs+=("$(dirname "$a")"); fi ;;
    esac
  done
  in_ns "$root" "${dirs[@]}" -- sh -c 'cd /usr/share/redmine && exec "$@"' sh "$@"
}

[ "${1:-}" = --functions ] && return 0

case ${1:-} in
  build) build "${2:?VERSION}" ;;
  exec) shift; v=${1:?VERSION}; shift; run "$v" "$@" ;;
  path) suite_of "${2:?VERSION}" >/dev/null; echo "$CACHE/chroot-$2" ;;
  *) die "usage: chroot.sh build|exec|path VERSION [CMD...]" ;;
esac
