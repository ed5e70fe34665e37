"""A one-node SLURM cluster on this machine, for tests/test_slurm.py.

munged, slurmctld and slurmd of the Debian packages (SLURM 22.05, munge 0.5) are started as
root with their own munge key, socket, ports, state and logs in a temporary folder, and a
generated slurm.conf that the commands find through SLURM_CONF; nothing under /etc is read or
changed. The node is this machine with the CPUs and memory ``slurmd -C`` reports; every
partition holds it. It has no GPU (no Gres): a partition named ``gpu`` is only a name here.

One shim: the SLURM executor's job step clears every SLURM_* variable, SLURM_CONF too, before
it calls srun, so a ``bin/srun`` first on PATH sets it again. A cluster whose slurm.conf lies
in /etc/slurm or is served configless needs no such thing.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

COMMANDS = ("mungekey", "munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel", "srun")
DAEMON_NAMES = ("munged", "slurmctld", "slurmd", "slurmstepd")
NODE = "localhost"


def unavailable():
    """Why a cluster cannot be started here, in one line; None when it can."""
    if os.geteuid() != 0:
        return "needs root to start slurmctld, slurmd and munged (CI runs as root)"
    missing = [command for command in COMMANDS if shutil.which(command) is None]
    if missing:
        return (f"needs the Debian packages slurmctld, slurmd and munge (missing {', '.join(missing)}); "
                ".ci/run installs them")
    return None


def node_hardware():
    """{CPUs, Boards, SocketsPerBoard, CoresPerSocket, ThreadsPerCore, RealMemory} as slurmd -C says."""
    line = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    keys = ("CPUs", "Boards", "SocketsPerBoard", "CoresPerSocket", "ThreadsPerCore", "RealMemory")
    return {key: int(fields[key]) for key in keys}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def daemon_processes():
    """{pid: name} of every munged, slurmctld, slurmd and slurmstepd process on this machine."""
    found = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                name = (proc / "comm").read_text().strip()
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if name in DAEMON_NAMES and state != "Z":
                found[int(proc.name)] = name
    return found


class Cluster:
    """The cluster in ``folder``: ``start()``, run jobs with ``env``, ``stop()``."""

    def __init__(self, folder, partitions=("cpu", "gpu")):
        self.folder = Path(folder)
        self.partitions = partitions
        self.conf = self.folder / "slurm.conf"
        self.bin = self.folder / "bin"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf), "PATH": f"{self.bin}:{os.environ['PATH']}"}
        self.hardware = node_hardware()
        self.daemons = {}  # name -> Popen
        self._before = {}

    def _write_conf(self):
        munge_socket = self.folder / "munge-socket" / "munge.socket"
        node = " ".join(f"{key}={value}" for key, value in self.hardware.items())
        lines = [
            "ClusterName=nnrec-ci",
            f"SlurmctldHost={NODE}",
            f"SlurmctldPort={_free_port()}",
            f"SlurmdPort={_free_port()}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={munge_socket}",
            f"StateSaveLocation={self.folder / 'state'}",
            f"SlurmdSpoolDir={self.folder / 'spool'}",
            f"SlurmctldPidFile={self.folder / 'slurmctld.pid'}",
            f"SlurmdPidFile={self.folder / 'slurmd.pid'}",
            f"SlurmctldLogFile={self.folder / 'slurmctld.log'}",
            f"SlurmdLogFile={self.folder / 'slurmd.log'}",
            # no cgroups, no accounting database: what a container or a bare CI machine allows
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "JobCompType=jobcomp/none",
            "MpiDefault=none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            "ReturnToService=2",
            # finished jobs stay listed by squeue for a day: the executor follows them with squeue
            "MinJobAge=86400",
            f"NodeName={NODE} NodeAddr=127.0.0.1 {node} State=UNKNOWN",
        ]
        for i, partition in enumerate(self.partitions):
            default = "YES" if i == 0 else "NO"
            lines.append(f"PartitionName={partition} Nodes={NODE} Default={default} MaxTime=INFINITE State=UP")
        self.conf.write_text("\n".join(lines) + "\n")
        return munge_socket

    def _spawn(self, name, command):
        log = open(self.folder / f"{name}.out", "w")
        self.daemons[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                              start_new_session=True)
        log.close()

    def _logs(self):
        tails = []
        for path in sorted(self.folder.glob("*.out")) + sorted(self.folder.glob("*.log")):
            tails.append(f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(tails)

    def start(self, timeout=60):
        """Start munged, slurmctld and slurmd; return once the node is idle in every partition."""
        self._before = daemon_processes()
        for sub in ("munge", "state", "spool"):
            (self.folder / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.folder / "munge-socket").mkdir(mode=0o755, exist_ok=True)
        munge_socket = self._write_conf()
        self.bin.mkdir(exist_ok=True)
        srun = self.bin / "srun"
        srun.write_text(f"#!/bin/sh\nSLURM_CONF={self.conf} exec {shutil.which('srun')} \"$@\"\n")
        srun.chmod(0o755)
        munge = self.folder / "munge"
        subprocess.run(["mungekey", "--create", f"--keyfile={munge / 'munge.key'}"], check=True,
                       capture_output=True)
        self._spawn("munged", ["munged", "--foreground", "--force", f"--key-file={munge / 'munge.key'}",
                               f"--socket={munge_socket}", f"--pid-file={munge / 'munged.pid'}",
                               f"--seed-file={munge / 'munged.seed'}", f"--log-file={munge / 'munged.log'}"])
        self._wait(lambda: munge_socket.exists(), timeout, "munged did not create its socket")
        self._spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
        self._spawn("slurmd", ["slurmd", "-D", "-N", NODE, "-f", str(self.conf)])
        self._wait(self._node_idle, timeout, "the node did not become idle")

    def _node_idle(self):
        states = subprocess.run(["sinfo", "--noheader", "--format=%P %T"], env=self.env, capture_output=True,
                                text=True).stdout.split("\n")
        idle = {line.split()[0].rstrip("*") for line in states if line.endswith(" idle")}
        return idle == set(self.partitions)

    def _wait(self, ready, timeout, what):
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [name for name, daemon in self.daemons.items() if daemon.poll() is not None]
            if dead or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{what} (ended: {', '.join(dead) or 'none'}):\n{self._logs()}")
            time.sleep(0.2)

    def jobs(self):
        """Every job the controller knows, finished ones too: [{id, name, comment, partition, state}]."""
        out = subprocess.run(["squeue", "--states=all", "--noheader", "--format=%i|%j|%k|%P|%T"], env=self.env,
                             capture_output=True, text=True, check=True).stdout
        keys = ("id", "name", "comment", "partition", "state")
        return [dict(zip(keys, line.split("|"))) for line in out.splitlines() if line.strip()]

    def stop(self, timeout=30):
        """Cancel what still runs, stop the daemons this cluster started; the processes left over
        that were not there before ``start()`` ({pid: name}, empty when all is well)."""
        if "slurmctld" in self.daemons and self.daemons["slurmctld"].poll() is None:
            subprocess.run(["scancel", "--full", "--user=root"], env=self.env, capture_output=True, timeout=30)
        for name in ("slurmd", "slurmctld", "munged"):
            daemon = self.daemons.get(name)
            if daemon is None or daemon.poll() is not None:
                continue
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        deadline = time.monotonic() + timeout  # a finishing slurmstepd may take a moment
        while True:
            left = {pid: name for pid, name in daemon_processes().items() if pid not in self._before}
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)
