"""Every route of the product documents, called by a real outside client whose requests are signed
by bce-python-sdk, with the JSON the documents show."""

import time

import pytest

from itm_client import unsigned


def make_domain(c, unique, itm=True):
    r = c.call("POST", "/v1/domains", [{"domain": f"{unique('www')}.example.com", "isItmDomain": itm}])
    assert r.status == 200, r
    return r.json[0]["domain"]


@pytest.mark.parametrize("explicit", [False, True], ids=["default-signed-headers", "explicit-signed-headers"])
def test_domain_routes(server, unique, explicit):
    c = server.client(explicit=explicit)
    base = unique("www")
    r = c.call("POST", "/v1/domains", [
        {"domain": f"{base}.test.com", "isItmDomain": True},
        {"domain": f"{base}.mydomain.com", "isItmDomain": False},
    ])
    assert r.status == 200, r
    account = server.admin["account id"]
    assert r.json == [
        {"domain": f"{base}.test.com.{account}", "isItmDomain": True},
        {"domain": f"{base}.mydomain.com", "isItmDomain": False},
    ]
    assert r.headers["x-bce-request-id"]
    listed = {d["domain"]: d for d in c.call("GET", "/v1/domains").json}
    itm = listed[f"{base}.test.com.{account}"]
    assert itm == {"domain": f"{base}.test.com.{account}", "CNAME": f"{base}.test.com.{account}.itm.localhost",
                   "status": "", "monitorStatus": "", "resourceStatus": "STARTED", "hasDistribution": False}
    assert listed[f"{base}.mydomain.com"]["CNAME"] == ""
    r = c.call("DELETE", "/v1/domains", [f"{base}.mydomain.com"])
    assert (r.status, r.json) == (200, None)
    assert f"{base}.mydomain.com" not in {d["domain"] for d in c.call("GET", "/v1/domains").json}


def test_endpoint_and_strategy_routes(admin, unique):
    c = admin
    d = make_domain(c, unique)
    r = c.call("POST", "/v1/endpoints", [
        {"domain": d, "endpoint": "220.181.38.135", "type": "A", "area": "beijing.CN", "isp": "ct", "tag": "idc-a;primary"},
        {"domain": d, "endpoint": "101.226.4.6", "type": "A", "area": "shanghai.CN", "isp": "cu", "tag": ""},
        {"domain": d, "endpoint": "cdn.example.net", "type": "CNAME", "area": "guangdong.CN", "isp": "other", "tag": ""},
    ])
    assert (r.status, r.json) == (200, None), r
    r = c.call("GET", "/v1/endpoints", params={"domain": d})
    assert r.status == 200
    assert r.json[0] == {"domain": d, "endpoint": "220.181.38.135", "type": "A", "area": "beijing.CN", "isp": "ct",
                         "tag": "idc-a;primary", "status": "unknown"}
    r = c.call("PUT", "/v1/endpoints", [{"domain": d, "endpoint": "101.226.4.6", "type": "A", "area": "jiangsu.CN", "isp": "cm", "tag": "moved"}])
    assert r.status == 200, r
    assert [e["area"] for e in c.call("GET", "/v1/endpoints", params={"domain": d}).json] == ["beijing.CN", "jiangsu.CN", "guangdong.CN"]

    # Area and ISP left out: detected from the address by the IP database (seed: 输入IP后，会自动识别出该IP的地区及运营商).
    r = c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "1.2.5.1"}, {"domain": d, "endpoint": "61.139.0.9", "isp": "cm"}])
    assert r.status == 200, r
    detected = {e["endpoint"]: (e["type"], e["area"], e["isp"]) for e in c.call("GET", "/v1/endpoints", params={"domain": d}).json}
    assert detected["1.2.5.1"] == ("A", "beijing.CN", "ct")
    assert detected["61.139.0.9"] == ("A", "sichuan.CN", "cm"), "a given ISP wins over the detected one"
    assert c.call("DELETE", "/v1/endpoints", [{"domain": d, "endpoint": "1.2.5.1"}, {"domain": d, "endpoint": "61.139.0.9"}]).status == 200

    # No strategy yet: status "" and an empty tree.
    s = c.call("GET", f"/v1/domains/{d}/strategy").json
    assert s["status"] == "" and s["strategy"]["rules"] == []
    r = c.call("POST", f"/v1/domains/{d}/recommend-strategy")
    assert (r.status, r.json) == (200, None), r
    s = c.call("GET", f"/v1/domains/{d}/strategy").json
    assert s["status"] == "start"
    assert s["strategy"]["start"] == "根规则"
    assert [rule["name"] for rule in s["strategy"]["rules"]] == ["根规则", "北京", "江苏", "广东"]
    assert s["endpointsConf"][0] == {"type": "A", "value": "220.181.38.135", "area": "beijing.CN", "isp": "ct", "evalHealth": True, "enable": True}

    # The documents' update-or-create body, with the domain as the key.
    body = {d: {"strategy": {"start": "主备", "rules": [
        {"type": "priority", "area": "none.CN", "isp": "other", "name": "主备", "enable": True, "items": [
            {"reference": "220.181.38.135", "weight": 0, "priority": 1, "usersets": ""},
            {"reference": "101.226.4.6", "weight": 0, "priority": 2, "usersets": ""}]}]},
        "endpointsConf": [{"type": "A", "value": "101.226.4.6", "area": "jiangsu.CN", "isp": "cm", "evalHealth": False, "enable": True}]}}
    r = c.call("POST", "/v1/strategys/update-or-create", body)
    assert (r.status, r.json) == (200, None), r
    s = c.call("GET", f"/v1/domains/{d}/strategy").json
    assert s["strategy"] == body[d]["strategy"]
    assert [e["evalHealth"] for e in s["endpointsConf"]] == [True, False, True]

    versions = c.call("GET", f"/v1/domains/{d}/strategy/versions").json
    assert [(v["version"], v["enabled"], v["source"], v["createdBy"]) for v in versions] == [
        (2, True, "api", "admin"), (1, False, "recommend", "admin")]
    # Restoring against a version that is no longer enabled is refused; with a note it is stored.
    r = c.call("POST", f"/v1/domains/{d}/strategy/versions/1/restore", params={"base": "1"})
    assert r.status == 409 and "shown version 1, now version 2" in r.message, r
    r = c.call("POST", f"/v1/domains/{d}/strategy/versions/1/restore", params={"base": "-1"})
    assert r.status == 400 and r.message.startswith("base:"), r
    r = c.call("POST", f"/v1/domains/{d}/strategy/versions/1/restore", params={"base": "2", "note": "back to geo"})
    assert r.status == 200, r
    assert c.call("GET", f"/v1/domains/{d}/strategy").json["strategy"]["start"] == "根规则"
    latest = c.call("GET", f"/v1/domains/{d}/strategy/versions").json[0]
    assert (latest["version"], latest["source"], latest["note"]) == (3, "restore", "back to geo")

    # A strategy that answers no user group (its start rule leads only to a disabled rule) is
    # refused unless forced.
    nobody = {d: {"strategy": {"start": "空", "rules": [
        {"type": "wrr", "area": "none.CN", "isp": "other", "name": "空", "enable": True, "items": [
            {"reference": "关", "weight": 1, "priority": 0, "usersets": ""}]},
        {"type": "wrr", "area": "none.CN", "isp": "other", "name": "关", "enable": False, "items": [
            {"reference": "220.181.38.135", "weight": 1, "priority": 0, "usersets": ""}]}]},
        "endpointsConf": []}}
    r = c.call("POST", "/v1/strategys/update-or-create", nobody)
    assert r.status == 409 and "answers no user group" in r.message, r
    assert len(c.call("GET", f"/v1/domains/{d}/strategy/versions").json) == 3, "nothing was stored"
    r = c.call("POST", "/v1/strategys/update-or-create", nobody, params={"force": "true"})
    assert r.status == 200, r
    r = c.call("POST", f"/v1/domains/{d}/strategy/versions/3/restore")
    assert r.status == 200, r

    # A version's document, and a draft: saved (even invalid), read back over today's endpoints,
    # replaced, and discarded; enabling never touches it.
    v1 = c.call("GET", f"/v1/domains/{d}/strategy/versions/1").json
    assert v1["strategy"]["start"] == "根规则" and [e["value"] for e in v1["endpointsConf"]][0] == "220.181.38.135"
    draft = {"strategy": {"start": "草稿", "rules": [{"type": "wrr", "area": "none.CN", "isp": "other", "name": "草稿", "enable": True,
                                                     "items": [{"reference": "nowhere", "weight": 1, "priority": 0, "usersets": ""}]}]},
             "endpointsConf": []}
    saved = c.call("PUT", f"/v1/domains/{d}/strategy/draft", draft)
    assert saved.status == 200 and saved.json["updatedBy"] == "admin" and saved.json["document"]["strategy"] == draft["strategy"], saved
    got = c.call("GET", f"/v1/domains/{d}/strategy/draft").json
    assert got["document"]["strategy"] == draft["strategy"]
    assert [e["value"] for e in got["document"]["endpointsConf"]] == [e["value"] for e in s["endpointsConf"]]
    assert c.call("GET", f"/v1/domains/{d}/strategy").json["strategy"]["start"] == "根规则", "a draft is not enabled"
    draft["strategy"]["start"] = "other"
    assert c.call("PUT", f"/v1/domains/{d}/strategy/draft", draft).status == 200
    assert c.call("GET", f"/v1/domains/{d}/strategy/draft").json["document"]["strategy"]["start"] == "other"
    assert c.call("DELETE", f"/v1/domains/{d}/strategy/draft").status == 200
    assert c.call("GET", f"/v1/domains/{d}/strategy/draft").status == 404

    # Delete refuses an endpoint in use; delete-with-regen removes it and regenerates.
    r = c.call("DELETE", "/v1/endpoints", [{"domain": d, "endpoint": "220.181.38.135"}])
    assert r.status == 409 and "北京" in r.message, r
    r = c.call("DELETE", "/v1/endpoints/del-with-regen-strategy", [{"domain": d, "endpoint": "220.181.38.135"}])
    assert (r.status, r.json) == (200, None), r
    s = c.call("GET", f"/v1/domains/{d}/strategy").json
    assert [e["value"] for e in s["endpointsConf"]] == ["101.226.4.6", "cdn.example.net"]
    assert "220.181.38.135" not in str(s["strategy"])
    # An endpoint no strategy uses is deleted plainly.
    c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "9.9.9.9", "area": "hunan.CN", "isp": "ct"}])
    assert c.call("DELETE", "/v1/endpoints", [{"domain": d, "endpoint": "9.9.9.9"}]).status == 200


def test_status_and_monitor_routes(admin, unique):
    d = make_domain(admin, unique)
    for status in ["stop", "pause", "start"]:
        assert admin.call("PUT", f"/v1/domains/{d}/status", {"status": status}).status == 200
        assert {x["domain"]: x for x in admin.call("GET", "/v1/domains").json}[d]["status"] == status
    details = admin.call("GET", f"/v1/domains/{d}").json
    assert (details["ttl"], details["isItmDomain"], details["endpointCount"], details["strategyVersion"]) == (60, True, 0, None)
    assert admin.call("PUT", f"/v1/domains/{d}/ttl", {"ttl": 300}).status == 200
    assert admin.call("GET", f"/v1/domains/{d}").json["ttl"] == 300
    m = admin.call("GET", f"/v1/domains/{d}/monitor").json
    assert m == {"protocol": "HTTP", "port": 80, "path": "/", "host": "", "expectedCodes": "200-399", "timeoutSec": 10,
                 "intervalSec": 60, "faultThreshold": 80, "window": 5, "minErrors": 3, "points": []}
    m.update(protocol="HTTPS", port=0, path="/health", host="www.example.com", expectedCodes="200-299,301", points=["local"])
    assert admin.call("PUT", f"/v1/domains/{d}/monitor", m).status == 200
    got = admin.call("GET", f"/v1/domains/{d}/monitor").json
    assert got["port"] == 443 and got["expectedCodes"] == "200-299,301" and got["points"] == ["local"]


def test_iam_routes_and_sub_user_login(server, admin, unique):
    name = unique("ops")
    r = admin.call("POST", "/v1/users", {"username": name})
    assert r.status == 200, r
    password = r.json["password"]
    assert r.json["loginLink"] == f"/login/{server.admin['account id']}"
    assert admin.call("POST", f"/v1/users/{name}/policies/ITMReadAccessPolicy").status == 200
    users = {u["username"]: u for u in admin.call("GET", "/v1/users").json}
    assert users[name]["policies"] == ["ITMReadAccessPolicy"] and users["admin"]["main"]

    key = admin.call("POST", "/v1/accesskeys", {"username": name}).json
    assert key["username"] == name and len(key["secretAccessKey"]) == 32
    assert key["accessKeyId"] in {k["accessKeyId"] for k in admin.call("GET", "/v1/accesskeys").json}
    reader = server.client(key["accessKeyId"], key["secretAccessKey"])
    assert reader.call("GET", "/v1/domains").status == 200
    assert reader.call("POST", "/v1/domains", [{"domain": "x.example.com", "isItmDomain": False}]).status == 403

    # Console login at the account's link, session cookie + CSRF for writes.
    r = unsigned("127.0.0.1", server.port, "POST", "/v1/session",
                 {"username": name, "password": password, "accountId": int(server.admin["account id"])})
    assert r.status == 200, r
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = cookie.split(";")[0]
    assert unsigned("127.0.0.1", server.port, "GET", "/v1/domains", headers={"cookie": token}).status == 200
    r = unsigned("127.0.0.1", server.port, "DELETE", "/v1/session", headers={"cookie": token})
    assert r.status == 403, "a write with the cookie but without the CSRF token is refused"
    r = unsigned("127.0.0.1", server.port, "DELETE", "/v1/session", headers={"cookie": token, "x-csrf-token": "wrong"})
    assert r.status == 403
    assert unsigned("127.0.0.1", server.port, "GET", "/v1/domains", headers={"cookie": token}).status == 200

    new = admin.call("PUT", f"/v1/users/{name}/password", {"password": "a-new-password-1"}).json
    assert new["password"] == "a-new-password-1"
    assert admin.call("DELETE", f"/v1/users/{name}/policies/ITMReadAccessPolicy").status == 200
    assert reader.call("GET", "/v1/domains").status == 403, "policies take effect on the next request"
    assert admin.call("DELETE", f"/v1/accesskeys/{key['accessKeyId']}").status == 200
    assert reader.call("GET", "/v1/domains").status == 401
    assert admin.call("DELETE", f"/v1/users/{name}").status == 200
    entries = admin.call("GET", "/v1/audit", params={"user": "admin", "limit": 50}).json
    actions = [e["action"] for e in entries]
    assert "user.delete" in actions and "policy.grant" in actions and all(e["username"] == "admin" for e in entries)


def test_openapi_documents_every_route_and_each_answers(server, admin):
    doc = unsigned("127.0.0.1", server.port, "GET", "/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    for path, methods in doc["paths"].items():
        concrete = path.replace("{domain}", "nosuch.example.com").replace("{version}", "1").replace("{username}", "nobody") \
            .replace("{policy}", "ITMWritePolicy").replace("{access_key_id}", "nokey") \
            .replace("{name}", "nopoint")
        for method in methods:
            r = admin.call(method.upper(), concrete)
            assert r.status != 405 and not (r.status == 404 and (r.json or {}).get("code") == "NoSuchRoute"), (method, path, r)
    r = admin.call("GET", "/v1/nothing-here")
    assert (r.status, r.json["code"]) == (404, "NoSuchRoute")


def test_the_sdks_own_http_client_gets_through(server, unique):
    """The SDK's own HTTP client (signing, headers, encoding) against our verifier: GET and POST."""
    import json

    from baidubce import protocol
    from baidubce.auth import bce_v1_signer
    from baidubce.auth.bce_credentials import BceCredentials
    from baidubce.bce_client_configuration import BceClientConfiguration
    from baidubce.http import bce_http_client, handler, http_methods
    from baidubce.retry.retry_policy import NoRetryPolicy

    config = BceClientConfiguration(
        credentials=BceCredentials(server.admin["access key id"], server.admin["secret access key"]),
        endpoint=f"127.0.0.1:{server.port}".encode(), protocol=protocol.HTTP, connection_timeout_in_mills=10_000,
        retry_policy=NoRetryPolicy())

    def capture(http_response, response):
        # The SDK's parse_json only takes objects; the documents' answers are often arrays.
        response.body = json.loads(http_response.read() or b"null")
        return True

    def call(method, path, body=None):
        data = None if body is None else json.dumps(body)
        headers = {b"Content-Type": b"application/json"}
        return bce_http_client.send_request(config, bce_v1_signer.sign, [handler.parse_error, capture], method, path, data, headers, {}).body

    name = f"{unique('sdk')}.example.com"
    assert call(http_methods.POST, b"/v1/domains", [{"domain": name, "isItmDomain": False}]) == [{"domain": name, "isItmDomain": False}]
    assert name in {d["domain"] for d in call(http_methods.GET, b"/v1/domains")}


def test_bad_signatures_are_refused_with_a_request_id(server, admin):
    good = admin.call("GET", "/v1/domains")
    assert good.status == 200
    wrong_secret = server.client(sk="0" * 32).call("GET", "/v1/domains")
    unknown_key = server.client(ak="nobody", sk="x").call("GET", "/v1/domains")
    expired = admin.call("GET", "/v1/domains", timestamp=int(time.time()) - 4000)
    future = admin.call("GET", "/v1/domains", timestamp=int(time.time()) + 4000)
    missing = unsigned("127.0.0.1", server.port, "GET", "/v1/domains")
    for r, words in [(wrong_secret, "signature"), (unknown_key, "nobody"), (expired, "expired"), (future, "future"), (missing, "Authorization")]:
        assert r.status == 401, r
        assert words in r.message, r
        assert r.json["requestId"] == r.headers["x-bce-request-id"]
