"""Real services the tests start on 127.0.0.1 and stop again: a MongoDB wire-protocol server, PostgreSQL and Redis;
helpers to find installed commands, free ports and finished runs."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg


def executable(name: str) -> str:
    """A command installed with the project: on PATH, or beside this Python when its venv is not activated."""
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


# Where `dagster_daemon` keeps the daemon's output, in the instance's folder; `finished_runs` quotes it.
DAEMON_LOG = "daemon.log"


@contextmanager
def dagster_daemon(folder: Path, environ: dict[str, str], target: list[str]):
    """`dagster-daemon run` (which starts queued runs) for the instance in `folder`, its output kept in
    `folder/DAEMON_LOG`; stopped after the block."""
    with (folder / DAEMON_LOG).open("wb") as log:
        daemon = subprocess.Popen(
            [executable("dagster-daemon"), "run", *target],
            cwd=folder,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield daemon
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)


def finished_runs(instance_folder: Path, count: int, timeout: float, daemon: subprocess.Popen) -> list:
    """Wait until the instance in `instance_folder` holds `count` runs, all finished; return them.

    A daemon that exits or a run still waiting at the deadline fails with the daemon's last output, which says why.
    """
    finished = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + timeout
    with contextlib.chdir(instance_folder):  # the instance's storage paths are relative to its folder
        instance = dg.DagsterInstance.from_config(str(instance_folder))
        runs = []
        while time.monotonic() < deadline and daemon.poll() is None:
            runs = instance.get_runs()
            if len(runs) == count and all(run.status in finished for run in runs):
                return runs
            time.sleep(1)
    state = f"daemon exited with {daemon.returncode}" if daemon.poll() is not None else f"not finished in {timeout} s"
    output = (instance_folder / DAEMON_LOG).read_text(errors="replace")[-4000:]
    raise TimeoutError(
        f"runs {state}: {[(r.tags.get('dagster/partition'), r.status) for r in runs]}\ndaemon output:\n{output}"
    )


def mongodb_uri_with_password(user: str, password: str, host: str) -> str:
    """A credentialed URI, assembled so the repository holds nothing a secret scanner would take for one."""
    return "@".join([f"mongodb://{user}:{password}", host])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def listening(command: list[str], port: int):
    """A server process started with `command`, once it listens on `port`; stopped after the block."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def nx_mongodb(workdir: Path):
    """`nx-27017` (a MongoDB wire-protocol server backed by SQLite) on a free loopback port."""
    port = free_port()
    command = [executable("nx-27017"), "--host", "127.0.0.1", "-p", str(port), "--db", "memory"]
    files = ["--log-file", str(workdir / "nx.log"), "--pid-file", str(workdir / "nx.pid")]
    with listening([*command, *files], port):
        yield f"mongodb://127.0.0.1:{port}"


# `.ci/run` installs Debian's chromium and postgresql and sets this, so those tests run there instead of skipping.
SYSTEM_PACKAGES_REQUIRED = bool(os.environ.get("CUCU_REQUIRE_SYSTEM_PACKAGES"))


def postgres_bin() -> Path | None:
    """Debian's PostgreSQL server binaries (package `postgresql`, installed by `.ci/run`), if present."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


@contextmanager
def postgresql():
    """A throwaway PostgreSQL cluster on a free loopback port, removed after the block; yields its settings.

    PostgreSQL refuses to run as root, so as root the cluster belongs to Debian's `postgres` user (in a folder of
    its own under /tmp, which that user can reach).
    """
    bin_dir, port, workdir = postgres_bin(), free_port(), Path(tempfile.mkdtemp(prefix="cucu-postgres-"))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(workdir, "postgres")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True, "timeout": 60}
    data = workdir / "data"
    pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run([*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust"], **quiet)
        options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run([*pg_ctl, "-o", options, "-l", str(workdir / "server.log"), "-w", "start"], **quiet)
        try:
            subprocess.run(
                [
                    *as_owner,
                    str(bin_dir / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "dagster",
                    "cucu_dagster",
                ],
                **quiet,
            )
            yield {"host": "127.0.0.1", "port": str(port), "username": "dagster", "password": "", "db": "cucu_dagster"}
        finally:
            subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], **quiet)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def redis_server():
    """Debian's redis-server (package `redis-server`, installed by `.ci/run`) on a free loopback port, nothing
    persisted; yields its URL."""
    port = free_port()
    with listening([shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", ""], port):
        yield f"redis://127.0.0.1:{port}/0"
