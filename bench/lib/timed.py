#!/usr/bin/env python3
"""Runs one command and times it, with nothing else watching it: wall time,
and the CPU time of the command and every descendant it waited for (the
browser and its helpers: the driver reaps them).

    timed.py --json OUT.json -- COMMAND [ARGS...]

Why a run apart from measure.py's: reading smaps_rollup makes the kernel walk
every page table of every browser process, about 20 ms of CPU per 100 ms
sample for a --tabs 4 tree on the bench machine. A contender that keeps both
CPUs busy pays for that in wall time and a serial one does not, so the
sampled run's wall time is not the contender's own. bench/run times one run
here and takes the memory figures from another under measure.py.

The command's stdout/stderr pass through; the exit code is recorded in the
JSON and also becomes timed.py's own exit code.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("no command given")

    start = time.monotonic()
    proc = subprocess.Popen(cmd)
    # Forward a stop to the child so a Ctrl-C of the bench does not orphan it.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, _f: proc.send_signal(s))
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # already reaped: Popen must not wait for it again
    result = {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
              "exit_code": code, "command": cmd}
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
