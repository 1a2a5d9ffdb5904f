#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests.
#
#   scripts/pg-throwaway.sh start        start a cluster; prints "dir=..." and "url=..." on stdout
#   scripts/pg-throwaway.sh stop DIR     stop the cluster living in DIR and delete DIR (idempotent)
#   scripts/pg-throwaway.sh run CMD...   start, run CMD with SHIPSHAPE_TEST_POSTGRES set, always stop
#
# The cluster: initdb --auth=trust -U postgres into a fresh mktemp dir, listens only on
# 127.0.0.1 on a free port (first free one from $SHIPSHAPE_PG_PORT_BASE, default 54329),
# unix socket inside the temp dir, fsync/full_page_writes/synchronous_commit off, and a
# database named $SHIPSHAPE_PG_DB (default shipshape_test).
#
# PostgreSQL refuses to run as root. When run as root the server runs as the system user
# $SHIPSHAPE_PG_USER (default shipshape-test, created with useradd if missing) via runuser
# (or su), and the temp dir is chowned to that user.
#
# All diagnostics go to stderr; only the dir=/url= lines go to stdout.
set -euo pipefail

PG_USER="${SHIPSHAPE_PG_USER:-shipshape-test}"
PG_DB="${SHIPSHAPE_PG_DB:-shipshape_test}"
PORT_BASE="${SHIPSHAPE_PG_PORT_BASE:-54329}"
PORT_TRIES=50
MARKER=".shipshape-pg-throwaway"

log() { printf 'pg-throwaway: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Directory holding initdb/pg_ctl/postgres: highest /usr/lib/postgresql/<ver>/bin, else PATH.
find_pg_bindir() {
  local d best=""
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then best="$d"; fi
  done
  if [ -z "$best" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    best="$(dirname "$(command -v initdb)")"
  fi
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}

# Run a command as the cluster owner (ourselves, or $PG_USER when we are root),
# from inside the cluster dir so the server never trips over an unreadable cwd.
as_owner() {
  local dir="$1"; shift
  if is_root; then
    if command -v runuser >/dev/null 2>&1; then
      (cd "$dir" && runuser -u "$PG_USER" -- env LC_ALL=C LANG=C "$@")
    else
      local q; q="$(printf '%q ' "$@")"
      (cd "$dir" && su -s /bin/sh "$PG_USER" -c "LC_ALL=C LANG=C exec $q")
    fi
  else
    (cd "$dir" && env LC_ALL=C LANG=C "$@")
  fi
}

ensure_user() {
  is_root || return 0
  id -u "$PG_USER" >/dev/null 2>&1 && return 0
  command -v useradd >/dev/null 2>&1 || die "running as root and user $PG_USER is missing, but useradd is not available"
  log "creating system user $PG_USER"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
          --shell /usr/sbin/nologin "$PG_USER" 2>/dev/null \
    || id -u "$PG_USER" >/dev/null 2>&1 \
    || die "could not create user $PG_USER"
}

port_in_use() {
  local port="$1"
  if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then return 0; fi
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]; then return 0; fi
  return 1
}

# True if $1 is a live (not zombie) postgres process serving the cluster in $2.
# (Zombies matter: in containers PID 1 may never reap the daemonized postmaster.)
postmaster_alive() {
  local pid="$1" dir="$2" state
  [ -r "/proc/$pid/stat" ] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [ "$state" != "Z" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/data"
}

cmd_stop() {
  local dir="${1:-}"
  [ -n "$dir" ] || die "usage: $0 stop DIR"
  [ -d "$dir" ] || return 0
  [ -e "$dir/$MARKER" ] || die "$dir is not a throwaway cluster dir (no $MARKER); refusing to delete it"
  local bindir pid=""
  if [ -f "$dir/data/postmaster.pid" ]; then
    pid="$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
    if bindir="$(find_pg_bindir)"; then
      as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 \
        || as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 \
        || true
    fi
    if [ -n "$pid" ] && postmaster_alive "$pid" "$dir"; then
      log "postmaster $pid still alive, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  rm -rf -- "$dir"
  log "stopped and removed $dir"
}

cmd_start() {
  local bindir
  bindir="$(find_pg_bindir)" || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)"
  ensure_user

  # As root, use /tmp: the unprivileged server user must be able to traverse the parents,
  # and the unix socket path must stay short.
  local parent="${TMPDIR:-/tmp}"
  is_root && parent=/tmp
  local dir
  dir="$(mktemp -d "$parent/shipshape-pg.XXXXXX")"
  touch "$dir/$MARKER"
  # Clean up after ourselves if anything below fails or we are interrupted.
  trap 'rc=$?; if [ $rc -ne 0 ]; then cmd_stop "'"$dir"'" || true; fi; exit $rc' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if is_root; then
    chown "$PG_USER:" "$dir"
    chmod 0700 "$dir"
  fi

  log "initdb in $dir/data (bin: $bindir)"
  if ! as_owner "$dir" "$bindir/initdb" -D "$dir/data" --auth=trust -U postgres \
        --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  fi

  cat >>"$dir/data/postgresql.conf" <<CONF

# --- shipshape throwaway test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
CONF

  local port="$PORT_BASE" tries=0 started=0
  while [ "$tries" -lt "$PORT_TRIES" ]; do
    tries=$((tries + 1))
    if port_in_use "$port"; then port=$((port + 1)); continue; fi
    if as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-p $port" start >/dev/null 2>&1; then
      started=1
      break
    fi
    # Lost a race for the port (or some other failure): show why and try the next port.
    log "server did not start on port $port; log tail:"
    tail -n 5 "$dir/server.log" >&2 2>/dev/null || true
    as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    port=$((port + 1))
  done
  [ "$started" -eq 1 ] || { cat "$dir/server.log" >&2 2>/dev/null || true; die "could not start PostgreSQL after $PORT_TRIES ports"; }
  log "server up on 127.0.0.1:$port"

  local psql="$bindir/psql"
  [ -x "$psql" ] || psql="$(command -v psql)" || die "psql not found"
  "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE DATABASE \"$PG_DB\"" >&2 || die "CREATE DATABASE $PG_DB failed"

  trap - EXIT INT TERM
  printf 'dir=%s\n' "$dir"
  printf 'url=postgres://postgres@127.0.0.1:%s/%s?sslmode=disable\n' "$port" "$PG_DB"
}

cmd_run() {
  [ "$#" -gt 0 ] || die "usage: $0 run CMD [ARGS...]"
  local out dir="" url="" line
  out="$(cmd_start)"
  while IFS= read -r line; do
    case "$line" in
      dir=*) dir="${line#dir=}" ;;
      url=*) url="${line#url=}" ;;
    esac
  done <<<"$out"
  trap 'cmd_stop "'"$dir"'" || true' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  SHIPSHAPE_TEST_POSTGRES="$url" "$@"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop)  shift; cmd_stop "$@" ;;
  run)   shift; cmd_run "$@" ;;
  *) echo "usage: $0 start | stop DIR | run CMD [ARGS...]" >&2; exit 2 ;;
esac
