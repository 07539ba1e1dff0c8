#!/usr/bin/env python3
"""Draws the growth runs of scripts/bench --growth: steps/s and the daemon's
peak RSS against open dialogs, one curve per store size, with gnuplot.
Usage: growth_plot.py DATA PNG, DATA lines being `SUBSCRIBERS WINDOW bench: ...`."""
import os
import subprocess
import sys
import tempfile


def main():
    data, png = sys.argv[1], sys.argv[2]
    series = {}
    with open(data, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            fields = dict(kv.split("=", 1) for kv in parts[3:] if "=" in kv)
            series.setdefault(parts[0], []).append(
                (int(parts[1]), fields.get("rate", "0"), fields.get("rss_kb", "0")))
    if not series:
        sys.exit("growth_plot: no runs to draw")
    with tempfile.TemporaryDirectory() as tmp:
        plots_rate, plots_rss = [], []
        for subscribers, rows in sorted(series.items(), key=lambda kv: int(kv[0])):
            path = os.path.join(tmp, f"{subscribers}.dat")
            with open(path, "w", encoding="utf-8") as out:
                for window, rate, rss in sorted(rows):
                    out.write(f"{window} {rate} {int(rss) / 1024 if rss.isdigit() else 0}\n")
            title = f"{int(subscribers):,} subscribers"
            plots_rate.append(f"'{path}' using 1:2 with linespoints title '{title}'")
            plots_rss.append(f"'{path}' using 1:3 with linespoints title '{title}'")
        script = f"""
set terminal pngcairo size 1000,420
set output '{png}'
set multiplot layout 1,2
set logscale x
set xlabel 'dialogs open at once (window)'
set ylabel 'dialog steps / s'
set key bottom left
plot {', '.join(plots_rate)}
set ylabel 'daemon peak RSS (MiB)'
set key top left
plot {', '.join(plots_rss)}
unset multiplot
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print(f"growth_plot: wrote {png}")


if __name__ == "__main__":
    main()
