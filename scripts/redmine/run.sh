#!/usr/bin/env bash
# Runs CMD in Redmine's directory (/usr/share/redmine) of the Redmine that
# REDMINE_VERSION selects: 5.0 (the default) is the host's Debian package, 6.0 and
# 6.1 run in their chroot (chroot.sh; built by start.sh). The environment passes through
# (TZ, DATABASE_URL, RAILS_ENV, RUBYOPT ...), and so does the pid: CMD replaces this
# process.
#
#   DATABASE_URL=sqlite3:/abs/db.sqlite3 scripts/redmine/run.sh bin/rails runner -e production /abs/script.rb
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=${REDMINE_VERSION:-5.0}
case $version in
  5.0) cd /usr/share/redmine && exec "$@" ;;
  6.0 | 6.1) exec "$HERE/chroot.sh" exec "$version" "$@" ;;
  *) printf 'run.sh: REDMINE_VERSION=%s: one of 5.0, 6.0, 6.1\n' "$version" >&2; exit 2 ;;
esac
