#!/usr/bin/env python3
"""Runs one command and times it, with nothing else watching it: wall time,
and the CPU time of the command and of every process it started, counted
by a cgroup of its own (cpu_group.py: wait4 misses the sandboxed
renderers). Where no cgroup can be made, the CPU time is wait4's, and the
JSON says so ("cpu_source": "wait4", a lower bound).

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
import os
import time

import child
from cpu_group import CpuGroup


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = child.command(ap, args)

    group = CpuGroup.create("boletos-bench")
    start = time.monotonic()
    proc = child.start(cmd, group.enter if group else None)
    # wait4 rather than proc.wait(): it also gives the CPU time of the
    # command and of every descendant it reaped.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # already reaped: Popen must not wait for it again
    wait4_cpu = usage.ru_utime + usage.ru_stime
    if group:
        cpu, source = group.cpu_seconds(), "cgroup"
        group.remove()
    else:
        cpu, source = wait4_cpu, "wait4"
    child.finish(args.json, {"wall_s": round(wall, 3), "cpu_s": round(cpu, 2), "cpu_source": source,
                             "wait4_cpu_s": round(wait4_cpu, 2), "exit_code": code, "command": cmd}, code)


if __name__ == "__main__":
    main()
