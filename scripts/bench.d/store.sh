# Store preparation shared by scripts/bench and scripts/soak (sourced, not run).
# Uses $bin (the directory of the built binaries) and $first (the first number).

# make_store FILE N: the demo catalogue plus N subscribers from $first on,
# each with enough money for every transfer a run can make.
make_store() {
    "$bin/ussdgw-admin" init --db "$1" >/dev/null
    "$bin/ussdgw-admin" demo --db "$1" >/dev/null
    "$bin/ussdgw-admin" subscriber add "$first" --count "$2" --balance 100000 --tariff Smart \
        --db "$1" >/dev/null
}

# copy_store FROM TO: a fresh copy for one run, with its server key.
copy_store() {
    # A previous run's -wal/-shm must not be replayed onto the fresh copy.
    rm -f "$2" "$2-wal" "$2-shm" "$2.key"
    cp "$1" "$2"
    cp "$1.key" "$2.key"
}

# wait_for FILE PATTERN SECONDS: polls until the pattern shows (a deadline, no fixed sleep).
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.02
    done
}
