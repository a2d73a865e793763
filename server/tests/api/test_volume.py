"""DNS query volume (``GET /v1/domains/{domain}/query-volume``): real queries from ``dig`` with
client subnets, counted per user group on the UDP fast path and over TCP, in the store within
seconds, bounded windows, and scoped to the domain's account (test_permissions crosses it)."""

import subprocess

from conftest import Server
from itm_client import wait_until

# The test IP database places these as test_routes shows: detected again below, not assumed.
BEIJING_NET, SICHUAN_NET = "1.2.5.0/24", "61.139.0.0/24"


def dig(server, name, subnet, tcp=False):
    args = ["dig", "@127.0.0.1", "-p", str(server.dns_port), name, "A", "+short", "+time=2", "+tries=1",
            f"+subnet={subnet}"] + (["+tcp"] if tcp else [])
    return subprocess.run(args, capture_output=True, text=True).stdout.split()


def placed(c, unique):
    """Where the server's IP database puts one address of each test network."""
    d = c.call("POST", "/v1/domains", [{"domain": f"{unique('place')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "1.2.5.1"}, {"domain": d, "endpoint": "61.139.0.9"}]).status == 200
    found = {e["endpoint"]: (e["area"], e["isp"]) for e in c.call("GET", "/v1/endpoints", params={"domain": d}).json}
    assert c.call("DELETE", "/v1/domains", [d]).status == 200
    return found["1.2.5.1"], found["61.139.0.9"]


def served(c, unique):
    """A started ITM domain answering 127.0.0.1 to everyone: its listed name and its DNS name."""
    d = c.call("POST", "/v1/domains", [{"domain": f"{unique('vol')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1", "area": "beijing.CN", "isp": "ct"}]).status == 200
    strategy = {"strategy": {"start": "r", "rules": [{"type": "wrr", "name": "r", "items": [{"reference": "127.0.0.1", "weight": 1}]}]}}
    assert c.call("POST", "/v1/strategys/update-or-create", {d: strategy}).status == 200
    assert c.call("PUT", f"/v1/domains/{d}/status", {"status": "start"}).status == 200
    return d, f"{d}.itm.localhost"


def test_queries_are_counted_per_user_group(server, admin, unique):
    c = admin
    beijing, sichuan = placed(c, unique)
    assert beijing != sichuan, "the two networks are in different groups"
    d, name = served(c, unique)

    empty = c.call("GET", f"/v1/domains/{d}/query-volume").json
    assert (empty["domain"], empty["hours"], empty["stepSeconds"], empty["total"]) == (d, 24, 300, 0), empty
    assert len(empty["series"]) == 288 and not any(empty["series"]) and empty["groups"] == []

    wait_until(lambda: dig(server, name, BEIJING_NET) == ["127.0.0.1"], timeout=10)
    for _ in range(2):
        assert dig(server, name, BEIJING_NET) == ["127.0.0.1"]
    assert dig(server, name, SICHUAN_NET) == ["127.0.0.1"]
    assert dig(server, name, SICHUAN_NET, tcp=True) == ["127.0.0.1"], "TCP goes through the hickory handler"

    def counted():
        # Sichuan's queries came last: once both are in, so is everything before them.
        v = c.call("GET", f"/v1/domains/{d}/query-volume").json
        groups = {(g["area"], g["isp"]): g["count"] for g in v["groups"]}
        return v if v["total"] >= 5 and groups.get(sichuan, 0) >= 2 else None

    v = wait_until(counted, timeout=15)
    by_group = {(g["area"], g["isp"]): g["count"] for g in v["groups"]}
    # The first dig may have been answered before the strategy reached DNS: counted all the same.
    assert by_group[beijing] >= 3 and by_group[sichuan] == 2 and len(by_group) == 2, v
    assert v["total"] == sum(by_group.values()) == sum(v["series"])
    assert (v["groups"][0]["area"], v["groups"][0]["isp"]) == beijing, "the busiest first"
    assert sum(1 for n in v["series"] if n) <= 2, "all of it in the last minutes"
    assert v["series"][-1] or v["series"][-2]

    hour = c.call("GET", f"/v1/domains/{d}/query-volume", params={"hours": 1}).json
    assert (hour["stepSeconds"], len(hour["series"]), hour["total"]) == (60, 60, v["total"])
    week = c.call("GET", f"/v1/domains/{d}/query-volume", params={"hours": 168}).json
    assert week["stepSeconds"] == 35 * 60 and week["total"] == v["total"]

    # Another domain's name is not this one's volume.
    other = c.call("POST", "/v1/domains", [{"domain": f"{unique('vol')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert c.call("GET", f"/v1/domains/{other}/query-volume").json["total"] == 0


def test_windows_are_bounded(server, admin, unique):
    c = admin
    d = c.call("POST", "/v1/domains", [{"domain": f"{unique('vol')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    for hours in (0, 169, 10**12, -1, "day"):
        r = c.call("GET", f"/v1/domains/{d}/query-volume", params={"hours": hours})
        assert r.status == 400 and "hours" in r.message, (hours, r)
    assert c.call("GET", "/v1/domains/nosuch.example.com/query-volume").status == 404


def test_a_clean_stop_saves_what_was_counted_since_the_last_flush(tmp_path, unique):
    # Flushes an hour apart: only the one at the stop can save these queries.
    srv = Server(tmp_path, f"sqlite://{tmp_path}/itm.db?mode=rwc", volume_flush_sec=3600).start()
    try:
        c = srv.client()
        d, name = served(c, unique)
        wait_until(lambda: dig(srv, name, BEIJING_NET) == ["127.0.0.1"], timeout=10)
        for _ in range(2):
            assert dig(srv, name, BEIJING_NET) == ["127.0.0.1"]
        assert c.call("GET", f"/v1/domains/{d}/query-volume").json["total"] == 0, "not flushed yet"
    finally:
        srv.stop()
    again = srv.start()
    try:
        v = again.client().call("GET", f"/v1/domains/{d}/query-volume").json
        assert v["total"] >= 3 and sum(g["count"] for g in v["groups"]) == v["total"], v
    finally:
        again.stop()
