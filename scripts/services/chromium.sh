#!/usr/bin/env bash
# Installs Debian's chromium if missing (the HTML report's browser test needs it), waiting
# for the package manager's lock like the other installs.
#
#   scripts/services/chromium.sh
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
apt_install chromium "command -v chromium"
