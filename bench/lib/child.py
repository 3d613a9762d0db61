"""What timed.py and measure.py share: the command after "--", starting it
with a stop forwarded to it, and ending with its exit code after the JSON
record is written."""
import json
import signal
import subprocess
import sys


def command(ap, args):
    """The command to run, from an argparse REMAINDER argument."""
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("no command given")
    return cmd


def start(cmd, preexec_fn=None):
    """Starts cmd; a stop of this script is forwarded to it, so a Ctrl-C of
    the bench does not orphan it. Its stdout/stderr pass through.
    preexec_fn runs in the child before cmd (e.g. to enter a cgroup)."""
    proc = subprocess.Popen(cmd, preexec_fn=preexec_fn)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, _f: proc.send_signal(s))
    return proc


def finish(json_path, result, code):
    """Writes the record and exits with the command's code (128+N if a signal N ended it)."""
    with open(json_path, "w") as f:
        json.dump(result, f, indent=1)
    sys.exit(code if code >= 0 else 128 - code)
