"""Solving the portal's ALTCHA proof of work as a browser does, for the tests and the load generator (stdlib only)."""

from __future__ import annotations

import base64
import hashlib
import json


def solve_altcha(challenge_json: str) -> str:
    """Find the number (sha256(salt + n) == challenge) and build the base64 payload the form sends."""
    challenge = json.loads(challenge_json)
    salt = challenge["salt"]
    hashed_salt = salt if salt.endswith("&") else salt + "&"
    for number in range(int(challenge.get("maxnumber", 1_000_000)) + 1):
        if hashlib.sha256(f"{hashed_salt}{number}".encode()).hexdigest() == challenge["challenge"]:
            payload = {"algorithm": challenge["algorithm"], "challenge": challenge["challenge"], "number": number,
                       "salt": salt, "signature": challenge["signature"]}  # fmt: skip
            return base64.b64encode(json.dumps(payload).encode()).decode()
    raise ValueError("the ALTCHA challenge has no solution")
