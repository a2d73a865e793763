"""Monitor points on loopback: three ``itm probe-agent`` processes, one of them in a "broken
network" (its probes leave from 127.0.0.9, which the targets refuse), the threshold arithmetic,
the probe-side flag, failover by agreement, and an agent killed without effect on DNS."""

import os
import signal
import subprocess

import pytest

from conftest import ITM
from itm_client import wait_until
from loopback import dig, two_targets

BROKEN_SOURCE = "127.0.0.9"


@pytest.fixture
def targets():
    primary, backup, port = two_targets(refuse_from=BROKEN_SOURCE)
    yield primary, backup, port
    primary.close()
    backup.close()


def start_agent(server, token, name, area, isp, source=None, logdir="."):
    cmd = [ITM, "probe-agent", "--server", f"http://127.0.0.1:{server.port}", "--token", token, "--point", name,
           "--area", area, "--isp", isp, "--refresh-sec", "1", "--probe-networks", "127.0.0.0/8"]
    if source:
        cmd += ["--probe-source", source]
    log = open(os.path.join(logdir, f"agent-{name}.log"), "ab")
    return subprocess.Popen(cmd, stdout=log, stderr=log)


def test_three_agents_decide_together(server, admin, unique, targets, tmp_path):
    primary, backup, port = targets
    c = admin
    names = [unique("a"), unique("a"), unique("broken")]
    tokens = {}
    for name, area in zip(names, ["beijing.CN", "guangdong.CN", "shanghai.CN"]):
        r = c.call("POST", "/v1/monitor-points", {"name": name, "area": area, "isp": "ct"})
        assert r.status == 200, r
        assert r.json["point"]["name"] == name and len(r.json["token"]) >= 32
        tokens[name] = r.json["token"]
    r = c.call("POST", "/v1/monitor-points", {"name": names[0]})
    assert r.status == 409 and "already exists" in r.message, r
    assert c.call("POST", "/v1/monitor-points", {"name": "local"}).status == 409
    assert "area" in c.call("POST", "/v1/monitor-points", {"name": unique("x"), "area": "atlantis.CN"}).message

    agents = [start_agent(server, tokens[n], n, "beijing.CN", "ct", BROKEN_SOURCE if n == names[2] else None, tmp_path)
              for n in names]
    try:
        d = c.call("POST", "/v1/domains", [{"domain": f"{unique('ag')}.example.com", "isItmDomain": True}]).json[0]["domain"]
        assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1"}, {"domain": d, "endpoint": "127.0.0.2"}]).status == 200
        strategy = {"strategy": {"start": "p", "rules": [{"type": "priority", "name": "p", "items": [
            {"reference": "127.0.0.1", "priority": 1}, {"reference": "127.0.0.2", "priority": 2}]}]}}
        assert c.call("POST", "/v1/strategys/update-or-create", {d: strategy}).status == 200
        monitor = {"protocol": "HTTP", "port": port, "path": "/", "host": "", "expectedCodes": "200-299",
                   "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 60, "window": 2, "minErrors": 1,
                   "points": ["nosuchpoint"]}
        r = c.call("PUT", f"/v1/domains/{d}/monitor", monitor)
        assert r.status == 400 and "points" in r.message, r
        monitor["points"] = names
        assert c.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
        assert c.call("PUT", f"/v1/domains/{d}/status", {"status": "start"}).status == 200
        name = f"{d}.itm.localhost"

        counts = c.call("GET", "/v1/monitor-tasks").json
        mine = next(x for x in counts["domains"] if x["domain"] == d)
        assert (mine["endpoints"], mine["points"], mine["tasks"]) == (2, 3, 6)

        def states():
            return {e["endpoint"]: e["status"] for e in c.call("GET", "/v1/endpoints", params={"domain": d}).json}

        def points():
            return {p["name"]: p for p in c.call("GET", "/v1/monitor-points").json}

        # The broken point fails everything: 1 of 3 = 33 % < 60 %, so both endpoints are up.
        wait_until(lambda: states() == {"127.0.0.1": "ok", "127.0.0.2": "ok"}, timeout=30)
        assert dig(server, name) == ["127.0.0.1"]
        flagged = wait_until(lambda: (lambda p: p if p[names[2]]["reporting"] == 2 else None)(points()), timeout=30)
        assert flagged[names[2]]["probeSideProblem"] and flagged[names[2]]["failing"] == 2
        assert not flagged[names[0]]["probeSideProblem"] and flagged[names[0]]["failing"] == 0
        assert flagged[names[0]]["lastSeen"] is not None
        assert flagged["local"]["builtIn"] and flagged["local"]["reporting"] == 0, "local is not selected"
        # The agents start at their own pace: "both up" may come before the slowest has reported.
        def seen():
            return {p["point"] for p in c.call("GET", f"/v1/domains/{d}/probes").json}
        wait_until(lambda: seen() == set(names), timeout=30)

        # Everyone sees the primary fail: 3 of 3 → down, DNS moves to the backup.
        primary.status = 503
        wait_until(lambda: dig(server, name) == ["127.0.0.2"], timeout=30)
        down = next(e for e in c.call("GET", f"/v1/domains/{d}/health-events").json
                    if e["endpoint"] == "127.0.0.1" and e["to"] == "down")
        verdict = down["evidence"]["verdict"]
        # The round that decided had 2 or 3 failing of 3 (the agents report at their own pace):
        # either way at or above 60 %.
        assert verdict["reporting"] == 3 and verdict["failing"] in (2, 3), verdict
        assert verdict["failingPercent"] == verdict["failing"] * 100 // 3 and verdict["failed"]
        assert {p["point"] for p in down["evidence"]["points"]} == set(names)

        primary.status = 200
        wait_until(lambda: dig(server, name) == ["127.0.0.1"], timeout=30)
        events_before = len(c.call("GET", f"/v1/domains/{d}/health-events").json)

        # Kill a healthy agent: once its reports no longer count (2 × interval), the round is 1 of
        # 2 failing = 50 % < 60 %: nothing changes.
        agents[0].send_signal(signal.SIGKILL)
        agents[0].wait(timeout=10)
        wait_until(lambda: points()[names[0]]["reporting"] == 0, timeout=30)
        wait_until(lambda: points()[names[1]]["reporting"] == 2, timeout=10)
        assert dig(server, name) == ["127.0.0.1"]
        assert len(c.call("GET", f"/v1/domains/{d}/health-events").json) == events_before
        assert states() == {"127.0.0.1": "ok", "127.0.0.2": "ok"}
    finally:
        for a in agents:
            if a.poll() is None:
                a.send_signal(signal.SIGTERM)
                a.wait(timeout=10)


def test_agent_routes_need_the_points_token(server, admin, unique):
    from itm_client import unsigned
    r = unsigned("127.0.0.1", server.port, "GET", "/v1/agent/tasks", headers={"Authorization": "Bearer nope"})
    assert r.status == 401, r
    name = unique("p")
    token = admin.call("POST", "/v1/monitor-points", {"name": name}).json["token"]
    ok = unsigned("127.0.0.1", server.port, "GET", "/v1/agent/tasks", headers={"Authorization": f"Bearer {token}"})
    assert (ok.status, ok.json) == (200, []), ok
    wrong = unsigned("127.0.0.1", server.port, "GET", "/v1/agent/tasks",
                     headers={"Authorization": f"Bearer {token}", "X-ITM-Point": "someone-else"})
    assert wrong.status == 401 and name in wrong.message, wrong
    bad = unsigned("127.0.0.1", server.port, "POST", "/v1/agent/results",
                   body=[{"domainId": 999999, "endpoint": "1.2.3.4", "time": 1, "ok": True}],
                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert bad.status == 400 and "[0].domainId" in bad.message, bad
    assert admin.call("DELETE", f"/v1/monitor-points/{name}").status == 200
    gone = unsigned("127.0.0.1", server.port, "GET", "/v1/agent/tasks", headers={"Authorization": f"Bearer {token}"})
    assert gone.status == 401
    assert admin.call("DELETE", "/v1/monitor-points/local").status == 409
