# A throwaway PostgreSQL server for scripts/bench --store postgres (sourced,
# not run). Debian's server binaries, a cluster in a directory of the bench's
# own, on a free loopback port; durable as in production (fsync and
# synchronous_commit on), so the money scenario's commits cost what they
# would. PostgreSQL refuses to run as root: as root it runs as the postgres
# user the Debian package creates.

# pg_start DIR: initdb and start; sets pg_port and pg_pid.
pg_start() {
    local dir="$1" bindir as=()
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    if [[ ! -x "$bindir/initdb" ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    fi
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres "$dir"
        as=(setpriv --reuid=postgres --regid=postgres --init-groups)
    fi
    "${as[@]}" "$bindir/initdb" -D "$dir/data" -U ussdgw --auth=trust -E UTF8 --locale=C >/dev/null
    local try
    for try in 1 2 3 4 5; do
        pg_port=$((20000 + RANDOM % 20000))
        "${as[@]}" "$bindir/postgres" -D "$dir/data" -h 127.0.0.1 -p "$pg_port" -k "$dir" \
            -c max_connections=200 >"$dir/log.$try" 2>&1 &
        pg_pid=$!
        local deadline=$((SECONDS + 30))
        until grep -q "ready to accept connections" "$dir/log.$try"; do
            kill -0 "$pg_pid" 2>/dev/null || break
            ((SECONDS < deadline)) || break
            sleep 0.05
        done
        grep -q "ready to accept connections" "$dir/log.$try" && return 0
        kill "$pg_pid" 2>/dev/null || true
        wait "$pg_pid" 2>/dev/null || true
    done
    echo "bench: the PostgreSQL server did not start:" >&2
    tail -n 5 "$dir"/log.* >&2
    return 1
}

# pg_uri NAME: the URI of database NAME on it.
pg_uri() {
    echo "postgresql://ussdgw@127.0.0.1:$pg_port/$1"
}

# pg_sql SQL: runs SQL on the server's postgres database.
pg_sql() {
    PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 "$(pg_uri postgres)" -c "$1" >/dev/null
}

# pg_stop: a fast shutdown.
pg_stop() {
    kill -INT "$pg_pid" 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
}
