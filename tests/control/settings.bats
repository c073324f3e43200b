#!/usr/bin/env bats
# The settings file is data: parsed line by line, never sourced or expanded, and
# every value checked against the range its comment documents.

load helpers

setup() {
  control_setup
}

teardown() {
  control_teardown
}

@test "the shipped settings load and print as sorted KEY=value lines" {
  run_control settings
  show
  [ "${status}" -eq 0 ]
  [[ "${output}" == *$'\n'"TSYS_PROJECT_NAME=${PROJECT}"$'\n'* ]]
  [ "${output}" == "$(LC_ALL=C sort <<<"${output}")" ]
  # Every KEY=value line of the file, and nothing else.
  [ "${output}" == "$(grep -E '^[A-Z]' "${SHIPPED_SETTINGS}" | LC_ALL=C sort)" ]
}

@test "settings_print can be called from a sourcing test" {
  run bash -c 'source "$1"; settings_load; settings_print' _ "${CONTROL}"
  [ "${status}" -eq 0 ]
  [[ "${output}" == *"TSYS_PREFIX=${PREFIX}"* ]]
}

@test "a command substitution in a value stays text and never runs" {
  local marker="${BATS_TEST_TMPDIR}/touched"
  override TSYS_PROXY_LABEL_NAME "\$(touch ${marker})"
  override TSYS_WAKAPI_LABEL_NAME "\`touch ${marker}\`"
  run_control settings
  show
  [ "${status}" -eq 0 ]
  [[ "${output}" == *"TSYS_PROXY_LABEL_NAME=\$(touch ${marker})"* ]]
  [[ "${output}" == *"TSYS_WAKAPI_LABEL_NAME=\`touch ${marker}\`"* ]]
  [ ! -e "${marker}" ]
}

@test "quotes, = signs, # and spaces in a value are kept" {
  override TSYS_PROXY_LABEL_DESCRIPTION "\"double\" 'single' a=b # not a comment "
  run_control settings
  [ "${status}" -eq 0 ]
  [[ "${output}" == *"TSYS_PROXY_LABEL_DESCRIPTION=\"double\" 'single' a=b # not a comment "* ]]
}

@test "an empty value stays empty" {
  run_control settings
  [[ "${output}" == *$'\n'"TSYS_WAKAPI_PASSWORD_SALT="$'\n'* ]]
}

@test "indented comments, blank lines and CRLF line ends are accepted" {
  local file="${BATS_TEST_TMPDIR}/crlf"
  sed 's/$/\r/' "${SHIPPED_SETTINGS}" >"${file}"
  printf '   # indented comment\n  \n' >>"${file}"
  run --separate-stderr "${CONTROL}" --settings "${file}" settings
  show
  [ "${status}" -eq 0 ]
  [[ "${output}" != *$'\r'* ]]
}

@test "a duplicate key exits 2 naming the file and both lines" {
  local file count
  file="$(settings_with "TSYS_PROXY_CPUS=0.5")"
  count="$(wc -l <"${file}")"
  run --separate-stderr "${CONTROL}" --settings "${file}" settings
  show
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"${file}:${count}: duplicate key 'TSYS_PROXY_CPUS'"* ]]
  local first
  first="$(grep -n '^TSYS_PROXY_CPUS=' "${SHIPPED_SETTINGS}" | cut -d: -f1)"
  [[ "${stderr}" == *"${file}:${first}"* ]]
}

@test "a duplicate key in an overrides file exits 2" {
  printf 'TSYS_PROXY_CPUS=0.5\nTSYS_PROXY_CPUS=0.6\n' >"${OVERRIDES}"
  run_control settings
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"${OVERRIDES}:2: duplicate key 'TSYS_PROXY_CPUS'"* ]]
}

@test "malformed lines exit 2 with file and line" {
  local bad file count
  for bad in "just some words" "lower_case=1" "9TSYS=1" "=value" " TSYS_PREFIX=x" \
    "TSYS-DASH=1" "export TSYS_PREFIX=x"; do
    file="$(settings_with "${bad}")"
    count="$(wc -l <"${file}")"
    run --separate-stderr "${CONTROL}" --settings "${file}" settings
    if [[ "${status}" -ne 2 || "${stderr}" != *"${file}:${count}"* ]]; then
      printf 'case %q\n' "${bad}" >&2
      show
      return 1
    fi
  done
}

@test "an unknown key in an overrides file exits 2 naming key, file and line" {
  override TSYS_PROXY_CPUS 0.5
  override TSYS_NOT_A_SETTING 1
  run_control settings
  show
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"${OVERRIDES}:2: unknown key 'TSYS_NOT_A_SETTING'"* ]]
}

@test "overrides replace values, by flag or by TSYS_SETTINGS_OVERRIDES" {
  override TSYS_START_TIMEOUT 42
  run_control settings
  [ "${status}" -eq 0 ]
  [[ "${output}" == *$'\n'"TSYS_START_TIMEOUT=42"$'\n'* ]]
  TSYS_SETTINGS_OVERRIDES="${OVERRIDES}" run --separate-stderr "${CONTROL}" settings
  [ "${status}" -eq 0 ]
  [[ "${output}" == *$'\n'"TSYS_START_TIMEOUT=42"$'\n'* ]]
}

@test "TSYS_SETTINGS names the settings file" {
  local file
  file="$(settings_with "TSYS_EXTRA_KEY=allowed in the main file")"
  TSYS_SETTINGS="${file}" run --separate-stderr "${CONTROL}" settings
  [ "${status}" -eq 0 ]
  [[ "${output}" == *"TSYS_EXTRA_KEY=allowed in the main file"* ]]
}

@test "an unreadable settings or overrides file exits 2" {
  run --separate-stderr "${CONTROL}" --settings "${BATS_TEST_TMPDIR}/missing" settings
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"failed to read the settings file '${BATS_TEST_TMPDIR}/missing'"* ]]
  run --separate-stderr "${CONTROL}" --overrides "${BATS_TEST_TMPDIR}" settings
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"failed to read the overrides file"* ]]
}

@test "a missing required key exits 2 naming it" {
  local file="${BATS_TEST_TMPDIR}/settings"
  grep -v '^TSYS_START_TIMEOUT=' "${SHIPPED_SETTINGS}" >"${file}"
  run --separate-stderr "${CONTROL}" --settings "${file}" settings
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"failed to find setting 'TSYS_START_TIMEOUT'"* ]]
}

@test "a key the Compose files use but the settings lack exits 2 naming it" {
  local file="${BATS_TEST_TMPDIR}/settings"
  grep -v '^TSYS_WAKAPI_CPUS=' "${SHIPPED_SETTINGS}" >"${file}"
  run --separate-stderr "${CONTROL}" --settings "${file}" settings
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"failed to find setting 'TSYS_WAKAPI_CPUS'"* ]]
  [[ "${stderr}" == *"DockerCompose-wakapi.yml' uses it"* ]]
}

@test "a health interval as long as the start timeout exits 2" {
  override TSYS_START_TIMEOUT 10
  override TSYS_HOMEPAGE_HEALTH_INTERVAL 30s
  run_control settings
  show
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"TSYS_HOMEPAGE_HEALTH_INTERVAL='30s'"* ]]
  [[ "${stderr}" == *"shorter than TSYS_START_TIMEOUT (10 s)"* ]]
}

@test "two components on one host port exit 2 before anything starts" {
  override TSYS_WAKAPI_HOST_PORT 3000
  run_control settings
  show
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"TSYS_HOMEPAGE_HOST_PORT already publishes port 3000"* ]]
}

# key|bad value|part of the allowed range that the hint must show
BAD_VALUES=(
  "TSYS_PROJECT_NAME|Upper-Case|lowercase"
  "TSYS_PROJECT_NAME|-leading-dash|lowercase"
  "TSYS_PREFIX|has_underscore|letters, digits and '-'"
  "TSYS_PREFIX||letters, digits and '-'"
  "TSYS_COMPONENTS||component names"
  "TSYS_COMPONENTS|homepage homepage|distinct"
  "TSYS_COMPONENTS|Homepage|lowercase"
  "TSYS_BIND_ADDRESS|0.0.0.0|127.0.0.1 or ::1"
  "TSYS_BIND_ADDRESS|localhost|127.0.0.1 or ::1"
  "TSYS_BIND_ADDRESS|::|127.0.0.1 or ::1"
  "TSYS_DOCKER_SOCKET|var/run/docker.sock|absolute path"
  "TSYS_RESTART_POLICY|always|unless-stopped"
  "TSYS_RESTART_POLICY|on-failure:0|on-failure:N with N 1-10"
  "TSYS_RESTART_POLICY|on-failure:11|on-failure:N with N 1-10"
  "TSYS_START_TIMEOUT|9|10-900"
  "TSYS_START_TIMEOUT|901|10-900"
  "TSYS_START_TIMEOUT|3m|10-900"
  "TSYS_LOG_MAX_SIZE|500m|1m-100m"
  "TSYS_LOG_MAX_FILE|0|1-10"
  "TSYS_HOMEPAGE_HOST_PORT|80|1024-65535"
  "TSYS_WAKAPI_HOST_PORT|65536|1024-65535"
  "TSYS_WAKAPI_HOST_PORT|30o1|1024-65535"
  "TSYS_HOMEPAGE_PORT|0|1-65535"
  "TSYS_PROXY_PORT|2375/tcp|1-65535"
  "TSYS_PROXY_CPUS|2.0|0.5-1.0"
  "TSYS_PROXY_CPUS|0.25|0.5-1.0"
  "TSYS_HOMEPAGE_CPUS|1.01|0.5-1.0"
  "TSYS_WAKAPI_CPUS|half|0.5-1.0"
  "TSYS_PROXY_MEMORY|64M|128M-512M"
  "TSYS_HOMEPAGE_MEMORY|1G|128M-512M"
  "TSYS_WAKAPI_MEMORY|256|128M-512M"
  "TSYS_PROXY_PIDS|8|32-1024"
  "TSYS_WAKAPI_PIDS|many|32-1024"
  "TSYS_PROXY_TMPFS_SIZE|128m|1m-64m"
  "TSYS_PROXY_HEALTH_INTERVAL|5|1s-300s"
  "TSYS_HOMEPAGE_HEALTH_TIMEOUT|1h|1s-300s"
  "TSYS_WAKAPI_HEALTH_START_PERIOD|6m|1s-300s"
  "TSYS_WAKAPI_HEALTH_START_PERIOD|0s|1s-300s"
  "TSYS_PROXY_HEALTH_RETRIES|0|1-10"
  "TSYS_HOMEPAGE_HEALTH_RETRIES|11|1-10"
  "TSYS_PROXY_POST|yes|0 only"
  "TSYS_PROXY_POST|1|0 only"
  "TSYS_PROXY_CONTAINERS|2|0 or 1"
  "TSYS_WAKAPI_ALLOW_SIGNUP|yes|true or false"
  "TSYS_WAKAPI_LEADERBOARD_ENABLED|0|true or false"
  "TSYS_WAKAPI_INSECURE_COOKIES|True|true or false"
  "TSYS_WAKAPI_DISABLE_FRONTPAGE|on|true or false"
  "TSYS_WAKAPI_PASSWORD_SALT|tooshort|16+ characters"
  "TSYS_PROXY_CONTAINER|docker-socket-proxy|starting with TSYS_PREFIX"
  "TSYS_HOMEPAGE_CONTAINER|tsysdevstack-supportstack-demo-homepage|starting with TSYS_PREFIX"
  "TSYS_NETWORK_FRONTEND|frontend|starting with TSYS_PREFIX"
  "TSYS_NETWORK_SOCKPROXY|TSYSDevStack-SupportStack-Demo net|starting with TSYS_PREFIX"
  "TSYS_PROXY_IMAGE|ghcr.io/tecnativa/docker-socket-proxy|explicit tag"
  "TSYS_HOMEPAGE_IMAGE|ghcr.io/gethomepage/homepage:latest|explicit tag"
  "TSYS_WAKAPI_IMAGE|localhost:5000/wakapi|explicit tag"
  "TSYS_HOMEPAGE_UID|0|non-zero"
  "TSYS_WAKAPI_GID|-1|non-zero"
  "TSYS_PROXY_LABEL_WEIGHT|high|integer"
)

@test "each validation rule rejects a known-bad value with exit 2" {
  local row key value allowed
  for row in "${BAD_VALUES[@]}"; do
    IFS='|' read -r key value allowed <<<"${row}"
    printf '%s=%s\n' "${key}" "${value}" >"${OVERRIDES}"
    run_control settings
    if [[ "${status}" -ne 2 ]] ||
      [[ "${stderr}" != *"failed to accept setting ${key}='${value}' (${OVERRIDES}:1)"* ]] ||
      [[ "${stderr}" != *"hint: allowed: "*"${allowed}"* ]]; then
      printf 'case %s=%q\n' "${key}" "${value}" >&2
      show
      return 1
    fi
  done
}

GOOD_VALUES=(
  "TSYS_BIND_ADDRESS|::1"
  "TSYS_RESTART_POLICY|on-failure:5"
  "TSYS_PROXY_CPUS|0.75"
  "TSYS_HOMEPAGE_CPUS|1"
  "TSYS_WAKAPI_MEMORY|512m"
  "TSYS_PROXY_HEALTH_INTERVAL|2m"
  "TSYS_HOMEPAGE_HOST_PORT|1024"
  "TSYS_WAKAPI_HOST_PORT|65535"
  "TSYS_WAKAPI_PASSWORD_SALT|0123456789abcdef"
  "TSYS_COMPONENTS|docker-socket-proxy homepage"
  "TSYS_PROXY_IMAGE|localhost:5000/proxy:v1@sha256:$(printf 'a%.0s' {1..64})"
  "TSYS_WAKAPI_IMAGE|localhost:5000/wakapi:2.17.6"
)

@test "values inside the documented ranges are accepted" {
  local row key value
  for row in "${GOOD_VALUES[@]}"; do
    IFS='|' read -r key value <<<"${row}"
    printf '%s=%s\n' "${key}" "${value}" >"${OVERRIDES}"
    run_control settings
    if [[ "${status}" -ne 0 ]]; then
      printf 'case %s=%q\n' "${key}" "${value}" >&2
      show
      return 1
    fi
  done
}

@test "a component without a Compose file exits 2 naming the file" {
  override TSYS_COMPONENTS "docker-socket-proxy homepage wakapi nosuchthing"
  run_control start
  show
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"failed to read the Compose file of component 'nosuchthing'"* ]]
  [[ "${stderr}" == *"TSYSDevStack-SupportStack-Demo-DockerCompose-nosuchthing.yml"* ]]
}
