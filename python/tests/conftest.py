"""Shared fixtures: one small synthetic registry, the shipped mapping, the
shared FHIR fixture folder, the DHIS2 stand-in, and the real FHIR server
(sekmet-fhir)."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import pytest

import hrh

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def registry() -> hrh.Registry:
    return hrh.Registry.synthetic(workers=300, seed=7, country="UZ", year=2024)


@pytest.fixture(scope="session")
def mapping() -> hrh.Mapping:
    return hrh.Mapping.builtin("nhwa-module1")


def fixtures_dir() -> Path:
    """`$HRH_FIXTURES`, else `../shared/fixtures` next to the repository.

    When the folder is missing the test is skipped with a message, or fails
    when `CI` is set.
    """
    override = os.environ.get("HRH_FIXTURES")
    folder = Path(override) if override else ROOT.parent / "shared" / "fixtures"
    if not folder.is_dir():
        message = f"fixtures folder {folder} not found (set HRH_FIXTURES)"
        if os.environ.get("CI"):
            pytest.fail(f"{message} and CI is set")
        pytest.skip(message)
    return folder


@pytest.fixture
def fhir_fixtures() -> Path:
    """The shared FHIR fixtures (`<fixtures>/fhir`)."""
    return fixtures_dir() / "fhir"


class StandIn(NamedTuple):
    url: str
    token: str


def debug_binary(name: str, package: str) -> Path:
    """The debug binary `name` of the workspace's `package`, built with cargo when missing."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / name
    if not binary.is_file():
        subprocess.run(
            ["cargo", "build", "-q", "-p", package],
            cwd=ROOT,
            check=True,
        )
    return binary


@pytest.fixture(scope="session")
def standin_path() -> Path:
    return debug_binary("dhis2-standin", "dhis2-standin")


@pytest.fixture(scope="session")
def hrh_cli() -> Path:
    """The `hrh` command (debug build), e.g. for `hrh generate`."""
    return debug_binary("hrh", "hrh-cli")


@contextlib.contextmanager
def running_standin(binary: Path, *args: str) -> Iterator[StandIn]:
    """The stand-in on a free port (empty data store) with `args`, stopped on exit."""
    process = subprocess.Popen(
        [str(binary), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        second = process.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:"), first
        assert second.startswith("api token: "), second
        yield StandIn(first.removeprefix("listening on "), second.removeprefix("api token: "))
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def standin(standin_path: Path) -> Iterator[StandIn]:
    """A fresh stand-in with DHIS2 2.42 conventions, stopped at teardown."""
    with running_standin(standin_path) as running:
        yield running


@contextlib.contextmanager
def ticking() -> Iterator[list[int]]:
    """Counts the ticks (one per 10 ms) of another Python thread while the block
    runs: a call that keeps the GIL lets it tick hardly at all."""
    ticks: list[int] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        yield ticks
    finally:
        stop.set()
        ticker.join()


# --- the real FHIR server: sekmet-fhir (../shared/docs/PEERS.md section 1) ---

SEKMET_VERSION = "0.1.1"


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def unavailable(message: str) -> None:
    """Skip the test, or fail it when `CI` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} and CI is set")
    pytest.skip(message)


@pytest.fixture(scope="session")
def sekmet_venv() -> Path:
    """`<target>/sekmet-venv` with sekmet-fhir installed (once; a marker file
    records a finished install, shared with the Rust tests' harness)."""
    venv = target_dir() / "sekmet-venv"
    marker = venv / f".sekmet-fhir-{SEKMET_VERSION}"
    if marker.is_file() and (venv / "bin" / "sekmet").is_file():
        return venv
    python = os.environ.get("PYTHON", "python3")
    try:
        subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", f"sekmet-fhir=={SEKMET_VERSION}"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as e:
        detail = getattr(e, "stderr", b"") or b""
        unavailable(f"sekmet-fhir cannot be installed: {e} {detail.decode(errors='replace')[-500:]}")
    marker.write_text(SEKMET_VERSION, encoding="utf-8")
    return venv


class Sekmet(NamedTuple):
    base: str
    """The FHIR base URL, e.g. `http://127.0.0.1:40123/fhir`."""
    port: int


class SilentServer:
    """A server on 127.0.0.1 that accepts connections, reads what they send and
    never answers; it notes when each connection is closed by the client."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._connections: list[socket.socket] = []
        self._closed: list[threading.Event] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection = self._listener.accept()[0]
            except OSError:
                continue
            closed = threading.Event()
            self._connections.append(connection)
            self._closed.append(closed)
            reader = threading.Thread(target=self._read, args=(connection, closed))
            self._threads.append(reader)
            reader.start()

    def _read(self, connection: socket.socket, closed: threading.Event) -> None:
        connection.settimeout(0.1)
        while not self._stop.is_set():
            try:
                if not connection.recv(4096):
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        closed.set()

    def all_closed(self, within: float) -> bool:
        """Whether a connection was made and every one is closed by the client
        within `within` seconds."""
        deadline = time.monotonic() + within
        return bool(self._closed) and all(
            closed.wait(max(0.0, deadline - time.monotonic())) for closed in list(self._closed)
        )

    def stop(self) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join()
        for connection in self._connections:
            connection.close()
        self._listener.close()


class KeepAliveServer(SilentServer):
    """A server that answers every HTTP/1.1 request with 200 and `body` and keeps the
    connection open, noting when the client closes it."""

    def __init__(self, body: bytes) -> None:
        self._answer = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        super().__init__()

    def _read(self, connection: socket.socket, closed: threading.Event) -> None:
        connection.settimeout(0.1)
        pending = b""
        while not self._stop.is_set():
            try:
                data = connection.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            pending += data
            while b"\r\n\r\n" in pending:  # requests without a body (GET)
                _, pending = pending.split(b"\r\n\r\n", 1)
                connection.sendall(self._answer)
        closed.set()

    def open_connections(self) -> int:
        return sum(1 for closed in self._closed if not closed.is_set())


@pytest.fixture
def keep_alive() -> Iterator[Callable[[bytes], KeepAliveServer]]:
    """Starts servers that answer every request with the given body and keep connections open."""
    servers: list[KeepAliveServer] = []

    def start(body: bytes) -> KeepAliveServer:
        servers.append(KeepAliveServer(body))
        return servers[-1]

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    """A server that accepts connections and never answers."""
    server = SilentServer()
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def metadata_ok(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/metadata", timeout=5) as response:
            status: int = response.status
            return status == 200
    except (OSError, urllib.error.URLError):
        return False


@contextlib.contextmanager
def running_sekmet(venv: Path, extra_yaml: str = "") -> Iterator[Sekmet]:
    """A fresh sekmet (empty SQLite store in a temporary folder) on a free
    port, with `extra_yaml` appended to its config; killed on exit."""
    with tempfile.TemporaryDirectory(prefix="hrh-sekmet-") as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}/fhir"
        config = Path(folder) / "sekmet.yaml"
        config.write_text(
            f"base_url: {base}\nhost: 127.0.0.1\nport: {port}\ndata_dir: {Path(folder) / 'data'}\n"
            f"simulator: {{enabled: false}}\nlog_inbound: false\n{extra_yaml}",
            encoding="utf-8",
        )
        log_path = Path(folder) / "sekmet.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(venv / "bin" / "sekmet"), "serve", "-c", str(config), "--host", "127.0.0.1", "--port", str(port)],
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while not metadata_ok(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    unavailable(f"sekmet did not start: {log_path.read_text(errors='replace')[-2000:]}")
                time.sleep(0.15)
            yield Sekmet(base, port)
        finally:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def sekmet(sekmet_venv: Path) -> Iterator[Sekmet]:
    """A sekmet server shared by a test module, stopped at its end."""
    with running_sekmet(sekmet_venv) as server:
        yield server


@pytest.fixture
def fresh_sekmet(sekmet_venv: Path) -> Iterator[Sekmet]:
    """A sekmet server of the test's own (an empty store), stopped at teardown."""
    with running_sekmet(sekmet_venv) as server:
        yield server


TABLES = [("to_arrow", "pyarrow"), ("to_polars", "polars")]
"""The table methods besides `to_pandas()` and the optional library each needs."""


def assert_table(result: Any, method: str, module: str, rows: list[Any]) -> None:
    """`result.<method>()` is a table of `module` holding `rows`; skips without `module`."""
    library = pytest.importorskip(module)
    table = getattr(result, method)()
    if module == "pyarrow":
        assert isinstance(table, library.Table)
        columns, records = table.column_names, table.to_pylist()
    else:
        assert isinstance(table, library.DataFrame)
        columns, records = table.columns, table.to_dicts()
    assert rows, "something to compare"
    assert columns == list(rows[0])
    assert records == rows


def assert_missing_library(result: Any, method: str, module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without `module`, `result.<method>()` raises `ImportError` saying what to install."""
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=rf"{method}\(\) needs {module}, which is not installed: pip install {module}"):
        getattr(result, method)()
