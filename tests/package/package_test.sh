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
