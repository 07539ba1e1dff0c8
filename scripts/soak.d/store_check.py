#!/usr/bin/env python3
"""The store's books after a soak, or after any SIGKILL in it.

usage: store_check.py snapshot DB FIRST:COUNT...  > opening.json
       store_check.py check DB opening.json [--drained]
       store_check.py pending DB opening.json     (prints the outbox rows still pending)

`snapshot` records the balances of the numbers the soak uses before the first
daemon runs. `check` then verifies, for those numbers (the demo subscribers'
daily fees are not the soak's business):
  - the sum of their balances is what it was (transfers only move money);
  - each balance is its opening plus its archive's amounts, and plus its
    payments' amounts (every kopeck that moved is recorded, both ways);
  - every transfer's two halves: the sender's archive row and payment
    (transfer_out) have the recipient's (transfer_in) at the same second for
    the same amount, and back; no transfer half-applied;
  - every transfer_in has its notice in the outbox, to the recipient, written
    at the transfer's second (the SMS committed with the money);
  - with --drained (the daemon ran again after the last kill and stopped
    cleanly): no outbox row of theirs is still pending.
Prints one line per problem and a summary; exits 1 on any problem.
Read-only: the check never repairs or checkpoints what the daemon left.
"""
import collections
import json
import sqlite3
import sys


def connect(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def numbers_of(ranges):
    out = []
    for r in ranges:
        first, count = r.split(":")
        out.extend(str(int(first) + i) for i in range(int(count)))
    return out


def snapshot(db, ranges):
    con = connect(db)
    wanted = set(numbers_of(ranges))
    balances = {m: b for m, b in con.execute("SELECT msisdn, balance FROM subscribers")
                if m in wanted}
    missing = wanted - balances.keys()
    if missing:
        sys.exit(f"store_check: {len(missing)} number(s) not in the store, e.g. {min(missing)}")
    json.dump(balances, sys.stdout)


def sums(con, table, ours):
    total = collections.Counter()
    for m, a in con.execute(f"SELECT msisdn, sum(amount) FROM {table} GROUP BY msisdn"):
        if m in ours:
            total[m] = a
    return total


def check(db, opening_file, drained):
    opening = json.load(open(opening_file))
    ours = set(opening)
    con = connect(db)
    problems = []

    def problem(text):
        problems.append(text)
        if len(problems) <= 20:
            print(f"store_check: {text}")

    balances = {m: b for m, b in con.execute("SELECT msisdn, balance FROM subscribers")
                if m in ours}
    if sum(balances.values()) != sum(opening.values()):
        problem(f"balances sum to {sum(balances.values())} kopecks, "
                f"{sum(balances.values()) - sum(opening.values()):+d} against the opening")
    archived = sums(con, "archive", ours)
    paid = sums(con, "payments", ours)
    for m, b in balances.items():
        if b != opening[m] + archived[m]:
            problem(f"{m}: balance {b} != opening {opening[m]} + archive {archived[m]}")
        if b != opening[m] + paid[m]:
            problem(f"{m}: balance {b} != opening {opening[m]} + payments {paid[m]}")

    # Transfers, each side as (sender, recipient, second, kopecks).
    sent_rows = collections.Counter()
    for m, t, a, args in con.execute(
            "SELECT msisdn, time, amount, arguments FROM archive "
            "WHERE action = 'transfer' AND result = 'ok'"):
        if m in ours:
            sent_rows[(m, t, -a)] += 1
    in_rows = collections.Counter()
    for m, t, a, args in con.execute(
            "SELECT msisdn, time, amount, arguments FROM archive WHERE action = 'transfer_in'"):
        if m in ours:
            in_rows[(args.removeprefix("from="), m, t, a)] += 1
    out_pay = collections.Counter()
    in_pay = collections.Counter()
    for m, t, kind, a, peer in con.execute(
            "SELECT msisdn, time, kind, amount, peer FROM payments "
            "WHERE kind IN ('transfer_out', 'transfer_in')"):
        if m not in ours:
            continue
        if kind == "transfer_out":
            out_pay[(m, peer, t, -a)] += 1
        else:
            in_pay[(peer, m, t, a)] += 1
    if out_pay != in_pay:
        problem(f"payments: {sum((out_pay - in_pay).values())} transfer_out without their "
                f"transfer_in, {sum((in_pay - out_pay).values())} the other way")
    if in_rows != in_pay:
        problem(f"archive transfer_in rows and transfer_in payments differ: "
                f"{sum((in_rows - in_pay).values())} / {sum((in_pay - in_rows).values())}")
    # The sender's archive row names the recipient as typed; the payment
    # holds the normalised number: compare on (sender, second, amount).
    by_sender = collections.Counter((s, t, a) for (s, _, t, a), n in out_pay.items()
                                    for _ in range(n))
    if sent_rows != by_sender:
        problem(f"archive transfer rows and transfer_out payments differ: "
                f"{sum((sent_rows - by_sender).values())} / "
                f"{sum((by_sender - sent_rows).values())}")

    notices = collections.Counter()
    pending = 0
    for r, c, state in con.execute(
            "SELECT recipient, created, state FROM outbox WHERE sender = '111'"):
        if r in ours:
            notices[(r, c)] += 1
            pending += state == "pending"
    received = collections.Counter()
    for (_, m, t, _), n in in_rows.items():
        received[(m, t)] += n
    if notices != received:
        problem(f"outbox: {sum((received - notices).values())} transfer(s) without their notice, "
                f"{sum((notices - received).values())} notice(s) without a transfer")
    if drained and pending:
        problem(f"outbox: {pending} notice(s) still pending after the daemon ran again")

    transfers = sum(sent_rows.values())
    print(f"store_check: {len(balances)} subscribers, {transfers} transfers, "
          f"{pending} notice(s) pending: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def pending(db, opening_file):
    ours = set(json.load(open(opening_file)))
    con = connect(db)
    print(sum(1 for (r,) in con.execute(
        "SELECT recipient FROM outbox WHERE state = 'pending'") if r in ours))


def main(argv):
    if len(argv) >= 3 and argv[0] == "snapshot":
        snapshot(argv[1], argv[2:])
        return 0
    if len(argv) in (3, 4) and argv[0] == "check" and argv[3:] in ([], ["--drained"]):
        return check(argv[1], argv[2], argv[3:] == ["--drained"])
    if len(argv) == 3 and argv[0] == "pending":
        pending(argv[1], argv[2])
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
