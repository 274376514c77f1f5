"""Load benchmark: POST /v1/reviews against a bare aiohttp echo, measured in the same run.

Run: `make bench`, or `.venv/bin/python benchmarks/load.py [--seconds 8] [--out FILE]`.
Both servers run as their own processes on 127.0.0.1; this process is the load generator.
Closed loop at several concurrency levels (throughput, p50/p99), then an open loop at a fixed
rate (latency measured from each request's scheduled send time, so a stall is not hidden),
then the service process's memory (RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
TEXTS = [
    json.loads(line)["text"]
    for p in sorted((REPO / "data" / "reviews").glob("*.jsonl"))
    for line in p.read_text(encoding="utf-8").splitlines()[:200]
    if line.strip()
]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_up(url: str, timeout: float = 60.0) -> None:
    """Poll until the server answers."""
    end = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < end:
            try:
                async with session.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Target:
    """Where to send and how to make the n-th request body."""

    def __init__(self, url: str, headers: dict[str, str], prefix: str) -> None:
        self.url, self.headers, self.prefix, self.n = url, headers, prefix, 0

    def body(self) -> bytes:
        self.n += 1
        return json.dumps(
            {
                "review_id": f"{self.prefix}-{self.n}",
                "product_id": "p-1",
                "text": f"{TEXTS[self.n % len(TEXTS)]} ({self.n})",
                "submitter": {"user_id": f"u-{self.n % 500}", "ip": "127.0.0.1"},
            },
            ensure_ascii=False,
        ).encode()


async def closed_loop(target: Target, concurrency: int, seconds: float) -> dict[str, Any]:
    """`concurrency` clients, each sending the next request when the last is answered."""
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < end:
                start = time.perf_counter()
                async with session.post(
                    target.url, data=target.body(), headers=target.headers
                ) as resp:
                    await resp.read()
                    if resp.status >= 300:
                        errors += 1
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return summary(latencies, elapsed, errors)


async def open_loop(target: Target, rate: float, seconds: float) -> dict[str, Any]:
    """Send at a fixed rate; latency counts from the scheduled send time."""
    latencies: list[float] = []
    errors = 0
    conn = aiohttp.TCPConnector(limit=1000)
    async with aiohttp.ClientSession(connector=conn) as session:
        t0 = time.perf_counter()
        total = int(rate * seconds)

        async def one(scheduled: float) -> None:
            nonlocal errors
            async with session.post(target.url, data=target.body(), headers=target.headers) as resp:
                await resp.read()
                if resp.status >= 300:
                    errors += 1
            latencies.append(time.perf_counter() - scheduled)

        tasks = []
        for i in range(total):
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(scheduled)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
    return summary(latencies, elapsed, errors)


def summary(latencies: list[float], elapsed: float, errors: int) -> dict[str, Any]:
    """Requests/s, p50 and p99 in ms."""
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors,
        "rps": n / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(n - 1, int(0.99 * n))],
    }


def machine() -> str:
    """A line describing this machine."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"{int(mem) // 1024 // 1024} GiB, Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


async def run(args: argparse.Namespace) -> str:
    """Start both servers, measure, stop them; return the Markdown report."""
    tmp = Path(tempfile.mkdtemp(prefix="negahban-bench-"))
    db = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    env = {**os.environ, "MODERATION_DATABASE_URL": db, "MODERATION_RATE_LIMIT_PER_SECOND": "0"}
    token = subprocess.run(
        [PY, "-m", "moderation", "token", "create", "--role", "storefront"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.strip()
    sport, eport = free_port(), free_port()
    service = subprocess.Popen(
        [PY, "-m", "moderation", "serve", "--port", str(sport)],
        env=env,
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    echo = subprocess.Popen(
        [PY, str(REPO / "benchmarks" / "echo_server.py"), str(eport)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_up(f"http://127.0.0.1:{sport}/readyz")
        await wait_up(f"http://127.0.0.1:{eport}/v1/reviews")
        model = (await fetch_json(f"http://127.0.0.1:{sport}/readyz"))["model_version"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        svc = Target(f"http://127.0.0.1:{sport}/v1/reviews", headers, "bench")
        ech = Target(f"http://127.0.0.1:{eport}/v1/reviews", headers, "echo")
        await closed_loop(svc, 4, 2.0)  # warm-up: model caches, SQLite pages
        await closed_loop(ech, 4, 1.0)
        rows = []
        for c in args.concurrency:
            e = await closed_loop(ech, c, args.seconds)
            s = await closed_loop(svc, c, args.seconds)
            rows.append((c, e, s))
        fixed = await open_loop(svc, args.rate, args.seconds)
        fixed_echo = await open_loop(ech, args.rate, args.seconds)
        memory = rss_mb(service.pid)
    finally:
        for proc in (service, echo):
            proc.terminate()
        for proc in (service, echo):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    lines = [
        f"Machine: {machine()}. Service: `python -m moderation serve` (one process, SQLite in WAL "
        f"mode, model `{model}`); echo: a bare aiohttp handler that parses the JSON body and "
        "answers JSON; load generator: a third process on loopback. Closed loop: each client "
        f"sends its next request when the last is answered, {args.seconds:g} s per cell.",
        "",
        "| clients | echo req/s | echo p50 / p99 ms | service req/s | service p50 / p99 ms "
        "| service / echo |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for c, e, s in rows:
        lines.append(
            f"| {c} | {e['rps']:,.0f} | {e['p50_ms']:.1f} / {e['p99_ms']:.1f} "
            f"| {s['rps']:,.0f} | {s['p50_ms']:.1f} / {s['p99_ms']:.1f} "
            f"| {s['rps'] / e['rps']:.0%} |"
        )
    lines += [
        "",
        f"Open loop at a fixed {args.rate:g} req/s for {args.seconds:g} s (latency from the "
        "scheduled send time):",
        "",
        "| target | sent | errors | achieved req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
        f"| service | {fixed['requests']} | {fixed['errors']} | {fixed['rps']:,.0f} "
        f"| {fixed['p50_ms']:.1f} | {fixed['p99_ms']:.1f} |",
        f"| echo | {fixed_echo['requests']} | {fixed_echo['errors']} | {fixed_echo['rps']:,.0f} "
        f"| {fixed_echo['p50_ms']:.1f} | {fixed_echo['p99_ms']:.1f} |",
        "",
        f"Service memory after the run (RSS): {memory:.0f} MB.",
    ]
    return "\n".join(lines)


async def fetch_json(url: str) -> Any:
    """GET a JSON document."""
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return await resp.json()


def main() -> None:
    """Parse arguments, run, print (and optionally write) the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--out", default=None, help="write the report into this Markdown file")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
