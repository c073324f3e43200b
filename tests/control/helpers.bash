# Shared setup of the control script's tests. Nothing here needs a Docker engine:
# tests that must simulate one put tests/control/fake-docker first on PATH.

bats_require_minimum_version 1.5.0

CONTROL="$(cd "${BATS_TEST_DIRNAME}/../../artifacts/SupportStack" && pwd)"
CONTROL="${CONTROL}/TSYSDevStack-SupportStack-Demo-Control.sh"
SHIPPED_SETTINGS="$(dirname "${CONTROL}")/TSYSDevStack-SupportStack-Demo-Settings"
PROJECT=tsysdevstack-supportstack-demo
PREFIX=TSYSDevStack-SupportStack-Demo

# Every test gets its own log and state folders and no inherited switches.
control_setup() {
  export TSYS_LOG_DIR="${BATS_TEST_TMPDIR}/logs"
  export TSYS_STATE_DIR="${BATS_TEST_TMPDIR}/state"
  export NO_COLOR=1
  unset TSYS_SETTINGS TSYS_SETTINGS_OVERRIDES TSYS_KEEP_ON_FAILURE DEBUG
  OVERRIDES="${BATS_TEST_TMPDIR}/overrides"
  : >"${OVERRIDES}"
  LISTENER_PID=""
}

control_teardown() {
  if [[ -n "${LISTENER_PID}" ]]; then
    kill "${LISTENER_PID}" 2>/dev/null || true
  fi
}

# override KEY VALUE: set a line of this test's overrides file (replacing KEY's line).
override() {
  local rest
  rest="$(grep -v "^$1=" "${OVERRIDES}" || true)"
  printf '%s\n' "${rest}" | sed '/^$/d' >"${OVERRIDES}"
  printf '%s=%s\n' "$1" "$2" >>"${OVERRIDES}"
}

# A copy of the shipped settings with TEXT appended; prints its path.
settings_with() {
  local file="${BATS_TEST_TMPDIR}/settings"
  cp "${SHIPPED_SETTINGS}" "${file}"
  printf '%s\n' "$@" >>"${file}"
  printf '%s\n' "${file}"
}

# Listeners, free ports and socket files are made with python3 (on this project's
# machines); without it the test is skipped with that reason.
require_python() {
  if ! command -v python3 >/dev/null 2>&1; then
    skip "python3 is needed to open listeners and make a socket file"
  fi
}

# A port nobody listens on at 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Listen on a free 127.0.0.1 port in the background; sets BUSY_PORT and LISTENER_PID.
start_listener() {
  require_python
  local port_file="${BATS_TEST_TMPDIR}/listener.port"
  python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(300)' >"${port_file}" 3>&- &
  LISTENER_PID=$!
  local tries=0
  while [[ ! -s "${port_file}" ]] && ((tries < 50)); do
    sleep 0.1
    tries=$((tries + 1))
  done
  # shellcheck disable=SC2034 # read by the tests that call this
  BUSY_PORT="$(<"${port_file}")"
}

# A Unix socket file standing in for the Docker socket; prints its path.
fake_socket() {
  local path="${BATS_TEST_TMPDIR}/docker.sock"
  python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "${path}"
  printf '%s\n' "${path}"
}

# Put the fake docker (and optionally a fake docker-compose) first on PATH, point
# the settings at a socket file and at two free host ports.
use_fake_docker() {
  require_python
  export FAKE_DIR="${BATS_TEST_TMPDIR}/fake"
  mkdir -p "${FAKE_DIR}" "${BATS_TEST_TMPDIR}/bin"
  ln -sf "${BATS_TEST_DIRNAME}/fake-docker" "${BATS_TEST_TMPDIR}/bin/docker"
  export PATH="${BATS_TEST_TMPDIR}/bin:${PATH}"
  override TSYS_DOCKER_SOCKET "$(fake_socket)"
  HOMEPAGE_PORT="$(free_port)"
  WAKAPI_PORT="$(free_port)"
  override TSYS_HOMEPAGE_HOST_PORT "${HOMEPAGE_PORT}"
  override TSYS_WAKAPI_HOST_PORT "${WAKAPI_PORT}"
  override TSYS_HOMEPAGE_ALLOWED_HOSTS "127.0.0.1:${HOMEPAGE_PORT}"
}

# Shadow any real docker-compose with the fake one (it reports FAKE_STANDALONE_VERSION).
use_fake_standalone_compose() {
  ln -sf "${BATS_TEST_DIRNAME}/fake-docker" "${BATS_TEST_TMPDIR}/bin/docker-compose"
}

# fake_container SERVICE-SUFFIX STATUS HEALTH [HOST-ADDRESS:PORT]
fake_container() {
  local service="${PREFIX}-$1"
  printf '%s %s %s %s %s %s %s\n' "id-$1" "${service}" "${PROJECT}" "${service}" \
    "$2" "$3" "${4:--}" >>"${FAKE_DIR}/containers"
}

# run_with_path PATH ARGS...: run the script with PATH replaced for it only (bats
# itself still needs the full PATH).
run_with_path() {
  local path="$1"
  shift
  run --separate-stderr /usr/bin/env PATH="${path}" "${CONTROL}" --overrides "${OVERRIDES}" "$@"
}

# run_control ARGS...: run the script with the test's overrides; stderr kept apart.
run_control() {
  run --separate-stderr "${CONTROL}" --overrides "${OVERRIDES}" "$@"
}

# Print what a failed assertion needs to be understood.
show() {
  printf 'status: %s\n--- stdout\n%s\n--- stderr\n%s\n' "${status}" "${output}" \
    "${stderr}" >&2
}
