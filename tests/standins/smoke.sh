#!/usr/bin/env bash
# Starts each stand-in image the way the stack's Compose files start the upstream
# images (read-only root, no capabilities, no-new-privileges, the same users, tmpfs
# mounts, limits, environment and health commands, values read from the settings
# file) and checks the interface the test suite relies on. Prints one "ok" or
# "not ok" line per check and "info" lines with the measured start times.
#
# Everything it creates is labelled com.tsysdevstack.supportstack.demo.test=standins
# plus a label naming this run, and is removed on exit, on failure and on Ctrl-C.
#
# Usage: smoke.sh [-h]
#
# Exit codes:
#   0  every check passed
#   1  a check failed
#   2  bad usage
#   3  a prerequisite is missing: the engine is down or build.sh has not been run
#
# KEEP=1 leaves the containers, networks and volume in place for debugging.
# DEBUG=1 traces every command.
set -Eeuo pipefail
if [[ "${DEBUG:-0}" == 1 ]]; then
  set -x
fi

readonly EXIT_CHECK=1
readonly EXIT_USAGE=2
readonly EXIT_PREREQ=3

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly SETTINGS="${HERE}/../../artifacts/SupportStack/TSYSDevStack-SupportStack-Demo-Settings"
readonly CONFIG_DIR="${HERE}/../../artifacts/SupportStack/config/homepage"
readonly TEST_LABEL=com.tsysdevstack.supportstack.demo.test=standins
readonly RUN_LABEL="com.tsysdevstack.supportstack.demo.test.run=standins-smoke-$$"
readonly PROXY_IMAGE=tsysdevstack-supportstack-demo-standin-sockproxy:test
readonly DASHBOARD_IMAGE=tsysdevstack-supportstack-demo-standin-dashboard:test
readonly TRACKER_IMAGE=tsysdevstack-supportstack-demo-standin-timetracker:test
# Mixed case on purpose: the stack's container names are, and the dashboard reaches
# the proxy by its container name.
readonly NAME="TSYSDevStack-Standins-Smoke-$$"
readonly PROXY="${NAME}-proxy"

FAILURES=0

report() {
  local what="$1" hint="$2"
  printf 'error: %s\nhint: %s\n' "${what}" "${hint}" >&2
}

on_error() {
  local line="$1" status="$2"
  report "failed to run the smoke checks (${BASH_SOURCE[1]}:${line}, exit ${status})" \
    "run again with DEBUG=1 and KEEP=1 to look at the containers"
  exit "${EXIT_CHECK}"
}

# Removes what this run created, found by its run label, and nothing else.
cleanup() {
  local ids
  if [[ "${KEEP:-0}" == 1 ]]; then
    printf 'info - kept everything labelled %s\n' "${RUN_LABEL}"
    return 0
  fi
  ids=$(docker ps -aq --filter "label=${RUN_LABEL}" 2>/dev/null || true)
  if [[ -n "${ids}" ]]; then
    # shellcheck disable=SC2086 # one id per word, on purpose
    docker rm -f -v ${ids} >/dev/null 2>&1 || true
  fi
  ids=$(docker network ls -q --filter "label=${RUN_LABEL}" 2>/dev/null || true)
  if [[ -n "${ids}" ]]; then
    # shellcheck disable=SC2086 # one id per word, on purpose
    docker network rm ${ids} >/dev/null 2>&1 || true
  fi
  ids=$(docker volume ls -q --filter "label=${RUN_LABEL}" 2>/dev/null || true)
  if [[ -n "${ids}" ]]; then
    # shellcheck disable=SC2086 # one name per word, on purpose
    docker volume rm ${ids} >/dev/null 2>&1 || true
  fi
}

usage() {
  sed -n '/^# Usage:/,/^# DEBUG=1/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Prints the value of KEY in the settings file, read as data: everything after the
# first "=" of the line that starts with KEY=.
setting() {
  local key="$1" value
  value=$(awk -v key="$1" 'index($0, key "=") == 1 { print substr($0, length(key) + 2); exit }' \
    "${SETTINGS}")
  if [[ -z "${value}" ]]; then
    report "failed to read ${key} from ${SETTINGS}" "check that the settings file sets it"
    exit "${EXIT_PREREQ}"
  fi
  printf '%s' "${value}"
}

now_ms() {
  date +%s%3N
}

seconds_since() {
  local start="$1" end
  end=$(now_ms)
  awk -v ms="$((end - start))" 'BEGIN { printf "%.1f", ms / 1000 }'
}

pass() {
  printf 'ok - %s\n' "$1"
}

# Records a failed check; further arguments are printed indented as details.
flunk() {
  local detail
  printf 'not ok - %s\n' "$1"
  shift
  for detail in "$@"; do
    printf '%s\n' "${detail}" | sed 's/^/    /'
  done
  FAILURES=$((FAILURES + 1))
}

expect_equal() {
  local what="$1" expected="$2" actual="$3"
  if [[ "${actual}" == "${expected}" ]]; then
    pass "${what}"
  else
    flunk "${what}" "expected: ${expected}" "got: ${actual}"
  fi
}

expect_match() {
  local what="$1" pattern="$2" actual="$3"
  if [[ "${actual}" =~ ${pattern} ]]; then
    pass "${what}"
  else
    flunk "${what}" "expected to match: ${pattern}" "got: ${actual:0:300}"
  fi
}

check_prerequisites() {
  local image
  if ! docker info >/dev/null 2>&1; then
    report "failed to reach the Docker engine" "start it until 'docker info' works"
    exit "${EXIT_PREREQ}"
  fi
  for image in "${PROXY_IMAGE}" "${DASHBOARD_IMAGE}" "${TRACKER_IMAGE}"; do
    if ! docker image inspect "${image}" >/dev/null 2>&1; then
      report "failed to find the image ${image}" "run tests/standins/build.sh first"
      exit "${EXIT_PREREQ}"
    fi
  done
}

# The hardening every Compose file shares, plus this run's labels.
hardening() {
  printf '%s\n' --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    --read-only --cap-drop ALL --security-opt no-new-privileges:true \
    --log-opt "max-size=$(setting TSYS_LOG_MAX_SIZE)" \
    --log-opt "max-file=$(setting TSYS_LOG_MAX_FILE)"
}

# Health timings of a component, as Compose passes them; $1 is PROXY, HOMEPAGE or
# WAKAPI.
health_timings() {
  local part="$1"
  printf '%s\n' \
    --health-interval "$(setting "TSYS_${part}_HEALTH_INTERVAL")" \
    --health-timeout "$(setting "TSYS_${part}_HEALTH_TIMEOUT")" \
    --health-retries "$(setting "TSYS_${part}_HEALTH_RETRIES")" \
    --health-start-period "$(setting "TSYS_${part}_HEALTH_START_PERIOD")"
}

limits() {
  local part="$1"
  printf '%s\n' --cpus "$(setting "TSYS_${part}_CPUS")" \
    --memory "$(setting "TSYS_${part}_MEMORY")" \
    --pids-limit "$(setting "TSYS_${part}_PIDS")"
}

# Waits until the container's health is "healthy" and prints the seconds taken
# since $2 (milliseconds); fails when it turns unhealthy, stops, or takes 120s.
wait_healthy() {
  local container="$1" start="$2" state
  while (($(now_ms) - start < 120000)); do
    state=$(docker inspect -f '{{.State.Status}}/{{.State.Health.Status}}' "${container}")
    case "${state}" in
      running/healthy)
        seconds_since "${start}"
        return 0
        ;;
      running/starting) sleep 0.2 ;;
      *)
        printf '%s' "${state}"
        return 1
        ;;
    esac
  done
  printf 'timeout'
  return 1
}

# Polls the health command through docker exec and prints the seconds until it
# first passes: how soon the service is ready, apart from the probe interval.
wait_ready() {
  local container="$1" start="$2"
  shift 2
  while (($(now_ms) - start < 60000)); do
    if docker exec "${container}" "$@" >/dev/null 2>&1; then
      seconds_since "${start}"
      return 0
    fi
    sleep 0.1
  done
  printf 'timeout'
  return 1
}

# Checks that a started container becomes ready and healthy, and reports both times.
expect_healthy() {
  local what="$1" container="$2" start="$3" ready healthy
  shift 3
  if ! ready=$(wait_ready "${container}" "${start}" "$@"); then
    flunk "${what}: health command passes" "$(docker logs "${container}" 2>&1 | tail -n 20)"
    return 0
  fi
  if healthy=$(wait_healthy "${container}" "${start}"); then
    pass "${what} becomes healthy"
    printf 'info - %s: health command first passed after %ss, healthy after %ss\n' \
      "${what}" "${ready}" "${healthy}"
  else
    flunk "${what} becomes healthy" "state: ${healthy}" \
      "$(docker logs "${container}" 2>&1 | tail -n 20)"
  fi
}

# Runs a container that must refuse to start; checks its exit code is non-zero and
# its log says why. $1 description, $2 pattern of the log, the rest docker run args.
expect_refusal() {
  local what="$1" pattern="$2" container="${NAME}-refused-$RANDOM" code log
  shift 2
  docker run -d --name "${container}" "$@" >/dev/null
  code=$(timeout 30 docker wait "${container}" || printf 'still running')
  log=$(docker logs "${container}" 2>&1)
  if [[ "${code}" =~ ^[1-9][0-9]*$ && "${log}" =~ ${pattern} ]]; then
    pass "${what} (exit ${code}: $(grep -m 1 -E -e "${pattern}" <<<"${log}"))"
  else
    flunk "${what}" "exit: ${code}" "log: ${log}"
  fi
}

# Prints the HTTP status a request from the client container gets. $1 method, $2
# host:port, $3 path. Raw HTTP through nc, so any method can be sent.
status_of() {
  local method="$1" address="$2" path="$3" reply
  reply=$(docker exec "${NAME}-client" /bin/busybox sh -c \
    'printf "%s %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$1" "$3" "$2" | nc "${2%:*}" "${2#*:}"' \
    sh "${method}" "${address}" "${path}" 2>&1 || true)
  printf '%s' "${reply}" | awk 'NR == 1 { print $2 }'
}

fetch() {
  docker exec "${NAME}-client" /bin/busybox wget -q -O - "$@" 2>&1 || true
}

create_networks() {
  docker network create --internal --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    "${NAME}-sockproxy" >/dev/null
  docker network create --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    -o com.docker.network.bridge.enable_ip_masquerade=false "${NAME}-frontend" >/dev/null
  docker volume create --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    "${NAME}-wakapi-data" >/dev/null
  docker volume create --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    "${NAME}-empty-config" >/dev/null
  # A long-lived client on the proxy's network, as the dashboard is.
  docker run -d --name "${NAME}-client" --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    --network "${NAME}-sockproxy" --entrypoint /bin/busybox "${PROXY_IMAGE}" \
    sleep 600 >/dev/null
}

check_proxy() {
  local port start body threads
  local -a args
  port=$(setting TSYS_PROXY_PORT)
  mapfile -t args < <(hardening; health_timings PROXY; limits PROXY)
  start=$(now_ms)
  docker run -d --name "${PROXY}" "${args[@]}" --network "${NAME}-sockproxy" \
    --tmpfs "/tmp:size=$(setting TSYS_PROXY_TMPFS_SIZE),mode=1777" \
    --tmpfs "/run:size=$(setting TSYS_PROXY_TMPFS_SIZE),mode=755" \
    --mount "type=bind,source=$(setting TSYS_DOCKER_SOCKET),target=/var/run/docker.sock,readonly" \
    -e "CONTAINERS=$(setting TSYS_PROXY_CONTAINERS)" -e "POST=$(setting TSYS_PROXY_POST)" \
    --health-cmd "wget -q -O - http://127.0.0.1:${port}/_ping" \
    "${PROXY_IMAGE}" >/dev/null
  expect_healthy "sockproxy" "${PROXY}" "${start}" \
    wget -q -O - "http://127.0.0.1:${port}/_ping"
  body=$(docker exec "${PROXY}" wget -q -O - "http://127.0.0.1:${port}/_ping" 2>&1 || true)
  expect_equal "sockproxy health command prints the engine's OK" "OK" "${body}"
  body=$(fetch "http://${PROXY}:${port}/containers/json")
  expect_match "sockproxy: GET /containers/json lists containers" \
    "^\\[\\{\"Id\":.*\"/${PROXY}\"" "${body}"
  expect_equal "sockproxy: GET /v1.41/containers/<name>/json is 200" 200 \
    "$(status_of GET "${PROXY}:${port}" "/v1.41/containers/${PROXY}/json")"
  expect_equal "sockproxy: GET /containers/<name>/stats?stream=false is 200" 200 \
    "$(status_of GET "${PROXY}:${port}" "/containers/${PROXY}/stats?stream=false")"
  expect_equal "sockproxy: HEAD /_ping is 200" 200 \
    "$(status_of HEAD "${PROXY}:${port}" /_ping)"
  body=$(docker exec "${NAME}-client" /bin/busybox wget -q -O - --post-data=x \
    "http://${PROXY}:${port}/containers/create" 2>&1 || true)
  expect_match "sockproxy: POST /containers/create is 403" "403 Forbidden" "${body}"
  expect_equal "sockproxy: DELETE /containers/<name> is 403" 403 \
    "$(status_of DELETE "${PROXY}:${port}" "/containers/${PROXY}")"
  body=$(fetch "http://${PROXY}:${port}/images/json")
  expect_match "sockproxy: GET /images/json is 403 with CONTAINERS=1 only" \
    "403 Forbidden" "${body}"
  expect_equal "sockproxy: GET /info is 403" 403 \
    "$(status_of GET "${PROXY}:${port}" /info)"
  expect_equal "sockproxy: GET / is 403" 403 "$(status_of GET "${PROXY}:${port}" /)"
  expect_equal "sockproxy: GET /version is 200 (on by default)" 200 \
    "$(status_of GET "${PROXY}:${port}" /version)"
  expect_equal "sockproxy: GET /%63ontainers/json is decoded, then allowed" 200 \
    "$(status_of GET "${PROXY}:${port}" /%63ontainers/json)"
  # HAProxy starts one thread per CPU it may run on; each counts against the pids limit.
  # shellcheck disable=SC2016 # expanded by the container's shell, not here
  threads=$(docker exec "${PROXY}" sh -c \
    'for p in $(pidof haproxy); do ls "/proc/${p}/task"; done | wc -l' 2>/dev/null || true)
  printf 'info - sockproxy: %s HAProxy tasks on %s CPUs, pids limit %s\n' \
    "${threads}" "$(docker exec "${PROXY}" nproc)" "$(setting TSYS_PROXY_PIDS)"
}

check_proxy_variants() {
  local name="${NAME}-proxy-post" port
  port=$(setting TSYS_PROXY_PORT)
  docker run -d --name "${name}" --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    --read-only --cap-drop ALL --security-opt no-new-privileges:true \
    --tmpfs /tmp --tmpfs /run --network "${NAME}-sockproxy" \
    --mount "type=bind,source=$(setting TSYS_DOCKER_SOCKET),target=/var/run/docker.sock,readonly" \
    -e CONTAINERS=1 -e POST=1 "${PROXY_IMAGE}" >/dev/null
  sleep 1
  # A write to a container that does not exist: it must reach the engine (404),
  # not be stopped by the proxy (403), and it changes nothing.
  expect_equal "sockproxy with POST=1 passes POST /containers/<missing>/stop to the engine" \
    404 "$(status_of POST "${name}:${port}" /containers/tsys-standins-missing/stop)"
  expect_equal "sockproxy with POST=1 still refuses POST /images/create" 403 \
    "$(status_of POST "${name}:${port}" /images/create)"
  expect_refusal "sockproxy without a tmpfs on /tmp stops" \
    "error: failed to write the HAProxy config" \
    --label "${TEST_LABEL}" --label "${RUN_LABEL}" --read-only --cap-drop ALL \
    --security-opt no-new-privileges:true --tmpfs /run \
    --mount "type=bind,source=$(setting TSYS_DOCKER_SOCKET),target=/var/run/docker.sock,readonly" \
    "${PROXY_IMAGE}"
  expect_refusal "sockproxy without a tmpfs on /run stops" "Cannot create pidfile" \
    --label "${TEST_LABEL}" --label "${RUN_LABEL}" --read-only --cap-drop ALL \
    --security-opt no-new-privileges:true --tmpfs /tmp \
    --mount "type=bind,source=$(setting TSYS_DOCKER_SOCKET),target=/var/run/docker.sock,readonly" \
    "${PROXY_IMAGE}"
  expect_refusal "sockproxy refuses a flag that is not 0 or 1" "is not 0 or 1" \
    --label "${TEST_LABEL}" --label "${RUN_LABEL}" -e CONTAINERS=true "${PROXY_IMAGE}"
}

dashboard_args() {
  local port="$1"
  hardening
  limits HOMEPAGE
  printf '%s\n' --user "$(setting TSYS_HOMEPAGE_UID):$(setting TSYS_HOMEPAGE_GID)" \
    --tmpfs "/tmp:size=$(setting TSYS_HOMEPAGE_TMPFS_SIZE),mode=1777" \
    -e "PORT=${port}" -e "HOMEPAGE_ALLOWED_HOSTS=$(setting TSYS_HOMEPAGE_ALLOWED_HOSTS)"
}

check_dashboard() {
  local name="${NAME}-dashboard" port start address body owner
  local -a args
  port=$(setting TSYS_HOMEPAGE_PORT)
  mapfile -t args < <(dashboard_args "${port}"; health_timings HOMEPAGE)
  start=$(now_ms)
  docker create --name "${name}" "${args[@]}" -e LOG_TARGETS=stdout \
    --network "${NAME}-frontend" -p "$(setting TSYS_BIND_ADDRESS)::${port}" \
    --mount "type=bind,source=${CONFIG_DIR},target=/app/config,readonly" \
    --health-cmd "wget -q -O - http://127.0.0.1:${port}/api/healthcheck" \
    "${DASHBOARD_IMAGE}" >/dev/null
  docker network connect "${NAME}-sockproxy" "${name}"
  docker start "${name}" >/dev/null
  expect_healthy "dashboard" "${name}" "${start}" \
    wget -q -O - "http://127.0.0.1:${port}/api/healthcheck"
  address=$(docker port "${name}" "${port}/tcp" | head -n 1)
  body=$(busybox wget -q -O - "http://${address}/api/healthcheck" 2>&1 || true)
  expect_equal "dashboard: GET /api/healthcheck on ${address} answers up" "up" "${body}"
  body=$(busybox wget -q -O - "http://${address}/" 2>&1 || true)
  expect_match "dashboard: / says it is a stand-in" "stand-in" "${body}"
  owner=$(docker exec "${name}" stat -c '%u:%g' /app /app/www/index.html | sort -u)
  expect_equal "dashboard: /app belongs to 1000:1000" "1000:1000" "${owner}"
  body=$(docker exec "${name}" wget -q -O - \
    "http://${PROXY}:$(setting TSYS_PROXY_PORT)/containers/json" 2>&1 || true)
  expect_match "dashboard reaches the proxy by its container name" "^\\[\\{\"Id\"" "${body}"
  expect_refusal "dashboard with an empty read-only /app/config stops" \
    "error: failed to copy the default settings.yaml" \
    "${args[@]}" -e LOG_TARGETS=stdout \
    --mount "type=volume,source=${NAME}-empty-config,target=/app/config,readonly" \
    "${DASHBOARD_IMAGE}"
  expect_refusal "dashboard logging to a read-only /app/config stops" \
    "error: failed to open /app/config/logs/homepage.log" \
    "${args[@]}" --mount "type=bind,source=${CONFIG_DIR},target=/app/config,readonly" \
    "${DASHBOARD_IMAGE}"
}

tracker_args() {
  local port="$1"
  hardening
  limits WAKAPI
  printf '%s\n' --user "$(setting TSYS_WAKAPI_UID):$(setting TSYS_WAKAPI_GID)" \
    --tmpfs "/tmp:size=$(setting TSYS_WAKAPI_TMPFS_SIZE),mode=1777" \
    -e "WAKAPI_PORT=${port}" -e "WAKAPI_PUBLIC_URL=$(setting TSYS_WAKAPI_PUBLIC_URL)"
}

check_tracker() {
  local name="${NAME}-timetracker" port start address body salt
  local -a args timings
  port=$(setting TSYS_WAKAPI_PORT)
  salt="standins-smoke-salt-$$-${RANDOM}"
  mapfile -t args < <(tracker_args "${port}")
  mapfile -t timings < <(health_timings WAKAPI)
  start=$(now_ms)
  # No --health-cmd: docker run only takes shell-form probes, and the image's own
  # exec-form probe is the Compose file's ["CMD", "/app/healthcheck"].
  docker run -d --name "${name}" "${args[@]}" "${timings[@]}" \
    -e "WAKAPI_PASSWORD_SALT=${salt}" --network "${NAME}-frontend" \
    -p "$(setting TSYS_BIND_ADDRESS)::${port}" \
    --mount "type=volume,source=${NAME}-wakapi-data,target=/data" \
    "${TRACKER_IMAGE}" >/dev/null
  expect_healthy "timetracker" "${name}" "${start}" /app/healthcheck
  address=$(docker port "${name}" "${port}/tcp" | head -n 1)
  body=$(busybox wget -q -O - "http://${address}/api/health" 2>&1 || true)
  expect_equal "timetracker: GET /api/health on ${address} answers app=1 db=1" \
    $'app=1\ndb=1' "${body}"
  body=$(docker run --rm --label "${TEST_LABEL}" --label "${RUN_LABEL}" \
    --mount "type=volume,source=${NAME}-wakapi-data,target=/data,readonly" \
    --entrypoint /bin/busybox "${PROXY_IMAGE}" stat -c '%u:%g %n' /data /data/wakapi.db)
  expect_equal "timetracker: /data/wakapi.db exists, /data and it belong to 65532" \
    $'65532:65532 /data\n65532:65532 /data/wakapi.db' "${body}"
  body=$(docker exec "${name}" sh -c true 2>&1 || true)
  expect_match "timetracker has no shell, as upstream" "executable file not found" "${body}"
  expect_refusal "timetracker without a writable /data stops" \
    "error: failed to open the database /data/wakapi.db" \
    "${args[@]}" -e "WAKAPI_PASSWORD_SALT=${salt}" "${TRACKER_IMAGE}"
  expect_refusal "timetracker with an empty WAKAPI_PASSWORD_SALT stops" \
    "WAKAPI_PASSWORD_SALT is empty" "${args[@]}" -e WAKAPI_PASSWORD_SALT= \
    --mount "type=volume,source=${NAME}-wakapi-data,target=/data" "${TRACKER_IMAGE}"
}

main() {
  case "${1:-}" in
    '') ;;
    -h | --help)
      usage
      return 0
      ;;
    *)
      usage >&2
      report "failed to parse argument \"$1\"" "smoke.sh takes no arguments"
      exit "${EXIT_USAGE}"
      ;;
  esac
  check_prerequisites
  create_networks
  check_proxy
  check_proxy_variants
  check_dashboard
  check_tracker
  if ((FAILURES > 0)); then
    printf '%s check(s) failed\n' "${FAILURES}" >&2
    exit "${EXIT_CHECK}"
  fi
  printf 'all checks passed\n'
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  trap 'on_error "${LINENO}" "$?"' ERR
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  main "$@"
fi
