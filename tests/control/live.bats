#!/usr/bin/env bats
# The control script against the real Docker engine, on the local stand-in images
# (tests/standins). Runs only with TSYS_LIVE=1; uses the default project name and
# prefix, so it must not run while another copy of the stack is up on this engine.
# Each verb runs twice: verbs are idempotent. The stack is uninstalled at the end,
# whatever happened, unless TSYS_LIVE_KEEP=1.

load helpers

STANDINS="${BATS_TEST_DIRNAME}/../standins"

live_enabled() {
  [[ "${TSYS_LIVE:-0}" == 1 ]]
}

setup_file() {
  if ! live_enabled; then
    return 0
  fi
  export NO_COLOR=1
  export TSYS_LOG_DIR="${BATS_FILE_TMPDIR}/logs"
  export TSYS_STATE_DIR="${BATS_FILE_TMPDIR}/state"
  export TSYS_SETTINGS_OVERRIDES="${STANDINS}/TSYSDevStack-SupportStack-Demo-Settings.standins"
  unset TSYS_SETTINGS TSYS_KEEP_ON_FAILURE DEBUG
  local built line
  built="$("${STANDINS}/build.sh")"
  # As TAP comments, so the build's report does not break the TAP stream.
  while IFS= read -r line; do
    printf '# %s\n' "${line}" >&3
  done <<<"${built}"
}

teardown_file() {
  if live_enabled && [[ "${TSYS_LIVE_KEEP:-0}" != 1 ]]; then
    "${CONTROL}" uninstall >/dev/null 2>&1 || true
  fi
}

setup() {
  if ! live_enabled; then
    skip "needs a Docker engine and the stand-in images; run with TSYS_LIVE=1"
  fi
}

# Names of containers, networks or volumes that start with the prefix (matched here:
# docker's name filters match substrings).
prefixed() {
  local kind="$1"
  case "${kind}" in
    container) docker ps -a --format '{{.Names}}' ;;
    network) docker network ls --format '{{.Name}}' ;;
    volume) docker volume ls --format '{{.Name}}' ;;
  esac | while IFS= read -r name; do
    if [[ "${name}" == "${PREFIX}"* ]]; then
      printf '%s\n' "${name}"
    fi
  done
}

@test "live: start brings every component up healthy" {
  run --separate-stderr "${CONTROL}" start
  show
  [ "${status}" -eq 0 ]
  for component in docker-socket-proxy homepage wakapi; do
    [[ "${stderr}" == *"info: ${component}: healthy after "* ]]
  done
  [ "$(docker inspect -f '{{.State.Health.Status}}' "${PREFIX}-wakapi")" == healthy ]
  [ -f "${TSYS_STATE_DIR}/wakapi-password-salt" ]
}

@test "live: a second start succeeds and finds the stack already healthy" {
  run --separate-stderr "${CONTROL}" start
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"all components were already healthy"* ]]
}

@test "live: stop leaves no running container of the project, keeps the volume" {
  run --separate-stderr "${CONTROL}" stop
  show
  [ "${status}" -eq 0 ]
  [ -z "$(docker ps -q --filter "label=com.docker.compose.project=${PROJECT}")" ]
  [ -z "$(prefixed container)" ]
  [ -z "$(prefixed network)" ]
  [ "$(prefixed volume)" == "${PREFIX}-wakapi-data" ]
}

@test "live: a second stop succeeds and says already stopped" {
  run --separate-stderr "${CONTROL}" stop
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"is already stopped"* ]]
}

@test "live: start after stop brings the stack back" {
  run --separate-stderr "${CONTROL}" start
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"info: wakapi: healthy after "* ]]
}

@test "live: uninstall removes every prefixed container, network and volume" {
  run --separate-stderr "${CONTROL}" uninstall
  show
  [ "${status}" -eq 0 ]
  [ -z "$(prefixed container)" ]
  [ -z "$(prefixed network)" ]
  [ -z "$(prefixed volume)" ]
  [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=${PROJECT}")" ]
  [ ! -e "${TSYS_STATE_DIR}" ]
  # Images are kept.
  docker image inspect tsysdevstack-supportstack-demo-standin-sockproxy:test >/dev/null
}

@test "live: a second uninstall succeeds and says nothing to remove" {
  run --separate-stderr "${CONTROL}" uninstall
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"nothing to remove"* ]]
}
