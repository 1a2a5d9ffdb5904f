#!/usr/bin/env bash
# The project's single test command (also what CI runs via .ci/run -> make test).
#
#   scripts/test.sh [go test flags...]     e.g. scripts/test.sh -run Foo -v
#
# 1. installs PostgreSQL, Chromium and strace (for the no-outbound-connections test) with apt-get,
#    and the versitygw S3 server with go install, if (and only if) they are missing
# 2. starts a throwaway PostgreSQL cluster (scripts/pg-throwaway.sh) and a throwaway S3 server
#    (scripts/s3-throwaway.sh), always torn down on exit
# 3. exports SHIPSHAPE_TEST_POSTGRES, SHIPSHAPE_TEST_CHROMIUM and SHIPSHAPE_TEST_S3 (+ _ACCESS_KEY, _SECRET_KEY)
# 4. runs: gofmt -l check, go vet ./..., go test -count=1 -timeout 40m ./...
#
# Environment:
#   SHIPSHAPE_TEST_ALLOW_MISSING=1   warn instead of failing when PostgreSQL/Chromium/versitygw are unavailable
#                                    (the corresponding env var is then left unset)
#   SHIPSHAPE_TEST_CHROMIUM          use this browser binary instead of /usr/bin/chromium
#   SHIPSHAPE_TEST_PKGS              package patterns for go vet/go test (default ./...)
#   SHIPSHAPE_VERSITYGW              use this versitygw binary (default: $(go env GOPATH)/bin/versitygw,
#                                    go-installed at the version pinned in scripts/s3-throwaway.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"

ALLOW_MISSING="${SHIPSHAPE_TEST_ALLOW_MISSING:-0}"
CHROMIUM_DEFAULT=/usr/bin/chromium
read -r -a PKGS <<<"${SHIPSHAPE_TEST_PKGS:-./...}"

header() { printf '\n==== %s ====\n' "$*"; }
log()    { printf 'test.sh: %s\n' "$*" >&2; }
die()    { printf 'test.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- Go
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="$PATH:/usr/local/go/bin"
  else
    die "Go toolchain not found: 'go' is not on PATH and /usr/local/go/bin/go does not exist. Install Go (see go.mod for the version) and retry."
  fi
fi
command -v gofmt >/dev/null 2>&1 || die "gofmt not found next to go ($(command -v go))"
log "using $(go version)"

# ---------------------------------------------------------------- system packages
SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi

find_pg_bindir() {
  local d best=""
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then best="$d"; fi
  done
  if [ -z "$best" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    best="$(dirname "$(command -v initdb)")"
  fi
  [ -n "$best" ]
}

chromium_bin() {
  if [ -n "${SHIPSHAPE_TEST_CHROMIUM:-}" ] && [ -x "$SHIPSHAPE_TEST_CHROMIUM" ]; then
    printf '%s\n' "$SHIPSHAPE_TEST_CHROMIUM"; return 0
  fi
  if [ -x "$CHROMIUM_DEFAULT" ]; then printf '%s\n' "$CHROMIUM_DEFAULT"; return 0; fi
  command -v chromium 2>/dev/null
}

# Is any apt/dpkg process running? (/proc scan: works even without procps.)
apt_busy() {
  local f c
  for f in /proc/[0-9]*/comm; do
    c="$(cat "$f" 2>/dev/null)" || continue
    case "$c" in apt|apt-get|aptitude|dpkg|unattended-upgr) return 0 ;; esac
  done
  return 1
}

wait_for_apt() {
  local waited=0
  while apt_busy; do
    if [ "$waited" -ge 300 ]; then log "apt/dpkg still busy after ${waited}s; trying anyway"; return 0; fi
    [ "$waited" -eq 0 ] && log "another apt/dpkg process is running; waiting (max 300s)"
    sleep 5; waited=$((waited + 5))
  done
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || { log "apt-get not available; cannot install: $*"; return 1; }
  if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
    log "not root and sudo not available; cannot install: $*"; return 1
  fi
  local apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  wait_for_apt
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    "${apt[@]}" update -q || return 1
    APT_UPDATED=1
    wait_for_apt
  fi
  log "apt-get install $*"
  "${apt[@]}" install -y -q --no-install-recommends "$@"
}

header "dependencies"
missing=()
find_pg_bindir || missing+=(postgresql)
chromium_bin >/dev/null || missing+=(chromium)
command -v strace >/dev/null 2>&1 || missing+=(strace)
if [ "${#missing[@]}" -gt 0 ]; then
  log "missing: ${missing[*]}"
  apt_install "${missing[@]}" || log "installing ${missing[*]} failed"
fi

# The S3-compatible test server: go install (module + build cache; skipped when the pinned
# version is already in $(go env GOPATH)/bin).
HAVE_S3=1
"$ROOT/scripts/s3-throwaway.sh" install >/dev/null || HAVE_S3=0

HAVE_PG=1
HAVE_CHROMIUM=1
find_pg_bindir || HAVE_PG=0
CHROMIUM="$(chromium_bin)" || HAVE_CHROMIUM=0
if [ "$HAVE_PG" -eq 0 ] || [ "$HAVE_CHROMIUM" -eq 0 ] || [ "$HAVE_S3" -eq 0 ]; then
  what=()
  [ "$HAVE_PG" -eq 0 ] && what+=("PostgreSQL server (package postgresql)")
  [ "$HAVE_CHROMIUM" -eq 0 ] && what+=("Chromium ($CHROMIUM_DEFAULT, package chromium)")
  [ "$HAVE_S3" -eq 0 ] && what+=("S3 test server (go install github.com/versity/versitygw/cmd/versitygw)")
  if [ "$ALLOW_MISSING" = "1" ]; then
    log "WARNING: unavailable, related tests will be skipped (SHIPSHAPE_TEST_ALLOW_MISSING=1): ${what[*]}"
  else
    die "unavailable: ${what[*]}. Install them, or set SHIPSHAPE_TEST_ALLOW_MISSING=1 to run without them."
  fi
fi

# ---------------------------------------------------------------- throwaway PostgreSQL and S3
PG_DIR=""
S3_DIR=""
cleanup() {
  if [ -n "$PG_DIR" ]; then
    "$ROOT/scripts/pg-throwaway.sh" stop "$PG_DIR" || log "WARNING: failed to clean up $PG_DIR"
    PG_DIR=""
  fi
  if [ -n "$S3_DIR" ]; then
    "$ROOT/scripts/s3-throwaway.sh" stop "$S3_DIR" || log "WARNING: failed to clean up $S3_DIR"
    S3_DIR=""
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

unset SHIPSHAPE_TEST_POSTGRES
if [ "$HAVE_PG" -eq 1 ]; then
  header "postgresql"
  pg_out="$("$ROOT/scripts/pg-throwaway.sh" start)" || die "could not start throwaway PostgreSQL"
  while IFS= read -r line; do
    case "$line" in
      dir=*) PG_DIR="${line#dir=}" ;;
      url=*) export SHIPSHAPE_TEST_POSTGRES="${line#url=}" ;;
    esac
  done <<<"$pg_out"
  [ -n "$PG_DIR" ] && [ -n "${SHIPSHAPE_TEST_POSTGRES:-}" ] || die "pg-throwaway.sh start printed no dir/url"
  log "SHIPSHAPE_TEST_POSTGRES=$SHIPSHAPE_TEST_POSTGRES"
fi
unset SHIPSHAPE_TEST_S3 SHIPSHAPE_TEST_S3_ACCESS_KEY SHIPSHAPE_TEST_S3_SECRET_KEY
if [ "$HAVE_S3" -eq 1 ]; then
  header "s3 (versitygw)"
  if ! s3_out="$("$ROOT/scripts/s3-throwaway.sh" start)"; then
    [ "$ALLOW_MISSING" = "1" ] || die "could not start the throwaway S3 server (versitygw); set SHIPSHAPE_TEST_ALLOW_MISSING=1 to run without it"
    log "WARNING: could not start the throwaway S3 server; S3 tests will be skipped (SHIPSHAPE_TEST_ALLOW_MISSING=1)"
    HAVE_S3=0
    s3_out=""
  fi
  while IFS= read -r line; do
    case "$line" in
      dir=*) S3_DIR="${line#dir=}" ;;
      url=*) export SHIPSHAPE_TEST_S3="${line#url=}" ;;
      access_key=*) export SHIPSHAPE_TEST_S3_ACCESS_KEY="${line#access_key=}" ;;
      secret_key=*) export SHIPSHAPE_TEST_S3_SECRET_KEY="${line#secret_key=}" ;;
    esac
  done <<<"$s3_out"
  if [ "$HAVE_S3" -eq 1 ]; then
    [ -n "$S3_DIR" ] && [ -n "${SHIPSHAPE_TEST_S3:-}" ] || die "s3-throwaway.sh start printed no dir/url"
    log "SHIPSHAPE_TEST_S3=$SHIPSHAPE_TEST_S3"
  fi
fi
if [ "$HAVE_CHROMIUM" -eq 1 ]; then
  export SHIPSHAPE_TEST_CHROMIUM="$CHROMIUM"
  log "SHIPSHAPE_TEST_CHROMIUM=$SHIPSHAPE_TEST_CHROMIUM"
else
  unset SHIPSHAPE_TEST_CHROMIUM
fi

# ---------------------------------------------------------------- checks
# Every step runs even if an earlier one failed, so one run reports everything.
results=()
failed=0
step() {
  local name="$1"; shift
  header "$name"
  local start=$SECONDS rc=0
  "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then
    results+=("$name: ok ($((SECONDS - start))s)")
  else
    results+=("$name: FAIL (exit $rc, $((SECONDS - start))s)")
    failed=1
  fi
}

gofmt_check() {
  local out
  out="$(gofmt -l .)" || return 1
  if [ -n "$out" ]; then
    echo "gofmt: these files are not formatted (run gofmt -w):"
    printf '%s\n' "$out"
    return 1
  fi
  echo "all files formatted"
}

step "gofmt -l" gofmt_check
step "go vet" go vet "${PKGS[@]}"
step "go test" go test -count=1 -timeout 40m "$@" "${PKGS[@]}"

header "summary"
printf '  %s\n' "${results[@]}"
[ "$HAVE_PG" -eq 1 ] || echo "  (PostgreSQL unavailable: PostgreSQL tests were not exercised)"
[ "$HAVE_CHROMIUM" -eq 1 ] || echo "  (Chromium unavailable: browser tests were not exercised)"
[ "$HAVE_S3" -eq 1 ] || echo "  (versitygw unavailable: S3 file storage tests were not exercised)"
command -v strace >/dev/null 2>&1 || echo "  (strace unavailable: the no-outbound-connections test was skipped)"
if [ "$failed" -ne 0 ]; then
  echo "TEST SUMMARY: FAIL"
  exit 1
fi
echo "TEST SUMMARY: PASS"
