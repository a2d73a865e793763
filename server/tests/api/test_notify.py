"""Notifications end to end: a real SMTP server (aiosmtpd), an SMS gateway and a webhook receiver
on loopback, an endpoint that goes down and flaps, and the delivery log."""

import email
import email.policy
import http.server
import json
import socket
import threading
import time
import urllib.parse

import pytest
from aiosmtpd.controller import Controller

from conftest import Server, backends, create_pg_database
from itm_client import wait_until
from loopback import Target, free_port

QUIET_SEC = 12


class Inbox:
    """An aiosmtpd handler keeping every message."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"

    def subjects(self):
        return [str(email.message_from_string(m["data"], policy=email.policy.default)["subject"]) for m in self.messages]


class Receiver:
    """An HTTP server keeping every request (path and body): the webhook and the SMS gateway."""

    def __init__(self):
        receiver = self
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _keep(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append({"method": self.command, "path": self.path,
                                          "body": self.rfile.read(length).decode()})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _keep

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Flaky(Receiver):
    """A webhook that fails its first ``failures`` calls with 500."""

    def __init__(self, failures):
        super().__init__()
        self.failures = failures
        handler = self.server.RequestHandlerClass
        flaky = self

        class Failing(handler):
            def do_POST(self):
                if flaky.failures > 0:
                    flaky.failures -= 1
                    length = int(self.headers.get("Content-Length") or 0)
                    self.rfile.read(length)
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                handler.do_POST(self)

        self.server.RequestHandlerClass = Failing


@pytest.fixture(scope="module", params=backends())
def notifying(request, tmp_path_factory):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    gateway, hooks = Receiver(), Receiver()
    workdir = tmp_path_factory.mktemp(f"itm-notify-{request.param}")
    database = f"sqlite://{workdir}/itm.db?mode=rwc" if request.param == "sqlite" else create_pg_database()
    server = Server(workdir, database, [
        "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port), "--smtp-tls", "none",
        "--smtp-from", "ITM <itm@example.com>",
        "--sms-url", f"http://127.0.0.1:{gateway.port}/send?to={{phone}}&text={{text}}",
        "--notify-quiet-sec", str(QUIET_SEC)]).start()
    yield server, inbox, gateway, hooks
    server.stop()
    smtp.stop()
    gateway.close()
    hooks.close()


def test_contacts_are_notified_once_per_channel_and_flapping_does_not_flood(notifying, unique):
    server, inbox, gateway, hooks = notifying
    c = server.client()
    target = Target("127.0.0.1", free_port())
    try:
        r = c.call("POST", "/v1/contacts", {"name": "ops", "email": "ops@example.com", "phone": "+86 138-0000-0000",
                                            "webhook": f"http://127.0.0.1:{hooks.port}/hook"})
        assert r.status == 200, r
        assert "email" in c.call("POST", "/v1/contacts", {"name": "bad", "email": "not-an-address"}).message
        assert "webhook" in c.call("POST", "/v1/contacts", {"name": "bad", "webhook": "ftp://x"}).message
        assert c.call("PUT", "/v1/contact-groups/oncall", {"contacts": ["ops"]}).status == 200
        assert "contacts[0]" in c.call("PUT", "/v1/contact-groups/x", {"contacts": ["nobody"]}).message
        assert c.call("GET", "/v1/contact-groups").json == [{"name": "oncall", "contacts": ["ops"]}]

        d = c.call("POST", "/v1/domains", [{"domain": f"{unique('nt')}.example.com", "isItmDomain": True}]).json[0]["domain"]
        assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1"}]).status == 200
        monitor = {"protocol": "HTTP", "port": target.port, "path": "/", "host": "",
                   "expectedCodes": "200-299", "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 80, "window": 1,
                   "minErrors": 1, "points": []}
        assert c.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
        # Chosen directly and through the group: still one message per channel.
        choice = {"contacts": ["ops"], "groups": ["oncall"]}
        assert c.call("PUT", f"/v1/domains/{d}/notify", choice).status == 200
        assert c.call("GET", f"/v1/domains/{d}/notify").json == choice
        assert c.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200

        def state():
            return c.call("GET", "/v1/endpoints", params={"domain": d}).json[0]["status"]

        wait_until(lambda: state() == "ok", timeout=30)
        target.status = 503
        wait_until(lambda: any("127.0.0.1 is DOWN" in s and d in s for s in inbox.subjects()), timeout=30)
        wait_until(lambda: any(json.loads(h["body"]).get("to") == "down" for h in hooks.requests), timeout=30)
        wait_until(lambda: any("127.0.0.1" in urllib.parse.unquote(g["path"]) for g in gateway.requests), timeout=30)
        hook = next(json.loads(h["body"]) for h in hooks.requests if json.loads(h["body"]).get("to") == "down")
        assert hook["domain"] == d and hook["endpoint"] == "127.0.0.1" and hook["event"] == "endpointState"
        assert hook["evidence"]["points"][0]["httpStatus"] == 503
        sms = urllib.parse.parse_qs(urllib.parse.urlparse(next(
            g["path"] for g in gateway.requests if "DOWN" in urllib.parse.unquote(g["path"]))).query)
        assert sms["to"] == ["+86 138-0000-0000"] and "127.0.0.1 is DOWN" in sms["text"][0]
        down_mails = [s for s in inbox.subjects() if "127.0.0.1 is DOWN" in s and d in s]
        assert len(down_mails) == 1, "one e-mail although the contact is chosen twice"

        # Flap: up, down, up, down within the quiet period.
        for status, expected in [(200, "ok"), (503, "fail"), (200, "ok"), (503, "fail")]:
            target.status = status
            wait_until(lambda: state() == expected, timeout=30)
        changes = [e for e in c.call("GET", f"/v1/domains/{d}/health-events").json if e["endpoint"] == "127.0.0.1"]
        assert len(changes) >= 5
        mine = [m for m in c.call("GET", "/v1/deliveries").json if d in m["subject"] and "127.0.0.1" in m["subject"]]
        emails = [m for m in mine if m["channel"] == "email"]
        assert [m for m in emails if m["status"] in ("pending", "sent", "failed")].__len__() == 1, emails
        assert sum(m["status"] == "suppressed" for m in emails) >= 3, emails

        # After the quiet period one summary carries the latest state.
        summary = wait_until(lambda: next((s for s in inbox.subjects() if d in s and "127.0.0.1" in s and "summary of" in s),
                                          None), timeout=QUIET_SEC * 3)
        assert "127.0.0.1 is DOWN" in summary
        mine = [m for m in c.call("GET", "/v1/deliveries").json if d in m["subject"] and "127.0.0.1" in m["subject"]]
        sent_times = sorted(m["time"] for m in mine if m["channel"] == "email" and m["status"] in ("pending", "sent", "failed"))
        assert all(b - a >= QUIET_SEC * 1000 for a, b in zip(sent_times, sent_times[1:])), sent_times
        assert not any(m["status"] == "suppressed" for m in mine if m["channel"] == "email"), "all folded into the summary"
        assert all(m["status"] == "sent" for m in mine if m["channel"] in ("email", "webhook", "sms")
                   and m["status"] not in ("suppressed", "summarized", "pending")), mine
    finally:
        target.close()


def test_a_failed_delivery_is_retried_with_backoff(notifying, unique):
    server, _, _, _ = notifying
    c = server.client()
    hook = Flaky(failures=1)
    target = Target("127.0.0.1", free_port())
    try:
        name = unique("retry")
        assert c.call("POST", "/v1/contacts", {"name": name, "webhook": f"http://127.0.0.1:{hook.port}/h"}).status == 200
        d = c.call("POST", "/v1/domains", [{"domain": f"{unique('rt')}.example.com", "isItmDomain": True}]).json[0]["domain"]
        assert c.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1"}]).status == 200
        monitor = {"protocol": "HTTP", "port": target.port, "path": "/", "host": "",
                   "expectedCodes": "200-299", "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 80, "window": 1,
                   "minErrors": 1, "points": []}
        assert c.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
        assert c.call("PUT", f"/v1/domains/{d}/notify", {"contacts": [name]}).status == 200
        target.status = 503
        assert c.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200

        def delivery():
            return next((m for m in c.call("GET", "/v1/deliveries").json
                         if m["contact"] == name and "127.0.0.1" in m["subject"]), None)

        first = wait_until(lambda: (lambda m: m if m and m["attempts"] == 1 else None)(delivery()), timeout=30)
        assert first["status"] == "pending" and "500" in first["lastError"]
        sent = wait_until(lambda: (lambda m: m if m and m["status"] == "sent" else None)(delivery()), timeout=30)
        assert sent["attempts"] == 2 and sent["sentAt"] - sent["time"] >= 5000, sent
        about_endpoint = [json.loads(r["body"]) for r in hook.requests if json.loads(r["body"])["endpoint"] == "127.0.0.1"]
        assert [h["to"] for h in about_endpoint] == ["down"], "delivered once, after the failed attempt"
    finally:
        target.close()
        hook.close()


def test_a_test_message_goes_out_on_every_channel_once_per_spacing(notifying, unique):
    server, inbox, gateway, hooks = notifying
    c = server.client()
    name = unique("tst")
    r = c.call("POST", "/v1/contacts", {"name": name, "email": f"{name}@example.com", "phone": "+86 139-0000-0000",
                                        "webhook": f"http://127.0.0.1:{hooks.port}/hook"})
    assert r.status == 200, r
    r = c.call("POST", f"/v1/contacts/{name}/test")
    assert r.status == 200 and r.json == {"queued": 3}, r
    wait_until(lambda: any(m["to"] == [f"{name}@example.com"] and "Subject: [ITM] test notification" in m["data"]
                           for m in inbox.messages))
    wait_until(lambda: any(json.loads(h["body"]).get("event") == "test" and json.loads(h["body"]).get("contact") == name
                           for h in hooks.requests))
    wait_until(lambda: any(name in urllib.parse.unquote(g["path"]) for g in gateway.requests))
    log = [m for m in c.call("GET", "/v1/deliveries").json if m["contact"] == name]
    assert sorted(m["channel"] for m in log) == ["email", "sms", "webhook"], log
    # A second test at once is refused, and queues nothing.
    again = c.call("POST", f"/v1/contacts/{name}/test")
    assert again.status == 429 and "30 s" in again.message, again
    assert len([m for m in c.call("GET", "/v1/deliveries").json if m["contact"] == name]) == 3
    missing = c.call("POST", f"/v1/contacts/{unique('none')}/test")
    assert missing.status == 404, missing
    audit = c.call("GET", "/v1/audit").json
    assert any(e.get("action") == "contact.test" and e.get("target") == name for e in audit), audit[:5]
