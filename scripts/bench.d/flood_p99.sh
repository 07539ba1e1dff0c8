#!/usr/bin/env bash
# Does a flood from one number hurt everyone else? Runs the release daemon
# with two binds: on the first, ordinary traffic (menu-balance, 100,000
# handsets taking turns, 10 dialogs in flight: each handset dials every few
# seconds, under the limit below) for SECONDS; on the second, one number dialling as
# fast as the daemon answers (closed loop, window 1), with the shipped
# per-subscriber limit ([ussd] rate_per_subscriber = 60) and without it.
# Prints the ordinary traffic's bench line per case (p50/p99 from MO to MT).
#
#   scripts/bench.d/flood_p99.sh [SECONDS]      (default 15; builds release)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
bin=build/release
first=79161000000
scripts/build release ussdgw ussdgw-admin ussdgw-load >/dev/null
source scripts/bench.d/store.sh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
make_store "$work/base.db" 100001

# run CASE LIMIT FLOOD_SCENARIO: one measurement; FLOOD_SCENARIO empty = no flood.
run() {
    local name=$1 limit=$2 flood=$3
    copy_store "$work/base.db" "$work/s.db"
    rm -f "$work"/a.out "$work"/b.out
    "$bin/ussdgw-load" --listen 127.0.0.1:0 --password bench --scenario menu-balance \
        --window 10 --duration "$seconds" --subscribers "$first:100000" --timeout 30 >"$work/a.out" 2>&1 &
    local a=$!
    wait_for "$work/a.out" "listening on" 10
    local pa pb=""
    pa=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/a.out" | cut -d: -f2)
    local b=""
    printf '[rules]\npwhash = minimum\n[ussd]\nrate_per_subscriber = %s\n' "$limit" >"$work/c.conf"
    if [[ -n "$flood" ]]; then
        printf '%s\n' "$flood" >"$work/flood.scn"
        "$bin/ussdgw-load" --listen 127.0.0.1:0 --password bench --scenario "$work/flood.scn" \
            --window 1 --duration "$seconds" --subscribers "$((first + 100000)):1" --timeout 30 \
            >"$work/b.out" 2>&1 &
        b=$!
        wait_for "$work/b.out" "listening on" 10
        pb=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/b.out" | cut -d: -f2)
        printf '[smsc flood]\nhost = 127.0.0.1\nport = %s\npassword = bench\n' "$pb" >>"$work/c.conf"
    fi
    "$bin/ussdgw" --config "$work/c.conf" --smsc "127.0.0.1:$pa" --password bench \
        --db "$work/s.db" --menus menus --log-level warn >"$work/d.out" 2>&1 &
    local d=$!
    wait "$a" || true
    [[ -z "$b" ]] || wait "$b" || true
    kill "$d"; wait "$d" || true
    local line flood_line=""
    line=$(grep '^bench:' "$work/a.out" || echo "bench: (no result: $(tail -1 "$work/a.out"))")
    [[ -z "$b" ]] || flood_line=$(grep '^bench:' "$work/b.out" | grep -o 'n=[0-9]* rate=[0-9.]*' || true)
    # What the ordinary traffic counted as errors, if any (the load names
    # them). In the password cases they are the flooder's password SMS: the
    # outbox sends on any bind that is up, and this load knows only its own
    # handsets; not failures of the ordinary traffic.
    grep -v '^bench:' "$work/a.out" | grep -i 'error' | head -3 || true
    echo "flood: case=$name limit=$limit ${flood_line:+flood_${flood_line// / flood_} }others: ${line#bench: }"
}

cases=${FLOOD_CASES:-"none menu menu-nolimit password password-nolimit"}
for c in $cases; do
    case $c in
        none) run none 60 "" ;;
        menu) run menu 60 "ussd *111#" ;;
        menu-nolimit) run menu-nolimit 0 "ussd *111#" ;;
        password) run password 60 "ussd *111*25#" ;;
        password-nolimit) run password-nolimit 0 "ussd *111*25#" ;;
        *) echo "flood: unknown case $c" >&2; exit 2 ;;
    esac
done
