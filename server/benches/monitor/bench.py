#!/usr/bin/env python3
"""Monitoring benchmark: one `itm serve` keeping N endpoints (default 10,000: 1,000 domains × 10)
under HTTP monitoring at intervalSec 10 (1,000 probes/s) against a local target on loopback.

Reports the server's CPU (cores used while monitoring), the probes made per second, how late
rounds were (the largest gap between two probes of one endpoint, minus the interval), and the
detection-to-answer latency: from the end of the probe that decided an endpoint Down to the moment
DNS answers with the backup (polled every 2 ms).

Run after `cargo build --release -p itm-server`:
    python3 server/benches/monitor/bench.py [--domains 1000] [--per-domain 10] [--seconds 60]
"""

import argparse
import asyncio
import json
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "server", "benches", "dns"))
from bench import Api, cpu_seconds, free_port  # noqa: E402


class Target:
    """A minimal HTTP responder on 0.0.0.0:port (every 127.x.y.z reaches it), in its own thread;
    `status` is what it answers to 127.0.0.1 (the failover domain's primary), 200 to the rest."""

    def __init__(self):
        self.status = 200
        self.port = free_port()
        self.served = 0
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        async def handle(reader, writer):
            try:
                await reader.readuntil(b"\r\n\r\n")
                peer_target = writer.get_extra_info("sockname")[0]
                status = self.status if peer_target == "127.0.0.1" else 200
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
                await writer.drain()
                self.served += 1
            except Exception:
                pass
            finally:
                writer.close()

        async def main():
            server = await asyncio.start_server(handle, "0.0.0.0", self.port, backlog=4096)
            ready.set()
            async with server:
                await server.serve_forever()

        asyncio.run(main())


def dns_answer(port, name):
    """One A query over UDP, the first answer's address (or None)."""
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    query = struct.pack(">HHHHHH", 0x1234, 0, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        s.sendto(query, ("127.0.0.1", port))
        try:
            reply = s.recv(512)
        except socket.timeout:
            return None
    return socket.inet_ntoa(reply[-4:]) if struct.unpack(">H", reply[6:8])[0] else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--domains", type=int, default=1000)
    ap.add_argument("--per-domain", type=int, default=10)
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--itm", default=os.path.join(ROOT, "target", "release", "itm"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="itm-monbench-")
    target = Target()
    http, dns = free_port(), free_port()
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen(
        [args.itm, "serve", "--http", f"127.0.0.1:{http}", "--dns", f"127.0.0.1:{dns}",
         "--database", f"sqlite://{work}/itm.db?mode=rwc", "--master-key-file", f"{work}/key",
         "--site-root", work, "--probe-networks", "127.0.0.0/8", "--probe-concurrency", "512"],
        cwd=work, stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, "ITM_LOG": "warn"})
    creds = {}
    for line in server.stdout:
        if m := re.match(r"\s+(account id|user name|password):\s+(\S+)", line):
            creds[m.group(1)] = m.group(2)
        if line.startswith("ITM console"):
            break
    try:
        api = Api(http, creds["user name"], creds["password"])
        account = creds["account id"]
        names = [f"m{i}.bench.example.com" for i in range(args.domains)]
        for chunk in range(0, len(names), 2000):
            api.call("POST", "/v1/domains", [{"domain": n, "isItmDomain": True} for n in names[chunk:chunk + 2000]])
        listed = [f"{n}.{account}" for n in names]
        endpoints, strategies = [], {}
        for i, d in enumerate(listed):
            ips = [f"127.{1 + i // 250 % 250}.{i % 250}.{k + 1}" for k in range(args.per_domain)]
            endpoints += [{"domain": d, "endpoint": ip, "area": "beijing.CN", "isp": "ct"} for ip in ips]
            strategies[d] = {"strategy": {"start": "w", "rules": [{"type": "wrr", "name": "w", "items": [
                {"reference": ip, "weight": 1} for ip in ips]}]}}
        for chunk in range(0, len(endpoints), 8000):
            api.call("POST", "/v1/endpoints", endpoints[chunk:chunk + 8000])
        keys = list(strategies)
        for chunk in range(0, len(keys), 2000):
            api.call("POST", "/v1/strategys/update-or-create", {k: strategies[k] for k in keys[chunk:chunk + 2000]})
        monitor = {"protocol": "HTTP", "port": target.port, "path": "/", "host": "", "expectedCodes": "200-399",
                   "timeoutSec": 5, "intervalSec": args.interval, "faultThreshold": 80, "window": 3, "minErrors": 2,
                   "points": []}
        for d in listed:
            api.call("PUT", f"/v1/domains/{d}/monitor", monitor)
        total = args.domains * args.per_domain
        print(f"configured {args.domains} domains × {args.per_domain} endpoints = {total} endpoints, "
              f"interval {args.interval} s → {total / args.interval:.0f} probes/s expected")
        # Warm up one interval, then measure.
        time.sleep(args.interval + 2)  # letting the rounds start (load, not synchronisation)
        db = sqlite3.connect(f"{work}/itm.db")
        started_ms = int(time.time() * 1000)
        cpu_before, served_before, wall = cpu_seconds(server.pid), target.served, time.time()
        time.sleep(args.seconds)  # the measurement window
        cpu = cpu_seconds(server.pid) - cpu_before
        wall = time.time() - wall
        served = target.served - served_before
        rows = db.execute("SELECT COUNT(*), SUM(ok) FROM probe_results WHERE at >= ?", (started_ms,)).fetchone()
        gaps = db.execute(
            "SELECT MAX(gap) FROM (SELECT at - LAG(at) OVER (PARTITION BY domain_id, endpoint ORDER BY at) AS gap "
            "FROM probe_results WHERE at >= ?)", (started_ms,)).fetchone()[0] or 0
        late_ms = max(0, gaps - args.interval * 1000)

        # Detection to answer: a priority domain probed every second, window 1, minErrors 1.
        d = api.call("POST", "/v1/domains", [{"domain": "failover.bench.example.com", "isItmDomain": True}])[0]["domain"]
        api.call("POST", "/v1/endpoints", [{"domain": d, "endpoint": "127.0.0.1"}, {"domain": d, "endpoint": "127.0.0.2"}])
        api.call("POST", "/v1/strategys/update-or-create", {d: {"strategy": {"start": "p", "rules": [
            {"type": "priority", "name": "p", "items": [{"reference": "127.0.0.1", "priority": 1},
                                                         {"reference": "127.0.0.2", "priority": 2}]}]}}})
        api.call("PUT", f"/v1/domains/{d}/monitor", {**monitor, "intervalSec": 1, "window": 1, "minErrors": 1})
        name = f"{d}.itm.localhost"
        deadline = time.time() + 60
        while dns_answer(dns, name) != "127.0.0.1" and time.time() < deadline:
            time.sleep(0.01)
        domain_id = db.execute("SELECT id FROM domains WHERE name = ?", (d,)).fetchone()[0]
        deadline = time.time() + 60
        while not db.execute("SELECT 1 FROM endpoint_health WHERE domain_id = ? AND endpoint = '127.0.0.1' AND state = 'up'",
                             (domain_id,)).fetchone() and time.time() < deadline:
            time.sleep(0.05)
        target.status = 503
        switched = None
        deadline = time.time() + 30
        while time.time() < deadline:
            if dns_answer(dns, name) == "127.0.0.2":
                switched = time.time() * 1000
                break
            time.sleep(0.002)
        probe = db.execute(
            "SELECT at, latency_ms FROM probe_results WHERE domain_id = ? AND endpoint = '127.0.0.1' AND ok = 0 "
            "ORDER BY at LIMIT 1", (domain_id,)).fetchone()
        detection_ms = switched - (probe[0] + (probe[1] or 0)) if switched and probe else None
        report = {
            "endpoints": total,
            "interval_sec": args.interval,
            "measured_sec": round(wall, 1),
            "server_cores_used": round(cpu / wall, 3),
            "probes_per_sec_stored": round(rows[0] / wall, 1),
            "probes_ok": rows[1],
            "target_requests_per_sec": round(served / wall, 1),
            "largest_round_delay_ms": late_ms,
            "detection_to_answer_ms": round(detection_ms, 1) if detection_ms is not None else None,
        }
        print(json.dumps(report, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
