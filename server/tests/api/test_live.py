"""The console's live view, ``GET /console/events``: server-sent events that name the account's
own domains as their configuration, health and probe results change. Read raw, as a browser's
EventSource reads them; tried as a stranger, as another account and after logout."""

import http.client
import json
import subprocess
import time

from conftest import ITM
from itm_client import wait_until
from loopback import Target, free_port
from test_security import login, session_value


class EventStream:
    """One open ``/console/events`` response, read event by event."""

    def __init__(self, server, cookie=None, last_event_id=None, since=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        headers = {"Accept": "text/event-stream"}
        if cookie:
            headers["Cookie"] = cookie
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        path = "/console/events" + (f"?since={since}" if since else "")
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.last_id = None

    def next(self, timeout=20):
        """The next event as a dict (``event``, ``id``, ``data``), comments skipped; None when the
        stream ends."""
        self.connection.sock.settimeout(timeout)
        fields = {}
        while True:
            line = self.response.readline()
            if not line:
                return None
            line = line.decode().rstrip("\n")
            if line == "":
                if "id" in fields:
                    self.last_id = fields["id"]
                if "event" in fields or "data" in fields:
                    if "data" in fields:
                        fields["data"] = json.loads(fields["data"])
                    return fields
                fields = {}
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")

    def until(self, predicate, timeout=20):
        """Events until one satisfies ``predicate``; all of them (that one last)."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            event = self.next(timeout=max(0.1, deadline - time.monotonic()))
            assert event is not None, f"the stream ended; events so far: {seen}"
            seen.append(event)
            if predicate(event):
                return seen
        raise AssertionError(f"no such event within {timeout} s: {seen}")

    def ready(self):
        """Reads the opening ``position`` event (the first id)."""
        event = self.next()
        assert event and event["event"] == "position" and event["id"], event
        return self

    def close(self):
        self.connection.close()


def names(event, kind):
    return set(event.get("data", {}).get(kind, []))


def told(event, kind, domain):
    """Whether ``event`` tells that ``domain`` changed: by name, or as "everything" (a node on
    PostgreSQL says so when its change listener connects, which may follow its first start)."""
    return domain in names(event, kind) or event.get("data", {}).get("everything") is True


def session_of(server, username, password, account_id=None):
    status, cookie, _ = login(server, username, password, account_id)
    assert status == 200, status
    return session_value(cookie)


def other_account(server, unique):
    out = subprocess.run([ITM, "account", "create", "--name", unique("live"), "--json", "--database", server.database,
                          "--master-key-file", str(server.workdir / "master.key")], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def new_domain(client, unique):
    r = client.call("POST", "/v1/domains", [{"domain": f"{unique('live')}.example.com", "isItmDomain": True}])
    assert r.status == 200, r
    return r.json[0]["domain"]


def test_a_session_sees_its_own_domains_change_and_never_another_accounts(server, admin, unique):
    mine = EventStream(server, session_of(server, server.admin["user name"], server.admin["password"])).ready()
    other = other_account(server, unique)
    stranger_client = server.client(other["accessKeyId"], other["secretAccessKey"])
    stranger = EventStream(server, session_of(server, other["username"], other["password"])).ready()
    try:
        assert mine.status == 200 and stranger.status == 200
        assert mine.response.getheader("content-type") == "text/event-stream"

        d = new_domain(admin, unique)
        events = mine.until(lambda e: told(e, "config", d))
        assert all(e["event"] == "changed" for e in events)

        # The other account changes something of its own: its stream names that, and nothing of
        # ours came before it.
        e = new_domain(stranger_client, unique)
        for event in stranger.until(lambda ev: told(ev, "config", e)):
            assert d not in json.dumps(event), event
        assert admin.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "192.0.2.10"}]).status == 200
        mine.until(lambda ev: told(ev, "config", d))
        e2 = new_domain(stranger_client, unique)
        for event in stranger.until(lambda ev: told(ev, "config", e2)):
            assert d not in json.dumps(event), event
        # And ours never names theirs.
        d2 = new_domain(admin, unique)
        for event in mine.until(lambda ev: told(ev, "config", d2)):
            assert e not in json.dumps(event) and e2 not in json.dumps(event), event
    finally:
        mine.close()
        stranger.close()


def test_a_stream_resumes_from_its_last_id_and_a_foreign_id_reads_everything_again(server, admin, unique):
    cookie = session_of(server, server.admin["user name"], server.admin["password"])
    first = EventStream(server, cookie).ready()
    position = first.last_id
    first.close()
    d = new_domain(admin, unique)  # while no stream is open
    # Told by name, or as "everything" when the node reloaded meanwhile (its change listener
    # connected, or DNS found the store ahead): both make the page read again.
    for resumed in (EventStream(server, cookie, last_event_id=position), EventStream(server, cookie, since=position)):
        try:
            resumed.until(lambda ev: told(ev, "config", d))
        finally:
            resumed.close()
    # An id this process never gave (another node, a restart): every page reads again.
    instance = position.split(".")[0]
    for foreign in (f"not{instance}.1.2.3", "garbage"):
        stream = EventStream(server, cookie, last_event_id=foreign)
        try:
            event = stream.until(lambda e: e["event"] != "position")[-1]
            assert event["event"] == "changed" and event["data"]["everything"] is True, event
        finally:
            stream.close()


def test_strangers_are_refused_and_a_logout_ends_the_stream(server, admin, unique):
    for cookie in (None, "itm_session=not-a-session"):
        stream = EventStream(server, cookie)
        assert stream.status == 401, stream.status
        stream.close()
    # A signed API call is not a console session.
    signed = admin.call("GET", "/console/events")
    assert signed.status == 401, signed

    cookie = session_of(server, server.admin["user name"], server.admin["password"])
    stream = EventStream(server, cookie).ready()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("DELETE", "/v1/session", headers={"Cookie": cookie, "Sec-Fetch-Site": "same-origin"})
        assert conn.getresponse().status in (200, 204)
        conn.close()
        new_domain(admin, unique)
        events = stream.until(lambda ev: ev.get("event") == "ended")
        assert events[-1]["data"] == {"status": 401}
        assert stream.next(timeout=5) is None, "the stream closes after saying why"
    finally:
        stream.close()


def test_one_user_holds_at_most_eight_live_views(server, unique):
    cookie = session_of(server, server.admin["user name"], server.admin["password"])
    streams = [EventStream(server, cookie).ready() for _ in range(8)]
    try:
        ninth = EventStream(server, cookie)
        assert ninth.status == 429, ninth.status
        ninth.close()
        streams.pop().close()

        def ninth_admitted():
            s = EventStream(server, cookie)
            s.close()
            return s.status == 200
        # The closed one's place is freed once the server sees the socket close.
        deadline = time.monotonic() + 10
        while not ninth_admitted():
            assert time.monotonic() < deadline, "a closed view's place was never freed"
            time.sleep(0.05)
    finally:
        for s in streams:
            s.close()


def test_health_and_probe_results_are_told_as_monitoring_sees_them(server, admin, unique):
    port = free_port()
    target = Target("127.0.0.1", port)
    cookie = session_of(server, server.admin["user name"], server.admin["password"])
    stream = EventStream(server, cookie).ready()
    try:
        d = new_domain(admin, unique)
        assert admin.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1"}]).status == 200
        assert admin.call("POST", f"/v1/domains/{d}/recommend-strategy").status == 200
        monitor = {"protocol": "HTTP", "port": port, "path": "/", "host": "", "expectedCodes": "200-299",
                   "timeoutSec": 1, "intervalSec": 1, "faultThreshold": 80, "window": 2, "minErrors": 1, "points": []}
        assert admin.call("PUT", f"/v1/domains/{d}/monitor", monitor).status == 200
        assert admin.call("PUT", f"/v1/domains/{d}/status", {"status": "start"}).status == 200
        def state():
            return {e["endpoint"]: e["status"] for e in admin.call("GET", "/v1/endpoints", params={"domain": d}).json}

        stream.until(lambda ev: d in names(ev, "probes"))
        wait_until(lambda: state() == {"127.0.0.1": "ok"})
        target.status = 503
        flipped = time.monotonic()
        stream.until(lambda ev: d in names(ev, "health") and state() == {"127.0.0.1": "fail"})
        print(f"down told {time.monotonic() - flipped:.2f} s after the target failed")
    finally:
        stream.close()
        target.close()
