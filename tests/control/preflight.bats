#!/usr/bin/env bats
# The host checks of start, update, stop and uninstall, against a fake docker CLI
# (tests/control/fake-docker): no Docker engine is needed.

load helpers

setup() {
  control_setup
  use_fake_docker
}

teardown() {
  control_teardown
}

# A PATH holding only the tools the script needs before its docker check.
path_without_docker() {
  local dir="${BATS_TEST_TMPDIR}/bare" tool
  mkdir -p "${dir}"
  for tool in bash env readlink dirname sort date mkdir cat head tr grep sed; do
    ln -sf "$(command -v "${tool}")" "${dir}/${tool}"
  done
  printf '%s\n' "${dir}"
}

@test "without a docker CLI, start exits 3 with a hint" {
  run_with_path "$(path_without_docker)" start
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"error: failed to find the docker CLI"* ]]
  [[ "${stderr}" == *"hint: install"* ]]
}

@test "with the daemon down, start, stop and uninstall exit 3 with a hint" {
  export FAKE_DAEMON=down
  for verb in start stop uninstall update; do
    run_control "${verb}"
    if [[ "${status}" -ne 3 ]] || [[ "${stderr}" != *"failed to reach the Docker daemon"* ]] ||
      [[ "${stderr}" != *"hint: start it"* ]] ||
      [[ "${stderr}" != *"Cannot connect to the Docker daemon"* ]]; then
      printf 'verb %s\n' "${verb}" >&2
      show
      return 1
    fi
  done
}

@test "with only Compose v1, start exits 3 and says v1 is not supported" {
  export FAKE_COMPOSE_VERSION=none FAKE_STANDALONE_VERSION=1.29.2
  use_fake_standalone_compose
  run_control start
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"failed to find Compose v2: only 'docker-compose 1.29.2' (v1)"* ]]
  [[ "${stderr}" == *"Compose v1 is not supported"* ]]
  [[ "${stderr}" == *"hint: install the docker compose plugin"* ]]
}

@test "with no Compose at all, start exits 3" {
  export FAKE_COMPOSE_VERSION=none
  # A docker-compose that is not on PATH: the fake bin holds none, and the rest of
  # PATH is cut down to the basic tools.
  local bare
  bare="$(path_without_docker)"
  for tool in timeout awk mv touch basename python3; do
    ln -sf "$(command -v "${tool}")" "${bare}/${tool}"
  done
  run_with_path "${BATS_TEST_TMPDIR}/bin:${bare}" start
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"failed to find Compose v2 ('docker compose' or 'docker-compose')"* ]]
}

@test "a standalone docker-compose v2 is used when the plugin is missing" {
  export FAKE_COMPOSE_VERSION=none FAKE_STANDALONE_VERSION=2.26.1
  use_fake_standalone_compose
  fake_container docker-socket-proxy running healthy
  fake_container homepage running healthy
  fake_container wakapi running healthy
  run_control start
  show
  [ "${status}" -eq 0 ]
  grep -q '^docker-compose -p tsysdevstack-supportstack-demo .* up -d' "${FAKE_DIR}/calls"
}

@test "a missing Docker socket exits 3" {
  override TSYS_DOCKER_SOCKET "${BATS_TEST_TMPDIR}/no.sock"
  run_control start
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"failed to find the Docker socket '${BATS_TEST_TMPDIR}/no.sock'"* ]]
}

@test "a busy host port exits 3 naming port and setting, and changes nothing" {
  start_listener
  override TSYS_WAKAPI_HOST_PORT "${BUSY_PORT}"
  run_control start
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"failed to reserve host port '127.0.0.1:${BUSY_PORT}'"* ]]
  [[ "${stderr}" == *"(TSYS_WAKAPI_HOST_PORT): it is in use"* ]]
  [[ "${stderr}" == *"hint: "* ]]
  # Nothing was started and no salt was written.
  run grep -c ' up ' "${FAKE_DIR}/calls"
  [ "${output}" -eq 0 ]
  [ ! -e "${TSYS_STATE_DIR}" ]
}

@test "a port held by the stack's own running container is not busy" {
  start_listener
  override TSYS_HOMEPAGE_HOST_PORT "${BUSY_PORT}"
  override TSYS_HOMEPAGE_ALLOWED_HOSTS "127.0.0.1:${BUSY_PORT}"
  fake_container docker-socket-proxy running healthy
  fake_container homepage running healthy "127.0.0.1:${BUSY_PORT}"
  fake_container wakapi running healthy
  run_control start
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"127.0.0.1:${BUSY_PORT} (TSYS_HOMEPAGE_HOST_PORT) is held by this stack's"* ]]
}

@test "a Compose model that does not validate exits 2" {
  export FAKE_CONFIG_RC=1
  run_control start
  show
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"failed to validate the Compose model of project '${PROJECT}'"* ]]
}

@test "stop and uninstall ignore busy ports" {
  start_listener
  override TSYS_HOMEPAGE_HOST_PORT "${BUSY_PORT}"
  run_control stop
  show
  [ "${status}" -eq 0 ]
  run_control uninstall
  [ "${status}" -eq 0 ]
}

@test "without ss, a busy port is still found (by a loopback connect)" {
  start_listener
  override TSYS_HOMEPAGE_HOST_PORT "${BUSY_PORT}"
  local bare
  bare="$(path_without_docker)"
  for tool in timeout awk mv touch basename env python3 stat; do
    ln -sf "$(command -v "${tool}")" "${bare}/${tool}"
  done
  run_with_path "${BATS_TEST_TMPDIR}/bin:${bare}" start
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"failed to reserve host port '127.0.0.1:${BUSY_PORT}'"* ]]
}

@test "an unexpected failure is reported with file and line, exit 1" {
  run --separate-stderr bash -c 'source "$1"; install_traps; broken() { false; }; broken' \
    _ "${CONTROL}"
  show
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"error: failed to run '"*"': a command exited with 1"* ]]
  [[ "${stderr}" =~ at\ .*:[0-9]+ ]]
  [[ "${stderr}" == *"hint: "*"DEBUG=1"* ]]
}

@test "a TSYS_PREFIX that does not match the Compose service names exits 2" {
  override TSYS_PREFIX Other
  override TSYS_PROXY_CONTAINER Other-proxy
  override TSYS_HOMEPAGE_CONTAINER Other-homepage
  override TSYS_WAKAPI_CONTAINER Other-wakapi
  override TSYS_NETWORK_SOCKPROXY Other-sockproxy
  override TSYS_NETWORK_FRONTEND Other-frontend
  run_control start
  show
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"failed to find service 'Other-docker-socket-proxy' in the Compose model"* ]]
}
