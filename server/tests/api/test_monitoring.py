"""Monitoring end to end: real HTTP targets on loopback that change behaviour, ``itm serve``
probing them from its local point, and ``dig`` watching the answer fail over and come back."""

import socket
import time

from itm_client import wait_until
from loopback import dig, two_targets


def test_an_endpoint_fails_over_in_dns_and_comes_back(server, admin, unique):
    primary, backup, port = two_targets()
    try:
        c = admin
        d = c.call("POST", "/v1/domains", [{"domain": f"{unique('mon')}.example.com", "isItmDomain": True}]).json[0]["domain"]
        assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1"}, {"domain": d, "endpoint": "127.0.0.2"}]).status == 200
        strategy = {"strategy": {"start": "p", "rules": [{"type": "priority", "name": "p", "items": [
            {"reference": "127.0.0.1", "priority": 1}, {"reference": "127.0.0.2", "priority": 2}]}]}}
        assert c.call("POST", "/v1/strategys/update-or-create", {d: strategy}).status == 200
        monitor = {"protocol": "HTTP", "port": port, "path": "/health", "host": "", "expectedCodes": "200-299",
                   "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 80, "window": 2, "minErrors": 1, "points": []}
        r = c.call("PUT", f"/v1/domains/{d}/monitor", monitor)
        assert r.status == 200, r
        assert c.call("PUT", f"/v1/domains/{d}/status", {"status": "start"}).status == 200
        name = f"{d}.itm.localhost"

        def states():
            return {e["endpoint"]: e["status"] for e in c.call("GET", "/v1/endpoints", params={"domain": d}).json}

        def monitor_status():
            return next(x["monitorStatus"] for x in c.call("GET", "/v1/domains").json if x["domain"] == d)

        wait_until(lambda: states() == {"127.0.0.1": "ok", "127.0.0.2": "ok"}, timeout=30)
        assert monitor_status() == "ok"
        assert dig(server, name) == ["127.0.0.1"]
        assert primary.hits > 0 and backup.hits > 0, "both endpoints are probed"

        primary.status = 503
        failed_at = time.monotonic()
        wait_until(lambda: dig(server, name) == ["127.0.0.2"], timeout=30)
        failover = time.monotonic() - failed_at
        assert states()["127.0.0.1"] == "fail" and monitor_status() == "fail"

        events = c.call("GET", f"/v1/domains/{d}/health-events").json
        down = next(e for e in events if e["endpoint"] == "127.0.0.1" and e["to"] == "down")
        assert down["from"] == "up"
        evidence = down["evidence"]
        assert evidence["verdict"] == {"failed": True, "failing": 1, "reporting": 1, "failingPercent": 100, "faultThreshold": 80}
        assert evidence["points"] == [{"point": "local", "ok": False, "latencyMs": evidence["points"][0]["latencyMs"],
                                       "httpStatus": 503, "failure": "unexpectedStatus"}]
        assert evidence["window"][-1] is True and evidence["minErrors"] == 1 and evidence["windowSize"] == 2
        assert any(e["endpoint"] == "" and e["to"] == "fail" for e in events), "the monitorStatus change is an event too"
        probes = c.call("GET", f"/v1/domains/{d}/probes", params={"endpoint": "127.0.0.1"}).json
        assert any(p["httpStatus"] == 503 and not p["ok"] and p["point"] == "local" for p in probes)
        assert all(p["endpoint"] == "127.0.0.1" for p in probes)

        primary.status = 200
        healed_at = time.monotonic()
        wait_until(lambda: dig(server, name) == ["127.0.0.1"], timeout=30)
        recovery = time.monotonic() - healed_at
        assert states()["127.0.0.1"] == "ok"
        print(f"\nfailover {failover:.2f} s, recovery {recovery:.2f} s (interval 1 s, window 2, minErrors 1)")
    finally:
        primary.close()
        backup.close()


def test_a_closed_port_is_down_and_a_stopped_domain_is_not_probed(server, admin, unique):
    c = admin
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    d = c.call("POST", "/v1/domains", [{"domain": f"{unique('tcp')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.3"}]).status == 200
    monitor = {"protocol": "TCP", "port": closed, "path": "/", "host": "", "expectedCodes": "200-399",
               "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 80, "window": 1, "minErrors": 1, "points": []}
    assert c.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
    assert c.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
    wait_until(lambda: c.call("GET", "/v1/endpoints", params={"domain": d}).json[0]["status"] == "fail", timeout=30)
    refused = c.call("GET", f"/v1/domains/{d}/probes").json[0]
    assert (refused["ok"], refused["failure"], refused["httpStatus"]) == (False, "refused", None)

    assert c.call("PUT", f"/v1/domains/{d}/status", {"status": "stop"}).status == 200
    assert next(x["monitorStatus"] for x in c.call("GET", "/v1/domains").json if x["domain"] == d) == ""
    stopped_count = len(c.call("GET", f"/v1/domains/{d}/probes").json)

    # A second domain probing the same port shows time passing: after three of its rounds the
    # stopped domain has made at most the one round that was in flight when it stopped.
    other = c.call("POST", "/v1/domains", [{"domain": f"{unique('tcp')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert c.call("POST", "/v1/endpoints", [{"domain": other, "endpoint": "127.0.0.4"}]).status == 200
    assert c.call("PUT", f"/v1/domains/{other}/monitor", monitor).status == 200
    assert c.call("POST", f"/v1/domains/{other}/recommend-strategy").status == 200
    wait_until(lambda: len(c.call("GET", f"/v1/domains/{other}/probes").json) >= 3, timeout=30)
    assert len(c.call("GET", f"/v1/domains/{d}/probes").json) <= stopped_count + 1


def test_a_probe_that_cannot_be_made_is_reported_not_counted(server, admin, unique):
    """The tests' server may only probe loopback: 192.0.2.1 is unreachable by configuration, the
    same path as PING without an ICMP socket. The point says why; the endpoint is never Down."""
    c = admin
    d = c.call("POST", "/v1/domains", [{"domain": f"{unique('na')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "192.0.2.1"}]).status == 200
    monitor = {"protocol": "TCP", "port": 80, "path": "/", "host": "", "expectedCodes": "200-399",
               "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 80, "window": 1, "minErrors": 1, "points": []}
    assert c.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
    assert c.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
    local = wait_until(lambda: next((p for p in c.call("GET", "/v1/monitor-points").json
                                     if p["name"] == "local" and p["issue"]), None), timeout=30)
    assert "192.0.2.1" in local["issue"] and "--probe-networks" in local["issue"]
    assert c.call("GET", "/v1/endpoints", params={"domain": d}).json[0]["status"] == "unknown"
    assert c.call("GET", f"/v1/domains/{d}/probes").json == []
