"""Scripts written from the product documents keep working: optional fields take their documented
defaults, unknown fields and query parameters are ignored (unknown values of known fields are
not), a value sent is never dropped silently, and the documented shapes hold."""

import pytest

SETTINGS = {"protocol": "HTTP", "port": 80, "path": "/", "host": "", "expectedCodes": "200-399", "timeoutSec": 10,
            "intervalSec": 60, "faultThreshold": 80, "window": 5, "minErrors": 3, "points": []}


@pytest.fixture
def domain(admin, unique):
    d = admin.call("POST", "/v1/domains", [{"domain": f"{unique('compat')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert admin.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "192.0.2.1", "area": "beijing.CN", "isp": "ct"},
                                                {"domain": d, "endpoint": "192.0.2.2", "area": "beijing.CN", "isp": "cu"}]).status == 200
    return d


@pytest.mark.parametrize("omitted", list(SETTINGS))
def test_each_monitor_setting_may_be_left_out(admin, domain, omitted):
    changed = {**SETTINGS, "port": 8080, "path": "/health", "host": "h.example.com", "expectedCodes": "200",
               "timeoutSec": 5, "intervalSec": 30, "faultThreshold": 50, "window": 4, "minErrors": 2, "protocol": "TCP"}
    body = {k: v for k, v in changed.items() if k != omitted}
    r = admin.call("PUT", f"/v1/domains/{domain}/monitor", body)
    assert r.status == 200, r
    stored = admin.call("GET", f"/v1/domains/{domain}/monitor").json
    assert stored[omitted] == SETTINGS[omitted], (omitted, stored)
    for field, value in body.items():
        assert stored[field] == value, (field, stored)


def test_an_empty_monitor_body_is_the_recommended_settings(admin, domain):
    assert admin.call("PUT", f"/v1/domains/{domain}/monitor", {}).status == 200
    assert admin.call("GET", f"/v1/domains/{domain}/monitor").json == SETTINGS


@pytest.mark.parametrize("call, check", [
    (("POST", "/v1/contacts", {"name": "c-{u}", "email": "ops@example.com"}),
     lambda c, u: {"name": f"c-{u}", "email": "ops@example.com", "phone": "", "webhook": ""} in c.call("GET", "/v1/contacts").json),
    (("PUT", "/v1/contact-groups/g-{u}", {}),
     lambda c, u: {"name": f"g-{u}", "contacts": []} in c.call("GET", "/v1/contact-groups").json),
    (("PUT", "/v1/domains/{d}/notify", {}),
     lambda c, u: c.call("GET", f"/v1/domains/{c.domain}/notify").json == {"contacts": [], "groups": []}),
    (("POST", "/v1/endpoints", [{"domain": "{d}", "endpoint": "192.0.2.3"}]),
     lambda c, u: any(e["endpoint"] == "192.0.2.3" and e["tag"] == "" and e["type"] == "A" for e in c.calls_endpoints())),
    (("POST", "/v1/users", {"username": "u-{u}"}),
     lambda c, u: any(x["username"] == f"u-{u}" for x in c.call("GET", "/v1/users").json)),
    (("POST", "/v1/accesskeys", {}),
     lambda c, u: len(c.call("GET", "/v1/accesskeys").json) >= 2),
], ids=["contact", "contact group", "domain notify", "endpoint", "user", "access key"])
def test_optional_fields_take_their_defaults(admin, domain, unique, call, check):
    u = unique("o")
    method, path, body = call
    fill = lambda x: x.replace("{u}", u).replace("{d}", domain) if isinstance(x, str) else x
    path = fill(path)
    if isinstance(body, list):
        body = [{k: fill(v) for k, v in item.items()} for item in body]
    else:
        body = {k: fill(v) for k, v in body.items()}
    r = admin.call(method, path, body)
    assert r.status == 200, r
    admin.calls_endpoints = lambda: admin.call("GET", "/v1/endpoints", params={"domain": domain}).json
    admin.domain = domain
    assert check(admin, u)


def test_strategy_fields_may_be_left_out(admin, domain):
    # Items without weight/priority/usersets, a rule without area/isp/enable: the defaults.
    body = {domain: {"strategy": {"start": "p", "rules": [{"type": "priority", "name": "p", "items": [
        {"reference": "192.0.2.1"}, {"reference": "192.0.2.2", "priority": 1}]}]}}}
    assert admin.call("POST", "/v1/strategys/update-or-create", body).status == 200
    rule = admin.call("GET", f"/v1/domains/{domain}/strategy").json["strategy"]["rules"][0]
    assert (rule["area"], rule["isp"], rule["enable"]) == ("none.CN", "other", True)
    assert rule["items"][0] == {"reference": "192.0.2.1", "weight": 0, "priority": 0, "usersets": ""}


def test_unknown_fields_and_parameters_are_ignored_unknown_values_are_not(admin, domain, unique):
    name = f"{unique('extra')}.example.com"
    r = admin.call("POST", "/v1/domains", [{"domain": name, "isItmDomain": True, "ttl": 5, "comment": "x"}])
    assert r.status == 200, r
    r = admin.call("GET", "/v1/endpoints", params={"domain": domain, "pageNo": 1, "pageSize": 10})
    assert r.status == 200 and len(r.json) == 2, r
    assert admin.call("PUT", f"/v1/domains/{domain}/monitor", {**SETTINGS, "alarm": True}).status == 200
    console_copy = {domain: {"status": "start", "id": 12, "strategy": {"start": "r", "version": 3, "rules": [
        {"type": "wrr", "name": "r", "uuid": "abc", "items": [{"reference": "192.0.2.1", "weight": 1, "note": ""}]}]},
        "endpointsConf": [{"type": "A", "value": "192.0.2.1", "status": "ok"}]}}
    assert admin.call("POST", "/v1/strategys/update-or-create", console_copy).status == 200
    bad_type = {domain: {"strategy": {"start": "r", "rules": [{"type": "wrrr", "name": "r", "items": []}]}}}
    r = admin.call("POST", "/v1/strategys/update-or-create", bad_type)
    assert r.status == 400 and "wrrr" in r.message, r
    r = admin.call("POST", "/v1/endpoints", [{"domain": domain, "endpoint": "192.0.2.9", "area": "mars.CN"}])
    assert r.status == 400 and "mars.CN" in r.message, r
    r = admin.call("PUT", f"/v1/domains/{domain}/monitor", {**SETTINGS, "protocol": "FTP"})
    assert r.status == 400 and "FTP" in r.message, r


def places(admin, domain):
    return {e["endpoint"]: (e["area"], e["isp"]) for e in admin.call("GET", "/v1/endpoints", params={"domain": domain}).json}


def test_an_update_applies_the_endpoint_places_it_states(admin, domain):
    tree = {"start": "r", "rules": [{"type": "wrr", "name": "r", "items": [{"reference": "192.0.2.1", "weight": 1}]}]}
    # As in the product documents' example: endpointsConf with area and ISP.
    stated = {domain: {"strategy": tree, "endpointsConf": [
        {"type": "A", "value": "192.0.2.1", "area": "anhui.CN", "isp": "cm", "evalHealth": True, "enable": True}]}}
    assert admin.call("POST", "/v1/strategys/update-or-create", stated).status == 200
    assert places(admin, domain)["192.0.2.1"] == ("anhui.CN", "cm")
    assert places(admin, domain)["192.0.2.2"] == ("beijing.CN", "cu"), "an endpoint not listed is untouched"
    audit = admin.call("GET", "/v1/audit", params={"action": "endpoint.update"}).json
    assert any(e["target"] == f"{domain}/192.0.2.1" for e in audit)
    # Left out: the stored values stay.
    silent = {domain: {"strategy": tree, "endpointsConf": [{"type": "A", "value": "192.0.2.1", "evalHealth": False}]}}
    assert admin.call("POST", "/v1/strategys/update-or-create", silent).status == 200
    assert places(admin, domain)["192.0.2.1"] == ("anhui.CN", "cm")
    # A bad value or another type is refused, naming the field; nothing changes.
    for conf, field in [({"type": "A", "value": "192.0.2.1", "area": "mars.CN"}, "endpointsConf[0].area"),
                        ({"type": "A", "value": "192.0.2.1", "isp": "telecom"}, "endpointsConf[0].isp"),
                        ({"type": "AAAA", "value": "192.0.2.1"}, "endpointsConf[0].type")]:
        r = admin.call("POST", "/v1/strategys/update-or-create", {domain: {"strategy": tree, "endpointsConf": [conf]}})
        assert r.status == 400 and field in r.message, (field, r)
    assert places(admin, domain)["192.0.2.1"] == ("anhui.CN", "cm")


def test_deleting_an_unused_endpoint_with_regeneration_leaves_the_strategy_alone(admin, domain):
    hand_made = {domain: {"strategy": {"start": "r", "rules": [{"type": "wrr", "name": "r", "items": [
        {"reference": "192.0.2.1", "weight": 1}]}]}}}
    assert admin.call("POST", "/v1/strategys/update-or-create", hand_made).status == 200
    before = admin.call("GET", f"/v1/domains/{domain}/strategy/versions").json
    r = admin.call("DELETE", "/v1/endpoints/del-with-regen-strategy", [{"domain": domain, "endpoint": "192.0.2.2"}])
    assert r.status == 200, r
    assert admin.call("GET", f"/v1/domains/{domain}/strategy/versions").json == before
    assert admin.call("GET", f"/v1/domains/{domain}/strategy").json["strategy"]["rules"][0]["name"] == "r"
    # A used one is removed by regenerating the recommendation.
    assert admin.call("POST", "/v1/endpoints", [{"domain": domain, "endpoint": "192.0.2.2", "area": "beijing.CN"}]).status == 200
    r = admin.call("DELETE", "/v1/endpoints/del-with-regen-strategy", [{"domain": domain, "endpoint": "192.0.2.1"}])
    assert r.status == 200, r
    rules = admin.call("GET", f"/v1/domains/{domain}/strategy").json["strategy"]["rules"]
    assert [r["name"] for r in rules] == ["根规则", "北京"]
    assert [i["reference"] for i in rules[1]["items"]] == ["192.0.2.2"]


def test_the_recommendation_has_the_seeds_shape_for_one_area(admin, domain):
    assert admin.call("POST", f"/v1/domains/{domain}/recommend-strategy").status == 200
    strategy = admin.call("GET", f"/v1/domains/{domain}/strategy").json["strategy"]
    assert strategy["start"] == "根规则"
    root, beijing = strategy["rules"]
    assert (root["type"], root["name"], [i["reference"] for i in root["items"]]) == ("geoProximity", "根规则", ["北京"])
    assert (beijing["type"], beijing["area"], [i["reference"] for i in beijing["items"]]) == \
        ("wrr", "beijing.CN", ["192.0.2.1", "192.0.2.2"])
