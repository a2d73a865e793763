"""A small ITM API client for the tests. Requests are signed by Baidu's official signer
(bce-python-sdk's ``bce_v1_signer.sign``), never by our own code, and sent with http.client so the
headers on the wire are exactly the ones signed."""

import http.client
import json
import time
import uuid
from urllib.parse import quote, urlencode

from baidubce import utils
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.raw = body
        self.headers = headers
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def message(self):
        return (self.json or {}).get("message", "") if isinstance(self.json, dict) else ""

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"


class Client:
    """Signs with an access key; ``explicit`` lists the signed headers instead of the default."""

    def __init__(self, host, port, ak, sk, explicit=False):
        self.host, self.port = host, port
        self.credentials = BceCredentials(ak, sk)
        self.explicit = explicit

    def call(self, method, path, body=None, params=None, raw=None, timestamp=None, extra_headers=None,
             expiration=1800):
        return send(self.host, self.port, *self.signed(method, path, body, params, raw, timestamp, extra_headers,
                                                        expiration))

    def signed(self, method, path, body=None, params=None, raw=None, timestamp=None, extra_headers=None,
               expiration=1800):
        """The request to send (method, url, body bytes, headers), signed: send it with ``send``,
        as often as a test wants (a replay)."""
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        host = f"{self.host}:{self.port}"
        headers = {
            b"host": host.encode(),
            b"x-bce-date": utils.get_canonical_time(timestamp or 0),
            b"content-type": b"application/json; charset=utf-8",
            b"content-length": str(len(data)).encode(),
            # As the BCE SDK's service clients do: every request is unique, so two identical
            # writes in one second are two requests, not a replay.
            b"x-bce-request-id": str(uuid.uuid4()).encode(),
        }
        for k, v in (extra_headers or {}).items():
            headers[k.encode()] = v.encode()
        sign_params = {k.encode(): str(v).encode() for k, v in (params or {}).items()}
        to_sign = [b"host", b"x-bce-date"] if self.explicit else None
        authorization = bce_v1_signer.sign(
            self.credentials, method.encode(), path.encode(), headers, sign_params,
            timestamp=timestamp or 0, expiration_in_seconds=expiration, headers_to_sign=to_sign,
        )
        headers[b"authorization"] = authorization
        # RFC 3986 escapes (a space is %20), as the signer canonicalises them: "+" is a literal plus.
        url = path + ("?" + urlencode(params, quote_via=quote) if params else "")
        return method, url, data, headers


def send(host, port, method, url, data, headers):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        plain = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v for k, v in headers.items()}
        conn.putrequest(method, url, skip_host=True, skip_accept_encoding=True)
        for k, v in plain.items():
            conn.putheader(k, v)
        conn.endheaders(data or None)
        r = conn.getresponse()
        return Response(r.status, r.read(), {k.lower(): v for k, v in r.getheaders()})
    finally:
        conn.close()


def unsigned(host, port, method, url, body=None, headers=None):
    data = b"" if body is None else json.dumps(body).encode()
    h = {"host": f"{host}:{port}", "content-length": str(len(data))}
    h.update(headers or {})
    return send(host, port, method, url, data, h)


def wait_until(predicate, timeout=30.0, interval=0.05):
    """Polls ``predicate`` until it is truthy or the deadline passes (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
