"""Safe to expose: what an attacker with an ordinary tenant account — or none — tries, refused.

Names (no tenant answers for another's), proof of control of delegated names, login bounds and
throttling, CSRF on both doors, slow and idle connections, outbound requests to special-use
addresses, request signing (body digests, replays, old signatures) and the smaller holes. Every
test runs against a real ``itm serve`` on loopback, signed by the official BCE signer."""

import http.client
import json
import re
import socket
import subprocess
import time
import urllib.parse

import pytest
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

from conftest import ITM, Server, backends, create_pg_database
from itm_client import send, unsigned, wait_until
from loopback import Target, free_port


# ---------------------------------------------------------------------------------------------
# Helpers

def new_account(server, name, operator=False):
    """A further main account (a tenant unless ``operator``), as a signed client."""
    out = subprocess.run([ITM, "account", "create", "--name", name, "--json", "--database", server.database,
                          "--master-key-file", str(server.workdir / "master.key"),
                          *(["--operator"] if operator else [])],
                         capture_output=True, text=True, check=True)
    account = json.loads(out.stdout)
    client = server.client(account["accessKeyId"], account["secretAccessKey"])
    client.account = account
    return client


def dig_status(server, name, qtype="A"):
    """``dig``'s status word (NOERROR, NXDOMAIN, REFUSED, SERVFAIL, …) and the answers."""
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(server.dns_port), name, qtype, "+time=1", "+tries=1"],
                         capture_output=True, text=True).stdout
    status = re.search(r"status: (\w+)", out)
    answers = re.findall(rf"^\S+\s+\d+\s+IN\s+{qtype}\s+(\S+)$", out, re.M)
    return (status.group(1) if status else "TIMEOUT"), answers


def served_domain(client, name, endpoint="192.0.2.10", itm=True):
    """A domain with one endpoint and the recommended strategy; its listed name."""
    r = client.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": itm}])
    assert r.status == 200, r
    listed = r.json[0]["domain"]
    assert client.call("POST", "/v1/endpoints", [{"domain": listed, "endpoint": endpoint, "area": "beijing.CN",
                                                  "isp": "ct"}]).status == 200
    assert client.call("POST", f"/v1/domains/{listed}/recommend-strategy").status == 200
    return listed


def answered(server, name, expected):
    """Polls until DNS answers ``name`` with ``expected`` (the snapshot follows writes within
    milliseconds, but asynchronously)."""
    return wait_until(lambda: dig_status(server, name) == ("NOERROR", expected), timeout=10)


def start(tmp_path_factory, backend, label, **options):
    workdir = tmp_path_factory.mktemp(f"itm-{label}-{backend}")
    database = f"sqlite://{workdir}/itm.db?mode=rwc" if backend == "sqlite" else create_pg_database()
    return Server(workdir, database, **options).start()


def raw_http(port, request, source="127.0.0.1", timeout=10):
    """Sends raw bytes from ``source`` and returns the whole answer (until the server closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as s:
        s.sendall(request)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def login(server, username, password, account_id=None, headers=None):
    """``POST /v1/session``: (status, cookie header value, body)."""
    body = {"username": username, "password": password}
    if account_id is not None:
        body["accountId"] = int(account_id)
    r = unsigned("127.0.0.1", server.port, "POST", "/v1/session", body,
                 {"content-type": "application/json", **(headers or {})})
    cookie = r.headers.get("set-cookie", "")
    return r.status, cookie, r.json


def session_value(cookie):
    return cookie.split(";")[0]


class TxtResolver(BaseResolver):
    """A loopback stand-in for the recursive resolver: TXT records the test publishes."""

    def __init__(self):
        self.records = {}

    def publish(self, name, value):
        self.records.setdefault(name.lower().rstrip("."), []).append(value)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in self.records[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        return reply


@pytest.fixture(scope="module")
def resolver():
    txt = TxtResolver()
    port = free_port()
    dns = DNSServer(txt, port=port, address="127.0.0.1")
    dns.start_thread()
    yield txt, port
    dns.stop()


@pytest.fixture(scope="module", params=backends())
def proving(request, tmp_path_factory, resolver):
    """A server that serves delegated names only once their owner proves control."""
    _, port = resolver
    srv = start(tmp_path_factory, request.param, "proving", trusting=False,
                extra=["--verify-resolver", f"127.0.0.1:{port}", "--verify-interval-sec", "1"])
    yield srv
    srv.stop()


# ---------------------------------------------------------------------------------------------
# 1. No tenant answers for another's names

def test_names_at_or_under_our_zone_are_refused_for_delegated_domains(server, unique):
    victim = server.client()
    account = server.admin["account id"]
    name = served_domain(victim, f"{unique('www')}.victim.com")
    served = f"{name}.itm.localhost"
    answered(server, served, ["192.0.2.10"])
    attacker = new_account(server, unique("attacker"))
    for claim in [served, "itm.localhost", f"{account}.itm.localhost", f"x.{served}"]:
        r = attacker.call("POST", "/v1/domains", [{"domain": claim, "isItmDomain": False}])
        assert r.status == 400, (claim, r)
        assert "[0].domain" in r.message and "ITM's own zone" in r.message, r
    # The victim's name still answers the victim's endpoint, and is not the attacker's to delete.
    assert dig_status(server, served) == ("NOERROR", ["192.0.2.10"])
    assert attacker.call("DELETE", "/v1/domains", [served]).status == 404
    assert dig_status(server, served) == ("NOERROR", ["192.0.2.10"])


def test_names_under_another_accounts_delegated_domain_are_refused(server, unique):
    owner = server.client()
    apex = served_domain(owner, f"{unique('apex')}.example.org", itm=False)
    answered(server, apex, ["192.0.2.10"])
    attacker = new_account(server, unique("attacker"))
    for claim in [apex, f"www.{apex}", f"a.b.{apex}"]:
        r = attacker.call("POST", "/v1/domains", [{"domain": claim, "isItmDomain": False}])
        assert r.status == 409, (claim, r)
    assert "another account" in attacker.call("POST", "/v1/domains", [{"domain": f"www.{apex}",
                                                                         "isItmDomain": False}]).message
    # The owner may add names under its own apex.
    assert owner.call("POST", "/v1/domains", [{"domain": f"api.{apex}", "isItmDomain": False}]).status == 200
    assert dig_status(server, apex) == ("NOERROR", ["192.0.2.10"])


def test_first_start_says_how_delegated_names_are_served(server, proving):
    assert any("Delegated (non-ITM) names: trusted" in line for line in server.lines), server.lines
    assert any("served once the account proves control" in line for line in proving.lines), proving.lines


# ---------------------------------------------------------------------------------------------
# Proof of control

def test_a_delegated_name_is_served_once_its_txt_proof_is_published(proving, resolver, unique):
    txt, _ = resolver
    c = proving.client()
    name = f"{unique('shop')}.example.net"
    r = c.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": False}])
    assert r.status == 200, r
    proof = r.json[0]["verification"]
    assert proof["status"] == "pending" and proof["txtName"] == f"_itm-challenge.{name}", proof
    assert proof["txtValue"].startswith("itm-verify=")
    listed = {d["domain"]: d for d in c.call("GET", "/v1/domains").json}
    assert listed[name]["verification"] == proof
    assert c.call("POST", "/v1/endpoints", [{"domain": name, "endpoint": "192.0.2.20"}]).status == 200
    assert c.call("POST", f"/v1/domains/{name}/recommend-strategy").status == 200
    assert dig_status(proving, name)[0] == "REFUSED", "not served while pending"

    missing = c.call("POST", f"/v1/domains/{name}/verify")
    assert missing.status == 409 and "no TXT record" in missing.message, missing
    txt.publish(proof["txtName"], "itm-verify=somebody-elses-token")
    assert c.call("POST", f"/v1/domains/{name}/verify").status == 409
    txt.publish(proof["txtName"], proof["txtValue"])
    done = c.call("POST", f"/v1/domains/{name}/verify")
    assert done.status == 200 and done.json["status"] == "active", done
    assert wait_until(lambda: dig_status(proving, name) == ("NOERROR", ["192.0.2.20"]), timeout=10)
    assert "verification" not in {d["domain"]: d for d in c.call("GET", "/v1/domains").json}[name]
    assert any(e["action"] == "domain.verify" and e["target"] == name for e in c.call("GET", "/v1/audit").json)


def test_pending_names_are_checked_in_the_background(proving, resolver, unique):
    txt, _ = resolver
    c = proving.client()
    name = f"{unique('bg')}.example.net"
    proof = c.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": False}]).json[0]["verification"]
    assert c.call("POST", "/v1/endpoints", [{"domain": name, "endpoint": "192.0.2.21"}]).status == 200
    assert c.call("POST", f"/v1/domains/{name}/recommend-strategy").status == 200
    txt.publish(proof["txtName"], proof["txtValue"])
    # --verify-interval-sec 1: no call needed.
    assert wait_until(lambda: dig_status(proving, name) == ("NOERROR", ["192.0.2.21"]), timeout=20)


def test_an_unproved_claim_is_taken_over_by_whoever_proves_control(proving, resolver, unique):
    txt, _ = resolver
    squatter = proving.client()
    name = f"{unique('bank')}.example.net"
    assert squatter.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": False}]).status == 200
    owner = new_account(proving, unique("owner"))
    refused = owner.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": False}])
    assert refused.status == 409 and f"_itm-challenge.{name}" in refused.message, refused
    token = re.search(r'"(itm-verify=[0-9a-f]+)"', refused.message).group(1)
    squatters_token = squatter.call("GET", "/v1/domains").json
    assert token not in json.dumps(squatters_token), "each account has its own token"
    txt.publish(f"_itm-challenge.{name}", token)
    taken = owner.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": False}])
    assert taken.status == 200 and "verification" not in taken.json[0], taken
    assert name not in {d["domain"] for d in squatter.call("GET", "/v1/domains").json}
    assert any(e["action"] == "domain.released" and e["target"] == name
               for e in squatter.call("GET", "/v1/audit").json)
    # A served name cannot be taken, proof or not.
    again = new_account(proving, unique("late"))
    assert again.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": False}]).status == 409


# ---------------------------------------------------------------------------------------------
# 2. No request can stop DNS: limits, and a bad stored document is quarantined

def chain(depth, endpoint="192.0.2.40"):
    """``r0 → r1 → … → endpoint``: one rule per level."""
    rules = [{"type": "wrr", "name": f"r{i}", "items": [{"reference": f"r{i + 1}", "weight": 1}]}
             for i in range(depth - 1)]
    rules.append({"type": "wrr", "name": f"r{depth - 1}", "items": [{"reference": endpoint, "weight": 1}]})
    return {"strategy": {"start": "r0", "rules": rules}}


def test_oversized_strategies_are_refused_naming_the_limit(server, unique):
    c = server.client()
    d = served_domain(c, f"{unique('deep')}.example.com", endpoint="192.0.2.40")
    before = c.call("GET", f"/v1/domains/{d}/strategy").json
    deep = c.call("POST", "/v1/strategys/update-or-create", {d: chain(5000)})
    assert deep.status == 400 and "2000" in deep.message and "rule" in deep.message, deep
    too_deep = c.call("POST", "/v1/strategys/update-or-create", {d: chain(65)})
    assert too_deep.status == 400 and "64" in too_deep.message and "r64" in too_deep.message, too_deep
    assert c.call("POST", "/v1/strategys/update-or-create", {d: chain(64)}).status == 200
    draft = c.call("PUT", f"/v1/domains/{d}/strategy/draft", chain(2001))
    assert draft.status == 400 and "2000" in draft.message, draft
    assert c.call("PUT", f"/v1/domains/{d}/strategy/draft", chain(300)).status == 200, "a deep draft is kept"
    assert c.call("GET", f"/v1/domains/{d}/strategy").json != before
    answered(server, f"{d}.itm.localhost", ["192.0.2.40"])


def store_sql(server, statement):
    """Runs SQL on the server's store behind its back (what a bug, an old version or an
    operator's hand could leave there)."""
    if server.database.startswith("sqlite"):
        import sqlite3
        path = server.database.split("://", 1)[1].split("?")[0]
        with sqlite3.connect(path) as db:
            return db.execute(statement).fetchall()
    return subprocess.run(["psql", server.database, "-At"], input=statement, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(params=backends())
def restartable(request, tmp_path):
    database = f"sqlite://{tmp_path}/itm.db?mode=rwc" if request.param == "sqlite" else create_pg_database()
    srv = Server(tmp_path, database).start()
    yield srv
    srv.stop()


def test_a_stored_strategy_that_cannot_load_is_quarantined_and_the_rest_served(restartable, unique):
    srv = restartable
    c = srv.client()
    good = served_domain(c, f"{unique('good')}.example.com", endpoint="192.0.2.41")
    broken = served_domain(c, f"{unique('broken')}.example.com", endpoint="192.0.2.42")
    deep = served_domain(c, f"{unique('deep')}.example.com", endpoint="192.0.2.43")
    answered(srv, f"{broken}.itm.localhost", ["192.0.2.42"])
    # While running: the broken document keeps answering from its last good build.
    store_sql(srv, "UPDATE strategy_versions SET document = '{not json' WHERE domain_id = "
                   f"(SELECT id FROM domains WHERE name = '{broken}')")
    store_sql(srv, "UPDATE meta SET value = value + 1 WHERE key = 'config_version'")
    quarantined = wait_until(lambda: c.call("GET", f"/v1/domains/{broken}").json.get("quarantine"), timeout=15)
    assert "does not parse" in quarantined["reason"], quarantined
    assert dig_status(srv, f"{broken}.itm.localhost") == ("NOERROR", ["192.0.2.42"]), "the last good build"
    # A 5,000-rule chain stored behind the API's back: it must never take the process down.
    document = json.dumps({**chain(5000, "192.0.2.43"), "endpointsConf": []}).replace("'", "''")
    store_sql(srv, f"UPDATE strategy_versions SET document = '{document}' WHERE domain_id = "
                   f"(SELECT id FROM domains WHERE name = '{deep}')")
    # After a restart there is no last good build: those domains answer SERVFAIL, the rest serve.
    srv.kill()
    srv = srv.start()
    c = srv.client()
    answered(srv, f"{good}.itm.localhost", ["192.0.2.41"])
    assert dig_status(srv, f"{broken}.itm.localhost")[0] == "SERVFAIL"
    assert dig_status(srv, f"{deep}.itm.localhost")[0] == "SERVFAIL"
    reason = c.call("GET", f"/v1/domains/{deep}").json["quarantine"]["reason"]
    assert "2000" in reason, reason
    assert "quarantine" not in c.call("GET", f"/v1/domains/{good}").json
    def metrics():
        return raw_http(srv.port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").decode()

    # The gauges are taken at the node's heartbeat (every 2 s).
    wait_until(lambda: re.search(r"^itm_domains_quarantined\{[^}]*\} 2$", metrics(), re.M), timeout=10)
    # Fixed through the API, it is served again and released.
    assert c.call("POST", f"/v1/domains/{broken}/recommend-strategy").status == 200
    wait_until(lambda: dig_status(srv, f"{broken}.itm.localhost") == ("NOERROR", ["192.0.2.42"]), timeout=10)
    assert "quarantine" not in c.call("GET", f"/v1/domains/{broken}").json
    restartable.process = srv.process


# ---------------------------------------------------------------------------------------------
# 3. Login: bounded, throttled, audited

def rss_kib(server):
    with open(f"/proc/{server.process.pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def test_oversized_credentials_are_refused_before_anything_is_kept(server):
    for size in (1024 * 1024, 100 * 1024, 5000):
        status, _, body = login(server, "u" * size, "p")
        assert status == 413, (size, body)
    status, _, body = login(server, "u" * 65, "p")
    assert status == 401 and body["message"] == "wrong user name or password", body
    # The console's login function is bounded the same way.
    big = urllib.parse.urlencode({"username": "u" * 100_000, "password": "p"})
    answer = raw_http(server.port, (
        f"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nSec-Fetch-Site: same-origin\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(big)}\r\nConnection: close\r\n\r\n"
        + big).encode())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # Memory stays flat under a flood of failed logins with the largest accepted bodies (after a
    # few, so the password hashing's working memory is already counted).
    for i in range(10):
        login(server, f"warm{i}", "p")
    before = rss_kib(server)
    for i in range(150):
        login(server, f"x{i}" + "y" * 3900, "p")
    grown = rss_kib(server) - before
    assert grown < 16 * 1024, f"grew by {grown} KiB"


@pytest.fixture(scope="module", params=backends())
def behind_proxy(request, tmp_path_factory):
    """A server behind a trusted proxy on 127.0.0.1: X-Forwarded-For names the client."""
    srv = start(tmp_path_factory, request.param, "proxied", extra=["--trusted-proxies", "127.0.0.1/32"])
    yield srv
    srv.stop()


def sub_user(server, name, policies=()):
    admin = server.client()
    created = admin.call("POST", "/v1/users", {"username": name}).json
    for p in policies:
        assert admin.call("POST", f"/v1/users/{name}/policies/{p}").status == 200
    return created["password"]


def test_failed_logins_are_throttled_per_user_and_per_address_and_audited(behind_proxy, unique):
    srv = behind_proxy
    account = srv.admin["account id"]
    name = unique("victim")
    sub_user(srv, name)
    # One user guessed at from 50 addresses: the 51st guess is refused, from anywhere.
    for i in range(50):
        status, _, _ = login(srv, name, "wrong", account, {"x-forwarded-for": f"203.0.113.{i}"})
        assert status == 401, i
    status, _, body = login(srv, name, "wrong", account, {"x-forwarded-for": "198.51.100.200"})
    assert status == 429 and "too many failed logins" in body["message"], body
    # One address guessing 20 users: the next user from it is refused, another address is not.
    for i in range(20):
        assert login(srv, f"nobody{i}", "x", None, {"x-forwarded-for": "198.51.100.9"})[0] == 401
    assert login(srv, "nobody-else", "x", None, {"x-forwarded-for": "198.51.100.9"})[0] == 429
    assert login(srv, "nobody-else", "x", None, {"x-forwarded-for": "198.51.100.10"})[0] == 401
    # The failures against a real user are in its account's audit log, with the client's address.
    failed = [e for e in srv.client().call("GET", "/v1/audit", params={"user": name}).json
              if e["action"] == "login.failed"]
    assert len(failed) == 50 and {e["source"] for e in failed} == {f"203.0.113.{i}" for i in range(50)}


def test_unknown_users_cost_a_password_check_like_real_ones(server):
    # Both answers are the same message; the server checks a dummy hash for unknown users, so
    # both take an argon2 verification (the closing note gives the measured times).
    status_known, _, known = login(server, server.admin["user name"], "wrong")
    status_unknown, _, unknown = login(server, "no-such-user", "wrong")
    assert (status_known, known["message"]) == (status_unknown, unknown["message"]) == (401, "wrong user name or password")


# ---------------------------------------------------------------------------------------------
# 4. CSRF: one rule for both doors

def console_call(server, path, form, cookie, headers):
    """A console server-function call with a form body: (status, body text)."""
    body = urllib.parse.urlencode(form).encode()
    return _post_raw(server, path, body,
                     {"cookie": cookie, "content-type": "application/x-www-form-urlencoded", **headers})


def _post_raw(server, path, body, headers):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"host": f"127.0.0.1:{server.port}", **headers})
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


def test_cross_site_console_calls_are_refused(server, unique):
    status, cookie, _ = login(server, server.admin["user name"], server.admin["password"])
    assert status == 200
    cookie = session_value(cookie)
    c = server.client()

    def listed(name):
        return any(d["domain"].startswith(name) for d in c.call("GET", "/v1/domains").json)

    evil = unique("evil")
    for headers in [{"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"},
                    {"sec-fetch-site": "same-site"}, {}]:
        status, text = console_call(server, "/api/create_domain", {"domain": f"{evil}.example.com", "itm": "on"},
                                    cookie, headers)
        assert status == 403 and "cross-site" in text, (headers, status, text)
    status, text = _post_raw(server, "/api/create_domain", f"domain={evil}.example.com&itm=on".encode(),
                             {"cookie": cookie, "content-type": "text/plain", "sec-fetch-site": "same-origin"})
    assert status == 415, (status, text)
    assert not listed(evil), "nothing was created"

    mine = unique("mine")
    status, text = console_call(server, "/api/create_domain", {"domain": f"{mine}.example.com", "itm": "on"},
                                cookie, {"sec-fetch-site": "same-origin"})
    assert status == 200, text
    assert listed(mine)
    other = unique("other")
    status, text = console_call(server, "/api/create_domain", {"domain": f"{other}.example.com", "itm": "on"},
                                cookie, {"origin": f"http://127.0.0.1:{server.port}"})
    assert status == 200, text
    # The audit says where the call came from, not "console".
    entry = next(e for e in c.call("GET", "/v1/audit").json if e["target"].startswith(mine))
    assert entry["source"] == "127.0.0.1", entry


def test_console_calls_answer_with_the_status_their_error_calls_for(server, unique):
    """A typo is a 400 and a taken name a 409, not a 500 that looks like an outage; the body is
    the typed error the console renders."""
    status, cookie, _ = login(server, server.admin["user name"], server.admin["password"])
    assert status == 200
    cookie = session_value(cookie)
    same = {"sec-fetch-site": "same-origin"}
    name = f"{unique('typed')}.example.com"
    status, text = console_call(server, "/api/create_domain", {"domain": name, "itm": "on"}, cookie, same)
    assert status == 200, text
    status, text = console_call(server, "/api/create_domain", {"domain": name, "itm": "on"}, cookie, same)
    assert status == 409 and json.loads(text).get("Conflict"), (status, text)
    status, text = console_call(server, "/api/create_domain", {"domain": "no spaces allowed", "itm": "on"}, cookie, same)
    assert status == 400 and json.loads(text).get("Invalid"), (status, text)
    status, text = console_call(server, "/api/delete_domain", {"domain": f"{unique('none')}.example.com"}, cookie, same)
    assert status == 404 and json.loads(text).get("NotFound"), (status, text)
    status, text = console_call(server, "/api/create_domain", {"domain": name, "itm": "on"}, "itm_session=expired", same)
    assert (status, json.loads(text)) == (401, "LoginRequired"), (status, text)


def test_cookie_sessions_on_the_rest_api_follow_the_same_rule(server, unique):
    status, cookie, session = login(server, server.admin["user name"], server.admin["password"])
    cookie = session_value(cookie)
    name = f"{unique('rest')}.example.com"
    body = json.dumps([{"domain": name, "isItmDomain": True}]).encode()
    status, text = _post_raw(server, "/v1/domains", body, {"cookie": cookie, "content-type": "application/json"})
    assert status == 403 and "cross-site" in text, text
    status, text = _post_raw(server, "/v1/domains", body, {"cookie": cookie, "content-type": "application/json",
                                                           "x-csrf-token": "forged"})
    assert status == 403, text
    status, text = _post_raw(server, "/v1/domains", body, {"cookie": cookie, "content-type": "application/json",
                                                           "x-csrf-token": session["csrfToken"]})
    assert status == 200, text
    # GET /v1/session shows the same token again (derived, never stored).
    status, text = _post_raw_get(server, "/v1/session", {"cookie": cookie})
    assert status == 200 and json.loads(text)["csrfToken"] == session["csrfToken"]


def _post_raw_get(server, path, headers):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", path, headers={"host": f"127.0.0.1:{server.port}", **headers})
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


def test_forwarded_headers_are_believed_only_from_trusted_proxies(server, behind_proxy, unique):
    spoof = {"x-forwarded-for": "198.51.100.77", "x-forwarded-proto": "https"}
    status, cookie, _ = login(server, server.admin["user name"], server.admin["password"], headers=spoof)
    assert status == 200 and "Secure" not in cookie, cookie
    audit = server.client().call("GET", "/v1/audit").json
    assert next(e for e in audit if e["action"] == "login")["source"] == "127.0.0.1"
    status, cookie, _ = login(behind_proxy, behind_proxy.admin["user name"], behind_proxy.admin["password"],
                              headers=spoof)
    assert status == 200 and "Secure" in cookie, cookie
    audit = behind_proxy.client().call("GET", "/v1/audit").json
    assert next(e for e in audit if e["action"] == "login")["source"] == "198.51.100.77"


# ---------------------------------------------------------------------------------------------
# 5. Slow and idle connections

@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    srv = start(tmp_path_factory, "sqlite", "slow", extra=[
        "--http-header-timeout", "2", "--http-idle-timeout", "2", "--http-request-timeout", "5",
        "--http-max-connections-per-address", "50", "--http-max-connections", "1000"])
    yield srv
    srv.stop()


def closed_by_server(sock):
    """Whether the server has closed ``sock`` (EOF or reset), without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_slow_and_idle_connections_do_not_hold_the_server(guarded):
    srv = guarded
    held = []
    try:
        for i in range(300):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            if i % 2:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # half a request head
            held.append(s)
        # Past the per-address cap the server drops the connection at once.
        wait_until(lambda: sum(closed_by_server(s) for s in held) >= 250, timeout=5)
        # Meanwhile another address (a load balancer's health check) is answered.
        for _ in range(3):
            answer = raw_http(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                              source="127.0.0.2")
            assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
        # And the held ones are closed by the header and idle timeouts (2 s).
        wait_until(lambda: all(closed_by_server(s) for s in held), timeout=10)
    finally:
        for s in held:
            s.close()
    # A client trickling its head byte by byte is cut off by the header timeout all the same.
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        started = time.monotonic()
        cut = False
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200:
            try:
                s.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            if closed_by_server(s):
                cut = True
                break
            s.setblocking(True)
            time.sleep(0.1)  # the attack's own pace, not a synchronisation
        assert cut, "the slow head was never cut off"
        assert time.monotonic() - started < 8


def test_a_kept_alive_connection_is_closed_when_idle(guarded):
    with socket.create_connection(("127.0.0.1", guarded.port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = s.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first[:100]
        wait_until(lambda: closed_by_server(s), timeout=8)


# ---------------------------------------------------------------------------------------------
# 6. Outbound requests never reach special-use addresses unless opened

@pytest.fixture(scope="module")
def default_reach(tmp_path_factory):
    """Probes and webhooks as shipped: public addresses only."""
    srv = start(tmp_path_factory, "sqlite", "reach", loopback=False)
    yield srv
    srv.stop()


def loopback_name():
    """A name other than localhost that resolves to loopback (the machine's own name)."""
    name = socket.gethostname()
    addresses = {a[4][0] for a in socket.getaddrinfo(name, 80)}
    assert all(a.startswith("127.") or a == "::1" for a in addresses), (name, addresses)
    return name


def test_endpoints_and_webhooks_at_special_use_addresses_are_refused(default_reach, unique):
    c = default_reach.client()
    d = c.call("POST", "/v1/domains", [{"domain": f"{unique('ssrf')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    for value, kind in [("127.0.0.1", "loopback"), ("169.254.169.254", "link-local"), ("10.1.2.3", "private"),
                        ("100.64.0.1", "carrier-grade NAT"), ("::1", "loopback"), ("fd00::1", "unique local"),
                        ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"), ("localhost", "loopback")]:
        r = c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": value}])
        assert r.status == 400 and "--probe-networks" in r.message and kind in r.message, (value, r)
    assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "192.0.2.30"}]).status == 200
    for url in ["http://127.0.0.1:8080/x", "http://[::1]/", "https://localhost/", "http://169.254.169.254/latest"]:
        r = c.call("POST", "/v1/contacts", {"name": unique("hook"), "webhook": url})
        assert r.status == 400 and "--webhook-networks" in r.message, (url, r)


@pytest.fixture(scope="module")
def narrow_reach(tmp_path_factory):
    """Probes may reach 127.0.0.2 alone: a name resolving to 127.0.0.1 must not get through."""
    srv = start(tmp_path_factory, "sqlite", "narrow", loopback=False, extra=["--probe-networks", "127.0.0.2/32"])
    yield srv
    srv.stop()


def test_a_name_resolving_to_loopback_is_blocked_when_probed(narrow_reach, unique):
    target = Target("127.0.0.1", free_port())
    try:
        c = narrow_reach.client()
        d = c.call("POST", "/v1/domains", [{"domain": f"{unique('rebind')}.example.com", "isItmDomain": True}]).json[0]["domain"]
        # The name is stored (only the address it resolves to tells), beside an opened address.
        assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.2"},
                                                {"domain": d, "endpoint": loopback_name()}]).status == 200
        monitor = {"protocol": "HTTP", "port": target.port, "path": "/", "host": "", "expectedCodes": "200",
                   "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 50, "window": 1, "minErrors": 1, "points": []}
        assert c.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
        assert c.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
        issue = wait_until(lambda: next((p.get("issue") for p in c.call("GET", "/v1/monitor-points").json
                                         if p.get("issue")), None), timeout=20)
        assert issue.startswith("blocked by policy: 127.0.0.1") and "--probe-networks" in issue, issue
        assert target.hits == 0, "the loopback target was never contacted"
        probed = {p["endpoint"] for p in c.call("GET", f"/v1/domains/{d}/probes").json}
        assert loopback_name() not in probed, "no result, no remote status, for the blocked name"
    finally:
        target.close()


@pytest.fixture(scope="module")
def probing_only(tmp_path_factory):
    """Probes may reach loopback; webhooks as shipped (public only)."""
    srv = start(tmp_path_factory, "sqlite", "hooks", loopback=False,
                extra=["--probe-networks", "127.0.0.0/8,::1/128"])
    yield srv
    srv.stop()


def test_a_webhook_whose_name_resolves_to_loopback_is_blocked_at_delivery(probing_only, unique):
    from test_notify import Receiver
    hooks, target = Receiver(), Target("127.0.0.1", free_port())
    try:
        c = probing_only.client()
        name = unique("hook")
        url = f"http://{loopback_name()}:{hooks.port}/hook"
        assert c.call("POST", "/v1/contacts", {"name": name, "webhook": url}).status == 200
        d = c.call("POST", "/v1/domains", [{"domain": f"{unique('nt')}.example.com", "isItmDomain": True}]).json[0]["domain"]
        assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1"}]).status == 200
        monitor = {"protocol": "HTTP", "port": target.port, "path": "/", "host": "", "expectedCodes": "200",
                   "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 80, "window": 1, "minErrors": 1, "points": []}
        assert c.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
        assert c.call("PUT", f"/v1/domains/{d}/notify", {"contacts": [name]}).status == 200
        target.status = 503
        assert c.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
        delivery = wait_until(lambda: next((m for m in c.call("GET", "/v1/deliveries").json
                                            if m["contact"] == name and m.get("lastError")), None), timeout=30)
        assert "blocked by policy" in delivery["lastError"] and "--webhook-networks" in delivery["lastError"], delivery
        assert "HTTP" not in delivery["lastError"].split("blocked by policy")[0], "no remote status"
        assert hooks.requests == []
    finally:
        target.close()
        hooks.close()


# ---------------------------------------------------------------------------------------------
# 7. Request signing: the body, replays, old signatures

def test_a_swapped_body_fails_a_signed_digest(server, unique):
    import base64
    import hashlib
    c = server.client()
    for header, digest in [("x-bce-content-sha256", lambda b: hashlib.sha256(b).hexdigest()),
                           ("content-md5", lambda b: base64.b64encode(hashlib.md5(b).digest()).decode())]:
        good = json.dumps([{"domain": f"{unique('a')}.example.com", "isItmDomain": True}]).encode()
        evil = good.replace(b"example", b"exampl3")
        assert len(good) == len(evil)
        method, url, data, headers = c.signed("POST", "/v1/domains", raw=good, extra_headers={header: digest(good)})
        swapped = send(c.host, c.port, method, url, evil, headers)
        assert swapped.status == 401 and header in swapped.message, swapped
        assert send(c.host, c.port, method, url, data, headers).status == 200
    listed = [d["domain"] for d in c.call("GET", "/v1/domains").json]
    assert not any("exampl3" in d for d in listed)


def test_a_signed_write_cannot_be_replayed(server, unique):
    c = server.client()
    body = [{"domain": f"{unique('replay')}.example.com", "isItmDomain": True}]
    request = c.signed("POST", "/v1/domains", body)
    assert send(c.host, c.port, *request).status == 200
    again = send(c.host, c.port, *request)
    assert again.status == 401 and "replay" in again.message, again
    # Reads may be repeated.
    read = c.signed("GET", "/v1/domains")
    assert send(c.host, c.port, *read).status == 200
    assert send(c.host, c.port, *read).status == 200


def test_old_signatures_are_refused_whatever_validity_they_claim(server):
    c = server.client()
    thirty_one_minutes_ago = int(time.time()) - 31 * 60
    r = c.call("GET", "/v1/domains", timestamp=thirty_one_minutes_ago, expiration=3600)
    assert r.status == 401 and "older than this server accepts (1800 s)" in r.message, r
    assert c.call("GET", "/v1/domains", timestamp=int(time.time()) - 60, expiration=3600).status == 200


# ---------------------------------------------------------------------------------------------
# The smaller holes

def test_a_new_password_ends_the_users_sessions(server, unique):
    account = server.admin["account id"]
    name = unique("pw")
    password = sub_user(server, name, ["ITMReadAccessPolicy"])
    status, cookie, _ = login(server, name, password, account)
    assert status == 200
    cookie = session_value(cookie)
    assert _post_raw_get(server, "/v1/session", {"cookie": cookie})[0] == 200
    assert server.client().call("PUT", f"/v1/users/{name}/password", {}).status == 200
    assert _post_raw_get(server, "/v1/session", {"cookie": cookie})[0] == 401


def test_a_full_control_sub_user_manages_only_its_own_keys(server, unique):
    admin = server.client()
    full, other = unique("full"), unique("other")
    sub_user(server, full, ["ITMFullControlPolicy"])
    sub_user(server, other, ["ITMWritePolicy"])
    key = admin.call("POST", "/v1/accesskeys", {"username": full}).json
    f = server.client(key["accessKeyId"], key["secretAccessKey"])
    r = f.call("POST", "/v1/accesskeys", {"username": other})
    assert r.status == 403 and "only the main account" in r.message, r
    assert f.call("POST", "/v1/accesskeys", {"username": full}).status == 200
    assert f.call("POST", "/v1/accesskeys").status == 200
    mains = admin.call("POST", "/v1/accesskeys").json["accessKeyId"]
    r = f.call("DELETE", f"/v1/accesskeys/{mains}")
    assert r.status == 403 and "main account" in r.message, r
    assert mains in {k["accessKeyId"] for k in admin.call("GET", "/v1/accesskeys").json}
    assert admin.call("DELETE", f"/v1/accesskeys/{mains}").status == 200


def test_console_pages_carry_security_headers(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/login", headers={"host": f"127.0.0.1:{server.port}"})
    r = conn.getresponse()
    html = r.read().decode()
    headers = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline), (nonce, inline)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    api = server.client().call("GET", "/v1/domains")
    assert api.headers["x-content-type-options"] == "nosniff"


@pytest.fixture(scope="module")
def outside_metrics(tmp_path_factory):
    """A server whose /metrics networks leave loopback out: the tests call it as outsiders."""
    srv = start(tmp_path_factory, "sqlite", "outside", extra=["--metrics-networks", "10.0.0.0/8"])
    yield srv
    srv.stop()


def test_node_details_are_for_operators(outside_metrics, unique):
    srv = outside_metrics
    up = json.loads(raw_http(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .split(b"\r\n\r\n", 1)[1])
    assert up == {"status": "up"}
    operator = srv.client().call("GET", "/healthz")
    assert operator.status == 200 and "databaseUp" in operator.json, operator
    tenant = new_account(srv, unique("tenant"))
    assert tenant.call("GET", "/healthz").json == {"status": "up"}
    assert tenant.call("GET", "/v1/nodes").status == 403
    staff = new_account(srv, unique("staff"), operator=True)
    assert staff.call("GET", "/v1/nodes").status == 200


def test_a_second_node_with_a_live_nodes_name_is_refused(server, tmp_path):
    # Both take the default name (the host name): the running one keeps it.
    process = subprocess.Popen(
        [ITM, "serve", "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--database", server.database,
         "--master-key-file", str(server.workdir / "master.key"), "--site-root", str(tmp_path)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode != 0
    assert "another node named" in err and "--node-name" in err, err
