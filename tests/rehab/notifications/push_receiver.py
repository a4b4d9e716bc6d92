"""A push service on 127.0.0.1, started by the test: nothing leaves the machine.

It plays the browser's push service and the browser: the test's subscription holds a P-256
key pair and an auth secret made here, so the receiver can check what a real push service
checks (the VAPID JWT of RFC 8292: ES256 signature by the key in `k=`, `aud` its own
origin, `exp` in the future and at most 24 hours away, a `sub` contact) and decrypt the
message as the browser would (RFC 8291, aes128gcm, with http_ece). It answers with the
status the test asks for: 201, 410 (the subscription is gone), 500 (try again).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Refused(Exception):
    """What a real push service would refuse the request for."""


@dataclass
class Device:
    """A browser's side of one subscription: its keys, and where its push service is."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_json(self) -> dict:
        """What `PushSubscription.toJSON()` gives in a browser."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    claims: dict
    vapid_key: str
    message: dict  # the decrypted JSON
    plaintext: str


def verify_vapid(authorization: str, *, origin: str) -> tuple[dict, str]:
    """The claims and public key of a `vapid t=<JWT>,k=<key>` header, or Refused."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise Refused(f"not a vapid authorization: {scheme!r}")
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    token, key = values["t"], values["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    if header.get("alg") != "ES256":
        raise Refused(f"alg {header.get('alg')!r}")
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    raw = unb64url(signature_b64)
    if len(raw) != 64:
        raise Refused("an ES256 signature is 64 bytes (r || s)")
    signature = encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    try:
        public_key.verify(
            signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        raise Refused("bad VAPID signature") from None
    claims = json.loads(unb64url(claims_b64))
    now = time.time()
    if claims.get("aud") != origin:
        raise Refused(f"aud {claims.get('aud')!r} is not {origin!r}")
    if not now < int(claims["exp"]) <= now + 24 * 3600:
        raise Refused(f"exp {claims['exp']} is not within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
        raise Refused(f"sub {claims.get('sub')!r}")
    return claims, key


class PushReceiver:
    """`with PushReceiver() as push:` a server thread on a free port; `push.device()` makes a
    subscription at it; `push.answer(410)` sets the next answers; `push.received` lists what
    arrived and passed every check; `push.refused` what did not."""

    def __init__(self):
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.answers: list[int] = []
        self.default_answer = 201
        self.devices: dict[str, Device] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver._handle(self)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def device(self) -> Device:
        device = Device(endpoint=f"{self.origin}/push/{b64url(os.urandom(12))}")
        self.devices[device.endpoint.removeprefix(self.origin)] = device
        return device

    def answer(self, *statuses: int) -> None:
        """The statuses of the next requests, in order; then the default again."""
        with self._lock:
            self.answers.extend(statuses)

    def messages_for(self, device: Device) -> list[dict]:
        path = device.endpoint.removeprefix(self.origin)
        return [r.message for r in self.received if r.path == path]

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        with self._lock:
            status = self.answers.pop(0) if self.answers else self.default_answer
        try:
            device = self.devices.get(request.path)
            if device is None:
                raise Refused(f"unknown subscription {request.path}")
            claims, key = verify_vapid(request.headers.get("Authorization", ""), origin=self.origin)
            if request.headers.get("Content-Encoding") != "aes128gcm":
                raise Refused(f"content-encoding {request.headers.get('Content-Encoding')!r}")
            if not request.headers.get("TTL", "").isdigit():
                raise Refused("a TTL header is required")
            plaintext = http_ece.decrypt(
                body,
                private_key=device.private_key,
                auth_secret=device.auth_secret,
                version="aes128gcm",
            ).decode()
            if status < 300:  # what a refusing service drops is never shown to the user
                self.received.append(
                    Received(
                        path=request.path,
                        headers={k.lower(): v for k, v in request.headers.items()},
                        claims=claims,
                        vapid_key=key,
                        message=json.loads(plaintext),
                        plaintext=plaintext,
                    )
                )
        except Exception as exc:  # a test asserts `refused` is empty
            self.refused.append(f"{type(exc).__name__}: {exc}")
            status = 400
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()
