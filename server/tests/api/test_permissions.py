"""The permission matrix: for each policy (none, read, write, full) and the main account, every
route answers 2xx or 403 as docs/api.md says; another account's resources are 404."""

import subprocess

import pytest

from conftest import ITM

POLICIES = {"none": [], "read": ["ITMReadAccessPolicy"], "write": ["ITMWritePolicy"], "full": ["ITMFullControlPolicy"]}
# What each role may do: Read, Write (operational), Account (keys, users list, audit), Users (manage
# sub-users), Operate (installation-wide state: the admin account is the installation's operator).
ALLOWED = {
    "none": set(),
    "read": {"read"},
    "write": {"read", "write"},
    "full": {"read", "write", "account", "operate"},
    "main": {"read", "write", "account", "users", "operate"},
}


@pytest.fixture(scope="module")
def roles(server):
    """A client per role; sub-users get their access keys from the main account."""
    admin = server.client()
    clients = {"main": admin}
    for role, policies in POLICIES.items():
        name = f"perm-{role}"
        assert admin.call("POST", "/v1/users", {"username": name}).status == 200
        for p in policies:
            assert admin.call("POST", f"/v1/users/{name}/policies/{p}").status == 200
        key = admin.call("POST", "/v1/accesskeys", {"username": name}).json
        clients[role] = server.client(key["accessKeyId"], key["secretAccessKey"])
    return clients


def fresh_domain(admin, unique, with_strategy=False):
    d = admin.call("POST", "/v1/domains", [{"domain": f"{unique('p')}.example.com", "isItmDomain": False}]).json[0]["domain"]
    admin.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "198.51.100.1", "area": "beijing.CN", "isp": "ct"},
                                         {"domain": d, "endpoint": "198.51.100.2", "area": "hebei.CN", "isp": "ct"}])
    if with_strategy:
        assert admin.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
    return d


def fresh_draft(admin, unique):
    d = fresh_domain(admin, unique)
    body = {"strategy": {"start": "r", "rules": [{"type": "wrr", "name": "r", "items": []}]}}
    assert admin.call("PUT", f"/v1/domains/{d}/strategy/draft", body).status == 200
    return d


def fresh_user(admin, unique):
    name = unique("u")
    assert admin.call("POST", "/v1/users", {"username": name}).status == 200
    return name


# (id, class, prepare(admin, unique) -> context, call(client, context) -> response)
ROUTES = [
    ("GET domains", "read", lambda a, u: None, lambda c, x: c.call("GET", "/v1/domains")),
    ("GET nodes", "operate", lambda a, u: None, lambda c, x: c.call("GET", "/v1/nodes")),
    ("POST domains", "write", lambda a, u: u("n"), lambda c, x: c.call("POST", "/v1/domains", [{"domain": f"{x}.example.com", "isItmDomain": True}])),
    ("DELETE domains", "write", fresh_domain, lambda c, x: c.call("DELETE", "/v1/domains", [x])),
    ("GET domain", "read", fresh_domain, lambda c, x: c.call("GET", f"/v1/domains/{x}")),
    ("PUT ttl", "write", fresh_domain, lambda c, x: c.call("PUT", f"/v1/domains/{x}/ttl", {"ttl": 30})),
    ("PUT status", "write", fresh_domain, lambda c, x: c.call("PUT", f"/v1/domains/{x}/status", {"status": "pause"})),
    ("GET query-volume", "read", fresh_domain, lambda c, x: c.call("GET", f"/v1/domains/{x}/query-volume")),
    ("GET monitor", "read", fresh_domain, lambda c, x: c.call("GET", f"/v1/domains/{x}/monitor")),
    ("PUT monitor", "write", fresh_domain, lambda c, x: c.call("PUT", f"/v1/domains/{x}/monitor", {
        "protocol": "TCP", "port": 22, "path": "/", "host": "", "expectedCodes": "200", "timeoutSec": 5, "intervalSec": 30,
        "faultThreshold": 50, "window": 3, "minErrors": 2, "points": []})),
    ("GET strategy", "read", lambda a, u: fresh_domain(a, u, True), lambda c, x: c.call("GET", f"/v1/domains/{x}/strategy")),
    ("POST recommend", "write", fresh_domain, lambda c, x: c.call("POST", f"/v1/domains/{x}/recommend-strategy")),
    ("GET versions", "read", lambda a, u: fresh_domain(a, u, True), lambda c, x: c.call("GET", f"/v1/domains/{x}/strategy/versions")),
    ("POST restore", "write", lambda a, u: fresh_domain(a, u, True), lambda c, x: c.call("POST", f"/v1/domains/{x}/strategy/versions/1/restore")),
    ("GET version", "read", lambda a, u: fresh_domain(a, u, True), lambda c, x: c.call("GET", f"/v1/domains/{x}/strategy/versions/1")),
    ("PUT draft", "write", fresh_domain, lambda c, x: c.call("PUT", f"/v1/domains/{x}/strategy/draft", {
        "strategy": {"start": "r", "rules": [{"type": "wrr", "name": "r", "items": []}]}})),
    ("GET draft", "read", lambda a, u: fresh_draft(a, u), lambda c, x: c.call("GET", f"/v1/domains/{x}/strategy/draft")),
    ("DELETE draft", "write", lambda a, u: fresh_draft(a, u), lambda c, x: c.call("DELETE", f"/v1/domains/{x}/strategy/draft")),
    ("POST update-or-create", "write", fresh_domain, lambda c, x: c.call("POST", "/v1/strategys/update-or-create", {x: {
        "strategy": {"start": "r", "rules": [{"type": "wrr", "name": "r", "items": [{"reference": "198.51.100.1", "weight": 1}]}]}}})),
    ("GET endpoints", "read", fresh_domain, lambda c, x: c.call("GET", "/v1/endpoints", params={"domain": x})),
    ("POST endpoints", "write", fresh_domain, lambda c, x: c.call("POST", "/v1/endpoints", [{"domain": x, "endpoint": "198.51.100.3"}])),
    ("PUT endpoints", "write", fresh_domain, lambda c, x: c.call("PUT", "/v1/endpoints", [{"domain": x, "endpoint": "198.51.100.1", "tag": "t"}])),
    ("DELETE endpoints", "write", fresh_domain, lambda c, x: c.call("DELETE", "/v1/endpoints", [{"domain": x, "endpoint": "198.51.100.2"}])),
    ("DELETE regen", "write", lambda a, u: fresh_domain(a, u, True),
     lambda c, x: c.call("DELETE", "/v1/endpoints/del-with-regen-strategy", [{"domain": x, "endpoint": "198.51.100.2"}])),
    ("GET users", "account", lambda a, u: None, lambda c, x: c.call("GET", "/v1/users")),
    ("POST users", "users", lambda a, u: u("new"), lambda c, x: c.call("POST", "/v1/users", {"username": x})),
    ("DELETE user", "users", fresh_user, lambda c, x: c.call("DELETE", f"/v1/users/{x}")),
    ("PUT password", "users", fresh_user, lambda c, x: c.call("PUT", f"/v1/users/{x}/password", {})),
    ("POST policy", "users", fresh_user, lambda c, x: c.call("POST", f"/v1/users/{x}/policies/ITMWritePolicy")),
    ("DELETE policy", "users", lambda a, u: (lambda n: (a.call("POST", f"/v1/users/{n}/policies/ITMWritePolicy"), n)[1])(fresh_user(a, u)),
     lambda c, x: c.call("DELETE", f"/v1/users/{x}/policies/ITMWritePolicy")),
    ("GET accesskeys", "account", lambda a, u: None, lambda c, x: c.call("GET", "/v1/accesskeys")),
    ("POST accesskeys", "account", lambda a, u: None, lambda c, x: c.call("POST", "/v1/accesskeys")),
    # A sub-user's key (the main account's keys are the main user's alone: test_security).
    ("DELETE accesskey", "account",
     lambda a, u: a.call("POST", "/v1/accesskeys", {"username": "perm-write"}).json["accessKeyId"],
     lambda c, x: c.call("DELETE", f"/v1/accesskeys/{x}")),
    ("GET audit", "account", lambda a, u: None, lambda c, x: c.call("GET", "/v1/audit")),
]


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_permission_matrix(server, roles, unique, role, route):
    _, needs, prepare, call = route
    context = prepare(server.client(), unique)
    r = call(roles[role], context)
    if needs in ALLOWED[role]:
        assert 200 <= r.status < 300, (role, r)
    else:
        assert r.status == 403, (role, r)
        assert r.json["code"] == "Forbidden"


def test_another_accounts_resources_are_not_found(server, unique):
    admin = server.client()
    d = fresh_domain(admin, unique, with_strategy=True)
    out = subprocess.run([ITM, "account", "create", "--name", unique("other"), "--json", "--database", server.database,
                          "--master-key-file", str(server.workdir / "master.key")], capture_output=True, text=True, check=True)
    import json
    other_account = json.loads(out.stdout)
    assert set(other_account) == {"accountId", "username", "password", "accessKeyId", "secretAccessKey"}
    other = server.client(other_account["accessKeyId"], other_account["secretAccessKey"])
    assert d not in {x["domain"] for x in other.call("GET", "/v1/domains").json}
    for r in [
        other.call("GET", f"/v1/domains/{d}/strategy"),
        other.call("GET", "/v1/endpoints", params={"domain": d}),
        other.call("GET", f"/v1/domains/{d}/query-volume"),
        other.call("PUT", f"/v1/domains/{d}/status", {"status": "stop"}),
        other.call("DELETE", "/v1/domains", [d]),
        other.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "198.51.100.99"}]),
        other.call("DELETE", "/v1/users/perm-read"),
    ]:
        assert r.status == 404, r
    # A tenant is no installation operator: the nodes are not its to see.
    nodes = other.call("GET", "/v1/nodes")
    assert nodes.status == 403 and "operators" in nodes.message, nodes
    assert admin.call("GET", f"/v1/domains/{d}/strategy").json["status"] == "start", "untouched"
