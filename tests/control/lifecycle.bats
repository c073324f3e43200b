#!/usr/bin/env bats
# start, stop, uninstall, update and test against a fake docker CLI and a fake
# cargo: the control flow, idempotence, roll-back and clean-up rules, no engine.

load helpers

setup() {
  control_setup
  use_fake_docker
}

teardown() {
  control_teardown
}

# The three components, created but not yet running, with the health they will show.
fake_stack() {
  fake_container docker-socket-proxy created "${1:-healthy}"
  fake_container homepage created "${2:-healthy}"
  fake_container wakapi created "${3:-healthy}"
}

@test "start brings each component up in order and reports where it answers" {
  fake_stack
  run_control start
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"info: docker-socket-proxy: starting"*"docker-socket-proxy: healthy after "* ]]
  [[ "${stderr}" == *"info: homepage: healthy after "*"info: wakapi: healthy after "* ]]
  [[ "${stderr}" == *"dashboard (homepage): http://127.0.0.1:${HOMEPAGE_PORT}"* ]]
  [[ "${stderr}" == *"wakapi: http://127.0.0.1:${WAKAPI_PORT}"* ]]
  [[ "${stderr}" == *"s in total)"* ]]
  run grep -o 'up -d .*' "${FAKE_DIR}/calls"
  [ "${output}" == "up -d ${PREFIX}-docker-socket-proxy
up -d ${PREFIX}-homepage
up -d ${PREFIX}-wakapi" ]
}

@test "compose gets every setting in its environment, literally" {
  local marker="${BATS_TEST_TMPDIR}/touched"
  override TSYS_PROXY_LABEL_NAME "\$(touch ${marker}) \"q\" 'q'"
  fake_stack
  run_control start
  [ "${status}" -eq 0 ]
  grep -qxF "TSYS_PROXY_LABEL_NAME=\$(touch ${marker}) \"q\" 'q'" "${FAKE_DIR}/compose.env"
  grep -qxF "TSYS_PROJECT_NAME=${PROJECT}" "${FAKE_DIR}/compose.env"
  [ ! -e "${marker}" ]
  # The script's own environment does not keep them.
  [[ "$(grep -c '^docker compose -p' "${FAKE_DIR}/calls")" -ge 1 ]]
}

@test "start generates the wakapi salt once, keeps it private and never prints it" {
  fake_stack
  DEBUG=1 run_control start
  [ "${status}" -eq 0 ]
  local file="${TSYS_STATE_DIR}/wakapi-password-salt" salt
  [ -f "${file}" ]
  [ "$(stat -c %a "${TSYS_STATE_DIR}")" == 700 ]
  [ "$(stat -c %a "${file}")" == 600 ]
  salt="$(<"${file}")"
  [[ "${salt}" =~ ^[A-Za-z0-9]{32}$ ]]
  [[ "${stderr}" != *"${salt}"* ]]
  [[ "${output}" != *"${salt}"* ]]
  run grep -rF "${salt}" "${TSYS_LOG_DIR}"
  [ "${status}" -ne 0 ]
  grep -qxF "TSYS_WAKAPI_PASSWORD_SALT=${salt}" "${FAKE_DIR}/compose.env"
  # Reused on the next start.
  run_control start
  [ "${status}" -eq 0 ]
  [ "$(<"${file}")" == "${salt}" ]
  grep -qxF "TSYS_WAKAPI_PASSWORD_SALT=${salt}" "${FAKE_DIR}/compose.env"
}

@test "a salt from the settings is used and nothing is written" {
  override TSYS_WAKAPI_PASSWORD_SALT 0123456789abcdefXYZ
  fake_stack
  run_control start
  [ "${status}" -eq 0 ]
  [ ! -e "${TSYS_STATE_DIR}" ]
  grep -qxF "TSYS_WAKAPI_PASSWORD_SALT=0123456789abcdefXYZ" "${FAKE_DIR}/compose.env"
}

@test "a second start on a healthy stack succeeds and says so" {
  fake_stack
  run_control start
  [ "${status}" -eq 0 ]
  run_control start
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"docker-socket-proxy: already healthy"* ]]
  [[ "${stderr}" == *"wakapi: already healthy"* ]]
  [[ "${stderr}" == *"all components were already healthy"* ]]
}

@test "an unhealthy component fails start with exit 1, its output, and a roll-back" {
  fake_stack healthy unhealthy
  run_control start
  show
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"error: failed to start 'homepage': unhealthy"* ]]
  [[ "${stderr}" == *"probe of ${PREFIX}-homepage said no"* ]]
  [[ "${stderr}" == *"fake log line 2"* ]]
  [[ "${stderr}" == *"hint: "* ]]
  local removed="'${PREFIX}-docker-socket-proxy' '${PREFIX}-homepage'"
  [[ "${stderr}" == *"rolled back: stopped and removed ${removed}; volumes and networks"* ]]
  [[ "${stderr}" != *"wakapi: starting"* ]]
  grep -q '^docker rm -f id-docker-socket-proxy id-homepage$' "${FAKE_DIR}/calls"
  run grep -c '' "${FAKE_DIR}/containers"
  [ "${output}" -eq 1 ]
}

@test "a roll-back spares containers that ran before this start" {
  fake_container docker-socket-proxy running healthy
  fake_container homepage created unhealthy
  fake_container wakapi created healthy
  run_control start
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"rolled back: stopped and removed '${PREFIX}-homepage'; volumes"* ]]
  grep -q '^id-docker-socket-proxy .* running ' "${FAKE_DIR}/containers"
}

@test "TSYS_KEEP_ON_FAILURE=1 and --keep-on-failure keep the failed containers" {
  fake_stack unhealthy
  TSYS_KEEP_ON_FAILURE=1 run_control start
  show
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"kept for inspection (TSYS_KEEP_ON_FAILURE=1): '${PREFIX}-docker-socket"* ]]
  run grep -c '^docker rm' "${FAKE_DIR}/calls"
  [ "${output}" -eq 0 ]
  run_control --keep-on-failure start
  [ "${status}" -eq 1 ]
}

@test "a container that exits fails start with its state" {
  fake_container docker-socket-proxy created healthy
  fake_container homepage created healthy
  fake_container wakapi exited none
  run_control start
  show
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"failed to start 'wakapi': exited"* ]]
}

@test "a failing 'compose up' fails start with exit 1" {
  fake_stack
  export FAKE_UP_RC=1
  run_control start
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"failed to start 'docker-socket-proxy': 'compose up' failed"* ]]
}

@test "stop removes containers and networks, keeps volumes, and runs twice" {
  fake_stack
  printf 'net1 %s-Network-Frontend %s\n' "${PREFIX}" "${PROJECT}" >"${FAKE_DIR}/networks"
  printf '%s-wakapi-data %s\n' "${PREFIX}" "${PROJECT}" >"${FAKE_DIR}/volumes"
  run_control start
  [ "${status}" -eq 0 ]
  run_control stop
  show
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"stopped '${PROJECT}': removed '${PREFIX}-docker-socket-proxy'"* ]]
  grep -q 'down --remove-orphans$' "${FAKE_DIR}/calls"
  [ ! -s "${FAKE_DIR}/containers" ]
  [ ! -s "${FAKE_DIR}/networks" ]
  [ -s "${FAKE_DIR}/volumes" ]
  run_control stop
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"stack '${PROJECT}' is already stopped"* ]]
}

@test "uninstall removes the project's objects and prefixed leftovers, nothing else" {
  fake_stack
  run_control start
  [ "${status}" -eq 0 ]
  [ -f "${TSYS_STATE_DIR}/wakapi-password-salt" ]
  # Leftovers of another project that carry the prefix, and look-alikes that do not.
  cat >>"${FAKE_DIR}/containers" <<EOT
id-left ${PREFIX}-leftover otherproject svc exited none -
id-mid other-${PREFIX}-x otherproject svc running none -
id-low tsysdevstack-supportstack-demo-x otherproject svc running none -
EOT
  cat >"${FAKE_DIR}/networks" <<EOT
net-own ${PREFIX}-Network-Frontend ${PROJECT}
net-left ${PREFIX}-Network-Old otherproject
net-other bridge-${PREFIX} otherproject
EOT
  cat >"${FAKE_DIR}/volumes" <<EOT
${PREFIX}-wakapi-data ${PROJECT}
${PREFIX}-old-data otherproject
unrelated-data otherproject
EOT
  run_control uninstall
  show
  [ "${status}" -eq 0 ]
  grep -q 'down -v --remove-orphans$' "${FAKE_DIR}/calls"
  [ "$(cut -d' ' -f1 "${FAKE_DIR}/containers" | sort | tr '\n' ' ')" == "id-low id-mid " ]
  [ "$(cut -d' ' -f1 "${FAKE_DIR}/networks")" == net-other ]
  [ "$(cut -d' ' -f1 "${FAKE_DIR}/volumes")" == unrelated-data ]
  [ ! -e "${TSYS_STATE_DIR}" ]
  # Images are kept: uninstall may look them up, never remove them.
  run grep -cE '^docker (image rm|rmi|image prune)' "${FAKE_DIR}/calls"
  [ "${output}" -eq 0 ]
  run_control uninstall
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"nothing to remove"* ]]
}

@test "uninstall keeps a state folder holding files it did not write" {
  mkdir -p "${TSYS_STATE_DIR}"
  printf 'x\n' >"${TSYS_STATE_DIR}/wakapi-password-salt"
  printf 'mine\n' >"${TSYS_STATE_DIR}/notes"
  run_control uninstall
  show
  [ "${status}" -eq 0 ]
  [ ! -e "${TSYS_STATE_DIR}/wakapi-password-salt" ]
  [ -f "${TSYS_STATE_DIR}/notes" ]
  [[ "${stderr}" == *"kept the state folder"* ]]
}

@test "update with a failing pull exits 1, says nothing changed, starts nothing" {
  fake_stack
  export FAKE_PULL_RC=1
  run_control update
  show
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"failed to pull the images of '${PROJECT}'; nothing was changed"* ]]
  [[ "${stderr}" == *"hint: a container registry must be reachable"* ]]
  run grep -c ' up ' "${FAKE_DIR}/calls"
  [ "${output}" -eq 0 ]
  [ ! -e "${TSYS_STATE_DIR}/wakapi-password-salt" ]
}

@test "update pulls, then starts with the health gate" {
  fake_stack
  run_control update
  show
  [ "${status}" -eq 0 ]
  run grep -oE ' (pull|up -d [^ ]+)$' "${FAKE_DIR}/calls"
  [ "${lines[0]}" == " pull" ]
  [ "${lines[1]}" == " up -d ${PREFIX}-docker-socket-proxy" ]
}

# A copy of the script in a tree of its own: ROOT/artifacts/SupportStack/.
copy_script_to() {
  mkdir -p "$1/artifacts/SupportStack/compose"
  cp "${CONTROL}" "${SHIPPED_SETTINGS}" "$1/artifacts/SupportStack/"
  cp "$(dirname "${CONTROL}")"/compose/*.yml "$1/artifacts/SupportStack/compose/"
}

@test "test exits 3 without a Cargo.toml in the repository root" {
  local root="${BATS_TEST_TMPDIR}/tree"
  copy_script_to "${root}"
  run --separate-stderr \
    "${root}/artifacts/SupportStack/TSYSDevStack-SupportStack-Demo-Control.sh" test
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"failed to find the conformance suite '${root}/Cargo.toml'"* ]]
}

@test "test exits 3 without cargo, and passes cargo's verdict on as 0 or 1" {
  local root="${BATS_TEST_TMPDIR}/tree" script bin="${BATS_TEST_TMPDIR}/cargo-bin"
  copy_script_to "${root}"
  script="${root}/artifacts/SupportStack/TSYSDevStack-SupportStack-Demo-Control.sh"
  : >"${root}/Cargo.toml"
  mkdir -p "${bin}"
  for tool in bash env readlink dirname date mkdir; do
    ln -sf "$(command -v "${tool}")" "${bin}/${tool}"
  done
  run --separate-stderr /usr/bin/env PATH="${bin}" "${script}" test
  show
  [ "${status}" -eq 3 ]
  [[ "${stderr}" == *"failed to find cargo"* ]]
  printf '#!/bin/sh\necho "cargo $* in $(pwd)"\nexit "${FAKE_CARGO_RC:-0}"\n' >"${bin}/cargo"
  chmod +x "${bin}/cargo"
  run --separate-stderr /usr/bin/env PATH="${bin}:${PATH}" "${script}" test
  show
  [ "${status}" -eq 0 ]
  [ "${output}" == "cargo test in ${root}" ]
  run --separate-stderr /usr/bin/env PATH="${bin}:${PATH}" FAKE_CARGO_RC=101 "${script}" test
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"failed to pass the conformance suite (cargo test exited with 101)"* ]]
}
