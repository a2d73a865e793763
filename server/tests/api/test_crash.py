"""Kill ``itm serve`` with SIGKILL while a large all-or-nothing batch (strategies of 400 domains)
is being written; after a restart the store holds either the whole batch or none of it."""

import threading
import time

import pytest

from conftest import Server, backends, create_pg_database

DOMAINS = 400


@pytest.fixture(params=backends())
def crashable(request, tmp_path):
    database = f"sqlite://{tmp_path}/itm.db?mode=rwc" if request.param == "sqlite" else create_pg_database()
    srv = Server(tmp_path, database).start()
    yield srv
    srv.stop()


def batch(names, label):
    rule = {"type": "priority", "area": "none.CN", "isp": "other", "name": label, "enable": True, "items": [
        {"reference": "192.0.2.1", "weight": 0, "priority": 1, "usersets": ""},
        {"reference": "192.0.2.2", "weight": 0, "priority": 2, "usersets": ""}]}
    return {n: {"strategy": {"start": label, "rules": [rule]}} for n in names}


def starts(client, names):
    return {client.call("GET", f"/v1/domains/{n}/strategy").json["strategy"]["start"] for n in names}


def test_a_killed_batch_is_all_or_nothing(crashable):
    srv = crashable
    c = srv.client()
    names = [f"crash{i}.example.com" for i in range(DOMAINS)]
    assert c.call("POST", "/v1/domains", [{"domain": n, "isItmDomain": False} for n in names]).status == 200
    endpoints = [{"domain": n, "endpoint": ip, "area": "beijing.CN", "isp": "ct"} for n in names for ip in ("192.0.2.1", "192.0.2.2")]
    assert c.call("POST", "/v1/endpoints", endpoints).status == 200

    began = time.monotonic()
    assert c.call("POST", "/v1/strategys/update-or-create", batch(names, "v0")).status == 200
    full = time.monotonic() - began
    assert starts(c, names) == {"v0"}

    outcomes = []
    # Kill at several points across the time a whole batch takes; each must leave all or none.
    for attempt, fraction in enumerate([0.15, 0.35, 0.55, 0.75, 0.95], start=1):
        label = f"v{attempt}"
        previous = starts(c, names)
        assert len(previous) == 1
        sender = threading.Thread(target=lambda: _swallow(lambda: c.call("POST", "/v1/strategys/update-or-create", batch(names, label))))
        sender.start()
        # The kill point is the experiment's variable, not a synchronisation: any point must be safe.
        time.sleep(full * fraction)
        srv.kill()
        sender.join(timeout=60)
        srv = Server(srv.workdir, srv.database).start()
        srv.admin = crashable.admin
        c = srv.client()
        after = starts(c, names)
        assert after in (previous, {label}), f"attempt {attempt}: a partial batch survived: {sorted(after)[:5]}"
        outcomes.append("all" if after == {label} else "none")
    print(f"full batch {full * 1000:.0f} ms; outcomes after SIGKILL: {outcomes}")
    crashable.process = srv.process


def _swallow(call):
    try:
        call()
    except OSError:
        pass  # the server died under the request, as intended
