"""Things on loopback the monitoring tests probe or query: HTTP targets whose answer a test
changes, a free port, and ``dig`` against the server's DNS."""

import http.server
import socket
import subprocess
import threading


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Target:
    """An HTTP server on ``ip:port`` answering every GET with ``self.status`` (or with
    ``refuse_status`` to clients connecting from ``refuse_from``)."""

    def __init__(self, ip, port, refuse_from=None, refuse_status=503):
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                target.hits += 1
                from_refused = refuse_from is not None and self.client_address[0] == refuse_from
                self.send_response(refuse_status if from_refused else target.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.status, self.hits = 200, 0
        self.server = http.server.ThreadingHTTPServer((ip, port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def two_targets(**kwargs):
    """A primary on 127.0.0.1 and a backup on 127.0.0.2 on the same port (monitor settings name
    one port per domain)."""
    for _ in range(20):
        port = free_port()
        try:
            primary = Target("127.0.0.1", port, **kwargs)
        except OSError:
            continue
        try:
            return primary, Target("127.0.0.2", port, **kwargs), port
        except OSError:
            primary.close()
    raise AssertionError("no port free on both loopback addresses")


def dig(server, name):
    """The A records ``dig`` gets for ``name`` from the server's DNS."""
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(server.dns_port), name, "A", "+short", "+time=1", "+tries=1"],
                         capture_output=True, text=True).stdout
    return out.split()
