#!/usr/bin/env bash
# The browser tests (test/e2e/web-*.test.ts) drive a system Chromium: $DIALER_CHROMIUM, else
# /usr/bin/chromium (playwright-core brings no browser). `npm test` runs this first (pretest), and
# so does .ci/run through it: when the browser is missing it installs Debian's chromium package if
# this user may (root, or sudo without a password prompt), otherwise it stops and says how.
set -uo pipefail

browser=${DIALER_CHROMIUM:-/usr/bin/chromium}
[ -x "$browser" ] && exit 0

if [ -n "${DIALER_CHROMIUM:-}" ]; then
  echo "DIALER_CHROMIUM=$browser is not an executable file; point it at a Chromium or Chrome binary." >&2
  exit 1
fi

install='apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium'
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "The browser tests need Chromium; installing the chromium package..." >&2
    sh -c "$install"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "The browser tests need Chromium; installing the chromium package with sudo..." >&2
    sudo -n sh -c "$install"
  fi
fi
[ -x "$browser" ] && exit 0

cat >&2 <<'MSG'
The browser tests need Chromium at /usr/bin/chromium. It is missing and could not be installed
here (that takes apt-get and root, or sudo without a password). Install it, then run npm test again:

  sudo apt-get install --no-install-recommends chromium     # Debian 12+

or point DIALER_CHROMIUM at a Chromium or Chrome binary:  DIALER_CHROMIUM=/path/to/chrome npm test
MSG
exit 1
