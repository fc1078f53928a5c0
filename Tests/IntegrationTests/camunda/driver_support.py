"""Helpers shared by the Zeebe client drivers: `ok …` / `FAIL …` lines, and reads of swift-bpm's own
HTTP API (its base URL is the driver's second argument) while waiting, bounded, for a state."""
import asyncio
import json
import sys
import time
import urllib.request

HTTP = sys.argv[2] if len(sys.argv) > 2 else ""


def ok(what):
    print(f"ok   {what}", flush=True)


def fail(what):
    print(f"FAIL {what}", flush=True)
    sys.exit(1)


def get(path):
    with urllib.request.urlopen(HTTP + path, timeout=10) as r:
        return json.loads(r.read())


async def until(what, check, seconds=20):
    """Waits for our HTTP API to show a state the gateway's calls lead to (bounded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.05)
    fail(f"{what}: not seen within {seconds} s")
