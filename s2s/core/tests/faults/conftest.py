"""Fault injection (issue 18): a private PostgreSQL, started by the tests, that they may break.

The cluster is made with `initdb` in a temporary directory (its unix socket there too) and
listens on 127.0.0.1 on a free port of 8760-8779, never the machine's shared server, so a test
may restart or stop it. Every test of this package runs against it: the package's
`django_db_setup` points Django's default connection at it, creates and migrates the test
database, and puts the connection back (and stops the cluster) when the package is done.
As root, initdb refuses to run: the cluster is then run as the `postgres` user.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connections
from django.db.utils import load_backend

from s2s.transfers.tests.conftest import file_store, master_key, upload  # noqa: F401 (autouse; upload)

BIN = Path(os.environ.get("S2S_PG_BIN", "/usr/local/bin"))
PORTS = range(8760, 8780)
DATABASE = "s2s_faults"


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port in 8760-8779 for the private PostgreSQL")


class PrivatePostgres:
    """A PostgreSQL cluster of our own: started, restarted and stopped with pg_ctl."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.data, self.log = root / "data", root / "postgres.log"

    def _run(self, *command: str) -> None:
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def initdb(self) -> None:
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")

    def ctl(self, *args: str) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=100")
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-o", options, *args)

    def start(self) -> None:
        self.ctl("start")

    def restart(self) -> None:
        """Restart it as an operator would (`pg_ctl restart -m fast`): sessions are cut."""
        self.ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="package")
def private_postgres():
    """Start a private PostgreSQL for this package's tests; stop and remove it afterwards."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        pytest.skip(f"initdb and pg_ctl are not in {BIN} (set S2S_PG_BIN): no private "
                    "PostgreSQL for the fault-injection tests")
    root = Path(tempfile.mkdtemp(prefix="s2s-faults-pg-"))
    root.chmod(0o777)  # the postgres user writes the cluster and its socket here
    server = PrivatePostgres(root, _free_port())
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # never started
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def django_db_setup(private_postgres, django_db_blocker):
    """Point the default connection at the private server; create and migrate its test DB."""
    settings_dict = connections.settings["default"]  # also settings.DATABASES["default"]
    saved, saved_connection = dict(settings_dict), connections["default"]
    with django_db_blocker.unblock():
        saved_connection.close()
        settings_dict.clear()
        settings_dict.update({
            **saved, "ENGINE": "django.db.backends.postgresql", "NAME": DATABASE,
            "HOST": "127.0.0.1", "PORT": str(private_postgres.port), "USER": "postgres",
            "PASSWORD": "", "OPTIONS": {}, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True,
            "TEST": {**saved.get("TEST", {}), "NAME": f"test_{DATABASE}"},
        })
        backend = load_backend(settings_dict["ENGINE"])
        connections["default"] = backend.DatabaseWrapper(settings_dict, "default")
        connections["default"].creation.create_test_db(verbosity=0, serialize=False)
        try:
            yield
        finally:
            connections.close_all()
            connections["default"].creation.destroy_test_db(DATABASE, verbosity=0)
            settings_dict.clear()
            settings_dict.update(saved)
            connections["default"] = saved_connection


@pytest.fixture
def database_url(private_postgres) -> str:
    """The URL of the test database on the private server, for a subprocess."""
    return private_postgres.url(connections["default"].settings_dict["NAME"])
