#!/usr/bin/env bash
# Throwaway S3-compatible server for tests: versitygw (github.com/versity/versitygw)
# with its posix backend in a temp dir.
#
#   scripts/s3-throwaway.sh install      go install versitygw into $(go env GOPATH)/bin unless that
#                                        version is already there; prints the binary path
#   scripts/s3-throwaway.sh start        start a server; prints dir=, url=, access_key=, secret_key=
#   scripts/s3-throwaway.sh stop DIR     stop the server living in DIR and delete DIR (idempotent)
#   scripts/s3-throwaway.sh run CMD...   start, run CMD with SHIPSHAPE_TEST_S3* set, always stop
#
# The server listens only on 127.0.0.1, on the first free port from $SHIPSHAPE_S3_PORT_BASE
# (default 7370), with fixed test credentials, and has one bucket, $SHIPSHAPE_S3_BUCKET
# (default shipshape-test), created through the S3 API (curl --aws-sigv4).
#
# Environment:
#   SHIPSHAPE_VERSITYGW           use this versitygw binary instead of finding/installing one
#   SHIPSHAPE_VERSITYGW_VERSION   module version to install (default v1.8.0)
#
# All diagnostics go to stderr; only the key=value lines go to stdout.
set -euo pipefail

VERSION="${SHIPSHAPE_VERSITYGW_VERSION:-v1.8.0}"
MODULE=github.com/versity/versitygw
PORT_BASE="${SHIPSHAPE_S3_PORT_BASE:-7370}"
PORT_TRIES=50
BUCKET="${SHIPSHAPE_S3_BUCKET:-shipshape-test}"
ACCESS_KEY=shipshape-test-access
SECRET_KEY=shipshape-test-secret-key-not-a-secret
REGION=us-east-1
MARKER=".shipshape-s3-throwaway"

log() { printf 's3-throwaway: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

gobin() {
  local b
  b="$(go env GOBIN)"
  [ -n "$b" ] || b="$(go env GOPATH | cut -d: -f1)/bin"
  printf '%s\n' "$b"
}

# Path of a usable versitygw binary, or nothing.
find_gw() {
  if [ -n "${SHIPSHAPE_VERSITYGW:-}" ]; then
    [ -x "$SHIPSHAPE_VERSITYGW" ] || return 1
    printf '%s\n' "$SHIPSHAPE_VERSITYGW"; return 0
  fi
  local c
  if command -v go >/dev/null 2>&1; then
    c="$(gobin)/versitygw"
    if [ -x "$c" ]; then printf '%s\n' "$c"; return 0; fi
  fi
  command -v versitygw 2>/dev/null
}

# Is $1 the pinned version? (go install builds carry their module version.)
is_pinned() {
  command -v go >/dev/null 2>&1 || return 0
  go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3 }' | grep -qxF "$VERSION"
}

cmd_install() {
  local gw
  if gw="$(find_gw)" && { [ -n "${SHIPSHAPE_VERSITYGW:-}" ] || is_pinned "$gw"; }; then
    printf '%s\n' "$gw"; return 0
  fi
  command -v go >/dev/null 2>&1 || die "versitygw is missing and go is not on PATH to install it"
  log "go install $MODULE/cmd/versitygw@$VERSION (into $(gobin))"
  # Outside the repo so our go.mod plays no part; uses the module and build caches.
  (cd / && GOFLAGS=-buildvcs=false go install "$MODULE/cmd/versitygw@$VERSION") >&2 \
    || die "go install $MODULE/cmd/versitygw@$VERSION failed"
  gw="$(gobin)/versitygw"
  [ -x "$gw" ] || die "go install succeeded but $gw is missing"
  printf '%s\n' "$gw"
}

port_in_use() {
  local port="$1"
  if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then return 0; fi
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]; then return 0; fi
  return 1
}

# True if $1 is a live (not zombie) versitygw serving the root in $2.
# (Zombies matter: in containers PID 1 may never reap the orphaned server.)
gw_alive() {
  local pid="$1" dir="$2" state
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [ "$state" != "Z" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/root"
}

stop_pid() {
  local pid="$1" dir="$2" i
  gw_alive "$pid" "$dir" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    gw_alive "$pid" "$dir" || return 0
    sleep 0.1
  done
  log "versitygw $pid ignored SIGTERM, killing it"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.2
}

cmd_stop() {
  local dir="${1:-}"
  [ -n "$dir" ] || die "usage: $0 stop DIR"
  [ -d "$dir" ] || return 0
  [ -e "$dir/$MARKER" ] || die "$dir is not a throwaway S3 dir (no $MARKER); refusing to delete it"
  if [ -f "$dir/pid" ]; then stop_pid "$(cat "$dir/pid")" "$dir"; fi
  rm -rf -- "$dir"
  log "stopped and removed $dir"
}

# Signed S3 request with curl (SigV4 needs curl >= 7.75).
s3_curl() {
  local method="$1" url="$2" m=(-X "$1")
  [ "$method" = HEAD ] && m=(--head)
  curl -sS -o /dev/null -w '%{http_code}' "${m[@]}" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" "$url"
}

cmd_start() {
  local gw
  gw="$(find_gw)" || die "versitygw not found (run: $0 install, or set SHIPSHAPE_VERSITYGW)"
  command -v curl >/dev/null 2>&1 || die "curl is needed to create the test bucket (apt-get install curl)"

  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/shipshape-s3.XXXXXX")"
  touch "$dir/$MARKER"
  mkdir -m 0700 "$dir/root"
  trap 'rc=$?; if [ $rc -ne 0 ]; then cmd_stop "'"$dir"'" || true; fi; exit $rc' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  local port="$PORT_BASE" tries=0 up=0 pid i
  while [ "$tries" -lt "$PORT_TRIES" ]; do
    tries=$((tries + 1))
    if port_in_use "$port"; then port=$((port + 1)); continue; fi
    # Detached from our stdout (callers read it with $(...)) and from our stdin.
    ROOT_ACCESS_KEY="$ACCESS_KEY" ROOT_SECRET_KEY="$SECRET_KEY" \
      "$gw" --port "127.0.0.1:$port" --region "$REGION" --quiet posix "$dir/root" \
      </dev/null >"$dir/server.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    for i in $(seq 1 100); do
      gw_alive "$pid" "$dir" || break
      if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then up=1; break; fi
      sleep 0.1
    done
    [ "$up" -eq 1 ] && break
    log "versitygw did not come up on port $port; log tail:"
    tail -n 5 "$dir/server.log" >&2 2>/dev/null || true
    stop_pid "$pid" "$dir"
    port=$((port + 1))
  done
  [ "$up" -eq 1 ] || die "could not start versitygw after $PORT_TRIES ports"
  log "versitygw $($gw --version 2>/dev/null | awk '/Version/ {print $3}' || true) ($VERSION) up on 127.0.0.1:$port, pid $pid, root $dir/root"

  local code
  code="$(s3_curl PUT "http://127.0.0.1:$port/$BUCKET")" || die "creating bucket $BUCKET: curl failed"
  [ "$code" = 200 ] || die "creating bucket $BUCKET: HTTP $code (server log: $dir/server.log)"
  code="$(s3_curl HEAD "http://127.0.0.1:$port/$BUCKET")" || true
  [ "$code" = 200 ] || die "bucket $BUCKET not there after creating it: HTTP $code"

  trap - EXIT INT TERM
  printf 'dir=%s\n' "$dir"
  printf 'url=s3://%s?endpoint=127.0.0.1:%s&region=%s&tls=false&path_style=true\n' "$BUCKET" "$port" "$REGION"
  printf 'access_key=%s\n' "$ACCESS_KEY"
  printf 'secret_key=%s\n' "$SECRET_KEY"
}

cmd_run() {
  [ "$#" -gt 0 ] || die "usage: $0 run CMD [ARGS...]"
  local out dir="" url="" ak="" sk="" line
  out="$(cmd_start)"
  while IFS= read -r line; do
    case "$line" in
      dir=*) dir="${line#dir=}" ;;
      url=*) url="${line#url=}" ;;
      access_key=*) ak="${line#access_key=}" ;;
      secret_key=*) sk="${line#secret_key=}" ;;
    esac
  done <<<"$out"
  trap 'cmd_stop "'"$dir"'" || true' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  SHIPSHAPE_TEST_S3="$url" SHIPSHAPE_TEST_S3_ACCESS_KEY="$ak" SHIPSHAPE_TEST_S3_SECRET_KEY="$sk" "$@"
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop)  shift; cmd_stop "$@" ;;
  run)   shift; cmd_run "$@" ;;
  *) echo "usage: $0 install | start | stop DIR | run CMD [ARGS...]" >&2; exit 2 ;;
esac
