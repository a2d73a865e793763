"""Schemathesis generates requests for every route of /v1/openapi.json (valid and invalid
bodies, parameters and paths) against a running server: none may answer 5xx or crash it."""

import os
import subprocess
import sys

from itm_client import unsigned


def test_no_route_answers_a_server_error(server):
    login = unsigned("127.0.0.1", server.port, "POST", "/v1/session",
                     {"username": server.admin["user name"], "password": server.admin["password"]})
    assert login.status == 200, login
    cookie = login.headers["set-cookie"].split(";")[0]
    base = f"http://127.0.0.1:{server.port}"
    examples = os.environ.get("ITM_FUZZ_EXAMPLES", "60")
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/v1/openapi.json", "--base-url", base,
         "--checks", "not_a_server_error", "--hypothesis-max-examples", examples, "--hypothesis-seed", "7",
         "--exclude-path", "/v1/session", "-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {login.json['csrfToken']}",
         "--generation-with-security-parameters", "false",
         "--hypothesis-suppress-health-check", "filter_too_much,too_slow,data_too_large,large_base_example", "--no-color"],
        capture_output=True, text=True, timeout=900)
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert unsigned("127.0.0.1", server.port, "GET", "/v1/openapi.json").status == 200, "the server survived"
