#!/usr/bin/env python3
"""Ratios of ussdgw to Kannel from their bench lines, per window and Kannel
variant: throughput (ours / theirs) and CPU per message (theirs / ours), so a
figure above 1 always favours ussdgw. Usage: ratios.py KANNEL_LINES OUR_LINES"""
import sys


def lines(path):
    """Each `bench:` line of a file as a dict of its key=value fields."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("bench:"):
                out.append(dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv))
    return out


def number(row, key):
    """A field as a float, or None when missing or '-'."""
    try:
        return float(row.get(key, "-"))
    except ValueError:
        return None


def main():
    theirs, ours = lines(sys.argv[1]), lines(sys.argv[2])
    ours_by_window = {row.get("window"): row for row in ours}
    for row in theirs:
        mine = ours_by_window.get(row.get("window"))
        if not mine:
            continue
        rate_t, rate_o = number(row, "rate"), number(mine, "rate")
        cpu_t, cpu_o = number(row, "cpu_us"), number(mine, "cpu_us")
        rate_x = f"{rate_o / rate_t:.1f}" if rate_t and rate_o else "-"
        cpu_x = f"{cpu_t / cpu_o:.1f}" if cpu_t and cpu_o else "-"
        print(f"bench: ratio peer=kannel variant={row.get('variant', '?')} scenario=sms "
              f"window={row.get('window')} throughput_x={rate_x} cpu_per_msg_x={cpu_x}")


if __name__ == "__main__":
    main()
