#!/usr/bin/env bash
# Starts the Docker engine in the background when none answers, and waits for it.
set -Eeuo pipefail

readonly LOG=/tmp/tsysdevstack-ci-dockerd.log
readonly WAIT_SECONDS=60

main() {
  if docker info >/dev/null 2>&1; then
    echo "docker engine: already running"
    return 0
  fi
  echo "docker engine: starting dockerd (log: ${LOG})"
  nohup dockerd >"${LOG}" 2>&1 &
  local waited
  for ((waited = 0; waited < WAIT_SECONDS; waited++)); do
    if docker info >/dev/null 2>&1; then
      echo "docker engine: ready after ${waited} s"
      return 0
    fi
    sleep 1
  done
  echo "error: failed to start the Docker engine within ${WAIT_SECONDS} s" >&2
  echo "hint: read ${LOG}" >&2
  tail -n 20 "${LOG}" >&2 || true
  exit 3
}

main "$@"
