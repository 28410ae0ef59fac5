"""Serving and loading: gunicorn, Varnish and nginx on loopback, a bounded load, workers' memory.

The load is wrk from Debian (16 connections, 2 threads) when it is installed, else a Python
client of the same shape (2 processes of 8 keep-alive connections each). Both stop at a fixed
duration and only ever talk to 127.0.0.1. A load spread over many pages (`run_spread_load`)
needs wrk: its Lua script picks a path at random for every request.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS = 16
THREADS = 2
WORKERS = 2
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class Load:
    requests: int
    seconds: float
    non_2xx: int
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn (2 sync workers) on a free loopback port, for as long as the `with` lasts."""

    def __init__(self, name: str, app: str, *, env: dict[str, str], log: Path) -> None:
        self.name, self.app, self.env, self.log = name, app, env, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        command = [
            sys.executable, "-m", "gunicorn", self.app,
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(WORKERS),
            "--worker-class", "sync",
            "--log-level", "warning",
        ]  # fmt: skip
        self._log = self.log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_serving(self, path: str, *, timeout: float = 60) -> tuple[int, int]:
        """Status and size of `path` once both workers answer; fails with the server's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, size = fetch(self.port, path)
            except OSError:
                time.sleep(0.2)
                continue
            if len(self.workers()) == WORKERS:
                return status, size
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} did not start serving {path}; its log:\n"
            + self.log.read_text(errors="replace")[-3000:]
        )

    def workers(self) -> list[int]:
        pid = self.process.pid
        children: list[int] = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                children += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
        return sorted(children)

    def peak_rss_mib(self) -> dict[int, float]:
        """VmHWM of each worker: the most resident memory it has held since it started."""
        peaks = {}
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE):
                peaks[pid] = int(match[1]) / 1024
        return peaks


VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SPREAD_SCRIPT = Path(__file__).resolve().parent / "spread.lua"


def varnish_missing() -> str | None:
    """Why Varnish with xkey cannot run here, or None."""
    if not Path(VARNISHD).is_file():
        return "varnishd is not installed (apt-get install -y varnish varnish-modules)"
    if not list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")):
        return "the xkey module is not installed (apt-get install -y varnish-modules)"
    return None


def nginx_missing() -> str | None:
    return (
        None if Path(NGINX).is_file() else "nginx is not installed (apt-get install -y nginx-light)"
    )


class Daemon:
    """A server process in the foreground on a free loopback port, stopped by its PID."""

    name = "daemon"

    def __init__(self, folder: Path, *, port: int | None = None) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def __enter__(self):
        self.log = (self.folder / "log.txt").open("wb")
        self.process = subprocess.Popen(
            self.command(), stdout=self.log, stderr=subprocess.STDOUT, cwd=self.folder
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    said = (self.folder / "log.txt").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{self.name} did not start:\n{said}") from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Varnish(Daemon):
    """varnishd with deploy/varnish/newsroom.vcl in front of the gunicorn on `backend_port`
    (the VCL's backend port rewritten; `-j none`: root needs no separate jail user here)."""

    name = "varnishd"

    def __init__(self, folder: Path, *, backend_port: int, port: int | None = None) -> None:
        super().__init__(folder, port=port)
        self.vcl = self.folder / "newsroom.vcl"
        text = re.sub(r'\.port = "\d+";', f'.port = "{backend_port}";', VCL.read_text(), count=1)
        self.vcl.write_text(text)

    def command(self) -> list[str]:
        return [
            VARNISHD, "-F", "-j", "none", "-n", str(self.folder / "work"),
            "-a", f"127.0.0.1:{self.port}", "-f", str(self.vcl), "-s", "malloc,64m",
        ]  # fmt: skip


class Nginx(Daemon):
    """nginx serving the files under `root` as they are (2 workers, as many as gunicorn's)."""

    name = "nginx"

    def __init__(self, folder: Path, *, root: Path) -> None:
        super().__init__(folder)
        self.config = self.folder / "nginx.conf"
        # As root, workers run as root too, so they can read a private temporary folder.
        user = "user root;" if os.geteuid() == 0 else ""
        self.config.write_text(
            f"""{user}
worker_processes {WORKERS};
pid {self.folder / "nginx.pid"};
error_log {self.folder / "error.log"};
events {{ worker_connections 256; }}
http {{
    access_log off;
    default_type text/html;
    client_body_temp_path {self.folder}; proxy_temp_path {self.folder};
    fastcgi_temp_path {self.folder}; uwsgi_temp_path {self.folder}; scgi_temp_path {self.folder};
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""
        )

    def command(self) -> list[str]:
        return [NGINX, "-c", str(self.config), "-g", "daemon off;"]


def fetch(port: int, path: str) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def load_tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def describe_load_tool() -> str:
    if load_tool() == "wrk":
        return f"wrk ({CONNECTIONS} connections, {THREADS} threads, loopback)"
    return (
        f"Python http.client ({CONNECTIONS} keep-alive connections in {THREADS} processes, "
        "loopback; wrk not installed)"
    )


def run_load(url: str, *, seconds: float) -> Load:
    if load_tool() == "wrk":
        return _wrk(url, seconds=seconds)
    return python_load(url, seconds=seconds)


def run_spread_load(base: str, paths_file: Path, *, seconds: float) -> Load:
    """wrk spread over the paths listed in `paths_file`, one picked at random per request."""
    duration = max(1, round(seconds))
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(SPREAD_SCRIPT),
            base,
            "--",
            str(paths_file),
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    ).stdout
    return parse_wrk(out)


def _wrk(url: str, *, seconds: float) -> Load:
    # wrk takes whole seconds only.
    duration = max(1, round(seconds))
    out = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> Load:
    """wrk's summary as figures; a summary it cannot read is an error, never a zero."""
    requests = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    if not requests:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[requests[3]]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return Load(
        requests=int(requests[1]),
        seconds=float(requests[2]) * scale,
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def _python_connections(args: tuple[str, int, str, int, float]) -> tuple[int, int, int, float]:
    """One load process: `count` connections, each a thread sending GETs for `seconds`.

    Returns requests, non-2xx answers, errors and the seconds it ran, timed from its own start,
    so the time a process takes to start is not counted against the server.
    """
    host, port, path, count, seconds = args
    totals = [0, 0, 0]  # requests, non-2xx, errors
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def one_connection() -> None:
        connection = None
        done = non_2xx = errors = 0
        while time.monotonic() < deadline:
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(host, port, timeout=10)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                done += 1
                non_2xx += not 200 <= response.status < 400
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                errors += 1
                if connection is not None:
                    connection.close()
                connection = None
        with lock:
            totals[0] += done
            totals[1] += non_2xx
            totals[2] += errors

    threads = [threading.Thread(target=one_connection) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return totals[0], totals[1], totals[2], time.monotonic() - start


def python_load(url: str, *, seconds: float) -> Load:
    """The fallback when wrk is not installed: the same number of connections, in processes
    of threads (spawned, not forked: the caller may have threads of its own)."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, port = host_port.rsplit(":", 1)
    job = (host, int(port), "/" + path, CONNECTIONS // THREADS, seconds)
    with multiprocessing.get_context("spawn").Pool(THREADS) as pool:
        parts = pool.map(_python_connections, [job] * THREADS)
    requests = sum(p[0] for p in parts)
    # Each process's own rate, summed; `seconds` is what makes requests / seconds that rate.
    rate = sum(p[0] / p[3] for p in parts if p[3])
    return Load(
        requests=requests,
        seconds=requests / rate if rate else max(p[3] for p in parts),
        non_2xx=sum(p[1] for p in parts),
        errors=sum(p[2] for p in parts),
    )
