# Shared helpers for scripts/services/*.sh (sourced, not run).

die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# apt_install PACKAGE COMMAND: install PACKAGE from Debian's packages unless
# COMMAND already exists; `apt-get update` first only if apt does not know it.
apt_install() {
  local package=$1 probe=$2
  if eval "$probe" >/dev/null 2>&1; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "$package is not installed and there is no apt-get"
  [ "$(id -u)" = 0 ] || die "$package is not installed; as root: apt-get install $package"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show "$package" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null || die "apt-get update failed"
  fi
  apt-get install -y -qq --no-install-recommends "$package" >/dev/null \
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
