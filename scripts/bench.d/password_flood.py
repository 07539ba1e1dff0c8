#!/usr/bin/env python3
"""One number floods "25 HelloNNN" (Argon2id work) while another asks for a
password: how long does the other subscriber wait for the reply SMS?
Prints one figure per run; asserts nothing.

usage: password_flood.py BINDIR MENUS [FLOOD] [RUNS]
"""
import os
import select
import subprocess
import sys
import tempfile
import time


def run(bindir, menus, n):
    work = tempfile.mkdtemp()
    db = os.path.join(work, "flood.db")
    for cmd in ("init", "demo"):
        subprocess.run([f"{bindir}/ussdgw-admin", "--db", db, cmd], check=True,
                       capture_output=True)
    sim = subprocess.Popen([f"{bindir}/ussdgw-smsc-sim", "--listen", "127.0.0.1:0"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    port = sim.stdout.readline().strip().rsplit(":", 1)[1]
    daemon = subprocess.Popen([f"{bindir}/ussdgw", "--smsc", f"127.0.0.1:{port}", "--password",
                               "secret", "--db", db, "--menus", menus, "--log-level", "warn"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(pred, timeout):
        end = time.time() + timeout
        while time.time() < end:
            ready, _, _ = select.select([sim.stdout], [], [], end - time.time())
            if not ready:
                return None
            line = sim.stdout.readline()
            if not line:
                return None
            if pred(line):
                return line
        return None

    try:
        if not wait(lambda l: "bind ok" in l, 20):
            return None
        flood = "".join(f"/sms 111 25 Hello{100 + i}\n" for i in range(n))
        sim.stdin.write("/as 79160000001\n" + flood + "/as 79160000002\n/sms 3339 Password\n")
        sim.stdin.flush()
        start = time.time()
        got = wait(lambda l: "MT sms from=3339 to=79160000002" in l, 120)
        return time.time() - start if got else None
    finally:
        sim.stdin.write("/quit\n")
        sim.stdin.flush()
        daemon.terminate()
        daemon.wait()
        sim.wait()


def main():
    bindir, menus = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    waits = sorted(w for w in (run(bindir, menus, n) for _ in range(runs)) if w is not None)
    if not waits:
        print("bench: scenario=password_flood errors=1")
        return
    median = waits[len(waits) // 2]
    print(f"bench: scenario=password_flood flood={n} runs={len(waits)} "
          f"other_subscriber_wait_ms={median * 1000:.0f} (median; all: "
          f"{', '.join(f'{w * 1000:.0f}' for w in waits)})")


main()
