#!/usr/bin/env bash
# The Slimgate test world: two private Docker 26 engines (classic and containerd image stores) and a
# private container registry.
#
#   scripts/test-world.sh start            start (idempotent) and print the env file
#   scripts/test-world.sh stop             stop exactly the processes this script started
#   scripts/test-world.sh status           exit 0 if everything is running, 3 if not
#   scripts/test-world.sh acquire ID       start + register lease ID (used by the Vitest global setup)
#   scripts/test-world.sh release ID       drop lease ID; stop if no live lease remains, the world was
#                                          started by a lease holder and SLIMGATE_KEEP_WORLD != 1
#
# Environment:
#   SLIMGATE_WORLD_DIR    state dir (default: <repo>/.test-world)
#   SLIMGATE_WORLD_CLEAN  =1: `stop` also removes the engine data (vfs layers can be large)
#   SLIMGATE_KEEP_WORLD   =1: `release` never stops the world
#
# See /work/shared/TESTING.md (or docs/) for what the parts are and how they behave.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${SLIMGATE_WORLD_DIR:-$REPO/.test-world}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

log() { printf 'test-world: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# ---------------------------------------------------------------- prerequisites

# "command package" pairs. busybox must be the static one (it goes into imported rootfs images).
# dockerd, buildx and their client come from Debian trixie (ensure_docker, below), not from this list.
REQUIREMENTS=(
  'docker-registry docker-registry'
  'skopeo skopeo'
  'umoci umoci'
  'buildah buildah'
  'zstd zstd'
  'tinyproxy tinyproxy'
  'busybox busybox-static'
  'openssl openssl'
  'curl curl'
  'file file'
  'flock util-linux'
  'setsid util-linux'
  'chromium chromium'
  'cmark-gfm cmark-gfm'
  'go golang-go'
  'readelf binutils'
  'rpmbuild rpm'
  'sqlite3 sqlite3'
  'objcopy binutils'
  'gcc gcc'
  'unzip unzip'
  'zip zip'
  'composer composer'
  # Packages with no command of their own are checked by a file they ship (a path, not a command).
  '/usr/share/java/commons-lang3.jar libcommons-lang3-java'
  '/usr/share/java/commons-io.jar libcommons-io-java'
  '/usr/lib/python3/dist-packages/jwt/__init__.py python3-jwt'
  '/usr/lib/python3/dist-packages/cupshelpers/__init__.py python3-cupshelpers'
  '/usr/lib/python3/dist-packages/setuptools/__init__.py python3-setuptools'
  # secrets-world.test.ts: real Node and Python trees, from Debian's packages.
  'nodejs nodejs'
  'python3 python3'
)

# A requirement is met when its command is on PATH, or, for a path, when the file exists.
have_requirement() {
  if [[ "$1" == /* ]]; then [[ -e "$1" ]]; else command -v "$1" >/dev/null 2>&1; fi
}

have_static_busybox() {
  local bb
  bb="$(command -v busybox 2>/dev/null)" || return 1
  # ldd fails ("not a dynamic executable") for static binaries.
  if command -v ldd >/dev/null 2>&1 && ldd "$bb" >/dev/null 2>&1; then return 1; fi
  return 0
}

missing_packages() {
  local req cmd pkg out=()
  for req in "${REQUIREMENTS[@]}"; do
    cmd="${req%% *}"
    pkg="${req##* }"
    if [[ "$cmd" == busybox ]]; then
      have_static_busybox && continue
    else
      have_requirement "$cmd" && continue
    fi
    [[ " ${out[*]-} " == *" $pkg "* ]] || out+=("$pkg")
  done
  echo "${out[*]-}"
}

missing_commands() {
  local req cmd out=()
  for req in "${REQUIREMENTS[@]}"; do
    cmd="${req%% *}"
    if [[ "$cmd" == busybox ]]; then
      have_static_busybox || out+=('busybox (static)')
    else
      have_requirement "$cmd" || out+=("$cmd")
    fi
  done
  echo "${out[*]-}"
}

ensure_prerequisites() {
  local missing
  missing="$(missing_packages)"
  [[ -z "$missing" ]] && return 0
  local how="apt-get update && apt-get install -y $missing"
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing commands: $(missing_commands)"
    log "install them (as root, Debian/Ubuntu) with:"
    log "  $how"
    exit 1
  fi
  log "installing missing packages: $missing"
  # Keep the packages' init scripts from starting a system-wide dockerd on the default socket.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  local ok=1
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  if ! apt-get update || ! DEBIAN_FRONTEND=noninteractive apt-get install -y $missing; then ok=0; fi
  [[ "$added_policy" == 1 ]] && rm -f "$policy"
  missing="$(missing_packages)"
  if [[ "$ok" != 1 || -n "$missing" ]]; then
    log "apt-get could not install everything; still missing commands: $(missing_commands)"
    log "install them with:"
    log "  $how"
    exit 1
  fi
}

# Docker 26 and buildx 0.13 from Debian trixie (bookworm's 20.10 is too old to stand for a GitHub runner's
# Docker 28). Trixie is pinned at priority 100, so only the packages named here move to it.
DOCKER_PACKAGES='docker.io docker-cli docker-buildx'
DOCKER_MIN_MAJOR=26

dockerd_major() {
  local v
  v="$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')"
  echo "${v:-0}"
}

have_buildx() {
  docker buildx version >/dev/null 2>&1
}

ensure_docker() {
  if (($(dockerd_major) >= DOCKER_MIN_MAJOR)) && have_buildx; then return 0; fi
  local how="see /work/shared/TESTING.md: apt-get install -y -t trixie $DOCKER_PACKAGES"
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "need dockerd >= $DOCKER_MIN_MAJOR and docker buildx; found dockerd $(dockerd_major)"
    log "$how"
    exit 1
  fi
  local uri
  uri="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  [[ -n "$uri" ]] || uri=http://deb.debian.org/debian
  log "installing $DOCKER_PACKAGES from Debian trixie ($uri), pinned at priority 100"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" >/etc/apt/sources.list.d/trixie.sources
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >/etc/apt/preferences.d/trixie
  local policy=/usr/sbin/policy-rc.d added_policy=0 ok=1
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  if ! apt-get update || ! DEBIAN_FRONTEND=noninteractive apt-get install -y -t trixie $DOCKER_PACKAGES; then ok=0; fi
  [[ "$added_policy" == 1 ]] && rm -f "$policy"
  if [[ "$ok" != 1 ]] || (($(dockerd_major) < DOCKER_MIN_MAJOR)) || ! have_buildx; then
    log "could not install Docker >= $DOCKER_MIN_MAJOR with buildx; $how"
    exit 1
  fi
}

# db5.3-util (db5.3_load, for real BerkeleyDB rpm databases): bookworm's build needs libdb5.3, which a
# machine that already took perl from trixie has replaced by libdb5.3t64; trixie's build fits there.
ensure_db_util() {
  command -v db5.3_load >/dev/null 2>&1 && return 0
  local how='apt-get install -y db5.3-util (or -t trixie db5.3-util)'
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing command: db5.3_load; install it with: $how"
    exit 1
  fi
  log 'installing db5.3-util'
  DEBIAN_FRONTEND=noninteractive apt-get install -y db5.3-util ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -t trixie db5.3-util || true
  if ! command -v db5.3_load >/dev/null 2>&1; then
    log "could not install db5.3-util; $how"
    exit 1
  fi
}

# govulncheck 1.0.4 from Debian trixie (bookworm's is a 2023 snapshot): the oracle of the Go reachability
# test. It is a static Go program, so it moves nothing else (seen: "1 newly installed, 0 upgraded").
have_govulncheck() {
  command -v govulncheck >/dev/null 2>&1 || return 1
  local v
  v="$(dpkg-query -W -f='${Version}' govulncheck 2>/dev/null || true)"
  # Bookworm's package is 0.0~git20230201; the test needs the 1.x JSON output.
  [[ -n "$v" && "$v" != 0* ]]
}

ensure_govulncheck() {
  have_govulncheck && return 0
  local how="see /work/shared/TESTING.md: apt-get install -y -t trixie govulncheck"
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "need govulncheck 1.x (Debian trixie); $how"
    exit 1
  fi
  local uri ok=1
  if [[ ! -e /etc/apt/sources.list.d/trixie.sources ]]; then
    uri="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
    [[ -n "$uri" ]] || uri=http://deb.debian.org/debian
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" >/etc/apt/sources.list.d/trixie.sources
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >/etc/apt/preferences.d/trixie
    apt-get update || ok=0
  fi
  log "installing govulncheck from Debian trixie, pinned at priority 100"
  if [[ "$ok" != 1 ]] || ! DEBIAN_FRONTEND=noninteractive apt-get install -y -t trixie govulncheck || ! have_govulncheck; then
    log "could not install govulncheck 1.x; $how"
    exit 1
  fi
}

# ---------------------------------------------------------------- pids

# pid_of NAME: prints the recorded pid if that process is alive and is what we started, else fails.
# The identity check (command line mentions our state dir) guards against recycled pids.
pid_of() {
  local f="$DIR/$1.pid" pid cmdline
  [[ -s "$f" ]] || return 1
  pid="$(tr -dc 0-9 <"$f")"
  [[ -n "$pid" ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  case "$1" in
    dockerd | dockerd-ctr)
      [[ "$cmdline" == *dockerd* && "$cmdline" == *" $(exec_root "${1#dockerd}") "* ]] || return 1
      ;;
    containerd | containerd-ctr)
      [[ "$cmdline" == *containerd* && "$cmdline" == *"$(exec_root "${1#containerd}")/containerd/"* ]] || return 1
      ;;
    registry) [[ "$cmdline" == *docker-registry* && "$cmdline" == *"$DIR/registry.yml"* ]] || return 1 ;;
    proxy) [[ "$cmdline" == *tinyproxy* && "$cmdline" == *"$DIR/tinyproxy.conf"* ]] || return 1 ;;
  esac
  echo "$pid"
}

# stop_pid NAME: TERM, wait up to 15 s, then KILL. Removes the pid file.
stop_pid() {
  local name="$1" pid i
  if pid="$(pid_of "$name")"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop in 15 s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$DIR/$name.pid"
}

# ---------------------------------------------------------------- paths

# Unix socket paths are limited to 108 bytes, and dockerd/containerd put sockets deep under the
# exec-root. With a long state dir, keep the exec-root (and, if needed, the API socket) in /tmp.
short_dir() {
  echo "/tmp/sgw-$(printf '%s' "$DIR" | sha256sum | cut -c1-12)"
}
# The two engines: KIND "" is the classic image store (vfs), KIND "-ctr" the containerd image store (the
# default for new installs since Docker 29). Each has its own socket, data root, exec root and pid files.
KINDS=('' '-ctr')

# exec_root [KIND]
exec_root() {
  local base
  if [[ -s "$DIR/exec-root" ]]; then
    base="$(cat "$DIR/exec-root")"
  elif ((${#DIR} > 40)); then
    base="$(short_dir)/exec"
  else
    base="$DIR/exec"
  fi
  echo "$base${1:-}"
}
# docker_sock [KIND]
docker_sock() {
  if ((${#DIR} > 80)); then echo "$(short_dir)/docker${1:-}.sock"; else echo "$DIR/docker${1:-}.sock"; fi
}

# ---------------------------------------------------------------- dockerd

# docker_answers [KIND]
docker_answers() {
  DOCKER_HOST="unix://$(docker_sock "${1:-}")" timeout 10 docker version >/dev/null 2>&1
}

# start_dockerd KIND
start_dockerd() {
  local kind="$1" name="dockerd$1"
  if pid_of "$name" >/dev/null; then
    log "$name already running (pid $(pid_of "$name"))"
    return 0
  fi
  local exec sock data="$DIR/data$kind" store=()
  exec="$(exec_root "$kind")"
  sock="$(docker_sock "$kind")"
  # A previous engine of ours may have left its containerd behind (dockerd was KILLed).
  stop_pid "containerd$kind"
  mkdir -p "$data" "$exec" "$(dirname "$sock")"
  [[ -s "$DIR/exec-root" ]] || printf '%s\n' "$(exec_root)" >"$DIR/exec-root"
  if [[ "$kind" == -ctr ]]; then
    printf '{"features":{"containerd-snapshotter":true}}\n' >"$DIR/daemon$kind.json"
    store=(--config-file "$DIR/daemon$kind.json" --storage-driver=native)
  else
    store=(--storage-driver=vfs)
  fi
  rm -f "$DIR/docker$kind.pid" "$DIR/$name.pid"
  log "starting $name (socket $sock)"
  # The wrapper records the pid that exec turns into dockerd; all fds go to the log so that callers
  # waiting for our stdout/stderr to close (execFile, spawnSync) do not wait for the daemon.
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$DIR/$name.pid" \
    dockerd --iptables=false --ip6tables=false --bridge=none "${store[@]}" \
    -H "unix://$sock" --data-root "$data" --exec-root "$exec" --pidfile "$DIR/docker$kind.pid" \
    </dev/null >>"$DIR/$name.log" 2>&1 9>&- &
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -s "$DIR/$name.pid" ]] && break
    sleep 0.1
  done
  local deadline=$((SECONDS + 60))
  until docker_answers "$kind"; do
    if ! pid_of "$name" >/dev/null; then
      log "$name exited; last lines of $DIR/$name.log:"
      tail -n 40 "$DIR/$name.log" >&2 || true
      rm -f "$DIR/$name.pid"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name did not answer within 60 s; last lines of $DIR/$name.log:"
      tail -n 40 "$DIR/$name.log" >&2 || true
      stop_pid "$name"
      exit 1
    fi
    sleep 0.2
  done
  # dockerd starts its own containerd; record it so that `stop` can clean up after a KILLed dockerd.
  if [[ -s "$exec/containerd/containerd.pid" ]]; then
    cp "$exec/containerd/containerd.pid" "$DIR/containerd$kind.pid"
    pid_of "containerd$kind" >/dev/null || rm -f "$DIR/containerd$kind.pid"
  fi
  log "$name is up (pid $(pid_of "$name"))"
}

# ---------------------------------------------------------------- registry

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

registry_port() {
  sed -n 's/^SLIMGATE_REGISTRY=127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/env" 2>/dev/null || true
}

start_registry() {
  if pid_of registry >/dev/null && [[ -n "$(registry_port)" ]]; then
    log "registry already running (pid $(pid_of registry), port $(registry_port))"
    REGISTRY_PORT="$(registry_port)"
    return 0
  fi
  stop_pid registry
  mkdir -p "$DIR/registry"
  local attempt port i
  for ((attempt = 0; attempt < 20; attempt++)); do
    port=$((20000 + RANDOM % 40000))
    [[ "$port" == 5000 ]] && continue
    port_in_use "$port" && continue
    cat >"$DIR/registry.yml" <<EOF
version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: "$DIR/registry"}
  delete: {enabled: true}
http: {addr: "127.0.0.1:$port"}
EOF
    log "starting registry on 127.0.0.1:$port"
    rm -f "$DIR/registry.pid"
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$DIR/registry.pid" \
      docker-registry serve "$DIR/registry.yml" </dev/null >>"$DIR/registry.log" 2>&1 9>&- &
    for ((i = 0; i < 300; i++)); do
      [[ -s "$DIR/registry.pid" ]] && break
      sleep 0.1
    done
    for ((i = 0; i < 300; i++)); do
      if curl -sf -o /dev/null "http://127.0.0.1:$port/v2/"; then
        REGISTRY_PORT="$port"
        log "registry is up (pid $(pid_of registry))"
        return 0
      fi
      pid_of registry >/dev/null || break
      sleep 0.1
    done
    if pid_of registry >/dev/null; then
      log "registry did not answer within 30 s; last lines of $DIR/registry.log:"
      tail -n 20 "$DIR/registry.log" >&2 || true
      stop_pid registry
      exit 1
    fi
    if grep -q 'address already in use' "$DIR/registry.log"; then
      log "port $port was taken; trying another"
      continue
    fi
    log "registry exited; last lines of $DIR/registry.log:"
    tail -n 20 "$DIR/registry.log" >&2 || true
    rm -f "$DIR/registry.pid"
    exit 1
  done
  die "could not find a free port for the registry"
}

# ---------------------------------------------------------------- forward proxy

# Requests through a proxy need a registry name that no client skips the proxy for (as it skips localhost
# and 127.0.0.0/8): registry.test, resolving to loopback.
PROXY_HOSTNAME=registry.test

ensure_hosts_name() {
  if grep -qE "^127\.0\.0\.1[[:space:]]+(.*[[:space:]])?$PROXY_HOSTNAME([[:space:]]|\$)" /etc/hosts 2>/dev/null; then
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    log "add '127.0.0.1 $PROXY_HOSTNAME' to /etc/hosts (as root): the proxy tests need it"
    exit 1
  fi
  log "adding '127.0.0.1 $PROXY_HOSTNAME' to /etc/hosts"
  printf '127.0.0.1 %s\n' "$PROXY_HOSTNAME" >>/etc/hosts
}

proxy_port() {
  sed -n 's/^SLIMGATE_PROXY=http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/env" 2>/dev/null || true
}

start_proxy() {
  if pid_of proxy >/dev/null && [[ -n "$(proxy_port)" ]]; then
    log "proxy already running (pid $(pid_of proxy), port $(proxy_port))"
    PROXY_PORT="$(proxy_port)"
    return 0
  fi
  stop_pid proxy
  local attempt port i
  for ((attempt = 0; attempt < 20; attempt++)); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    # LogLevel Connect logs each request line; no ConnectPort line: CONNECT to any port.
    cat >"$DIR/tinyproxy.conf" <<EOF
Port $port
Listen 127.0.0.1
Allow 127.0.0.1
Timeout 60
MaxClients 50
LogLevel Connect
LogFile "$DIR/tinyproxy.log"
DisableViaHeader Yes
EOF
    log "starting tinyproxy on 127.0.0.1:$port"
    rm -f "$DIR/proxy.pid"
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$DIR/proxy.pid" \
      tinyproxy -d -c "$DIR/tinyproxy.conf" </dev/null >>"$DIR/tinyproxy.out" 2>&1 9>&- &
    for ((i = 0; i < 300; i++)); do
      [[ -s "$DIR/proxy.pid" ]] && break
      sleep 0.1
    done
    for ((i = 0; i < 100; i++)); do
      if port_in_use "$port" && pid_of proxy >/dev/null; then
        PROXY_PORT="$port"
        log "proxy is up (pid $(pid_of proxy))"
        return 0
      fi
      pid_of proxy >/dev/null || break
      sleep 0.1
    done
    if pid_of proxy >/dev/null; then stop_pid proxy; fi
    log "tinyproxy did not start on port $port; last lines of its output:"
    tail -n 5 "$DIR/tinyproxy.out" "$DIR/tinyproxy.log" >&2 2>/dev/null || true
  done
  die "could not start tinyproxy"
}

# ---------------------------------------------------------------- commands

shell_quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:@%+=,-]*$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

write_env() {
  local tmp="$DIR/env.tmp.$$"
  {
    echo "DOCKER_HOST=$(shell_quote "unix://$(docker_sock)")"
    echo "SLIMGATE_DOCKER_CONTAINERD=$(shell_quote "unix://$(docker_sock -ctr)")"
    echo "SLIMGATE_REGISTRY=127.0.0.1:$REGISTRY_PORT"
    echo "SLIMGATE_PROXY=http://127.0.0.1:$PROXY_PORT"
    echo "SLIMGATE_PROXY_LOG=$(shell_quote "$DIR/tinyproxy.log")"
    echo "SLIMGATE_PROXY_HOSTNAME=$PROXY_HOSTNAME"
    echo "SLIMGATE_WORLD_DIR=$(shell_quote "$DIR")"
  } >"$tmp"
  mv "$tmp" "$DIR/env"
}

is_running() {
  pid_of dockerd >/dev/null && pid_of dockerd-ctr >/dev/null && pid_of registry >/dev/null &&
    pid_of proxy >/dev/null && grep -q '^SLIMGATE_PROXY=' "$DIR/env" 2>/dev/null &&
    grep -q '^SLIMGATE_DOCKER_CONTAINERD=' "$DIR/env" 2>/dev/null
}

# Prints "started" on stdout if it had to start anything, "running" otherwise.
cmd_start() {
  if is_running; then
    log "already running ($DIR/env)"
    echo running
    return 0
  fi
  ensure_prerequisites
  ensure_docker
  ensure_db_util
  ensure_govulncheck
  ensure_hosts_name
  REGISTRY_PORT='' PROXY_PORT=''
  local kind
  for kind in "${KINDS[@]}"; do start_dockerd "$kind"; done
  start_registry
  start_proxy
  write_env
  log "world is up; env in $DIR/env:"
  sed 's/^/  /' "$DIR/env" >&2
  echo started
}

cmd_stop() {
  local kind
  for kind in "${KINDS[@]}"; do stop_pid "dockerd$kind"; done
  stop_pid registry
  stop_pid proxy
  for kind in "${KINDS[@]}"; do
    stop_pid "containerd$kind"
    rm -f "$DIR/docker$kind.pid"
  done
  rm -f "$DIR/env" "$DIR/auto-started"
  rm -rf "$DIR/leases"
  if [[ "${SLIMGATE_WORLD_CLEAN:-}" == 1 ]]; then
    for kind in "${KINDS[@]}"; do
      log "removing $DIR/data$kind and $(exec_root "$kind")"
      rm -rf "$DIR/data$kind" "$(exec_root "$kind")"
    done
    rmdir "$(short_dir)" 2>/dev/null || true
  fi
  log "stopped"
}

cmd_status() {
  local name pid rc=0
  for name in dockerd containerd dockerd-ctr containerd-ctr registry proxy; do
    if pid="$(pid_of "$name")"; then
      echo "$name: running (pid $pid)"
    else
      echo "$name: not running"
      [[ "$name" == containerd* ]] || rc=3
    fi
  done
  if [[ "$rc" == 0 ]] && [[ -s "$DIR/env" ]]; then
    cat "$DIR/env"
    local kind
    for kind in "${KINDS[@]}"; do
      docker_answers "$kind" || {
        echo "dockerd$kind: not answering on $(docker_sock "$kind")"
        rc=3
      }
    done
  else
    rc=3
  fi
  return "$rc"
}

lease_alive() {
  local id="$1"
  [[ "$id" =~ ^[0-9]+$ ]] && kill -0 "$id" 2>/dev/null
}

cmd_acquire() {
  local id="$1" result
  result="$(cmd_start)"
  [[ "$result" == started ]] && touch "$DIR/auto-started"
  mkdir -p "$DIR/leases"
  touch "$DIR/leases/$id"
  echo "$result"
}

cmd_release() {
  local id="$1" f other=0
  rm -f "$DIR/leases/$id"
  if [[ -d "$DIR/leases" ]]; then
    for f in "$DIR/leases"/*; do
      [[ -e "$f" ]] || continue
      if lease_alive "$(basename "$f")"; then other=$((other + 1)); else rm -f "$f"; fi
    done
  fi
  if ((other > 0)); then
    log "leaving the world running: $other other test run(s) still use it"
  elif [[ "${SLIMGATE_KEEP_WORLD:-}" == 1 ]]; then
    log "leaving the world running (SLIMGATE_KEEP_WORLD=1)"
  elif [[ ! -e "$DIR/auto-started" ]]; then
    log "leaving the world running: it was started outside the test run"
  else
    cmd_stop
  fi
}

usage() {
  echo "usage: $0 start|stop|status|acquire ID|release ID" >&2
  exit 2
}

main() {
  local cmd="${1:-}"
  [[ -n "$cmd" ]] || usage
  case "$cmd" in
    start | stop | acquire | release)
      # Serialize concurrent callers (two test runs starting at once).
      if command -v flock >/dev/null 2>&1; then
        exec 9>"$DIR/lock"
        flock 9
      fi
      ;;
  esac
  case "$cmd" in
    start) cmd_start >/dev/null ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    acquire)
      [[ $# -eq 2 ]] || usage
      cmd_acquire "$2"
      ;;
    release)
      [[ $# -eq 2 ]] || usage
      cmd_release "$2"
      ;;
    *) usage ;;
  esac
}

main "$@"
