"""What the SDK scripts share: an auth provider giving a swift-bpm API token, a check that stops at the first
failure, and a GET on swift-bpm's own API."""
import json
import sys
import urllib.request


class Bearer:
    """An auth provider for the SDK: a swift-bpm API token as `Authorization: Bearer`."""

    def __init__(self, token):
        self.token = token

    def get_headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    async def aget_headers(self):
        return self.get_headers()


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def get_ours(base, token, path):
    """GET on swift-bpm's own API (not the v2 one)."""
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())
