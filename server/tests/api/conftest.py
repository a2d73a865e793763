"""Fixtures: real ``itm serve`` processes on loopback, on SQLite and (when ITM_TEST_POSTGRES is
set) on a throwaway PostgreSQL database, with the admin account it prints on first start."""

import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from itm_client import Client

ROOT = Path(__file__).resolve().parents[3]
ITM = os.environ.get("ITM_BIN", str(ROOT / "target" / "debug" / "itm"))
POSTGRES = os.environ.get("ITM_TEST_POSTGRES")
# The committed real-data subset: enough to check endpoint area/ISP detection.
IP_DB = str(ROOT / "server" / "tests" / "fixtures" / "ip2region" / "ipv4_sample.v3.xdb")


def create_pg_database():
    name = "itm_api_" + uuid.uuid4().hex[:12]
    m = re.match(r"postgres(?:ql)?://([^:]+):([^@]+)@([^:/]+):?(\d+)?", POSTGRES)
    user, password, host, port = m.group(1), m.group(2), m.group(3), m.group(4) or "5432"
    subprocess.run(["psql", "-h", host, "-p", port, "-U", user, "-d", "postgres", "-qc", f"CREATE DATABASE {name}"],
                   check=True, env={**os.environ, "PGPASSWORD": password})
    return f"{POSTGRES}/{name}"


class Server:
    """One ``itm serve`` process and what it printed on first start."""

    def __init__(self, workdir, database, extra=(), trusting=True, loopback=True, volume_flush_sec=1):
        self.workdir = Path(workdir)
        # Query volume reaches the store within a second (test_volume waits for it).
        self.volume_flush_sec = volume_flush_sec
        self.database = database
        self.extra = list(extra)
        self.trusting = trusting
        # Probes and webhooks may reach loopback (and only loopback); False: the defaults.
        self.loopback = loopback
        self.lines = []
        self.port = None
        self.admin = {}
        self.process = None

    def start(self):
        self.log = open(self.workdir / "stderr.log", "ab")
        self.process = subprocess.Popen(
            [ITM, "serve", "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--ip-db", IP_DB, "--database", self.database,
             "--volume-flush-sec", str(self.volume_flush_sec),
             "--master-key-file", str(self.workdir / "master.key"), "--site-root", str(self.workdir / "site"),
             # Only loopback may receive probes and webhooks: the tests' other endpoints are
             # documentation addresses. Delegated names are trusted unless a test says otherwise
             # (test_security checks the proof of control with a loopback resolver).
             *(["--probe-networks", "127.0.0.0/8,::1/128", "--webhook-networks", "127.0.0.0/8,::1/128"]
               if self.loopback else []),
             *(["--trust-delegated-names"] if self.trusting else []), *self.extra],
            cwd=self.workdir, stdout=subprocess.PIPE, stderr=self.log, text=True)
        for line in self.process.stdout:
            self.lines.append(line)
            if m := re.match(r"\s+(account id|user name|password|access key id|secret access key):\s+(\S+)", line):
                self.admin[m.group(1)] = m.group(2)
            if m := re.match(r"ITM console: http://127\.0\.0\.1:(\d+)/.*DNS: 127\.0\.0\.1:(\d+) ", line):
                self.port, self.dns_port = int(m.group(1)), int(m.group(2))
                break
        assert self.port, "itm serve did not report its address"
        return self

    def kill(self, sig=signal.SIGKILL):
        self.process.send_signal(sig)
        self.process.wait(timeout=30)

    def stop(self):
        """SIGTERM, as a service manager stops it: the node must exit 0 (a clean shutdown)."""
        if self.process and self.process.poll() is None:
            self.kill(signal.SIGTERM)
            assert self.process.returncode == 0, f"itm serve exited {self.process.returncode} on SIGTERM"

    def client(self, ak=None, sk=None, explicit=False):
        return Client("127.0.0.1", self.port, ak or self.admin["access key id"], sk or self.admin["secret access key"], explicit)


def pytest_configure(config):
    config.addinivalue_line("markers", "serial: takes a shared resource away (PostgreSQL); run alone")


def backends():
    return ["sqlite", "postgres"] if POSTGRES else ["sqlite"]


@pytest.fixture(scope="module", params=backends())
def server(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"itm-{request.param}")
    database = f"sqlite://{workdir}/itm.db?mode=rwc" if request.param == "sqlite" else create_pg_database()
    srv = Server(workdir, database).start()
    yield srv
    srv.stop()


@pytest.fixture
def admin(server):
    return server.client()


_counter = [0]


@pytest.fixture
def unique():
    """A fresh name part per call, so tests sharing a server never collide."""
    def make(prefix="t"):
        _counter[0] += 1
        return f"{prefix}{_counter[0]}-{uuid.uuid4().hex[:6]}"
    return make
