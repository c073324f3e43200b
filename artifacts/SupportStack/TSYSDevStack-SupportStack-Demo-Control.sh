#!/usr/bin/env bash
# TSYSDevStack SupportStack Demo: control script of the localhost-only support stack
# (docker-socket-proxy, homepage, wakapi). Run it with "help" for usage.
#
# Layout: frame and globals; exit codes; output; settings (parsed as data, never
# sourced); host checks; Compose helpers; one command_<verb> function per verb, whose
# comment block is the help text; main. Tests source this file: main runs only when
# the file is executed.
set -Eeuo pipefail
if [[ "${DEBUG:-0}" == "1" ]]; then
  set -x
fi

PROGRAM="TSYSDevStack-SupportStack-Demo-Control.sh"
SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
SCRIPT_DIR="$(dirname "${SCRIPT_PATH}")"
# Compose file names carry this fixed prefix whatever TSYS_PREFIX says.
COMPOSE_FILE_STEM="TSYSDevStack-SupportStack-Demo-DockerCompose"
SALT_FILE_NAME="wakapi-password-salt"

# Options; each has an environment twin.
SETTINGS_FILE="${TSYS_SETTINGS:-${SCRIPT_DIR}/TSYSDevStack-SupportStack-Demo-Settings}"
OVERRIDES_FILE="${TSYS_SETTINGS_OVERRIDES:-}"
KEEP_ON_FAILURE="${TSYS_KEEP_ON_FAILURE:-0}"
LOG_DIR="${TSYS_LOG_DIR:-${SCRIPT_DIR}/logs}"
STATE_DIR="${TSYS_STATE_DIR:-${SCRIPT_DIR}/state}"
LOG_FILE=""
LOG_FILE_BROKEN=0

# Loaded settings: values, where each was set (file:line), and derived values.
declare -gA SETTINGS=()
declare -gA SETTING_WHERE=()
PROJECT=""
PREFIX=""
COMPONENTS=()
COMPOSE_FILE_ARGS=()
COMPOSE_CMD=()
SALT_VALUE=""
SALT_IS_NEW=0
STATE_REMOVED=""

# ------------------------------------------------------------------------------
# Exit codes: a contract, printed by "help". exit_code_for is the only mapping.
# ------------------------------------------------------------------------------

EXIT_TABLE=(
  "0|ok|ok"
  "1|failed|failed: an operation failed (a component did not become healthy,"
  "||a pull failed, tests failed)"
  "2|bad_input|bad input: unknown verb or option, missing or malformed setting,"
  "||unreadable settings or Compose file"
  "3|host_not_ready|host not ready: docker CLI or Compose v2 missing, daemon down,"
  "||Docker socket missing, a host port busy"
)

# Print the exit code of an error kind (ok, failed, bad_input, host_not_ready).
exit_code_for() {
  local kind="$1" row
  for row in "${EXIT_TABLE[@]}"; do
    if [[ "${row#*|}" == "${kind}|"* ]]; then
      printf '%s\n' "${row%%|*}"
      return 0
    fi
  done
  printf '1\n'
}

# ------------------------------------------------------------------------------
# Output: levelled lines to stderr, the same lines with a UTC timestamp in the log.
# ------------------------------------------------------------------------------

use_colour() {
  [[ -t 2 && -z "${NO_COLOR:-}" ]]
}

log_file_open() {
  if [[ -n "${LOG_FILE}" || "${LOG_FILE_BROKEN}" == 1 ]]; then
    return 0
  fi
  local file="${LOG_DIR}/TSYSDevStack-SupportStack-Demo-Control.log"
  if mkdir -p -- "${LOG_DIR}" 2>/dev/null && : >>"${file}" 2>/dev/null; then
    LOG_FILE="${file}"
  else
    LOG_FILE_BROKEN=1
    printf 'warning: failed to open the log file %s; logging to stderr only\n' \
      "'${file}'" >&2
    printf 'hint: set TSYS_LOG_DIR to a writable folder\n' >&2
  fi
}

log_file_write() {
  log_file_open
  if [[ -n "${LOG_FILE}" ]]; then
    local stamp
    stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf '%s %s\n' "${stamp}" "$1" >>"${LOG_FILE}" || true
  fi
}

# emit LEVEL TEXT: one levelled line to stderr and to the log file.
emit() {
  local level="$1" text="$2" colour=""
  if use_colour; then
    case "${level}" in
      info) colour=$'\e[32m' ;;
      warning) colour=$'\e[33m' ;;
      error) colour=$'\e[31m' ;;
      hint) colour=$'\e[36m' ;;
    esac
  fi
  if [[ -n "${colour}" ]]; then
    printf '%s%s:\e[0m %s\n' "${colour}" "${level}" "${text}" >&2
  else
    printf '%s: %s\n' "${level}" "${text}" >&2
  fi
  log_file_write "${level}: ${text}"
}

# info TEXT...: the words are joined by spaces, as echo would.
info() {
  emit info "$*"
}

warn() {
  emit warning "$*"
}

# cause TEXT...: indented lines under an error (health output, logs, tool messages).
cause() {
  local text line
  for text in "$@"; do
    while IFS= read -r line; do
      printf '    %s\n' "${line}" >&2
      log_file_write "    ${line}"
    done <<<"${text}"
  done
}

# report_error MESSAGE HINT [CAUSE...]: the one error printer.
report_error() {
  local message="$1" hint="$2"
  shift 2
  emit error "${message}"
  if (($# > 0)); then
    cause "$@"
  fi
  emit hint "${hint}"
}

# die KIND MESSAGE HINT [CAUSE...]: report and exit with the code of KIND.
die() {
  local kind="$1" code
  shift
  report_error "$@"
  code="$(exit_code_for "${kind}")"
  exit "${code}"
}

# Copy a command's output to stderr and the log, indented.
relay_output() {
  local line
  while IFS= read -r line; do
    printf '    %s\n' "${line}" >&2
    log_file_write "    ${line}"
  done
}

# The cleanup trap: an unexpected failure names file and line, then exits 1.
on_error() {
  local status="$1" line="$2" file="$3"
  if ((BASH_SUBSHELL > 0)); then
    exit 1
  fi
  report_error "failed to run '${PROGRAM}': a command exited with ${status}" \
    "this is a bug or an unexpected host state; run again with DEBUG=1 to trace it" \
    "at ${file}:${line}"
  exit 1
}

install_traps() {
  trap 'on_error "$?" "${LINENO}" "${BASH_SOURCE[0]:-${PROGRAM}}"' ERR
}

# ------------------------------------------------------------------------------
# Help, generated from the comment block above each command_<verb> function.
# ------------------------------------------------------------------------------

# Print "verb<TAB>line" for each comment line above a command_ function; a block whose
# first line starts with "(hidden)" is left out.
help_verbs() {
  local line verb text
  local -a block=()
  while IFS= read -r line; do
    if [[ "${line}" =~ ^command_([a-z]+)\(\)\ \{$ ]]; then
      verb="${BASH_REMATCH[1]}"
      if ((${#block[@]} > 0)) && [[ "${block[0]}" != "(hidden)"* ]]; then
        for text in "${block[@]}"; do
          printf '%s\t%s\n' "${verb}" "${text}"
        done
      fi
      block=()
    elif [[ "${line}" == "#" || "${line}" == "# "* ]]; then
      block+=("${line#"# "}")
    else
      block=()
    fi
  done <"${SCRIPT_PATH}"
}

usage() {
  local verb text previous=""
  printf 'usage: %s [options] <verb>\n\nverbs:\n' "${PROGRAM}"
  while IFS=$'\t' read -r verb text; do
    if [[ "${verb}" == "${previous}" ]]; then
      printf '  %-11s %s\n' "" "${text}"
    else
      printf '  %-11s %s\n' "${verb}" "${text}"
    fi
    previous="${verb}"
  done < <(help_verbs)
  cat <<EOF

options (each has an environment twin):
  --settings FILE      settings file          TSYS_SETTINGS
                       (default: the settings file beside this script)
  --overrides FILE     overrides file: replaces values, may not add keys
                                              TSYS_SETTINGS_OVERRIDES
  --keep-on-failure    keep the containers of a failed start for inspection
                                              TSYS_KEEP_ON_FAILURE=1
  -h, --help           this help
environment only:
  TSYS_LOG_DIR         log folder (default: logs/ beside this script)
  TSYS_STATE_DIR       state folder holding the generated wakapi password salt
                       (default: state/ beside this script)
  DEBUG=1              trace every command (set -x)
  NO_COLOR             no colours even on a terminal

exit codes:
EOF
  local row code kind text
  for row in "${EXIT_TABLE[@]}"; do
    IFS='|' read -r code kind text <<<"${row}"
    printf '  %-3s %s\n' "${code}" "${text}"
  done
}

# usage_error MESSAGE HINT: bad command line; usage to stderr, exit 2.
usage_error() {
  usage >&2
  printf '\n' >&2
  die bad_input "$1" "$2"
}

# ------------------------------------------------------------------------------
# Settings: KEY=value lines read as data. Values are literal; nothing is expanded.
# ------------------------------------------------------------------------------

# settings_parse FILE MODE: MODE "base" may add keys, "overrides" may only replace.
settings_parse() {
  local file="$1" mode="$2" line key value line_no=0
  local -A seen=()
  local what="settings file (--settings, TSYS_SETTINGS)"
  if [[ "${mode}" == overrides ]]; then
    what="overrides file (--overrides, TSYS_SETTINGS_OVERRIDES)"
  fi
  if [[ -d "${file}" || ! -r "${file}" ]]; then
    die bad_input "failed to read the ${what%% (*} '${file}'" \
      "check the path of the ${what}"
  fi
  while IFS= read -r line || [[ -n "${line}" ]]; do
    line_no=$((line_no + 1))
    # A CRLF file reads as an LF file, as the conformance suite's parser reads it.
    line="${line%$'\r'}"
    if [[ "${line}" =~ ^[[:space:]]*$ || "${line}" =~ ^[[:space:]]*# ]]; then
      continue
    fi
    key="${line%%=*}"
    value="${line#*=}"
    if [[ "${line}" != *=* || ! "${key}" =~ ^[A-Z][A-Z0-9_]*$ ]]; then
      die bad_input "failed to parse ${file}:${line_no}: '${line}'" \
        "write KEY=value with an upper-case key (A-Z, 0-9, _), or start a comment with #"
    fi
    if [[ -n "${seen[${key}]:-}" ]]; then
      die bad_input "failed to parse ${file}:${line_no}: duplicate key '${key}'" \
        "keep one ${key} line; the first one is at ${file}:${seen[${key}]}"
    fi
    seen["${key}"]="${line_no}"
    if [[ "${mode}" == overrides && -z "${SETTING_WHERE[${key}]:-}" ]]; then
      die bad_input "failed to apply ${file}:${line_no}: unknown key '${key}'" \
        "an overrides file may only replace keys of '${SETTINGS_FILE}'; check the spelling"
    fi
    SETTINGS["${key}"]="${value}"
    SETTING_WHERE["${key}"]="${file}:${line_no}"
  done <"${file}"
}

# bad_setting KEY ALLOWED: reject the current value of KEY.
bad_setting() {
  local key="$1" allowed="$2"
  die bad_input \
    "failed to accept setting ${key}='${SETTINGS[${key}]}' (${SETTING_WHERE[${key}]})" \
    "allowed: ${allowed}"
}

# in_range VALUE LOW HIGH: VALUE is a decimal integer within LOW..HIGH.
in_range() {
  [[ "$1" =~ ^[0-9]{1,9}$ ]] && ((10#$1 >= $2 && 10#$1 <= $3))
}

# A size like 16m or 256M, in MiB, within LOW..HIGH; UNITS lists the accepted suffixes.
size_in_range() {
  local value="$1" units="$2" low="$3" high="$4" number
  [[ "${value}" =~ ^([0-9]{1,6})([A-Za-z])$ ]] || return 1
  [[ "${units}" == *"${BASH_REMATCH[2]}"* ]] || return 1
  number=$((10#${BASH_REMATCH[1]}))
  if [[ "${BASH_REMATCH[2]}" == [gG] ]]; then
    number=$((number * 1024))
  fi
  ((number >= low && number <= high))
}

# A duration like 5s or 2m, within 1s..300s.
duration_ok() {
  local number
  [[ "$1" =~ ^([0-9]{1,4})(s|m)$ ]] || return 1
  number=$((10#${BASH_REMATCH[1]}))
  if [[ "${BASH_REMATCH[2]}" == m ]]; then
    number=$((number * 60))
  fi
  ((number >= 1 && number <= 300))
}

# A number of CPUs with up to three decimals, within 0.5..1.0.
cpus_ok() {
  local whole fraction thousandths
  [[ "$1" =~ ^([0-9]{1,3})(\.([0-9]{1,3}))?$ ]] || return 1
  whole="${BASH_REMATCH[1]}"
  fraction="${BASH_REMATCH[3]}000"
  thousandths=$((10#${whole} * 1000 + 10#${fraction:0:3}))
  ((thousandths >= 500 && thousandths <= 1000))
}

# An image reference with an explicit tag other than "latest", or a sha256 digest.
image_pinned() {
  local reference="$1" last
  if [[ "${reference}" =~ ^[a-z0-9][^[:space:]@]*@sha256:[0-9a-f]{64}$ ]]; then
    return 0
  fi
  [[ "${reference}" =~ ^[a-z0-9][a-z0-9._/:-]*$ ]] || return 1
  last="${reference##*/}"
  [[ "${last}" == *:* ]] || return 1
  [[ "${last##*:}" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ && "${last##*:}" != latest ]]
}

setting_require() {
  local key
  for key in "$@"; do
    if [[ -z "${SETTING_WHERE[${key}]:-}" ]]; then
      die bad_input "failed to find setting '${key}' in '${SETTINGS_FILE}'" \
        "add it; the settings file shipped beside this script lists every key"
    fi
  done
}

# Validate one setting by the rule its name selects; unknown keys pass.
setting_check() {
  local key="$1" value="${SETTINGS[$1]}"
  case "${key}" in
    TSYS_PROJECT_NAME)
      [[ "${value}" =~ ^[a-z0-9][a-z0-9_-]*$ ]] ||
        bad_setting "${key}" "lowercase letters, digits, '_' and '-'; first a letter or digit"
      ;;
    TSYS_PREFIX)
      [[ "${value}" =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] ||
        bad_setting "${key}" "letters, digits and '-', starting with a letter or digit"
      ;;
    TSYS_COMPONENTS) components_check ;;
    TSYS_BIND_ADDRESS)
      [[ "${value}" == 127.0.0.1 || "${value}" == ::1 ]] ||
        bad_setting "${key}" "127.0.0.1 or ::1"
      ;;
    TSYS_DOCKER_SOCKET)
      [[ "${value}" == /* ]] || bad_setting "${key}" "an absolute path"
      ;;
    TSYS_RESTART_POLICY)
      [[ "${value}" == unless-stopped ]] ||
        { [[ "${value}" == on-failure:* ]] && in_range "${value#on-failure:}" 1 10; } ||
        bad_setting "${key}" "unless-stopped, or on-failure:N with N 1-10"
      ;;
    TSYS_START_TIMEOUT) in_range "${value}" 10 900 || bad_setting "${key}" "seconds, 10-900" ;;
    TSYS_LOG_MAX_SIZE) size_in_range "${value}" m 1 100 || bad_setting "${key}" "1m-100m" ;;
    TSYS_LOG_MAX_FILE) in_range "${value}" 1 10 || bad_setting "${key}" "1-10" ;;
    # POST=1 would open every write of the Docker API to anything reaching the proxy.
    TSYS_PROXY_POST) [[ "${value}" == 0 ]] || bad_setting "${key}" "0 only (no writes)" ;;
    TSYS_PROXY_CONTAINERS)
      [[ "${value}" == 0 || "${value}" == 1 ]] || bad_setting "${key}" "0 or 1"
      ;;
    TSYS_WAKAPI_ALLOW_SIGNUP | TSYS_WAKAPI_LEADERBOARD_ENABLED | \
      TSYS_WAKAPI_INSECURE_COOKIES | TSYS_WAKAPI_DISABLE_FRONTPAGE)
      [[ "${value}" == true || "${value}" == false ]] || bad_setting "${key}" "true or false"
      ;;
    TSYS_WAKAPI_PASSWORD_SALT)
      [[ -z "${value}" || ${#value} -ge 16 ]] ||
        bad_setting "${key}" "empty (generated on first start) or 16+ characters"
      ;;
    TSYS_NETWORK_* | *_CONTAINER) name_check "${key}" ;;
    *_IMAGE)
      image_pinned "${value}" ||
        bad_setting "${key}" "an image with an explicit tag other than latest, or a digest"
      ;;
    *_HOST_PORT) in_range "${value}" 1024 65535 || bad_setting "${key}" "1024-65535" ;;
    *_PORT) in_range "${value}" 1 65535 || bad_setting "${key}" "1-65535" ;;
    *_CPUS) cpus_ok "${value}" || bad_setting "${key}" "a decimal number of CPUs, 0.5-1.0" ;;
    *_MEMORY) size_in_range "${value}" MmGg 128 512 || bad_setting "${key}" "128M-512M" ;;
    *_PIDS) in_range "${value}" 32 1024 || bad_setting "${key}" "an integer, 32-1024" ;;
    *_TMPFS_SIZE) size_in_range "${value}" mM 1 64 || bad_setting "${key}" "1m-64m" ;;
    *_HEALTH_INTERVAL | *_HEALTH_TIMEOUT | *_HEALTH_START_PERIOD)
      duration_ok "${value}" || bad_setting "${key}" "a duration like 5s or 2m, 1s-300s"
      ;;
    *_RETRIES) in_range "${value}" 1 10 || bad_setting "${key}" "an integer, 1-10" ;;
    *_UID | *_GID) in_range "${value}" 1 2147483647 || bad_setting "${key}" "a non-zero id" ;;
    *_WEIGHT) [[ "${value}" =~ ^-?[0-9]{1,9}$ ]] || bad_setting "${key}" "an integer" ;;
  esac
}

components_check() {
  local name
  local -A seen=()
  read -r -a COMPONENTS <<<"${SETTINGS[TSYS_COMPONENTS]}"
  if ((${#COMPONENTS[@]} == 0)); then
    bad_setting TSYS_COMPONENTS "one or more space-separated component names"
  fi
  for name in "${COMPONENTS[@]}"; do
    if [[ ! "${name}" =~ ^[a-z0-9][a-z0-9-]*$ || -n "${seen[${name}]:-}" ]]; then
      bad_setting TSYS_COMPONENTS "distinct names of lowercase letters, digits and '-'"
    fi
    seen["${name}"]=1
  done
}

# Container and network names: start with TSYS_PREFIX, then Docker's name characters.
name_check() {
  local key="$1" value="${SETTINGS[$1]}"
  if [[ "${value}" != "${PREFIX}"* || ! "${value}" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
    bad_setting "${key}" "a name starting with TSYS_PREFIX ('${PREFIX}'), letters, digits, _ . -"
  fi
}

# The Compose file of each component, in order; a missing one is bad input.
compose_files_resolve() {
  local name file
  COMPOSE_FILE_ARGS=()
  for name in "${COMPONENTS[@]}"; do
    file="${SCRIPT_DIR}/compose/${COMPOSE_FILE_STEM}-${name}.yml"
    if [[ ! -f "${file}" || ! -r "${file}" ]]; then
      die bad_input "failed to read the Compose file of component '${name}': '${file}'" \
        "add the file, or remove '${name}' from TSYS_COMPONENTS" \
        "TSYS_COMPONENTS is set at ${SETTING_WHERE[TSYS_COMPONENTS]}"
    fi
    COMPOSE_FILE_ARGS+=(-f "${file}")
  done
}

# Load, merge and validate the settings, then find the Compose files.
settings_load() {
  local key
  SETTINGS=()
  SETTING_WHERE=()
  settings_parse "${SETTINGS_FILE}" base
  if [[ -n "${OVERRIDES_FILE}" ]]; then
    settings_parse "${OVERRIDES_FILE}" overrides
  fi
  setting_require TSYS_PROJECT_NAME TSYS_PREFIX TSYS_COMPONENTS TSYS_BIND_ADDRESS \
    TSYS_DOCKER_SOCKET TSYS_START_TIMEOUT
  # The prefix first: the name rules of other keys depend on it.
  setting_check TSYS_PREFIX
  PREFIX="${SETTINGS[TSYS_PREFIX]}"
  while IFS= read -r key; do
    setting_check "${key}"
  done < <(settings_keys)
  PROJECT="${SETTINGS[TSYS_PROJECT_NAME]}"
  host_ports_distinct
  health_fits_start_timeout
  compose_files_resolve
  compose_variables_defined
}

# Seconds in a duration that duration_ok accepted (Ns or Nm).
duration_seconds() {
  local number="${1%[sm]}"
  number=$((10#${number}))
  [[ "$1" == *m ]] && number=$((number * 60))
  printf '%s\n' "${number}"
}

# The first health probe runs one interval after start, so an interval as long as the
# start timeout can never report healthy in time: refuse it before anything changes.
health_fits_start_timeout() {
  local key value seconds timeout="${SETTINGS[TSYS_START_TIMEOUT]}"
  while IFS= read -r key; do
    [[ "${key}" == *_HEALTH_INTERVAL ]] || continue
    value="${SETTINGS[${key}]}"
    seconds="$(duration_seconds "${value}")"
    if ((seconds >= timeout)); then
      die bad_input "failed to accept setting ${key}='${value}' (${SETTING_WHERE[${key}]})" \
        "it must be shorter than TSYS_START_TIMEOUT (${timeout} s), or start times out first"
    fi
  done < <(settings_keys)
}

# Two components on one host port would fight over it after the first had started.
host_ports_distinct() {
  local key port
  local -A owner=()
  while IFS= read -r key; do
    [[ "${key}" =~ ^TSYS_[A-Z0-9_]+_HOST_PORT$ ]] || continue
    port="${SETTINGS[${key}]}"
    if [[ -n "${owner[${port}]:-}" ]]; then
      die bad_input "failed to accept setting ${key}='${port}' (${SETTING_WHERE[${key}]})" \
        "${owner[${port}]} already publishes port ${port}; give each component its own port"
    fi
    owner["${port}"]="${key}"
  done < <(settings_keys)
}

# Every ${TSYS_...} the Compose files use must be a setting, so a missing key is named
# here rather than in Compose's interpolation error.
compose_variables_defined() {
  local file name
  for file in "${COMPOSE_FILE_ARGS[@]}"; do
    [[ "${file}" == -f ]] && continue
    while IFS= read -r name; do
      if [[ -z "${SETTING_WHERE[${name}]:-}" ]]; then
        die bad_input "failed to find setting '${name}' in '${SETTINGS_FILE}'" \
          "add ${name}=<value> to it; '$(basename "${file}")' uses it"
      fi
    done < <(grep -oE '\$\{TSYS_[A-Z0-9_]+' "${file}" | cut -c3- | LC_ALL=C sort -u)
  done
}

settings_keys() {
  if ((${#SETTINGS[@]} > 0)); then
    printf '%s\n' "${!SETTINGS[@]}" | LC_ALL=C sort
  fi
}

# Print the loaded, merged settings as sorted KEY=value lines.
settings_print() {
  local key
  while IFS= read -r key; do
    printf '%s=%s\n' "${key}" "${SETTINGS[${key}]}"
  done < <(settings_keys)
}

# ------------------------------------------------------------------------------
# The wakapi password salt: from the settings, else kept in the state folder.
# ------------------------------------------------------------------------------

# Find the salt without writing anything; a new one is kept in memory until
# salt_persist. The xtrace is paused so DEBUG=1 never shows it.
salt_resolve() {
  local restore_trace=0 file="${STATE_DIR}/${SALT_FILE_NAME}" raw=""
  if [[ $- == *x* ]]; then
    restore_trace=1
    set +x
  fi
  SALT_IS_NEW=0
  if [[ -n "${SETTINGS[TSYS_WAKAPI_PASSWORD_SALT]:-}" ]]; then
    SALT_VALUE="${SETTINGS[TSYS_WAKAPI_PASSWORD_SALT]}"
  elif [[ -f "${file}" ]]; then
    SALT_VALUE="$(<"${file}")"
    if ((${#SALT_VALUE} < 16)); then
      die bad_input "failed to read the wakapi password salt from '${file}'" \
        "delete the file to generate a new salt (existing wakapi passwords stop working)"
    fi
  else
    raw="$(head -c 1024 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')"
    SALT_VALUE="${raw:0:32}"
    SALT_IS_NEW=1
  fi
  if ((restore_trace)); then
    set -x
  fi
}

# Keep a newly generated salt: folder 0700, file 0600, written atomically.
salt_persist() {
  local file="${STATE_DIR}/${SALT_FILE_NAME}" restore_trace=0
  if ((SALT_IS_NEW == 0)); then
    return 0
  fi
  if [[ $- == *x* ]]; then
    restore_trace=1
    set +x
  fi
  if ! (umask 077 && mkdir -p -- "${STATE_DIR}" && chmod 700 -- "${STATE_DIR}" &&
    printf '%s\n' "${SALT_VALUE}" >"${file}.new" && chmod 600 -- "${file}.new" &&
    mv -f -- "${file}.new" "${file}"); then
    die failed "failed to store the wakapi password salt in '${STATE_DIR}'" \
      "make the folder writable, or set TSYS_STATE_DIR to a writable folder"
  fi
  SALT_IS_NEW=0
  if ((restore_trace)); then
    set -x
  fi
  info "wakapi: generated a password salt, kept in '${file}'"
}

# ------------------------------------------------------------------------------
# Compose: every setting goes into the environment of the compose command only.
# ------------------------------------------------------------------------------

# compose ARGS...: run Compose on the stack's files. The trace shows the command
# without the environment, which holds the salt.
compose() {
  local key restore_trace=0 status=0
  local -a environment=()
  if [[ $- == *x* ]]; then
    restore_trace=1
    set +x
    printf '+ %s -p %s %s %s\n' "${COMPOSE_CMD[*]}" "${PROJECT}" \
      "${COMPOSE_FILE_ARGS[*]}" "$*" >&2
  fi
  for key in "${!SETTINGS[@]}"; do
    environment+=("${key}=${SETTINGS[${key}]}")
  done
  environment+=("TSYS_WAKAPI_PASSWORD_SALT=${SALT_VALUE}")
  env "${environment[@]}" "${COMPOSE_CMD[@]}" -p "${PROJECT}" "${COMPOSE_FILE_ARGS[@]}" "$@" ||
    status=$?
  if ((restore_trace)); then
    set -x
  fi
  return "${status}"
}

# compose_relayed ARGS...: compose with its output indented on stderr and in the log.
compose_relayed() {
  local status=0
  compose "$@" 2>&1 | relay_output || status=$?
  return "${status}"
}

service_of() {
  printf '%s-%s\n' "${PREFIX}" "$1"
}

# Print the id of the container of a component's service (empty when there is none).
container_of() {
  local service
  service="$(service_of "$1")"
  docker ps -a -q --no-trunc \
    --filter "label=com.docker.compose.project=${PROJECT}" \
    --filter "label=com.docker.compose.service=${service}" | head -n 1
}

# Print "status health" of a container ("missing" when it is gone; health may be empty).
container_state() {
  docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' \
    "$1" 2>/dev/null || printf 'missing \n'
}

container_name() {
  local name
  name="$(docker inspect -f '{{.Name}}' "$1" 2>/dev/null)" || name="$1"
  printf '%s\n' "${name#/}"
}

# Ids of the project's containers; "running" limits them to running ones.
project_containers() {
  local -a all=(-a)
  if [[ "${1:-}" == running ]]; then
    all=()
  fi
  docker ps "${all[@]}" -q --no-trunc --filter "label=com.docker.compose.project=${PROJECT}"
}

# ------------------------------------------------------------------------------
# Host checks ("no impact" phase): they look, they change nothing.
# ------------------------------------------------------------------------------

require_docker() {
  local output
  if ! command -v docker >/dev/null 2>&1; then
    die host_not_ready "failed to find the docker CLI on PATH '${PATH}'" \
      "install Docker Engine and its CLI (Debian: apt-get install docker.io)"
  fi
  if ! output="$(timeout 30 docker info --format '{{.ServerVersion}}' 2>&1)"; then
    die host_not_ready "failed to reach the Docker daemon ('docker info')" \
      "start it: 'systemctl start docker', or 'dockerd >/tmp/dockerd.log 2>&1 &' without systemd" \
      "${output}"
  fi
  require_compose_v2
}

# Major version of a "version --short" answer such as v2.40.3 or 1.29.2.
version_major() {
  local version="${1#v}"
  printf '%s\n' "${version%%.*}"
}

# Use the Compose v2 plugin, else a standalone docker-compose v2; refuse v1.
require_compose_v2() {
  local version="" major
  if version="$(docker compose version --short 2>/dev/null)" && [[ -n "${version}" ]]; then
    major="$(version_major "${version}")"
    if [[ "${major}" =~ ^[0-9]+$ ]] && ((major >= 2)); then
      COMPOSE_CMD=(docker compose)
      return 0
    fi
  fi
  version=""
  if command -v docker-compose >/dev/null 2>&1; then
    version="$(docker-compose version --short 2>/dev/null)" || version=""
    major="$(version_major "${version}")"
    if [[ "${major}" =~ ^[0-9]+$ ]] && ((major >= 2)); then
      COMPOSE_CMD=(docker-compose)
      return 0
    fi
  fi
  if [[ -n "${version}" ]]; then
    die host_not_ready "failed to find Compose v2: only 'docker-compose ${version}' (v1)" \
      "install the docker compose plugin or docker-compose 2.x (Debian: bookworm-backports)" \
      "Compose v1 is not supported: it lacks the Compose specification this stack uses"
  fi
  die host_not_ready "failed to find Compose v2 ('docker compose' or 'docker-compose')" \
    "install the docker compose plugin, or docker-compose 2.x (Debian: bookworm-backports)"
}

require_socket() {
  local socket="${SETTINGS[TSYS_DOCKER_SOCKET]}"
  if [[ ! -S "${socket}" ]]; then
    die host_not_ready "failed to find the Docker socket '${socket}'" \
      "set TSYS_DOCKER_SOCKET (${SETTING_WHERE[TSYS_DOCKER_SOCKET]}) to the engine's socket"
  fi
}

# host_for_url ADDRESS: brackets around an IPv6 address.
host_for_url() {
  if [[ "$1" == *:* ]]; then
    printf '[%s]\n' "$1"
  else
    printf '%s\n' "$1"
  fi
}

# port_listened ADDRESS PORT: something listens on PORT at ADDRESS or a wildcard.
port_listened() {
  local address="$1" port="$2" local_address host
  if command -v ss >/dev/null 2>&1; then
    while read -r _ _ _ local_address _; do
      host="${local_address%:*}"
      host="${host%%\%*}"
      case "${host}" in
        "${address}" | "[${address}]" | 0.0.0.0 | "*" | "[::]") return 0 ;;
      esac
    done < <(ss -H -l -t -n "sport = :${port}" 2>/dev/null)
    return 1
  fi
  # Without ss, try to connect: only this machine's loopback is ever contacted.
  (exec 3<>"/dev/tcp/${address}/${port}") 2>/dev/null
}

# Host ports that the project's running containers publish, as "address:port" lines.
own_published_ports() {
  local id
  while IFS= read -r id; do
    docker port "${id}" 2>/dev/null | sed -n 's/^.* -> //p'
  done < <(project_containers running)
}

require_free_ports() {
  local address="${SETTINGS[TSYS_BIND_ADDRESS]}" key port owned host
  owned="$(own_published_ports)"
  host="$(host_for_url "${address}")"
  while IFS= read -r key; do
    [[ "${key}" =~ ^TSYS_[A-Z0-9_]+_HOST_PORT$ ]] || continue
    port="${SETTINGS[${key}]}"
    if grep -qxF -e "${address}:${port}" -e "${host}:${port}" <<<"${owned}"; then
      info "port ${host}:${port} (${key}) is held by this stack's own container"
      continue
    fi
    if port_listened "${address}" "${port}"; then
      die host_not_ready "failed to reserve host port '${host}:${port}' (${key}): it is in use" \
        "free it (ss -ltnp 'sport = :${port}' shows the holder) or set ${key} in --overrides"
    fi
  done < <(settings_keys)
}

# The merged model must validate and hold a service TSYS_PREFIX-<component> for each
# component (Compose service names are literal, so TSYS_PREFIX must match them).
require_valid_model() {
  local output services component service
  if ! output="$(compose config -q 2>&1)"; then
    die bad_input "failed to validate the Compose model of project '${PROJECT}'" \
      "fix the setting or Compose file named below" "${output}"
  fi
  services="$(compose config --services 2>/dev/null)" || services=""
  for component in "${COMPONENTS[@]}"; do
    service="$(service_of "${component}")"
    if ! grep -qxF -e "${service}" <<<"${services}"; then
      die bad_input "failed to find service '${service}' in the Compose model" \
        "name the service in ${COMPOSE_FILE_STEM}-${component}.yml after TSYS_PREFIX" \
        "services found: ${services//$'\n'/ }"
    fi
  done
}

# Homepage answers /api calls only for the hosts it is told; warn about a mismatch.
warn_homepage_hosts() {
  local allowed="${SETTINGS[TSYS_HOMEPAGE_ALLOWED_HOSTS]:-}" host port
  [[ " ${COMPONENTS[*]} " == *" homepage "* && -n "${SETTINGS[TSYS_HOMEPAGE_HOST_PORT]:-}" ]] ||
    return 0
  host="$(host_for_url "${SETTINGS[TSYS_BIND_ADDRESS]}")"
  port="${SETTINGS[TSYS_HOMEPAGE_HOST_PORT]}"
  if [[ ",${allowed}," != *",${host}:${port},"* ]]; then
    warn "homepage will refuse API calls at '${host}:${port}'; not listed in" \
      "TSYS_HOMEPAGE_ALLOWED_HOSTS='${allowed}'"
    emit hint "add '${host}:${port}' to TSYS_HOMEPAGE_ALLOWED_HOSTS"
  fi
}

# Everything start and update check before they change anything.
preflight() {
  info "checking the host (nothing is changed yet)"
  settings_load
  require_docker
  require_socket
  require_free_ports
  salt_resolve
  require_valid_model
  warn_homepage_hosts
}

# For stop and uninstall: settings, CLI, daemon and Compose v2 only.
preflight_daemon_only() {
  settings_load
  require_docker
  salt_resolve_for_teardown
}

# Teardown needs an interpolated model, not the real salt: never read or make one.
salt_resolve_for_teardown() {
  SALT_VALUE="${SETTINGS[TSYS_WAKAPI_PASSWORD_SALT]:-}"
  SALT_VALUE="${SALT_VALUE:-unused-by-stop-and-uninstall}"
}

# ------------------------------------------------------------------------------
# The health-gated start shared by start and update.
# ------------------------------------------------------------------------------

# wait_healthy COMPONENT ID STARTED: poll once a second; print the outcome state.
# Returns 0 when healthy, 1 otherwise (the state says why).
wait_healthy() {
  local component="$1" id="$2" started="$3" timeout="${SETTINGS[TSYS_START_TIMEOUT]}"
  local state status health
  while true; do
    state="$(container_state "${id}")"
    status="${state%% *}"
    health="${state#* }"
    if [[ "${health}" == healthy ]]; then
      return 0
    elif [[ "${health}" == unhealthy ]]; then
      printf 'unhealthy\n'
      return 1
    elif [[ "${status}" == exited || "${status}" == dead || "${status}" == missing ]]; then
      printf '%s\n' "${status}"
      return 1
    elif [[ "${status}" == running && -z "${health}" ]]; then
      warn "${component}: has no health check; running counts as healthy"
      return 0
    elif ((SECONDS - started >= timeout)); then
      printf 'timed out after %s s (status %s, health %s)\n' "${timeout}" "${status}" \
        "${health:-none}"
      return 1
    fi
    sleep 1
  done
}

# Last health-check output of a container.
last_health_output() {
  local all
  all="$(docker inspect -f \
    '{{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{"\x1e"}}{{end}}{{end}}' \
    "$1" 2>/dev/null)" || all=""
  all="${all%$'\x1e'}"
  all="${all##*$'\x1e'}"
  printf '%s\n' "${all:-(no health-check output)}"
}

# roll_back BEFORE FAILED: stop and remove what this run started: the project's
# running containers whose ids are not in BEFORE, and the failed one (FAILED, an id).
roll_back() {
  local before="$1" failed="$2" id name
  local -a names=() ids=()
  while IFS= read -r id; do
    [[ -n "${id}" ]] || continue
    if [[ " ${ids[*]} " == *" ${id} "* ]] || grep -qxF -e "${id}" <<<"${before}"; then
      continue
    fi
    ids+=("${id}")
    name="$(container_name "${id}")"
    names+=("'${name}'")
  done < <(project_containers running; printf '%s\n' "${failed}")
  if ((${#ids[@]} == 0)); then
    info "nothing to roll back: this run started no container"
  elif [[ "${KEEP_ON_FAILURE}" == 1 ]]; then
    warn "kept for inspection (TSYS_KEEP_ON_FAILURE=1): ${names[*]}"
    emit hint "remove them with '${PROGRAM} stop' when done"
  else
    docker stop "${ids[@]}" >/dev/null 2>&1 || true
    docker rm -f "${ids[@]}" >/dev/null 2>&1 || true
    info "rolled back: stopped and removed ${names[*]}; volumes and networks are kept"
  fi
}

# fail_component COMPONENT ID STATE BEFORE: report, roll back, exit 1.
fail_component() {
  local component="$1" id="$2" state="$3" before="$4" health="" logs=""
  if [[ -n "${id}" ]]; then
    health="$(last_health_output "${id}")"
    logs="$(docker logs --tail 20 "${id}" 2>&1)" || true
  fi
  report_error "failed to start '${component}': ${state}" \
    "fix the cause shown above, then run start again; --keep-on-failure keeps the containers" \
    "last health-check output:" "${health:-(none)}" \
    "last 20 log lines:" "${logs:-(none)}"
  roll_back "${before}" "${id}"
  exit "$(exit_code_for failed)"
}

# Start each component in order, waiting until it is healthy.
start_components() {
  local component service id before_id before_state state started fresh=0 before
  salt_persist
  before="$(project_containers running)"
  for component in "${COMPONENTS[@]}"; do
    service="$(service_of "${component}")"
    info "${component}: starting"
    before_id="$(container_of "${component}")"
    before_state=""
    if [[ -n "${before_id}" ]]; then
      before_state="$(container_state "${before_id}")"
    fi
    started="${SECONDS}"
    if ! compose_relayed up -d "${service}"; then
      id="$(container_of "${component}")"
      fail_component "${component}" "${id}" "'compose up' failed" "${before}"
    fi
    id="$(container_of "${component}")"
    if [[ -z "${id}" ]]; then
      fail_component "${component}" "" "no container for service '${service}'" "${before}"
    fi
    if ! state="$(wait_healthy "${component}" "${id}" "${started}")"; then
      fail_component "${component}" "${id}" "${state}" "${before}"
    fi
    if [[ "${id}" == "${before_id}" && "${before_state}" == "running healthy" ]]; then
      info "${component}: already healthy"
    else
      fresh=1
      info "${component}: healthy after $((SECONDS - started)) s"
    fi
  done
  if ((fresh == 0)); then
    info "all components were already healthy; nothing changed"
  fi
  print_addresses
}

# Where the published components answer: every TSYS_<NAME>_HOST_PORT of a listed one.
print_addresses() {
  local key name host
  host="$(host_for_url "${SETTINGS[TSYS_BIND_ADDRESS]}")"
  while IFS= read -r key; do
    [[ "${key}" =~ ^TSYS_([A-Z0-9_]+)_HOST_PORT$ ]] || continue
    name="${BASH_REMATCH[1],,}"
    name="${name//_/-}"
    if [[ " ${COMPONENTS[*]} " == *" ${name} "* ]]; then
      if [[ "${name}" == homepage ]]; then
        info "dashboard (homepage): http://${host}:${SETTINGS[${key}]}"
      else
        info "${name}: http://${host}:${SETTINGS[${key}]}"
      fi
    fi
  done < <(settings_keys)
}

# ------------------------------------------------------------------------------
# Inventory for uninstall: the project's label OR the name prefix (matched here,
# case-sensitively; Docker's name filters match substrings).
# ------------------------------------------------------------------------------

# inventory KIND: print "id name" of containers, networks or volumes of the stack.
inventory() {
  local kind="$1" id name
  local -a list=() labelled=()
  case "${kind}" in
    container)
      list=(docker ps -a --no-trunc --format '{{.ID}} {{.Names}}')
      ;;
    network)
      list=(docker network ls --no-trunc --format '{{.ID}} {{.Name}}')
      ;;
    volume)
      list=(docker volume ls --format '{{.Name}} {{.Name}}')
      ;;
  esac
  labelled=("${list[@]}" --filter "label=com.docker.compose.project=${PROJECT}")
  {
    "${labelled[@]}"
    "${list[@]}" | while read -r id name; do
      if [[ "${name}" == "${PREFIX}"* ]]; then
        printf '%s %s\n' "${id}" "${name}"
      fi
    done
  } | LC_ALL=C sort -u
}

# Everything of the stack on the engine, as "kind 'name'" lines.
inventory_all() {
  local kind id name
  for kind in container network volume; do
    while read -r id name; do
      printf "%s '%s'\n" "${kind}" "${name}"
    done < <(inventory "${kind}")
  done
}

# ------------------------------------------------------------------------------
# Verbs. The comment block above each function is its help text.
# ------------------------------------------------------------------------------

# Check the host without changing anything, then start each component in
# order and wait until it is healthy (TSYS_START_TIMEOUT each). On a failure,
# stop and remove the containers this run started (volumes are kept).
# A second start on a healthy stack changes nothing.
command_start() {
  local began="${SECONDS}"
  preflight
  start_components
  info "stack '${PROJECT}' is up ($((SECONDS - began)) s in total)"
}

# Stop the stack: remove its containers and networks; the data volume stays.
command_stop() {
  local id
  local -a names=()
  preflight_daemon_only
  while IFS= read -r id; do
    names+=("'$(container_name "${id}")'")
  done < <(project_containers)
  if ((${#names[@]} == 0)) &&
    [[ -z "$(docker network ls -q --filter "label=com.docker.compose.project=${PROJECT}")" ]]; then
    info "stack '${PROJECT}' is already stopped"
    return 0
  fi
  if ! compose_relayed down --remove-orphans; then
    die failed "failed to stop the stack '${PROJECT}'" \
      "see the Compose output above; 'docker ps -a' shows what is left"
  fi
  info "stopped '${PROJECT}': removed ${names[*]:-no container}; the data volume is kept"
}

# Remove everything the stack created: containers, networks, volumes (found by
# the project's label or the name prefix) and the state folder. Images are kept.
command_uninstall() {
  local line
  local -a found=() left=()
  preflight_daemon_only
  while IFS= read -r line; do
    found+=("${line}")
  done < <(inventory_all)
  if ((${#found[@]} == 0)) && [[ ! -e "${STATE_DIR}" ]]; then
    info "nothing to remove for '${PROJECT}'"
    info_images_kept
    return 0
  fi
  compose_relayed down -v --remove-orphans ||
    warn "'compose down' failed; removing what is left one by one"
  remove_leftovers
  remove_state
  while IFS= read -r line; do
    left+=("${line}")
  done < <(inventory_all)
  if ((${#left[@]} > 0)); then
    die failed "failed to remove ${left[*]}" \
      "remove them by hand with 'docker rm -f', 'docker network rm', 'docker volume rm'"
  fi
  local state_note=""
  if [[ -n "${STATE_REMOVED}" ]]; then
    state_note=", state folder '${STATE_DIR}'"
  fi
  info "removed: ${found[*]:-no Docker objects}${state_note}"
  info_images_kept
}

remove_leftovers() {
  local id name
  while read -r id name; do
    docker rm -f -v "${id}" >/dev/null 2>&1 || warn "failed to remove container '${name}'"
  done < <(inventory container)
  while read -r id name; do
    docker network rm "${id}" >/dev/null 2>&1 || warn "failed to remove network '${name}'"
  done < <(inventory network)
  while read -r id name; do
    docker volume rm "${id}" >/dev/null 2>&1 || warn "failed to remove volume '${name}'"
  done < <(inventory volume)
}

# Remove the state folder: only the files this script writes, then the folder if empty.
remove_state() {
  if [[ ! -e "${STATE_DIR}" ]]; then
    return 0
  fi
  rm -f -- "${STATE_DIR}/${SALT_FILE_NAME}" "${STATE_DIR}/${SALT_FILE_NAME}.new"
  if rmdir -- "${STATE_DIR}" 2>/dev/null; then
    STATE_REMOVED=1
  else
    warn "kept the state folder '${STATE_DIR}': it holds files this script did not write"
  fi
}

info_images_kept() {
  local key
  local -a images=()
  while IFS= read -r key; do
    if [[ "${key}" == *_IMAGE ]] && docker image inspect "${SETTINGS[${key}]}" >/dev/null 2>&1; then
      images+=("'${SETTINGS[${key}]}'")
    fi
  done < <(settings_keys)
  if ((${#images[@]} > 0)); then
    info "images are kept: ${images[*]}; remove them with 'docker image rm' if wanted"
  fi
}

# Pull newer images for the pinned tags, then start as "start" does (changed
# containers are recreated). A failed pull changes nothing.
command_update() {
  local began="${SECONDS}"
  preflight
  info "pulling images"
  if ! compose_relayed pull; then
    die failed "failed to pull the images of '${PROJECT}'; nothing was changed" \
      "a container registry must be reachable from this host; the running stack is untouched"
  fi
  start_components
  info "stack '${PROJECT}' is updated ($((SECONDS - began)) s in total)"
}

# Run the conformance suite (cargo test in the repository root).
command_test() {
  local root status=0
  root="$(cd -- "${SCRIPT_DIR}/../.." && pwd)"
  if [[ ! -f "${root}/Cargo.toml" ]]; then
    die host_not_ready "failed to find the conformance suite '${root}/Cargo.toml'" \
      "run this script from a full checkout of the repository"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    die host_not_ready "failed to find cargo on PATH '${PATH}'" \
      "install the Rust toolchain (rustup, or Debian: apt-get install cargo)"
  fi
  info "running the conformance suite in '${root}'"
  (cd -- "${root}" && cargo test) || status=$?
  # The policy-by-component table, so the run ends with what people read first.
  if [[ -f "${root}/reports/conformance-summary.md" ]]; then
    info "summary (also in '${root}/reports/conformance-summary.md'):"
    cat -- "${root}/reports/conformance-summary.md"
  fi
  if ((status != 0)); then
    die failed "failed to pass the conformance suite (cargo test exited with ${status})" \
      "see the failing tests above"
  fi
  info "conformance suite passed"
}

# Print this help: verbs, options with their environment twins, exit codes.
command_help() {
  usage
}

# (hidden) Print the loaded, merged, valid settings as sorted KEY=value lines.
command_settings() {
  settings_load
  settings_print
}

# ------------------------------------------------------------------------------
# Entry point.
# ------------------------------------------------------------------------------

is_verb() {
  [[ "$1" =~ ^[a-z]+$ ]] && declare -F "command_$1" >/dev/null
}

# option_value OPTION ARGC: an option's argument must be present.
option_value() {
  if (($2 < 2)); then
    usage_error "failed to parse options: '$1' needs a value" "pass it as '$1 FILE'"
  fi
}

main() {
  local verb=""
  install_traps
  while (($# > 0)); do
    case "$1" in
      -h | --help) verb=help ;;
      --settings)
        option_value "$1" "$#"
        SETTINGS_FILE="$2"
        shift
        ;;
      --settings=*) SETTINGS_FILE="${1#*=}" ;;
      --overrides)
        option_value "$1" "$#"
        OVERRIDES_FILE="$2"
        shift
        ;;
      --overrides=*) OVERRIDES_FILE="${1#*=}" ;;
      --keep-on-failure) KEEP_ON_FAILURE=1 ;;
      -*)
        usage_error "failed to parse options: unknown option '$1'" \
          "see the options above"
        ;;
      *)
        if [[ -n "${verb}" && "${verb}" != help ]]; then
          usage_error "failed to parse arguments: unexpected '$1' after verb '${verb}'" \
            "give one verb"
        fi
        [[ -n "${verb}" ]] || verb="$1"
        ;;
    esac
    shift
  done
  if [[ -z "${verb}" ]]; then
    usage_error "failed to parse arguments: no verb given" "give one of the verbs above"
  fi
  if ! is_verb "${verb}"; then
    usage_error "failed to recognise verb '${verb}'" "use one of the verbs above"
  fi
  "command_${verb}"
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  main "$@"
fi
