#!/usr/bin/env bats
# Help, usage errors and the exit-code contract.

load helpers

setup() {
  control_setup
}

@test "help lists every verb with its generated description" {
  run --separate-stderr "${CONTROL}" help
  show
  [ "${status}" -eq 0 ]
  for verb in start stop uninstall update test help; do
    [[ "${output}" =~ $'\n'"  ${verb} " ]]
  done
  # Descriptions come from the comment blocks above the command_ functions.
  [[ "${output}" == *"Stop the stack: remove its containers and networks"* ]]
}

@test "help hides the settings verb" {
  run --separate-stderr "${CONTROL}" help
  [ "${status}" -eq 0 ]
  [[ ! "${output}" =~ $'\n'"  settings " ]]
  [[ "${output}" != *"(hidden)"* ]]
}

@test "help prints the exit-code table" {
  run --separate-stderr "${CONTROL}" help
  [ "${status}" -eq 0 ]
  [[ "${output}" == *"exit codes:"* ]]
  [[ "${output}" =~ $'\n'"  0 "+ok ]]
  [[ "${output}" =~ $'\n'"  1 "+failed ]]
  [[ "${output}" =~ $'\n'"  2 "+"bad input" ]]
  [[ "${output}" =~ $'\n'"  3 "+"host not ready" ]]
}

@test "help names every option with its environment twin" {
  run --separate-stderr "${CONTROL}" --help
  [ "${status}" -eq 0 ]
  for word in --settings TSYS_SETTINGS --overrides TSYS_SETTINGS_OVERRIDES \
    --keep-on-failure TSYS_KEEP_ON_FAILURE TSYS_LOG_DIR TSYS_STATE_DIR DEBUG=1; do
    [[ "${output}" == *"${word}"* ]]
  done
}

@test "-h and --help print the same help" {
  run --separate-stderr "${CONTROL}" -h
  [ "${status}" -eq 0 ]
  local plain="${output}"
  run --separate-stderr "${CONTROL}" --help
  [ "${output}" == "${plain}" ]
}

@test "no verb exits 2 with usage on stderr" {
  run --separate-stderr "${CONTROL}"
  [ "${status}" -eq 2 ]
  [ -z "${output}" ]
  [[ "${stderr}" == *"no verb given"* && "${stderr}" == *"usage:"* ]]
}

@test "an unknown verb exits 2 with usage on stderr and nothing on stdout" {
  run --separate-stderr "${CONTROL}" frobnicate
  show
  [ "${status}" -eq 2 ]
  [ -z "${output}" ]
  [[ "${stderr}" == *"usage: "* ]]
  [[ "${stderr}" == *"error: failed to recognise verb 'frobnicate'"* ]]
  [[ "${stderr}" == *"hint: "* ]]
}

@test "an unknown option exits 2 with usage on stderr" {
  run --separate-stderr "${CONTROL}" --frobnicate start
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"usage: "* ]]
  [[ "${stderr}" == *"unknown option '--frobnicate'"* ]]
}

@test "an option without its value exits 2" {
  run --separate-stderr "${CONTROL}" start --settings
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"'--settings' needs a value"* ]]
}

@test "two verbs exit 2" {
  run --separate-stderr "${CONTROL}" start stop
  [ "${status}" -eq 2 ]
  [[ "${stderr}" == *"unexpected 'stop'"* ]]
}

@test "errors go to a timestamped log in TSYS_LOG_DIR" {
  run --separate-stderr "${CONTROL}" frobnicate
  [ "${status}" -eq 2 ]
  local log="${TSYS_LOG_DIR}/TSYSDevStack-SupportStack-Demo-Control.log"
  [ -f "${log}" ]
  grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z error: failed to recognise' \
    "${log}"
}

@test "no colour escapes when stderr is not a terminal" {
  unset NO_COLOR
  run --separate-stderr "${CONTROL}" frobnicate
  [[ "${stderr}" != *$'\e['* ]]
}

@test "exit_code_for maps each error kind to its documented code" {
  run bash -c 'source "$1"; for k in ok failed bad_input host_not_ready; do
    exit_code_for "$k"; done' _ "${CONTROL}"
  [ "${status}" -eq 0 ]
  [ "${output}" == $'0\n1\n2\n3' ]
}

@test "sourcing the script runs nothing" {
  run bash -c 'source "$1" && echo sourced' _ "${CONTROL}"
  [ "${status}" -eq 0 ]
  [ "${output}" == sourced ]
}

@test "the script passes shellcheck and keeps lines within 100 columns" {
  if ! command -v shellcheck >/dev/null; then
    skip "shellcheck is not installed"
  fi
  run shellcheck "${CONTROL}"
  show
  [ "${status}" -eq 0 ]
  run awk 'length > 100 { print FILENAME ":" FNR }' "${CONTROL}"
  [ -z "${output}" ]
}
