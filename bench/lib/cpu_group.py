"""The CPU time of a whole process tree, through a cgroup of its own.

Why not wait4's rusage alone: it counts only the descendants that were
reaped up the chain to the command. With Chromium's sandbox on, the
renderers are the zygote's children inside the sandbox's PID namespace,
and their times never reach the command's rusage: most of a page load's
CPU went missing and the column moved by ±10 % from run to run. A cgroup counts every task that was ever
in it, whoever reaps it.

    group = CpuGroup.create("bench-NAME")   # None where cgroups are not writable
    Popen(..., preexec_fn=group.enter)       # the child and all it starts
    ... wait ...
    group.cpu_seconds(); group.remove()

Works with cgroup v1's cpuacct controller (cpuacct.usage, nanoseconds) and
with cgroup v2 (cpu.stat's usage_usec, present in every v2 group).
"""
import os
import time

V1_ROOT = "/sys/fs/cgroup/cpuacct"
V2_ROOTS = ("/sys/fs/cgroup/unified", "/sys/fs/cgroup")


def _writable_root():
    if os.path.isfile(os.path.join(V1_ROOT, "cpuacct.usage")) and os.access(V1_ROOT, os.W_OK):
        return V1_ROOT, "v1"
    for root in V2_ROOTS:
        if os.path.isfile(os.path.join(root, "cgroup.procs")) and os.access(root, os.W_OK) \
                and not os.path.isdir(os.path.join(root, "cpuacct")):
            return root, "v2"
    return None, None


class CpuGroup:
    def __init__(self, path, version):
        self.path = path
        self.version = version

    @staticmethod
    def create(name):
        """A new, empty group, or None where this machine does not let us make one."""
        root, version = _writable_root()
        if root is None:
            return None
        path = os.path.join(root, "%s-%d" % (name, os.getpid()))
        try:
            os.mkdir(path)
        except OSError:
            return None
        return CpuGroup(path, version)

    def enter(self):
        """Moves the calling process into the group (use as Popen's preexec_fn)."""
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def cpu_seconds(self):
        if self.version == "v1":
            with open(os.path.join(self.path, "cpuacct.usage")) as f:
                return int(f.read()) / 1e9
        with open(os.path.join(self.path, "cpu.stat")) as f:
            for line in f:
                key, value = line.split()
                if key == "usage_usec":
                    return int(value) / 1e6
        raise RuntimeError("%s/cpu.stat has no usage_usec" % self.path)

    def remove(self):
        """Removes the group once its last task has gone (a browser helper may
        outlive the command by a moment); leaves it, and says so, after 10 s."""
        for _ in range(100):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.1)
        print("cpu_group: %s still has tasks after 10 s; left in place" % self.path, flush=True)
