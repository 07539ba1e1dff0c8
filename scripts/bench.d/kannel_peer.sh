#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through traps and wait_for
# Kannel as a peer: the SMS scenario (an MO SMS answered by one MT) through
# Kannel 1.4.5 (Debian's `kannel`: bearerbox + smsbox, an SMPP transceiver to
# ussdgw-load, an sms-service answering a static text), as shipped and with
# TCP_NODELAY forced by an LD_PRELOAD shim (nodelay.c beside this script).
# See docs/kannel-peer.md.
#
# Usage: kannel_peer.sh LOAD_BIN COUNT WINDOW...
#   LOAD_BIN  the ussdgw-load binary; COUNT steps per run; one run per
#   variant (shipped, nodelay) and WINDOW.
# Prints one line per run:
#   bench: peer=kannel variant=V scenario=sms window=W n= rate= p50_ms= p99_ms=
#          p999_ms= cpu_us= bearerbox_cpu_us= smsbox_cpu_us= load_cpu_us=
#          rss_kb= errors=
# cpu_us is bearerbox's and smsbox's CPU (utime+stime) summed, per step;
# rss_kb their peak RSS (VmHWM) summed. Exit 0 when every run had no error,
# 1 otherwise, 2 for a bad command line, 3 when Kannel is missing and we are
# not root to install it.
set -euo pipefail

usage() {
    echo "usage: $0 LOAD_BIN COUNT WINDOW..." >&2
    exit 2
}
(($# >= 3)) || usage
load_bin=$1
count=$2
shift 2
windows=("$@")
[[ -x "$load_bin" ]] || { echo "kannel peer: $load_bin is not an executable" >&2; exit 2; }
[[ "$count" =~ ^[1-9][0-9]*$ ]] || usage
for w in "${windows[@]}"; do [[ "$w" =~ ^[1-9][0-9]*$ ]] || usage; done
here=$(cd "$(dirname "$0")" && pwd)

# Handsets: Kannel does not look at the numbers; enough of them that no
# window is capped by handsets busy with a flow.
first_msisdn=79161000000
system_id=ussdgw
password=secret
step_timeout=10  # ussdgw-load --timeout: a step, the bind, the unbind

export PATH="$PATH:/usr/sbin:/sbin"

# --- Kannel itself ---------------------------------------------------------
if ! command -v bearerbox >/dev/null || ! command -v smsbox >/dev/null; then
    if ((EUID != 0)); then
        echo "kannel peer: Kannel (bearerbox, smsbox) is not installed and installing it" \
             "needs root: run 'apt-get install kannel' as root, or this script as root" >&2
        exit 3
    fi
    echo "kannel peer: installing Debian's kannel package" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q kannel >/dev/null 2>&1; then
        apt-get update -q >/dev/null
        apt-get install -y -q kannel >/dev/null
    fi
fi
kannel_version=$(dpkg-query -W -f '${Version}' kannel 2>/dev/null || echo unknown)
command -v cc >/dev/null || { echo "kannel peer: no C compiler (cc) for the nodelay shim" >&2; exit 2; }

# --- state and cleanup -----------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/kannel-peer.XXXXXX")
load_pid="" bb_pid="" sb_pid="" load_fd=""
run="" admin_port="" smsbox_port="" smsc_port="" admin_password=""
failed=0

# Stops one process we started: TERM, up to 10 s for it to go, then KILL.
stop_pid() {
    local pid=$1
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    local i
    for ((i = 0; i < 500; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02  # waiting for a process to exit: nothing else to poll
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_all() {
    stop_pid "$load_pid"
    stop_pid "$sb_pid"   # smsbox first: bearerbox then has no box to wait for
    stop_pid "$bb_pid"
    load_pid="" sb_pid="" bb_pid=""
    if [[ -n "$load_fd" ]]; then
        exec {load_fd}<&- || true
        load_fd=""
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_all
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Shows the end of each log of a failed run (the temp dir goes at exit). A
# box's stderr repeats its log file; it is shown when the log is empty (a
# panic before the log file was opened).
show_logs() {
    local f box
    for box in bearerbox smsbox; do
        f="$run/$box.log"
        [[ -s "$f" ]] || f="$run/$box.stderr"
        [[ -s "$f" ]] || continue
        echo "--- ${f##*/} (last lines)" >&2
        tail -n 15 "$f" >&2
    done
    if [[ -s "$run/load.out" ]]; then
        echo "--- ussdgw-load output (last lines)" >&2
        tail -n 15 "$run/load.out" >&2
    fi
}

fail_run() {  # $1 = variant, $2 = window, $3 = why
    echo "kannel peer: variant=$1 window=$2 failed: $3" >&2
    show_logs
    failed=1
    stop_all
}

# --- helpers ---------------------------------------------------------------
# Sets the variable named $1 to a free TCP port below the ephemeral range,
# so that none of Kannel's outgoing connections (retries to a port with no
# listener yet) can be given the same port and connect to itself.
declare -A picked=()
pick_port() {
    local low used port hex i
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    ((low > 11024)) || low=32768
    used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
    for ((i = 0; i < 1000; i++)); do
        port=$((low - 10000 + RANDOM % 9000))
        [[ -z "${picked[$port]:-}" ]] || continue
        printf -v hex '%04X' "$port"
        if grep -qx "$hex" <<<"$used"; then continue; fi
        picked[$port]=1
        printf -v "$1" '%s' "$port"
        return 0
    done
    echo "kannel peer: no free port found" >&2
    return 1
}

# Whether something listens on PORT (state 0A in /proc/net/tcp or tcp6).
listening() {
    local hex
    printf -v hex '%04X' "$1"
    awk -v p=":$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 }
                      END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# bearerbox's status page (text) from its admin port.
admin_status() {
    local fd line
    { exec {fd}<>"/dev/tcp/127.0.0.1/$admin_port"; } 2>/dev/null || return 1
    printf 'GET /status.txt?password=%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$admin_password" >&"$fd"
    while IFS= read -r -t 2 -u "$fd" line; do printf '%s\n' "$line"; done
    exec {fd}>&-
}

# utime+stime of a process, in clock ticks (all its threads).
ticks() {
    local s
    s=$(<"/proc/$1/stat") || return 1
    s=${s##*) }
    local -a f
    read -r -a f <<<"$s"
    echo $((f[11] + f[12]))
}

hwm_kb() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

field() {  # $1 = key, $2 = a bench line
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

# Polls COMMAND until it succeeds, for at most SECONDS; fails when a process
# named by pid in WATCH exited meanwhile.
wait_for() {  # $1 = seconds, $2 = pid to watch, rest = command
    local deadline=$((SECONDS + $1)) watch=$2
    shift 2
    while ! "$@" >/dev/null 2>&1; do
        kill -0 "$watch" 2>/dev/null || return 1
        ((SECONDS < deadline)) || return 1
        sleep 0.02  # a readiness poll: the condition comes within milliseconds
    done
}

box_connected() {
    local status
    status=$(admin_status) || return 1
    grep -q 'smsbox:' <<<"$status"
}

# --- the nodelay shim ------------------------------------------------------
cc -shared -fPIC -O2 -o "$work/nodelay.so" "$here/nodelay.c" -ldl

write_conf() {  # $1 = file
    cat >"$1" <<EOF
# Written by scripts/bench.d/kannel_peer.sh: Kannel answering every MO SMS
# with one static SMS through the SMSC it came from; no store, no HTTP backend,
# errors-only logs, no throughput limits.
group = core
admin-port = $admin_port
admin-password = $admin_password
admin-allow-ip = "127.0.0.1"
smsbox-port = $smsbox_port
box-allow-ip = "127.0.0.1"
log-file = "$run/bearerbox.log"
log-level = 3
sms-incoming-queue-limit = -1
sms-outgoing-queue-limit = -1
smsbox-max-pending = 100000

group = smsc
smsc = smpp
smsc-id = load
host = 127.0.0.1
port = $smsc_port
transceiver-mode = true
smsc-username = $system_id
smsc-password = $password
system-type = ""
enquire-link-interval = 30
reconnect-delay = 1
max-pending-submits = 100000
throughput = 0

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $smsbox_port
log-file = "$run/smsbox.log"
log-level = 3
max-pending-requests = 100000

group = sms-service
keyword = default
text = "Connected services: Caller ID, Voicemail. Send 0 to 8111 for this list."
max-messages = 1
accepted-smsc = load
EOF
}

# --- one run ---------------------------------------------------------------
run_one() {  # $1 = variant, $2 = window
    local variant=$1 window=$2 preload=""
    [[ "$variant" == nodelay ]] && preload="$work/nodelay.so"
    run="$work/run"
    rm -rf "$run"
    mkdir -p "$run"
    if ! { pick_port admin_port && pick_port smsbox_port && pick_port smsc_port; }; then
        fail_run "$variant" "$window" "no free ports"
        return
    fi
    admin_password=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    write_conf "$run/kannel.conf"

    # Kannel first, the load generator last: bearerbox binds to its SMSC as
    # soon as it starts, and MOs arriving before smsbox is connected would
    # wait in bearerbox's queue and count as latency. So bearerbox retries
    # the SMSC's port (reconnect-delay 1 s) while smsbox connects, and the
    # load generator opens that port once Kannel is whole.
    LD_PRELOAD="$preload" bearerbox -v 3 "$run/kannel.conf" >"$run/bearerbox.stderr" 2>&1 &
    bb_pid=$!
    wait_for 20 "$bb_pid" listening "$smsbox_port" || {
        fail_run "$variant" "$window" "bearerbox did not open its smsbox port"; return; }
    LD_PRELOAD="$preload" smsbox -v 3 "$run/kannel.conf" >"$run/smsbox.stderr" 2>&1 &
    sb_pid=$!
    wait_for 20 "$sb_pid" box_connected || {
        fail_run "$variant" "$window" "smsbox did not connect to bearerbox"; return; }
    if [[ -n "$preload" ]]; then
        local pid
        for pid in "$bb_pid" "$sb_pid"; do
            grep -q nodelay.so "/proc/$pid/maps" || {
                fail_run "$variant" "$window" "the nodelay shim is not loaded in pid $pid"
                return
            }
        done
    fi

    local handsets=$((window > 1000 ? window : 1000))
    # As shipped every reply waits ~44 ms: COUNT steps at window 1 would take
    # COUNT x 44 ms, so that variant runs at most 250 steps per window slot
    # (about 11 s each); its rate and latency are settled long before.
    local steps=$count
    if [[ "$variant" == shipped ]] && ((steps > 250 * window)); then steps=$((250 * window)); fi
    mkfifo "$run/load.fifo"
    "$load_bin" --listen "127.0.0.1:$smsc_port" --binds 1 --scenario sms --window "$window" \
        --count "$steps" --subscribers "$first_msisdn:$handsets" --daemon-pid "$bb_pid" \
        --system-id "$system_id" --password "$password" --timeout "$step_timeout" \
        >"$run/load.fifo" 2>&1 &
    load_pid=$!
    exec {load_fd}<"$run/load.fifo"

    # Reads the load generator's lines as they come: CPU is taken when the
    # run starts (all binds up) and when its bench line says it ended.
    # Deadline: startup, the slowest believable pace (Kannel as shipped at
    # window 1: ~45 ms a step) with room to spare, and the unbind.
    local deadline=$((SECONDS + 3 * step_timeout + 30 + steps / 10))
    local line bench="" bb0="" sb0="" bb1="" sb1="" left
    while :; do
        left=$((deadline - SECONDS))
        if ((left <= 0)); then
            fail_run "$variant" "$window" "no end within the deadline"
            return
        fi
        IFS= read -r -t "$left" -u "$load_fd" line || {
            (($? > 128)) && continue  # timed out: the loop checks the deadline
            break                     # end of output: the load generator exited
        }
        printf '%s\n' "$line" >>"$run/load.out"
        case "$line" in
            *"bind(s) up: running"*)
                bb0=$(ticks "$bb_pid") || true
                sb0=$(ticks "$sb_pid") || true
                ;;
            bench:*)
                bb1=$(ticks "$bb_pid") || true
                sb1=$(ticks "$sb_pid") || true
                bench=$line
                ;;
        esac
    done
    local load_rc=0
    wait "$load_pid" || load_rc=$?
    load_pid=""
    exec {load_fd}<&-
    load_fd=""
    if [[ -z "$bench" || -z "$bb0" || -z "$bb1" || -z "$sb0" || -z "$sb1" ]]; then
        fail_run "$variant" "$window" "no bench line from the load generator (exit $load_rc)"
        return
    fi
    local rss=$(($(hwm_kb "$bb_pid") + $(hwm_kb "$sb_pid")))
    stop_all

    local n errors tck cpu bbcpu sbcpu
    n=$(field n "$bench")
    errors=$(field errors "$bench")
    tck=$(getconf CLK_TCK)
    read -r cpu bbcpu sbcpu < <(awk -v b=$((bb1 - bb0)) -v s=$((sb1 - sb0)) -v n="$n" -v t="$tck" \
        'BEGIN { n = n > 0 ? n : 1; u = 1e6 / t / n;
                 printf "%.1f %.1f %.1f\n", (b + s) * u, b * u, s * u }')
    echo "bench: peer=kannel variant=$variant scenario=sms window=$window n=$n" \
         "rate=$(field rate "$bench") p50_ms=$(field p50_ms "$bench")" \
         "p99_ms=$(field p99_ms "$bench") p999_ms=$(field p999_ms "$bench") cpu_us=$cpu" \
         "bearerbox_cpu_us=$bbcpu smsbox_cpu_us=$sbcpu" \
         "load_cpu_us=$(field load_cpu_us "$bench") rss_kb=$rss errors=$errors"
    if [[ "$errors" != 0 || "$load_rc" != 0 ]]; then
        echo "kannel peer: variant=$variant window=$window: $errors error(s), load generator exit $load_rc" >&2
        grep -m 5 'error' "$run/load.out" >&2 || true
        failed=1
    fi
}

echo "kannel peer: Kannel $kannel_version (bearerbox + smsbox) answering a static SMS;" \
     "$count steps per run, $(nproc) cores"
echo "kannel peer: Kannel cannot hold USSD dialogs (each MO is a message on its own:" \
     "no session, no menu position, no its_session_info sequence; at most raw TLVs" \
     "for an application behind it), so the SMS scenario, an MO SMS answered by one" \
     "MT, is the fair comparison with ussdgw"
echo "kannel peer: variant shipped = Kannel as packaged (Nagle on: ~40 ms per reply);" \
     "nodelay = the same with TCP_NODELAY forced by an LD_PRELOAD shim"
for variant in shipped nodelay; do
    for w in "${windows[@]}"; do
        run_one "$variant" "$w"
    done
done
exit "$failed"
