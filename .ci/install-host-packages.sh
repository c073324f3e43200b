#!/usr/bin/env bash
# Installs what the tests need on a bare Debian bookworm machine: a Docker engine,
# Compose v2, and the shell tooling. Backports is reached by adding the suite to the
# machine's existing Debian sources entry, so no package host is named here.
set -Eeuo pipefail

sources=/etc/apt/sources.list.d/debian.sources

add_backports_suite() {
  if grep -Eq '^Suites:.*bookworm-backports' "${sources}"; then
    return 0
  fi
  # Only the first Suites line (the main archive) gains backports; the security
  # entry has no backports suite.
  sed -i '0,/^Suites: bookworm /s//Suites: bookworm bookworm-backports /' "${sources}"
}

main() {
  if [[ ! -f "${sources}" ]]; then
    echo "error: failed to find '${sources}'" >&2
    echo "hint: this script expects a Debian bookworm machine with deb822 sources" >&2
    exit 3
  fi
  add_backports_suite
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    docker.io busybox-static haproxy bats shellcheck iproute2 >/dev/null
  apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    docker-compose >/dev/null
}

main "$@"
