#!/usr/bin/env bash
# Builds the local images that the test suite runs in place of the stack's three
# upstream images, since no registry can be reached here. Each image is FROM scratch
# plus files from installed Debian packages and the stand-in's rootfs/ folder; see
# README.md for what each one keeps of its upstream's interface.
#
# Usage: build.sh [-h] [STANDIN...]
#   STANDIN  sockproxy, dashboard or timetracker; all three when none is named.
#
# Prints one line per image: "built <image> <id> <size> <new|unchanged>".
# Running it again with nothing changed rebuilds nothing and tags the same images.
#
# Exit codes:
#   0  every requested image is built
#   1  a build failed
#   2  bad usage
#   3  a prerequisite is missing: busybox-static, haproxy or a running Docker engine
#
# DEBUG=1 traces every command.
set -Eeuo pipefail
if [[ "${DEBUG:-0}" == 1 ]]; then
  set -x
fi

readonly EXIT_BUILD=1
readonly EXIT_USAGE=2
readonly EXIT_PREREQ=3

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly STANDINS=(sockproxy dashboard timetracker)
readonly IMAGE_PREFIX=tsysdevstack-supportstack-demo-standin
readonly IMAGE_TAG=test
readonly STANDIN_LABEL=com.tsysdevstack.supportstack.demo.standin
readonly BUSYBOX=/bin/busybox
readonly HAPROXY=/usr/sbin/haproxy

WORK_DIR=""
FAILED=0

# Prints "error: $1" and "hint: $2" on stderr, then any further arguments indented
# below them as causes.
report() {
  local what="$1" hint="$2" cause
  shift 2
  {
    printf 'error: %s\n' "${what}"
    printf 'hint: %s\n' "${hint}"
    for cause in "$@"; do
      printf '  %s\n' "${cause//$'\n'/$'\n'  }"
    done
  } >&2
}

# Reports like report() after the exit code, then exits with it.
die() {
  local code="$1"
  shift
  report "$@"
  exit "${code}"
}

# Anything that fails without its own message is a failed build, located for the
# reader.
on_error() {
  local line="$1" status="$2"
  report "failed to build the stand-ins (${BASH_SOURCE[1]}:${line}, exit ${status})" \
    "run again with DEBUG=1 to see each command"
  exit "${EXIT_BUILD}"
}

cleanup() {
  if [[ -n "${WORK_DIR}" ]]; then
    rm -rf -- "${WORK_DIR}"
  fi
}

# Prints the header comment from "Usage:" to the DEBUG line.
usage() {
  sed -n '/^# Usage:/,/^# DEBUG=1/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

image_name() {
  printf '%s-%s:%s' "${IMAGE_PREFIX}" "$1" "${IMAGE_TAG}"
}

package_installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ "${status}" == "install ok installed" ]]
}

# Checks the packages the requested stand-ins take files from, then the engine.
check_prerequisites() {
  if ! package_installed busybox-static || [[ ! -x "${BUSYBOX}" ]]; then
    die "${EXIT_PREREQ}" "failed to find the static busybox at ${BUSYBOX}" \
      "install it: apt-get install busybox-static"
  fi
  if [[ " $* " == *" sockproxy "* ]]; then
    if ! package_installed haproxy || [[ ! -x "${HAPROXY}" ]]; then
      die "${EXIT_PREREQ}" "failed to find HAProxy at ${HAPROXY}" \
        "install it: apt-get install haproxy"
    fi
  fi
  if ! command -v docker >/dev/null 2>&1; then
    die "${EXIT_PREREQ}" "failed to find the docker command" \
      "install the Docker client, e.g. apt-get install docker.io"
  fi
  if ! docker info >/dev/null 2>&1; then
    die "${EXIT_PREREQ}" "failed to reach the Docker engine" \
      "start it (dockerd &, or systemctl start docker) until 'docker info' works"
  fi
}

# Copies the stand-in's own files and gives them fixed modes, so the image does not
# depend on the checkout's umask: scripts (a "#!" first line) 755, the rest 644.
add_own_files() {
  local name="$1" root="$2" file first
  cp -R -- "${HERE}/${name}/rootfs/." "${root}/"
  find "${root}" -type d -exec chmod 0755 {} +
  while IFS= read -r -d '' file; do
    first=$(head -c 2 -- "${file}")
    if [[ "${first}" == '#!' ]]; then
      chmod 0755 -- "${file}"
    else
      chmod 0644 -- "${file}"
    fi
  done < <(find "${root}" -type f -print0)
}

# Adds what every stand-in has: the static busybox, the users it knows by name, and
# the usual mount points. $2... are passwd lines besides root's.
add_base() {
  local root="$1" entry
  shift
  mkdir -p -- "${root}/bin" "${root}/etc" "${root}/tmp" "${root}/run"
  chmod 1777 -- "${root}/tmp"
  cp -- "${BUSYBOX}" "${root}/bin/busybox"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n' >"${root}/etc/passwd"
  printf 'root:x:0:\n' >"${root}/etc/group"
  for entry in "$@"; do
    printf '%s\n' "${entry}" >>"${root}/etc/passwd"
    printf '%s:x:%s:\n' "${entry%%:*}" "$(cut -d: -f4 <<<"${entry}")" >>"${root}/etc/group"
  done
}

# Links every busybox applet at its usual place, as on an Alpine base, so that sh,
# wget and the rest are found on PATH.
add_applet_links() {
  local root="$1" applets applet
  applets=$("${BUSYBOX}" --list-full)
  while IFS= read -r applet; do
    if [[ "${applet}" != */* || "${applet}" == bin/busybox ]]; then
      continue
    fi
    mkdir -p -- "${root}/${applet%/*}"
    ln -sfn /bin/busybox "${root}/${applet}"
  done <<<"${applets}"
}

# Adds HAProxy with each shared library ldd names and the dynamic loader, at the
# paths the binary looks for them.
add_haproxy() {
  local root="$1" listing libraries library
  mkdir -p -- "${root}/usr/sbin"
  cp -- "${HAPROXY}" "${root}/usr/sbin/haproxy"
  listing=$(ldd "${HAPROXY}")
  if grep -q 'not found' <<<"${listing}"; then
    die "${EXIT_BUILD}" "failed to resolve the libraries of ${HAPROXY}" \
      "reinstall haproxy: apt-get install --reinstall haproxy" "${listing}"
  fi
  libraries=$(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' \
    <<<"${listing}")
  while IFS= read -r library; do
    mkdir -p -- "${root}$(dirname -- "${library}")"
    cp -L -- "${library}" "${root}${library}"
  done <<<"${libraries}"
}

assemble_sockproxy() {
  local root="$1"
  add_own_files sockproxy "${root}"
  add_base "${root}"
  add_applet_links "${root}"
  add_haproxy "${root}"
  # Alpine, which the upstream image is built on, has /var/run as a link to /run;
  # the socket mount must land there the same way.
  mkdir -p -- "${root}/var"
  ln -sfn /run "${root}/var/run"
}

assemble_dashboard() {
  local root="$1"
  add_own_files dashboard "${root}"
  add_base "${root}" 'node:x:1000:1000:node:/app:/sbin/nologin'
  add_applet_links "${root}"
  # The mount point of the config folder; empty, so a run without a mount fails.
  mkdir -p -- "${root}/app/config"
}

assemble_timetracker() {
  local root="$1"
  add_own_files timetracker "${root}"
  # No applet links: the upstream image has no shell and no wget.
  add_base "${root}" 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin'
  mkdir -p -- "${root}/data"
}

# Paths (relative to the image root) that belong to a user other than root, as
# "uid:gid path" lines.
owned_paths() {
  case "$1" in
    dashboard) printf '1000:1000 app\n' ;;
    timetracker) printf '65532:65532 app\n65532:65532 data\n' ;;
  esac
}

# Packs the tree into a tarball that is the same byte for byte on every run (fixed
# order, times and owners), so an unchanged stand-in hits the build cache.
pack() {
  local name="$1" root="$2" tarball="$3" owners spec path
  local -a common=(--format=gnu --sort=name --mtime=@0 --numeric-owner -C "${root}")
  local -a excludes=()
  owners=$(owned_paths "${name}")
  while read -r spec path; do
    if [[ -n "${path}" ]]; then
      excludes+=("--exclude=./${path}")
    fi
  done <<<"${owners}"
  tar -cf "${tarball}" "${common[@]}" --owner=0 --group=0 --anchored "${excludes[@]}" .
  while read -r spec path; do
    if [[ -n "${path}" ]]; then
      tar -rf "${tarball}" "${common[@]}" --owner="${spec%:*}" --group="${spec#*:}" \
        "./${path}"
    fi
  done <<<"${owners}"
}

image_id() {
  docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true
}

# Assembles, packs and builds one stand-in. A failed docker build is reported and
# remembered in FAILED, so the other stand-ins still get built.
build_standin() {
  local name="$1" image root context before after size state
  image=$(image_name "${name}")
  root="${WORK_DIR}/${name}-rootfs"
  # The build context holds only the Dockerfile and the tarball.
  context="${WORK_DIR}/${name}-context"
  mkdir -p -- "${root}" "${context}"
  "assemble_${name}" "${root}"
  pack "${name}" "${root}" "${context}/rootfs.tar"
  cp -- "${HERE}/${name}/Dockerfile" "${context}/Dockerfile"
  before=$(image_id "${image}")
  if ! docker build -q -t "${image}" "${context}" >"${context}.log" 2>&1; then
    report "failed to build ${image}" "fix the cause below and run build.sh again" \
      "$(cat -- "${context}.log")"
    FAILED=1
    return 0
  fi
  after=$(image_id "${image}")
  size=$(docker image inspect -f '{{.Size}}' "${image}")
  state=new
  if [[ "${before}" == "${after}" ]]; then
    state=unchanged
  fi
  after="${after#sha256:}"
  printf 'built %s %s %s %s\n' "${image}" "${after:0:12}" \
    "$(numfmt --to=si --suffix=B "${size}")" "${state}"
}

# Removes stand-in images that a rebuild has left untagged; nothing else.
prune_superseded() {
  docker image prune -f --filter "label=${STANDIN_LABEL}=true" >/dev/null
}

main() {
  local -a requested=()
  local arg
  for arg in "$@"; do
    case "${arg}" in
      -h | --help)
        usage
        return 0
        ;;
      sockproxy | dashboard | timetracker) requested+=("${arg}") ;;
      *)
        usage >&2
        die "${EXIT_USAGE}" "failed to parse argument \"${arg}\"" \
          "name stand-ins among: ${STANDINS[*]}"
        ;;
    esac
  done
  if [[ "${#requested[@]}" -eq 0 ]]; then
    requested=("${STANDINS[@]}")
  fi
  check_prerequisites "${requested[@]}"
  umask 022
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tsysdevstack-standins.XXXXXX")
  for arg in "${requested[@]}"; do
    build_standin "${arg}"
  done
  prune_superseded
  if [[ "${FAILED}" -ne 0 ]]; then
    exit "${EXIT_BUILD}"
  fi
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  trap 'on_error "${LINENO}" "$?"' ERR
  trap cleanup EXIT
  main "$@"
fi
