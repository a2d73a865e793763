"""Three ``itm serve`` nodes on one PostgreSQL database (skipped without ITM_TEST_POSTGRES):
a change made through one node is answered by the others' DNS within a second; they agree for
every client subnet; ``GET /v1/nodes`` lists them; with PostgreSQL stopped for 10 s a node keeps
answering every DNS query (dnsperf) and refuses writes with 503, and everything is consistent
once the database is back; a node killed with SIGKILL has its monitoring taken over (the
failover it should have seen happens on the others' DNS) and rejoins when restarted. Times are
printed for the closing note; only generous bounds are asserted."""

import re
import shutil
import signal
import subprocess
import time

import urllib.request

import pytest

from conftest import POSTGRES, Server, create_pg_database
from loopback import two_targets

pytestmark = pytest.mark.skipif(not POSTGRES, reason="needs ITM_TEST_POSTGRES")

SUBNETS = [None, "1.2.5.0/24", "61.139.0.0/24"]


def dig(node, name, subnet=None):
    args = ["dig", "@127.0.0.1", "-p", str(node.dns_port), name, "A", "+short", "+time=1", "+tries=1"]
    if subnet:
        args.append(f"+subnet={subnet}")
    return sorted(subprocess.run(args, capture_output=True, text=True).stdout.split())


def sql(database, query):
    return subprocess.run(["psql", database, "-Atc", query], capture_output=True, text=True, check=True).stdout.strip()


def ttl(node, name):
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(node.dns_port), name, "A", "+noall", "+answer", "+time=1", "+tries=1"],
                         capture_output=True, text=True).stdout.split()
    return int(out[1]) if len(out) > 1 else None


def poll(check, deadline_s, what):
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"not within {deadline_s} s: {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    database = create_pg_database()
    nodes = []
    first = tmp_path_factory.mktemp("node-a")
    nodes.append(Server(first, database, ["--node-name", "a"]).start())
    for name in ["b", "c"]:
        work = tmp_path_factory.mktemp(f"node-{name}")
        # Every node must unseal the same secrets: one master key for the cluster.
        shutil.copy(first / "master.key", work / "master.key")
        nodes.append(Server(work, database, ["--node-name", name]).start())
    keys = (nodes[0].admin["access key id"], nodes[0].admin["secret access key"])
    clients = [n.client(*keys) for n in nodes]
    yield nodes, clients, keys
    for n in nodes:
        n.stop()


def get(node, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{node.port}{path}", timeout=5) as r:
        return r.read().decode()


def make_domain(client, name):
    r = client.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": True}])
    assert r.status == 200, r
    return r.json[0]["domain"]


def test_a_change_through_one_node_is_answered_by_the_others_within_a_second(cluster):
    (a, b, c), (api_a, api_b, api_c), _ = cluster
    d = make_domain(api_a, f"prop{int(time.time() * 1000)}.example.com")
    cname = f"{d}.itm.localhost"
    assert api_a.call("POST", "/v1/endpoints", [
        {"domain": d, "endpoint": "192.0.2.1", "area": "beijing.CN", "isp": "ct"},
        {"domain": d, "endpoint": "192.0.2.2", "area": "sichuan.CN", "isp": "ct"}]).status == 200
    assert api_a.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
    poll(lambda: dig(c, cname), 5, "node c answers the new domain")

    # Each change goes through a different node; the furthest node must answer it.
    timings = []
    for i, (writer, reader) in enumerate([(api_a, c), (api_b, a), (api_c, b), (api_a, b), (api_b, c)]):
        primary = "192.0.2.1" if i % 2 == 0 else "192.0.2.2"
        other = "192.0.2.2" if primary == "192.0.2.1" else "192.0.2.1"
        body = {d: {"strategy": {"start": "p", "rules": [{"type": "priority", "name": "p", "items": [
            {"reference": primary, "priority": 1}, {"reference": other, "priority": 2}]}]}}}
        r = writer.call("POST", "/v1/strategys/update-or-create", body)
        assert r.status == 200, r
        committed = time.monotonic()
        poll(lambda: dig(reader, cname) == [primary], 5, f"change {i} reaches the reader")
        timings.append((time.monotonic() - committed) * 1000)
    print(f"\npropagation to another node's DNS (ms): {', '.join(f'{t:.0f}' for t in timings)}")
    assert max(timings) < 5000

    # A change committed behind the nodes' backs (no notification, as when one is lost): the
    # periodic version check finds it within two checks.
    sql(a.database, f"UPDATE domains SET ttl = 123 WHERE name = '{d}'; "
                    "UPDATE meta SET value = value + 1 WHERE key = 'config_version'")
    changed = time.monotonic()
    for n in (a, b, c):
        poll(lambda: ttl(n, cname) == 123, 10, "a change without notification reaches every node")
    print(f"a change without notification reached every node after {time.monotonic() - changed:.1f} s")

    # All three agree for every client subnet.
    for subnet in SUBNETS:
        answers = [dig(n, cname, subnet) for n in (a, b, c)]
        assert answers[0] and answers.count(answers[0]) == 3, (subnet, answers)

    def caught_up():
        listed = api_b.call("GET", "/v1/nodes").json
        return listed if listed and all(n["behind"] == 0 for n in listed) else None

    nodes = poll(caught_up, 10, "every node caught up")
    assert sorted(n["name"] for n in nodes) == ["a", "b", "c"]
    assert all(n["healthy"] and n["version"] and n["dns"].startswith("127.0.0.1:") for n in nodes), nodes

    # Every node exposes Prometheus metrics: its answers by code and group, its lag.
    text = get(c, "/metrics")
    assert re.search(r'itm_dns_responses_total\{node="c",rcode="NOERROR",group="[a-z.]+\.(CN|abroad)/\w+"\} \d+', text), text
    assert 'itm_database_up{node="c"} 1' in text and "itm_propagation_lag_versions" in text
    assert re.search(r'itm_change_notifications_total\{node="c",kind="config"\} [1-9]', text), text


def pg(action):
    subprocess.run(["pg_ctlcluster", "15", "main", action], check=True, capture_output=True)


# It stops the machine's PostgreSQL: run alone, after the tests that run side by side.
@pytest.mark.serial
@pytest.mark.skipif(not shutil.which("dnsperf") or not shutil.which("pg_ctlcluster"), reason="needs dnsperf and pg_ctlcluster")
def test_postgres_down_for_ten_seconds(cluster, tmp_path):
    (a, b, c), (api_a, api_b, api_c), _ = cluster
    d = make_domain(api_a, f"outage{int(time.time() * 1000)}.example.com")
    cname = f"{d}.itm.localhost"
    assert api_a.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "192.0.2.9", "area": "beijing.CN", "isp": "ct"}]).status == 200
    assert api_a.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
    poll(lambda: dig(b, cname) == ["192.0.2.9"], 5, "node b answers")

    queries = tmp_path / "queries.txt"
    queries.write_text(f"{cname} A\n")
    perf = subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(b.dns_port), "-d", str(queries),
                             "-l", "16", "-Q", "2000", "-t", "2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(2)
        pg("stop")
        stopped = time.monotonic()
        try:
            # Writes are refused with a clear 503 while the database is away.
            r = api_b.call("POST", "/v1/domains", [{"domain": f"during{int(time.time())}.example.com", "isItmDomain": True}])
            assert r.status == 503 and "database" in r.message, r
            # The node says so.
            poll(lambda: '"databaseUp":false' in get(b, "/healthz"), 5, "/healthz reports the database down")
            # DNS still answers from the snapshot.
            assert dig(c, cname) == ["192.0.2.9"]
            time.sleep(max(0.0, 10 - (time.monotonic() - stopped)))
        finally:
            pg("start")
        out, _ = perf.communicate(timeout=60)
    finally:
        if perf.poll() is None:
            perf.kill()
    sent = int(re.search(r"Queries sent:\s+(\d+)", out).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
    print(f"\ndnsperf against node b across a 10 s PostgreSQL outage: {sent} sent, {lost} lost")
    assert sent > 10000 and lost == 0, out

    # Back: writes work again (after the pool reconnects), and every node follows.
    poll(lambda: api_b.call("POST", "/v1/endpoints", [
        {"domain": d, "endpoint": "192.0.2.10", "area": "beijing.CN", "isp": "ct"}]).status == 200, 30, "writes work again")
    body = {d: {"strategy": {"start": "w", "rules": [{"type": "wrr", "name": "w", "items": [
        {"reference": "192.0.2.10", "weight": 1}]}]}}}
    assert api_b.call("POST", "/v1/strategys/update-or-create", body).status == 200
    for n in (a, b, c):
        poll(lambda: dig(n, cname) == ["192.0.2.10"], 10, "every node follows after the outage")


def test_a_killed_nodes_monitoring_moves_and_it_rejoins(cluster):
    nodes, clients, keys = cluster
    primary, backup, port = two_targets()
    try:
        d = make_domain(clients[0], f"kill{int(time.time() * 1000)}.example.com")
        cname = f"{d}.itm.localhost"
        assert clients[0].call("POST", "/v1/endpoints", [
            {"domain": d, "endpoint": "127.0.0.1", "area": "beijing.CN", "isp": "ct"},
            {"domain": d, "endpoint": "127.0.0.2", "area": "beijing.CN", "isp": "ct"}]).status == 200
        settings = {"protocol": "HTTP", "port": port, "path": "/", "host": "", "expectedCodes": "200", "timeoutSec": 1,
                    "intervalSec": 2, "faultThreshold": 50, "window": 2, "minErrors": 1, "points": []}
        assert clients[0].call("PUT", f"/v1/domains/{d}/monitor", settings).status == 200
        body = {d: {"strategy": {"start": "p", "rules": [{"type": "priority", "name": "p", "items": [
            {"reference": "127.0.0.1", "priority": 1}, {"reference": "127.0.0.2", "priority": 2}]}]}}}
        assert clients[0].call("POST", "/v1/strategys/update-or-create", body).status == 200
        domain_id = sql(nodes[0].database, f"SELECT id FROM domains WHERE name = '{d}'")
        # More monitored domains, spread over the nodes by preference.
        for i in range(30):
            extra = make_domain(clients[i % 3], f"share{i}x{int(time.time() * 1000)}.example.com")
            assert clients[0].call("POST", "/v1/endpoints", [{"domain": extra, "endpoint": "192.0.2.50"}]).status == 200
            assert clients[0].call("PUT", f"/v1/domains/{extra}/monitor", settings).status == 200
            assert clients[0].call("POST", f"/v1/domains/{extra}/recommend-strategy").status == 200
        spread = poll(lambda: (lambda held: held if len(held) == 3 else None)(
            {n["name"]: n["monitoredDomains"] for n in clients[0].call("GET", "/v1/nodes").json if n["monitoredDomains"]}),
            15, "every node monitors some domains")
        print(f"\nmonitored domains per node: {spread}")
        # Leases name the holding process (its instance); the nodes table gives its name.
        holder = ("SELECT n.name FROM monitor_leases l JOIN nodes n ON n.instance = l.node "
                  f"WHERE l.domain_id = {domain_id}")
        owner = poll(lambda: sql(nodes[0].database, holder), 10, "some node monitors the domain")
        poll(lambda: primary.hits > 0, 10, "the owner probes")
        for n in nodes:
            poll(lambda: dig(n, cname) == ["127.0.0.1"], 5, "every node answers the primary")

        victim = "abc".index(owner)
        survivors = [n for i, n in enumerate(nodes) if i != victim]
        # A write the victim acknowledged just before dying is not lost.
        last_words = f"lastwords{int(time.time() * 1000)}.example.com"
        make_domain(clients[victim], last_words)
        nodes[victim].kill()
        listed = [x["domain"] for x in clients[(victim + 1) % 3].call("GET", "/v1/domains").json]
        assert any(x.startswith(last_words) for x in listed), listed
        killed = time.monotonic()
        primary.status = 503
        lease = ("SELECT n.name, l.expires_at - (EXTRACT(EPOCH FROM now()) * 1000)::bigint FROM monitor_leases l "
                 f"JOIN nodes n ON n.instance = l.node WHERE l.domain_id = {domain_id}")
        try:
            new_owner = poll(lambda: (lambda o: o if o and o != owner else None)(
                sql(nodes[0].database, lease).split("|")[0]), 20, "another node takes the domain over")
        except AssertionError:
            raise AssertionError(f"lease still {sql(nodes[0].database, lease)} (node|ms to expiry)")
        taken = time.monotonic() - killed
        for n in survivors:
            poll(lambda: dig(n, cname) == ["127.0.0.2"], 20, "the survivors fail over")
        failed_over = time.monotonic() - killed
        print(f"\nnode {owner} killed: {new_owner} took its monitoring over after {taken:.1f} s "
              f"(interval 2 s); the survivors' DNS failed over after {failed_over:.1f} s")
        assert taken < 4 * 2 + 2

        # Restarted, it rejoins: listed healthy again, answering with the shared health.
        nodes[victim] = nodes[victim].start()
        clients[victim] = nodes[victim].client(*keys)
        poll(lambda: dig(nodes[victim], cname) == ["127.0.0.2"], 10, "the restarted node answers with the shared health")
        def rejoined():
            listed = {n["name"]: n for n in clients[(victim + 1) % 3].call("GET", "/v1/nodes").json}
            return listed.get(owner, {}).get("healthy") and listed[owner]["behind"] == 0
        poll(rejoined, 15, "the restarted node is listed healthy")
        # It gets its share back: the domains it is the preferred monitor of (30 make an empty
        # share vanishingly unlikely) return to it — leases it took after its restart (its old
        # ones ran out 3 s after its death).
        restarted = time.monotonic()
        since = int(sql(nodes[0].database, "SELECT (EXTRACT(EPOCH FROM now()) * 1000)::bigint")) + 3000

        def share():
            return int(sql(nodes[0].database,
                           "SELECT COUNT(*) FROM monitor_leases l JOIN nodes n ON n.instance = l.node "
                           f"WHERE n.name = '{owner}' AND l.expires_at > {since}"))

        poll(share, 20, "the restarted node monitors its share again")
        print(f"node {owner} restarted: it monitored {share()} domains again "
              f"{time.monotonic() - restarted:.1f} s after it was listed healthy")
        primary.status = 200
        for n in nodes:
            poll(lambda: dig(n, cname) == ["127.0.0.1"], 20, "back to the primary everywhere")
    finally:
        primary.close()
        backup.close()


def test_a_stopped_node_hands_its_monitoring_back_at_once(cluster):
    """SIGTERM: the node stops accepting, hands its leases back, tells the others and deletes
    its heartbeat, then exits 0 — and another node takes its domains over at once instead of
    when the leases would have run out (1.5 intervals later)."""
    nodes, clients, keys = cluster
    primary, backup, port = two_targets()
    try:
        d = make_domain(clients[0], f"term{int(time.time() * 1000)}.example.com")
        assert clients[0].call("POST", "/v1/endpoints", [
            {"domain": d, "endpoint": "127.0.0.1", "area": "beijing.CN", "isp": "ct"}]).status == 200
        # A long interval: a takeover through lease expiry would take 1.5 × 20 s.
        settings = {"protocol": "HTTP", "port": port, "path": "/", "host": "", "expectedCodes": "200", "timeoutSec": 1,
                    "intervalSec": 20, "faultThreshold": 50, "window": 2, "minErrors": 1, "points": []}
        assert clients[0].call("PUT", f"/v1/domains/{d}/monitor", settings).status == 200
        assert clients[0].call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
        domain_id = sql(nodes[0].database, f"SELECT id FROM domains WHERE name = '{d}'")
        holder = ("SELECT n.name FROM monitor_leases l JOIN nodes n ON n.instance = l.node "
                  f"WHERE l.domain_id = {domain_id}")
        owner = poll(lambda: sql(nodes[0].database, holder), 10, "some node monitors the domain")
        victim = "abc".index(owner)
        instance = sql(nodes[0].database, f"SELECT instance FROM nodes WHERE name = '{owner}'")
        assert instance

        stopped = time.monotonic()
        nodes[victim].process.send_signal(signal.SIGTERM)
        code = nodes[victim].process.wait(timeout=15)
        exited = time.monotonic() - stopped
        assert code == 0, f"exit status {code}"
        # What it held is gone with it: no lease and no heartbeat of that process remain.
        assert sql(nodes[0].database, f"SELECT COUNT(*) FROM monitor_leases WHERE node = '{instance}'") == "0"
        assert sql(nodes[0].database, f"SELECT COUNT(*) FROM nodes WHERE instance = '{instance}'") == "0"
        new_owner = poll(lambda: (lambda o: o if o and o != owner else None)(sql(nodes[0].database, holder)),
                         20, "another node takes the domain over")
        taken = time.monotonic() - stopped
        print(f"\nnode {owner} stopped (SIGTERM): exited 0 after {exited:.2f} s; {new_owner} took its "
              f"monitoring over {taken:.2f} s after the signal (interval 20 s, lease expiry would take 30 s)")
        assert taken < 5, "the takeover waited for the lease to run out"
        others = [c for i, c in enumerate(clients) if i != victim]
        listed = {n["name"] for n in others[0].call("GET", "/v1/nodes").json if n.get("healthy")}
        assert owner not in listed, listed

        nodes[victim] = nodes[victim].start()
        clients[victim] = nodes[victim].client(*keys)
    finally:
        primary.close()
        backup.close()
