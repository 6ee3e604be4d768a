"""What one gRPC unary call costs each side, back to back and after the process went idle.

`python -m bench.wakeups`: a grpc.aio server (the standard health service, uvloop) in a
process of its own, and a client here calling it sequentially: first back to back, then
with the client idle for `--gap-ms` before each call, as a stack serving one request at
a time is. Each side's CPU per call is read from its own counters (the client's net of
its idle sleeps alone, measured the same way without calls); the server's context
switches per call are read too. CPU counters move in clock ticks (10 ms): a batch needs
hundreds of calls for its figures to mean anything (the default is 1000).

Why it exists: the cost benchmark's sequential figures carry this floor. On a virtual
machine a thread that went idle costs a wake-up (the vCPU halts and must be woken), and
a grpc.aio call crosses several threads on each side, so a call into an idle process
costs a multiple of a call into a busy one. No code of the services is involved.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import grpc
import psutil
import uvloop
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from bench.calibration import calibrate, calibration_line


async def _serve(port: int) -> None:
    server = grpc.aio.server()
    servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    await server.wait_for_termination()


@dataclass(frozen=True)
class Batch:
    label: str
    server_ms: float  # CPU per call
    client_ms: float
    switches: float  # the server's context switches per call


async def _measure(port: int, server: psutil.Process, calls: int, gap: float) -> list[Batch]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        async with asyncio.timeout(30):  # the server process is starting
            await channel.channel_ready()
        stub = health_pb2_grpc.HealthStub(channel)
        request = health_pb2.HealthCheckRequest()

        async def run(call: bool, pause: float) -> tuple[float, float, float]:
            cpu, switches = _cpu(server), _switches(server)
            started = time.process_time()
            for _ in range(calls):
                if pause:
                    await asyncio.sleep(pause)
                if call:
                    await stub.Check(request)
            return (
                _cpu(server) - cpu,
                time.process_time() - started,
                _switches(server) - switches,
            )

        await run(True, 0.0)  # warm-up: connection, caches
        busy = await run(True, 0.0)
        idle_sleeps = await run(False, gap)  # the client's cost of sleeping alone
        idle = await run(True, gap)
    per_call = 1000 / calls
    return [
        Batch("back to back", busy[0] * per_call, busy[1] * per_call, busy[2] / calls),
        Batch(
            f"after {gap * 1000:g} ms idle",
            idle[0] * per_call,
            max(idle[1] - idle_sleeps[1], 0.0) * per_call,
            idle[2] / calls,
        ),
    ]


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _switches(process: psutil.Process) -> float:
    counts = process.num_ctx_switches()
    return float(counts.voluntary + counts.involuntary)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wakeups", description=__doc__)
    parser.add_argument("--calls", type=int, default=1000, help="calls per batch")
    parser.add_argument("--gap-ms", type=float, default=10.0, help="idle time before a call")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server process
    args = parser.parse_args(argv)
    if args.serve:
        uvloop.run(_serve(args.serve))
        return 0
    if args.calls < 1 or args.gap_ms <= 0:
        parser.error("--calls must be >= 1 and --gap-ms > 0")
    calibration = calibrate()
    port = _free_port()
    child = subprocess.Popen([sys.executable, "-m", "bench.wakeups", "--serve", str(port)])
    try:
        batches = uvloop.run(
            _measure(port, psutil.Process(child.pid), args.calls, args.gap_ms / 1000)
        )
    finally:
        child.terminate()
        child.wait(10)
    print(calibration_line(calibration))
    print(
        f"\n`python -m bench.wakeups --calls {args.calls} --gap-ms {args.gap_ms:g}`, "
        f"grpcio {grpc.__version__}, one unary call at a time:\n"
    )
    print("| Calls | Server CPU per call | Client CPU per call | Server switches per call |")
    print("|---|---|---|---|")
    for b in batches:
        print(f"| {b.label} | {b.server_ms:.3f} ms | {b.client_ms:.3f} ms | {b.switches:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
