# Shared helpers for scripts/services/*.sh (sourced, not run).

die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# Another install on a shared machine holds the package manager's lock for a while:
# every apt-get waits up to 10 minutes for it (printing "Waiting for cache lock")
# instead of failing at once.
APT_WAIT=(-o DPkg::Lock::Timeout=600)

# apt_update: `apt-get update`, waiting as well. The lists lock it takes is not covered
# by DPkg::Lock::Timeout (apt 2.6 fails at once), so retry while another apt holds it.
apt_update() {
  local waited=0 err
  until err=$(apt-get "${APT_WAIT[@]}" update -qq 2>&1 >/dev/null); do
    case $err in
      *"Could not get lock"*) [ "$waited" -lt 600 ] || die "apt-get update: lock still held: $err" ;;
      *) die "apt-get update failed: $err" ;;
    esac
    [ "$waited" -gt 0 ] || printf '%s: waiting for the package lists lock\n' "$(basename "$0")" >&2
    sleep 5
    waited=$((waited + 5))
  done
}

# apt_install PACKAGE COMMAND: install PACKAGE from Debian's packages unless
# COMMAND already exists; `apt-get update` first only if apt does not know it.
apt_install() {
  local package=$1 probe=$2
  if eval "$probe" >/dev/null 2>&1; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "$package is not installed and there is no apt-get"
  [ "$(id -u)" = 0 ] || die "$package is not installed; as root: apt-get install $package"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show "$package" >/dev/null 2>&1; then
    apt_update
  fi
  apt-get "${APT_WAIT[@]}" install -y -qq --no-install-recommends "$package" >/dev/null \
    || die "apt-get install $package failed"
  eval "$probe" >/dev/null 2>&1 || die "$package installed, but '$probe' still fails"
}

# A free TCP port on 127.0.0.1 (the kernel's choice; taken again at once by the caller).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pid_alive PIDFILE: the pid in PIDFILE is a running process.
pid_alive() {
  [ -s "$1" ] && kill -0 "$(head -n 1 "$1")" 2>/dev/null
}
