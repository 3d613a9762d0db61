#!/usr/bin/env python3
"""Runs one command and measures it: wall time, the peak PSS of its whole
process tree (the driver and every descendant: the browser and its helpers)
and the peak RSS of the driver itself.

    measure.py --json OUT.json [--interval 0.1] -- COMMAND [ARGS...]

Every --interval seconds it walks /proc for the descendants of the command's
pid (by ppid), sums Pss from /proc/PID/smaps_rollup, and reads the driver's
VmRSS (and VmHWM, the kernel's own peak) from /proc/PID/status. The command's
stdout/stderr pass through; the exit code is recorded in the JSON and also
becomes measure.py's own exit code.
"""
import argparse
import os
import threading
import time

import child


def read_kb(path, key):
    try:
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def process_tree(root):
    """The pids of root and all its descendants that are alive now."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: ppid follows the last ')'.
        rest = stat[stat.rfind(b")") + 2:].split()
        if len(rest) < 2:
            continue
        children.setdefault(int(rest[1]), []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--trace", help="also write one line per sample: seconds, tree PSS kB, driver RSS kB, pids:PSS")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = child.command(ap, args)

    start = time.monotonic()
    proc = child.start(cmd)

    peak = {"tree_pss_kb": 0, "driver_rss_kb": 0, "driver_hwm_kb": 0, "tree_procs": 0}
    samples = 0
    done = threading.Event()
    trace = open(args.trace, "w") if args.trace else None

    def sample_loop():
        nonlocal samples
        while not done.is_set():
            tree = process_tree(proc.pid)
            each = [read_kb("/proc/%d/smaps_rollup" % p, b"Pss:") for p in tree]
            pss = sum(each)
            rss = read_kb("/proc/%d/status" % proc.pid, b"VmRSS:")
            hwm = read_kb("/proc/%d/status" % proc.pid, b"VmHWM:")
            if not done.is_set() and rss > 0:
                samples += 1
                peak["tree_pss_kb"] = max(peak["tree_pss_kb"], pss)
                peak["driver_rss_kb"] = max(peak["driver_rss_kb"], rss)
                peak["driver_hwm_kb"] = max(peak["driver_hwm_kb"], hwm)
                peak["tree_procs"] = max(peak["tree_procs"], len(tree))
                if trace:
                    trace.write("%.2f %d %d %s\n" % (time.monotonic() - start, pss, rss,
                                                      " ".join("%d:%d" % pe for pe in zip(tree, each))))
            done.wait(args.interval)

    sampler = threading.Thread(target=sample_loop, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.monotonic() - start
    done.set()
    sampler.join()
    if trace:
        trace.close()
    child.finish(args.json, dict(peak, wall_s=round(wall, 3), exit_code=code, samples=samples, command=cmd), code)


if __name__ == "__main__":
    main()
