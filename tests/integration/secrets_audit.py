#!/usr/bin/env python3
"""The secrets audit: reads the transcripts the integration suite left
(tests/support/transcript.hpp) and fails if a secret used anywhere in the
suite shows up where an operator, an attacker with the disk, or an API client
could read it.

Secrets are gathered from what went in: the bind password (--password, a
password file, `password =` in a config), API tokens (token files, the
Authorization header), passwords sent by SMS ("25 <password>"), in API bodies
("password": ...) and issued to handsets (the SMS "Your password: ..."), and
PINs and PUKs dialled (**04*OLD*NEW*NEW#, **05*PUK*NEW*NEW#).

Places searched: everything the daemon and the admin tool printed (logs at
debug level), every HTTP response (the API, /metrics, /healthz), and every
file the tests' stores consisted of (the SQLite database and its WAL, byte
for byte). The handset side (the simulator's and load generator's output) and
the inputs themselves are not searched: they carry the secrets by design.

usage: secrets_audit.py [--list] TRANSCRIPT_DIR   (--list: print the secrets gathered)
       secrets_audit.py --self-test                 (a planted leak must be found)
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

# Texts shorter than this are not searched as plain words: a 4-character
# password is not a thing our rules allow, and short strings match by chance.
MIN_TEXT = 6

SCANNED_KINDS = ("ussdgw", "ussdgw-admin", "http")
STORE_SUFFIXES = (".db", ".db-wal", ".db-journal")


def sections(text):
    """Splits a transcript into {name: body} at its '--- name' lines."""
    out, name, buf = {}, None, []
    for line in text.split("\n"):
        m = re.fullmatch(r"--- (\w+)", line)
        if m:
            if name:
                out[name] = out.get(name, "") + "\n".join(buf)
            name, buf = m.group(1), []
        else:
            buf.append(line)
    if name:
        out[name] = out.get(name, "") + "\n".join(buf)
    return out


def kind_of(path):
    return re.sub(r"-\d+-\d+\.txt$", "", path.name)


class Secrets:
    def __init__(self):
        self.text = {}  # secret -> where it was learnt
        self.digits = {}  # PIN/PUK -> where

    def add_text(self, s, where):
        s = s.strip()
        if len(s) >= MIN_TEXT:
            self.text.setdefault(s, where)

    def add_digits(self, s, where):
        if s.isdigit() and 4 <= len(s) <= 8:
            self.digits.setdefault(s, where)

    def learn(self, text, where):
        for m in re.finditer(r"\*\*0[45]\*(\d+)\*(\d+)(?:\*(\d+))?#", text):
            for g in m.groups():
                if g:
                    self.add_digits(g, where)
        for m in re.finditer(r"(?:^|[\s,])25 (\S+)", text, re.M):
            self.add_text(m.group(1), where)
        for m in re.finditer(r'"password"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
            self.add_text(m.group(1), where)
        for m in re.finditer(r"Authorization: Bearer (\S+)", text):
            self.add_text(m.group(1), where)
        for m in re.finditer(
            r"(?:Your password|Ваш пароль|one-time password|одноразовый пароль): (\S+?)[.\s]",
            text,
        ):
            self.add_text(m.group(1), where)


def self_test():
    """A transcript set with one planted leak of each kind must fail, and the
    same set without them must pass: an audit that finds nothing proves
    nothing unless it can find something."""
    clean_log = "info [msisdn=79160000001] sms 111: command 25 (password_set)\n"
    leaks = {
        "an SMS password in a log": "debug sms 111 text '25 Hello123'\n",
        "a PIN in a log": "debug ussd **04*4321*5678*5678#\n",
        "an issued password in a log": "debug MT 3339: Your password: Xy7pQ2rs. It is\n",
        "the bind password in a log": "debug bind password Bq7-xZ4k\n",
    }
    inputs = ("--- argv\nussdgw-smsc-sim\n--password\nBq7-xZ4k\n--- stdin\n"
              "/sms 111 25 Hello123\n**04*4321*5678*5678#\n--- output\n"
              "MT sms from=3339: Your password: Xy7pQ2rs. It is valid\n")
    failures = []
    for leak in [None, *leaks]:
        with tempfile.TemporaryDirectory() as d:
            Path(d, "ussdgw-smsc-sim-1-0.txt").write_text(inputs)
            log = clean_log + (leaks[leak] if leak else "")
            Path(d, "ussdgw-1-1.txt").write_text("--- argv\nussdgw\n--- stdin\n\n--- output\n" + log)
            rc = subprocess.run([sys.executable, __file__, d], capture_output=True).returncode
            if (rc == 0) != (leak is None):
                failures.append(f"{leak or 'no leak'}: exit {rc}")
    for f in failures:
        print("secrets audit self-test FAILED: " + f, file=sys.stderr)
    if not failures:
        print(f"secrets audit self-test: {len(leaks)} planted leaks found, a clean set passes")
    return 1 if failures else 0


def main():
    args = sys.argv[1:]
    if args == ["--self-test"]:
        return self_test()
    listing = bool(args) and args[0] == "--list"
    if listing:
        args = args[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(args[0])
    transcripts = sorted(root.glob("*.txt")) if root.is_dir() else []
    if not transcripts:
        print(f"secrets audit: no transcripts in {root}: the integration tests left none "
              "(USSDGW_TEST_TRANSCRIPTS not passed on?)", file=sys.stderr)
        return 1
    secrets = Secrets()
    scanned = []  # (where, text or bytes)
    file_dirs = sorted(p for p in root.glob("files-*") if p.is_dir())

    for t in transcripts:
        kind = kind_of(t)
        parts = sections(t.read_text(errors="replace"))
        argv = parts.get("argv", "").split("\n")
        for i, a in enumerate(argv[:-1]):
            if a in ("--password", "--token"):
                secrets.add_text(argv[i + 1], f"{t.name} argv")
            if a in ("--password-file", "--token-file"):
                for d in file_dirs:
                    for f in d.rglob(Path(argv[i + 1]).name):
                        secrets.add_text(f.read_text(errors="replace").split("\n")[0],
                                         f"{f.relative_to(root)}")
        for name in ("argv", "stdin", "sent"):
            secrets.learn(parts.get(name, ""), f"{t.name} {name}")
        if kind.startswith("ussdgw-smsc-sim") or kind.startswith("ussdgw-load"):
            secrets.learn(parts.get("output", ""), f"{t.name} (handset side)")
        if kind in ("ussdgw", "ussdgw-admin"):
            scanned.append((f"{t.name} output", parts.get("output", "")))
        if kind == "http":
            # The console's tree and menu file answers are the operator's menu
            # files themselves, whose help texts show example passwords
            # ("e.g. 25 Hello123") that tests also type: not a leak.
            sent = parts.get("sent", "")
            if not re.match(r"GET /console/api/(tree|menus/file)", sent):
                scanned.append((f"{t.name} received", parts.get("received", "")))

    for d in file_dirs:
        for f in d.rglob("*"):
            if not f.is_file():
                continue
            where = str(f.relative_to(root))
            if f.name.endswith(STORE_SUFFIXES):
                scanned.append((where, f.read_bytes()))
                continue
            text = f.read_text(errors="replace")
            if f.suffix == ".conf":
                for m in re.finditer(r"^\s*(?:password|token)\s*=\s*(\S+)", text, re.M):
                    secrets.add_text(m.group(1), where)
            if "token" in f.name or "password" in f.name:
                secrets.add_text(text.split("\n")[0], where)
            secrets.learn(text, where)

    findings = []
    text_patterns = [
        (s, re.compile(r"(?<![A-Za-z0-9])" + re.escape(s) + r"(?![A-Za-z0-9])"))
        for s in secrets.text
    ]
    digit_patterns = [(s, re.compile(r"\*" + s + r"[*#]")) for s in secrets.digits]
    for where, blob in scanned:
        is_bytes = isinstance(blob, bytes)
        for s, pat in text_patterns + digit_patterns:
            p = re.compile(pat.pattern.encode()) if is_bytes else pat
            m = p.search(blob)
            if not m:
                continue
            a, b = max(0, m.start() - 60), min(len(blob), m.end() + 60)
            context = blob[a:b]
            if is_bytes:
                context = context.decode("utf-8", "replace")
            learnt = secrets.text.get(s) or secrets.digits.get(s)
            findings.append(f"{where}: secret {s!r} (from {learnt}) in: "
                            f"...{context.strip()!r}...")

    if listing:
        for s, where in sorted({**secrets.text, **secrets.digits}.items()):
            shown = s if len(s) <= 40 else s[:37] + "..."
            print(f"  {shown!r} from {where}")
    size = sum(len(b) for _, b in scanned)
    print(f"secrets audit: {len(transcripts)} transcripts, {len(file_dirs)} test directories; "
          f"{len(secrets.text)} passwords/tokens and {len(secrets.digits)} PINs/PUKs used; "
          f"{len(scanned)} outputs and store files searched ({size // 1024} KiB)")
    if not secrets.text and not secrets.digits:
        # A partial run (ctest -R) may use none; the gathering itself is
        # checked by secrets_audit_selftest.
        print("secrets audit: the tests that ran used no secret: nothing to look for")
        return 0
    for f in findings:
        print("LEAK " + f)
    if findings:
        print(f"secrets audit: {len(findings)} secrets found in the clear", file=sys.stderr)
        return 1
    print("secrets audit: no secret in any log, response or store file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
