#!/usr/bin/env bash
# The Debian package on this machine: built by scripts/package from this
# build's binaries, installed (twice: the maintainer scripts are idempotent),
# checked as installed (user, owners and modes, conffiles, --check-config as
# the ussdgw user, the unit), removed (the config stays), and purged (the
# user and /etc/ussdgw go, /var/lib/ussdgw and the store in it stay).
#
# It changes the machine, so it runs only as root with USSDGW_PACKAGE_TEST=1
# (scripts/test sets it as root: CI's machine is thrown away), and refuses a
# machine that already has ussdgw installed or its user or directories.
# Usage: package_test.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
src="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ $(id -u) -ne 0 || "${USSDGW_PACKAGE_TEST:-}" != 1 ]]; then
    echo "package_test: skipped (installs and purges the package: needs root and USSDGW_PACKAGE_TEST=1)"
    exit 77
fi
fail() {
    echo "package_test: FAILED: $*" >&2
    exit 1
}
if dpkg-query -W -f='${Status}' ussdgw 2>/dev/null | grep -q 'installed'; then
    fail "ussdgw is installed on this machine; this test would replace and purge it"
fi
for leftover in /etc/ussdgw /var/lib/ussdgw; do
    [[ ! -e "$leftover" ]] || fail "$leftover exists; this test would mix with it"
done
getent passwd ussdgw >/dev/null && fail "a user ussdgw exists; this test would delete it"

work=$(mktemp -d)
cleanup() {
    # Whatever happened, leave the machine as found.
    for pid in ${sim_pid:-} ${daemon_pid:-}; do kill "$pid" 2>/dev/null || true; done
    dpkg --purge ussdgw >/dev/null 2>&1 || true
    rm -rf /var/lib/ussdgw "$work"
}
trap cleanup EXIT

step() { echo "package_test: $*"; }
mode_owner() { stat -c '%a %U:%G' "$1"; }
expect_mode() {  # PATH "MODE USER:GROUP"
    local got
    got=$(mode_owner "$1")
    [[ "$got" == "$2" ]] || fail "$1 is $got, expected $2"
}

step "building the package"
deb=$("$src/scripts/package" --build-dir "$build" "$work/out" 2>"$work/package.log") || {
    cat "$work/package.log" >&2
    fail "scripts/package failed"
}
version=$(sed -n 's/^project(ussdgw VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ "$(basename "$deb")" == "ussdgw_${version}_amd64.deb" ]] || fail "package named $(basename "$deb")"
step "$(basename "$deb"): $(du -k "$deb" | cut -f1) KiB"

# What the package holds, before installing it.
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents"
for f in ./usr/bin/ussdgw ./usr/bin/ussdgw-admin ./usr/bin/ussdgw-smsc-sim \
    ./etc/ussdgw/ussdgw.conf ./etc/ussdgw/menus/main.yaml ./lib/systemd/system/ussdgw.service \
    ./usr/share/doc/ussdgw/README.md; do
    grep -qx "$f" "$work/contents" || fail "$f not in the package"
done
grep -q '^\./var/' "$work/contents" && fail "the package ships files under /var (dpkg would remove them)"
depends=$(dpkg-deb -f "$deb" Depends)
for d in adduser libc6 libsystemd0 libsqlite3-0 libsodium23 libstdc++6; do
    [[ "$depends" == *"$d"* ]] || fail "Depends lacks $d: $depends"
done
dpkg-deb -e "$deb" "$work/control"
sort "$work/control/conffiles" >"$work/conffiles"
{
    echo /etc/ussdgw/ussdgw.conf
    for m in "$src"/menus/*.yaml; do echo "/etc/ussdgw/menus/$(basename "$m")"; done
} | sort >"$work/conffiles.expected"
diff "$work/conffiles.expected" "$work/conffiles" || fail "conffiles differ from the config and the menus"

step "installing (twice)"
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i"; }
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i again"; }

IFS=: read -r _ _ uid _ _ home shell < <(getent passwd ussdgw) || fail "no user ussdgw"
((uid < 1000)) || fail "ussdgw is not a system user (uid $uid)"
[[ "$home" == /var/lib/ussdgw ]] || fail "ussdgw's home is $home"
[[ "$shell" == */nologin || "$shell" == /bin/false ]] || fail "ussdgw has the shell $shell"
[[ "$(id -gn ussdgw)" == ussdgw ]] || fail "ussdgw's group is $(id -gn ussdgw)"
expect_mode /var/lib/ussdgw "700 ussdgw:ussdgw"
expect_mode /etc/ussdgw "750 root:ussdgw"
expect_mode /etc/ussdgw/ussdgw.conf "640 root:ussdgw"
expect_mode /etc/ussdgw/menus "755 root:root"
expect_mode /etc/ussdgw/menus/main.yaml "644 root:root"
expect_mode /usr/bin/ussdgw "755 root:root"
grep -qx 'path = /var/lib/ussdgw/ussdgw.db' /etc/ussdgw/ussdgw.conf || fail "installed [store] path"
grep -qx 'dir = /etc/ussdgw/menus' /etc/ussdgw/ussdgw.conf || fail "installed [menus] dir"
grep -qx 'static_dir = /usr/share/ussdgw/console' /etc/ussdgw/ussdgw.conf ||
    fail "installed [console] static_dir"
[[ -f /usr/share/ussdgw/console/index.html ]] || fail "the console page is not installed"
cmp -s /lib/systemd/system/ussdgw.service "$src/systemd/ussdgw.service" ||
    fail "the installed unit is not systemd/ussdgw.service"
dpkg-query -W -f='${Conffiles}\n' ussdgw | grep -q ' /etc/ussdgw/ussdgw.conf ' ||
    fail "dpkg does not treat /etc/ussdgw/ussdgw.conf as a conffile"

step "checking the installed config as the ussdgw user"
check() {
    # From / : the ussdgw user may not enter the caller's directory.
    (cd / && runuser -u ussdgw -- /usr/bin/ussdgw --config /etc/ussdgw/ussdgw.conf --check-config 2>&1)
}
out=$(check) || fail "--check-config as ussdgw: $out"
[[ "$out" == *"configuration OK"*"will be created at start"* ]] || fail "--check-config said: $out"
# The ussdgw user can create the store where the config says; the check then sees it.
(cd / && runuser -u ussdgw -- /usr/bin/ussdgw-admin --db /var/lib/ussdgw/ussdgw.db init) \
    >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; fail "ussdgw-admin init as ussdgw"; }
expect_mode /var/lib/ussdgw/ussdgw.db "600 ussdgw:ussdgw"
expect_mode /var/lib/ussdgw/ussdgw.db.key "600 ussdgw:ussdgw"
out=$(check) || fail "--check-config as ussdgw with the store: $out"
[[ "$out" == *"store /var/lib/ussdgw/ussdgw.db at schema"* ]] || fail "--check-config said: $out"
verify=$(systemd-analyze verify --man=no /lib/systemd/system/ussdgw.service 2>&1) ||
    fail "systemd-analyze verify of the installed unit: $verify"
[[ -z "$verify" ]] || fail "systemd-analyze verify warns: $verify"

step "running as installed, as ussdgw: bind, *111*25#, an API login with that password, /metrics, reload, stop"
# The unit's command line (the installed config), with the SMSC and the
# listener pointed at this test's loopback ports; the bind password from the
# environment (the unit's credential is systemd's to give).
# Waits for PATTERN in FILE, up to 20 s (a condition with a deadline).
wait_for() {
    local deadline=$((SECONDS + 20))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || fail "no '$2' in $1 within 20 s: $(tail -n 20 "$1")"
        sleep 0.05  # allow-sleep: the poll interval of a condition with a 20 s deadline (bash has no file-change wait)
    done
}
# One HTTP request on a fresh connection (bash's /dev/tcp: no client needed).
http() {  # METHOD PATH [BODY]
    local body="${3:-}"
    exec 3<>"/dev/tcp/127.0.0.1/$http_port"
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
        "$1" "$2" "$token" "${#body}" "$body" >&3
    cat <&3
    exec 3>&-
}
(cd / && runuser -u ussdgw -- /usr/bin/ussdgw-admin --config /etc/ussdgw/ussdgw.conf demo) \
    >"$work/demo.log" 2>&1 || { cat "$work/demo.log" >&2; fail "ussdgw-admin demo as ussdgw"; }
token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
install -m 0640 -g ussdgw /dev/null /etc/ussdgw/api-token
echo "$token" >/etc/ussdgw/api-token
sed -i 's#^token_file =$#token_file = /etc/ussdgw/api-token#' /etc/ussdgw/ussdgw.conf
cat >"$work/round.sim" <<'SIM'
wait-bind
79160000001 ussd *111*25#
expect ussd 79160000001 end
expect sms 79160000001 3339 Your password
SIM
/usr/bin/ussdgw-smsc-sim --listen 127.0.0.1:0 --system-id ussdgw --password pkgtest \
    --script "$work/round.sim" >"$work/sim.log" 2>&1 &
sim_pid=$!
wait_for "$work/sim.log" "listening on"
sim_port=$(sed -n 's/.*listening on .*:\([0-9]*\).*/\1/p' "$work/sim.log" | head -n1)
# setpriv execs (runuser would fork and stand between the signals and the daemon).
(cd / && exec setpriv --reuid=ussdgw --regid=ussdgw --init-groups env USSDGW_SMSC_PASSWORD=pkgtest \
    /usr/bin/ussdgw --config /etc/ussdgw/ussdgw.conf --smsc "127.0.0.1:$sim_port" \
    --http-listen 127.0.0.1:0) >"$work/daemon.log" 2>&1 &
daemon_pid=$!
wait_for "$work/daemon.log" "http listening on"
http_port=$(sed -n 's/.*http listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon.log")
wait "$sim_pid" || fail "the simulator's script failed: $(cat "$work/sim.log")"
sim_pid=
password=$(sed -n 's/.*MT sms from=3339 to=79160000001: Your password: \([^.]*\)\..*/\1/p' "$work/sim.log")
[[ -n "$password" ]] || fail "no password SMS: $(cat "$work/sim.log")"
reply=$(http POST /api/v1/login "{\"msisdn\": \"79160000001\", \"password\": \"$password\"}")
[[ "$reply" == *'"result":"accepted"'* ]] || fail "API login with the *111*25# password: $reply"
metrics=$(http GET /metrics)
[[ "$metrics" == *'ussdgw_actions_total{action="password_issue",result="ok"} 1'* ]] ||
    fail "/metrics lacks the password issued: $metrics"
[[ "$metrics" == *'process_resident_memory_bytes '* ]] || fail "/metrics lacks the process: $metrics"
kill -HUP "$daemon_pid"
wait_for "$work/daemon.log" "in service"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the daemon's exit status was $? on SIGTERM: $(tail -n 20 "$work/daemon.log")"
grep -q "stopped" "$work/daemon.log" || fail "no clean stop: $(tail -n 20 "$work/daemon.log")"
grep -qF -- "$password" "$work/daemon.log" && fail "the password is in the daemon's log"
grep -qF -- "$token" "$work/daemon.log" && fail "the API token is in the daemon's log"
daemon_pid=
rm /etc/ussdgw/api-token

step "removing: the config, the user and the data stay"
echo "smsc" >/etc/ussdgw/smsc-password
dpkg -r ussdgw >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -r"; }
[[ ! -e /usr/bin/ussdgw ]] || fail "/usr/bin/ussdgw left after remove"
[[ -f /etc/ussdgw/ussdgw.conf ]] || fail "remove took the config"
getent passwd ussdgw >/dev/null || fail "remove took the user"
[[ -f /var/lib/ussdgw/ussdgw.db ]] || fail "remove took the store"

step "purging: the config and the user go, the store stays"
dpkg --purge ussdgw >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg --purge"; }
[[ ! -e /etc/ussdgw ]] || fail "/etc/ussdgw left after purge: $(ls -A /etc/ussdgw)"
getent passwd ussdgw >/dev/null && fail "the user ussdgw left after purge"
getent group ussdgw >/dev/null && fail "the group ussdgw left after purge"
dpkg-statoverride --list | grep -q ussdgw && fail "statoverrides left: $(dpkg-statoverride --list | grep ussdgw)"
dpkg-query -W -f='${Status}' ussdgw 2>/dev/null | grep -q 'installed' && fail "still installed"
# Data: kept, and handed to root now that the ussdgw uid is free for reuse.
expect_mode /var/lib/ussdgw "700 root:root"
expect_mode /var/lib/ussdgw/ussdgw.db "600 root:root"
expect_mode /var/lib/ussdgw/ussdgw.db.key "600 root:root"
step "ok"
