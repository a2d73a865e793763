#!/usr/bin/env python3
"""DNS benchmark: `itm serve` with N generated domains (mixed strategies) against dnsperf, beside
a bare hickory-server handler answering one static record (`itm dns-baseline`), the framework's
own floor. The figure that holds on a shared machine is the server's CPU time per answered
query: utime+stime from /proc/PID/stat before and after, divided by the answers dnsperf got.

Server and load generator are pinned to one core each (taskset). Queries are pre-encoded
(dnsperf -B) so each carries its own EDNS Client Subnet, spreading them over user groups.

usage: bench.py [--domains 1000] [--seconds 10] [--itm target/release/itm]
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# /24s of the 2024 ip2region data spread over provinces and ISPs (and a few abroad).
SUBNETS = [
    "1.2.5.0", "120.196.0.0", "61.139.0.0", "202.96.64.0", "42.247.1.0", "61.139.192.0", "202.96.134.0",
    "61.129.0.0", "1.1.9.0", "1.1.1.0", "8.8.8.0", "218.30.19.0", "221.130.33.0", "123.125.115.0",
    "183.232.231.0", "113.108.81.0", "117.136.0.0", "221.179.155.0", "202.112.0.0", "58.56.0.0",
    "60.28.0.0", "222.186.0.0", "59.172.0.0", "175.0.0.0", "110.176.0.0", "182.136.0.0", "36.96.0.0",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Api:
    def __init__(self, port, username, password):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.csrf = self.call("POST", "/v1/session", {"username": username, "password": password})["csrfToken"]

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
        if getattr(self, "csrf", None):
            req.add_header("X-CSRF-Token", self.csrf)
        with self.opener.open(req, timeout=600) as r:
            return json.loads(r.read() or b"null")


def strategy_for(i, ips):
    """Mixed shapes: wrr, primary/backup, geo over areas, mapping over a priority."""
    kind = i % 4
    if kind == 0:
        rules = [{"type": "wrr", "name": "w", "items": [{"reference": ip, "weight": w + 1} for w, ip in enumerate(ips)]}]
    elif kind == 1:
        rules = [{"type": "priority", "name": "p", "items": [{"reference": ip, "priority": p + 1} for p, ip in enumerate(ips)]}]
    elif kind == 2:
        rules = [{"type": "geoProximity", "name": "g", "items": [{"reference": ip} for ip in ips]}]
    else:
        rules = [
            {"type": "priority", "name": "root", "items": [{"reference": "m", "priority": 1}, {"reference": ips[-1], "priority": 2}]},
            {"type": "usersetMapping", "name": "m", "items": [
                {"reference": ips[0], "usersets": "*/ct"}, {"reference": ips[1], "usersets": "*/cu;beijing.CN/*"},
                {"reference": ips[2], "usersets": ""}]},
        ]
    return {"strategy": {"start": rules[0]["name"], "rules": rules}}


AREAS = ["beijing.CN", "shanghai.CN", "guangdong.CN", "sichuan.CN", "liaoning.CN", "hubei.CN"]


def configure(api, domains, account):
    names = [f"d{i}.bench.example.com" for i in range(domains)]
    for chunk in range(0, domains, 2000):
        api.call("POST", "/v1/domains", [{"domain": n, "isItmDomain": True} for n in names[chunk:chunk + 2000]])
    listed = [f"{n}.{account}" for n in names]
    endpoints, strategies = [], {}
    for i, d in enumerate(listed):
        # 198.18.0.0/15 (RFC 2544, for benchmarks): never routed, and not a range the server
        # refuses as an endpoint.
        ips = [f"198.{18 + i // 16384}.{i // 64 % 256}.{i % 64 * 4 + k}" for k in range(4)]
        for k, ip in enumerate(ips):
            endpoints.append({"domain": d, "endpoint": ip, "area": AREAS[(i + k) % len(AREAS)], "isp": ["ct", "cu", "cm"][k % 3]})
        strategies[d] = strategy_for(i, ips)
    for chunk in range(0, len(endpoints), 8000):
        api.call("POST", "/v1/endpoints", endpoints[chunk:chunk + 8000])
    keys = list(strategies)
    for chunk in range(0, len(keys), 2000):
        api.call("POST", "/v1/strategys/update-or-create", {k: strategies[k] for k in keys[chunk:chunk + 2000]})
    return listed


def encode_query(qid, name, qtype, subnet):
    header = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1)
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    question = qname + struct.pack(">HH", qtype, 1)
    addr = bytes(int(x) for x in subnet.split(".")[:3])
    ecs = struct.pack(">HBB", 1, 24, 0) + addr
    option = struct.pack(">HH", 8, len(ecs)) + ecs
    opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(option)) + option
    return header + question + opt


def query_file(path, names, zone, count, seed=7):
    rng = random.Random(seed)
    with open(path, "wb") as f:
        for i in range(count):
            msg = encode_query(i % 65536, f"{rng.choice(names)}.{zone}", 28 if rng.random() < 0.1 else 1, rng.choice(SUBNETS))
            f.write(struct.pack(">H", len(msg)) + msg)


def dnsperf(port, queries, seconds, rate=None, verbose=False):
    cmd = ["taskset", "-c", "1", "dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries, "-B", "-l", str(seconds),
           "-c", "8", "-q", "500", "-t", "2"]
    if rate:
        cmd += ["-Q", str(int(rate))]
    if verbose:
        cmd += ["-v"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    codes = dict((c, int(n)) for c, n in re.findall(r"([A-Z]+) (\d+) \(", out.split("Response codes:")[1].splitlines()[0])) if "Response codes:" in out else {}
    completed = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))
    avg = float(re.search(r"Average Latency \(s\):\s+([\d.]+)", out).group(1))
    latencies = sorted(float(m) for m in re.findall(r"^> \S+ .* ([\d.]+)$", out, re.M)) if verbose else []
    return {"completed": completed, "lost": lost, "qps": qps, "avg_ms": avg * 1000, "codes": codes, "latencies": latencies}


def churn(api, names, per_second, seconds, stop):
    """Changes the configuration `per_second` times a second: TTLs and status flips."""
    rng = random.Random(11)
    done = 0
    deadline = time.time() + seconds
    while time.time() < deadline and not stop.is_set():
        name = rng.choice(names)
        api.call("PUT", f"/v1/domains/{name}/ttl", {"ttl": rng.randint(30, 600)})
        done += 1
        time.sleep(max(0.0, 1.0 / per_second - 0.002))  # pacing the writer, not synchronising
    return done


GDNSD_CONFIG = """options => {
  listen => [ 127.0.0.1:%(port)d ]
  run_dir => %(dir)s/run
  state_dir => %(dir)s/state
  udp_threads => 1
  tcp_threads => 1
}
plugins => { weighted => { www => {
  a = [ 10.0.0.1, 1 ]
  b = [ 10.0.0.2, 2 ]
  c = [ 10.0.0.3, 3 ]
  d = [ 10.0.0.4, 4 ]
} } }
"""

GDNSD_ZONE = """$TTL 86400
@ SOA ns1 hostmaster ( 1 7200 1800 259200 900 )
@ NS ns1
ns1 A 192.0.2.53
www 60 DYNA weighted!www
"""


def start_gdnsd(work, port):
    """gdnsd (Debian package), the open-source GSLB to beat, answering a weighted record over four
    addresses with ECS enabled (its default), on the same core as the servers under test."""
    folder = os.path.join(work, "gdnsd")
    os.makedirs(os.path.join(folder, "zones"))
    with open(os.path.join(folder, "config"), "w") as f:
        f.write(GDNSD_CONFIG % {"port": port, "dir": folder})
    with open(os.path.join(folder, "zones", "bench.test"), "w") as f:
        f.write(GDNSD_ZONE)
    process = subprocess.Popen(["taskset", "-c", "0", "gdnsd", "-c", folder, "start"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        answer = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "www.bench.test", "A", "+short", "+time=1", "+tries=1"],
                                capture_output=True, text=True).stdout.strip()
        if answer.startswith("10.0.0."):
            return process
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("gdnsd did not start answering")


def measure(pid, port, queries, seconds):
    before = cpu_seconds(pid)
    result = dnsperf(port, queries, seconds)
    result["cpu_us_per_query"] = (cpu_seconds(pid) - before) / max(result["completed"], 1) * 1e6
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--domains", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--itm", default=os.path.join(ROOT, "target", "release", "itm"))
    ap.add_argument("--ip-db", default=os.path.join(ROOT, "data", "ip2region", "ip2region_v4_20240228.xdb"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="itm-bench-")
    # Let the server's 8 MiB UDP receive buffer take effect (as a production DNS host would).
    subprocess.run(["sysctl", "-q", "-w", "net.core.rmem_max=8388608"], check=False)
    http, dns, base_port = free_port(), free_port(), free_port()
    env = {**os.environ, "ITM_LOG": "warn"}
    log = open(os.path.join(work, "server.log"), "w")
    env["ITM_LOG"] = "warn,itm_server::dns::snapshot=debug"
    server = subprocess.Popen(
        ["taskset", "-c", "0", args.itm, "serve", "--http", f"127.0.0.1:{http}", "--dns", f"127.0.0.1:{dns}",
         "--database", f"sqlite://{work}/itm.db?mode=rwc", "--master-key-file", f"{work}/key", "--ip-db", args.ip_db,
         "--site-root", work,
         # The generated endpoints are benchmarking addresses: nothing may probe them.
         "--no-monitor", "--probe-networks", "127.0.0.0/8"],
        cwd=work, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    creds = {}
    for line in server.stdout:
        if m := re.match(r"\s+(account id|user name|password):\s+(\S+)", line):
            creds[m.group(1)] = m.group(2)
        if line.startswith("ITM console"):
            break
    baseline = None
    try:
        api = Api(http, creds["user name"], creds["password"])
        rss_empty = rss_kib(server.pid)
        started = time.time()
        names = configure(api, args.domains, creds["account id"])
        configured = time.time() - started
        # Let the snapshot catch up with the last batch before measuring memory.
        probe_name = f"{names[-1]}.itm.localhost"
        deadline = time.time() + 120
        while time.time() < deadline and not subprocess.run(["dig", "@127.0.0.1", "-p", str(dns), probe_name, "A", "+short"], capture_output=True, text=True).stdout.strip():
            time.sleep(0.2)
        rss_loaded = rss_kib(server.pid)
        print(f"configured {args.domains} domains in {configured:.1f} s; RSS {rss_empty / 1024:.0f} → {rss_loaded / 1024:.0f} MiB "
              f"({(rss_loaded - rss_empty) * 1024 / args.domains:.0f} bytes/domain)")
        queries = os.path.join(work, "queries.bin")
        query_file(queries, names, "itm.localhost", 200_000)
        # Wait until the last domain answers (the snapshot follows the writes asynchronously).
        probe = subprocess.run(["dig", "@127.0.0.1", "-p", str(dns), f"{names[-1]}.itm.localhost", "A", "+short"], capture_output=True, text=True)
        assert probe.stdout.strip(), "the last domain does not answer"

        baseline = subprocess.Popen(["taskset", "-c", "0", args.itm, "dns-baseline", "--dns", f"127.0.0.1:{base_port}"],
                                    stdout=subprocess.DEVNULL, env=env)
        time.sleep(0.5)  # let the baseline bind before the load starts (a start-up pause, not a sync point)
        dnsperf(dns, queries, 2)  # warm-up
        itm = measure(server.pid, dns, queries, args.seconds)
        floor = measure(baseline.pid, base_port, queries, args.seconds)
        half = dnsperf(dns, queries, max(3, args.seconds // 2), rate=itm["qps"] * 0.5, verbose=True)
        import threading
        stop = threading.Event()
        changes = {}
        writer = threading.Thread(target=lambda: changes.setdefault("n", churn(api, names, 10, args.seconds, stop)))
        writer.start()
        churned = dnsperf(dns, queries, args.seconds, rate=itm["qps"] * 0.5)
        stop.set()
        writer.join()
        reloads = [int(x) for x in re.findall(r"rebuilt 1 domains in (\d+) µs", open(os.path.join(work, "server.log")).read())]
        p99 = half["latencies"][int(len(half["latencies"]) * 0.99)] * 1000 if half["latencies"] else float("nan")
        base_half = dnsperf(base_port, queries, max(3, args.seconds // 2), rate=itm["qps"] * 0.5, verbose=True)
        base_p99 = base_half["latencies"][int(len(base_half["latencies"]) * 0.99)] * 1000 if base_half["latencies"] else float("nan")
        gdnsd = None
        if shutil.which("gdnsd"):
            gdnsd_port = free_port()
            gdnsd_process = start_gdnsd(work, gdnsd_port)
            try:
                gdnsd_queries = os.path.join(work, "gdnsd-queries.bin")
                query_file(gdnsd_queries, ["www"], "bench.test", 200_000)
                gdnsd = measure(gdnsd_process.pid, gdnsd_port, gdnsd_queries, args.seconds)
                gdnsd_half = dnsperf(gdnsd_port, gdnsd_queries, max(3, args.seconds // 2), rate=itm["qps"] * 0.5, verbose=True)
                lat = gdnsd_half["latencies"]
                gdnsd["p99_ms_at_itm_half_load"] = lat[int(len(lat) * 0.99)] * 1000 if lat else float("nan")
            finally:
                gdnsd_process.terminate()
                gdnsd_process.wait(timeout=30)
        report = {
            "domains": args.domains,
            "itm": {k: v for k, v in itm.items() if k != "latencies"},
            "baseline": {k: v for k, v in floor.items() if k != "latencies"},
            "ratio_cpu": itm["cpu_us_per_query"] / floor["cpu_us_per_query"],
            "gdnsd_weighted": {k: v for k, v in gdnsd.items() if k != "latencies"} if gdnsd else "not installed",
            "ratio_cpu_to_gdnsd": itm["cpu_us_per_query"] / gdnsd["cpu_us_per_query"] if gdnsd else None,
            "p99_ms_at_half_load": p99,
            "baseline_p99_ms_at_same_rate": base_p99,
            "half_load_qps": half["qps"],
            "server_rss_mib": rss_kib(server.pid) / 1024,
            "rss_bytes_per_domain": (rss_loaded - rss_empty) * 1024 / args.domains,
            "under_churn": {"config_changes": changes.get("n", 0), "completed": churned["completed"], "lost": churned["lost"],
                            "codes": churned["codes"]},
            "single_domain_rebuild_us": {"median": sorted(reloads)[len(reloads) // 2] if reloads else None,
                                         "max": max(reloads) if reloads else None, "count": len(reloads)},
        }
        print(json.dumps(report, indent=2))
    finally:
        for p in (server, baseline):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
