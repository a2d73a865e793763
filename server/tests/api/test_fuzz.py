"""Schemathesis generates requests for every route of /v1/openapi.json (valid and invalid
bodies, parameters and paths), each signed by the official BCE signer (schemathesis_hooks.py),
against a running server on SQLite and on PostgreSQL: none may answer 5xx or crash it, every
status must be a documented one and every answer must match its documented schema."""

import os
import subprocess
import sys
from pathlib import Path

from itm_client import unsigned


def prepared(client, unique):
    """A domain with endpoints and a strategy, a sub-user and a contact for the requests to name."""
    domain = client.call("POST", "/v1/domains", [{"domain": f"{unique('fuzz')}.example.com", "isItmDomain": True}]).json[0]["domain"]
    assert client.call("POST", "/v1/endpoints", [{"domain": domain, "endpoint": "192.0.2.61", "area": "beijing.CN"},
                                                 {"domain": domain, "endpoint": "192.0.2.62", "area": "hebei.CN"}]).status == 200
    assert client.call("POST", f"/v1/domains/{domain}/recommend-strategy").status == 200
    user = unique("fuzzer")
    assert client.call("POST", "/v1/users", {"username": user}).status == 200
    contact = unique("fuzzcontact")
    assert client.call("POST", "/v1/contacts", {"name": contact, "email": "ops@example.com"}).status == 200
    return {"ITM_FUZZ_DOMAIN": domain, "ITM_FUZZ_USER": user, "ITM_FUZZ_CONTACT": contact}


def test_every_route_answers_as_documented(server, unique):
    base = f"http://127.0.0.1:{server.port}"
    things = prepared(server.client(), unique)
    examples = os.environ.get("ITM_FUZZ_EXAMPLES", "60")
    env = {**os.environ, "ITM_FUZZ_AK": server.admin["access key id"], "ITM_FUZZ_SK": server.admin["secret access key"],
           "ITM_FUZZ_HOST": f"127.0.0.1:{server.port}", "PYTHONPATH": str(Path(__file__).parent),
           "SCHEMATHESIS_HOOKS": "schemathesis_hooks", **things}
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/v1/openapi.json", "--base-url", base,
         "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
         "--hypothesis-max-examples", examples, "--hypothesis-seed", "7",
         # Console sessions (cookies) and agents (point tokens) are not signed requests.
         "--exclude-path", "/v1/session", "--exclude-path-regex", "^/v1/agent/",
         "--generation-with-security-parameters", "false",
         "--hypothesis-suppress-health-check", "filter_too_much,too_slow,data_too_large,large_base_example", "--no-color"],
        capture_output=True, text=True, timeout=900, env=env)
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert unsigned("127.0.0.1", server.port, "GET", "/v1/openapi.json").status == 200, "the server survived"
