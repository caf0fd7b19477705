# Starts a throwaway PostgreSQL server on 127.0.0.1 for the tuner's storage
# tests and exports KERASVERSE_TEST_POSTGRES_URL (tests skip when unset).
# Sourced by .ci/run; idempotent; never fails the CI run by itself.
kv_pg_setup() {
  local bindir=""
  for dir in /usr/local/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then bindir="$dir"; break; fi
  done
  if [ -z "$bindir" ]; then
    apt_install "psql" postgresql >/dev/null 2>&1 || true
    for dir in /usr/lib/postgresql/*/bin; do
      if [ -x "$dir/initdb" ]; then bindir="$dir"; fi
    done
  fi
  if [ -z "$bindir" ]; then
    echo "postgres.sh: no PostgreSQL binaries; PostgreSQL tests will be skipped." >&2
    return 0
  fi
  local port="${KERASVERSE_PG_PORT:-54329}"
  local data="/tmp/kerasverse-pg-$port"
  local runas=()
  if [ "$(id -u)" = 0 ]; then
    id kerasverse_pg >/dev/null 2>&1 || useradd --system --no-create-home kerasverse_pg 2>/dev/null || true
    runas=(runuser -u kerasverse_pg --)
  fi
  if ! "${runas[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    rm -rf "$data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown kerasverse_pg "$data"
    "${runas[@]}" "$bindir/initdb" -D "$data" -U kerasverse --auth=trust >/dev/null || return 0
    "${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || return 0
  fi
  export KERASVERSE_TEST_POSTGRES_URL="postgresql+psycopg://kerasverse@127.0.0.1:$port/postgres"
  echo "postgres.sh: PostgreSQL ready at $KERASVERSE_TEST_POSTGRES_URL"
}
kv_pg_setup
