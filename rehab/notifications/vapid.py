"""VAPID keys (RFC 8292) for Web Push: read from the environment, or made once for `make run`.

The private key is the raw P-256 scalar and the public key the uncompressed point, both
base64url without padding: the form browsers take as `applicationServerKey` and
py_vapid's `Vapid.from_string` reads. Nothing here touches the database or Django's
app registry, so settings and the run command can use it.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

KEY_FILE = "vapid.json"


class VapidKeyError(ValueError):
    """The VAPID key pair is malformed or its halves do not belong together."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    raw = text.strip().encode("ascii")
    return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))


def public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def generate_keys() -> dict[str, str]:
    private_key = ec.generate_private_key(ec.SECP256R1())
    scalar = private_key.private_numbers().private_value.to_bytes(32, "big")
    return {"VAPID_PRIVATE_KEY": b64url(scalar), "VAPID_PUBLIC_KEY": public_key_of(private_key)}


def check_keys(private: str, public: str) -> None:
    """Raise VapidKeyError unless `public` is the public half of `private`."""
    try:
        scalar = b64url_decode(private)
        if len(scalar) != 32:
            raise VapidKeyError("VAPID_PRIVATE_KEY must be 32 bytes, base64url encoded")
        private_key = ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1())
    except (ValueError, UnicodeError) as exc:
        if isinstance(exc, VapidKeyError):
            raise
        raise VapidKeyError("VAPID_PRIVATE_KEY is not a base64url P-256 private key") from None
    if public_key_of(private_key) != public.strip().rstrip("="):
        raise VapidKeyError("VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY")


def keys_for_run(var_dir: Path, environ: dict[str, str]) -> tuple[dict[str, str], bool]:
    """The VAPID keys `make run` hands to every process it starts, and whether they are new.

    Keys in the environment win. Otherwise var/vapid.json is read, or written once with a
    fresh pair (readable by its owner only), so subscriptions survive a restart.
    """
    if environ.get("VAPID_PRIVATE_KEY") and environ.get("VAPID_PUBLIC_KEY"):
        return {}, False
    path = var_dir / KEY_FILE
    if path.exists():
        keys = json.loads(path.read_text())
        check_keys(keys["VAPID_PRIVATE_KEY"], keys["VAPID_PUBLIC_KEY"])
        return keys, False
    keys = generate_keys()
    var_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(keys, handle, indent=2)
    return keys, True
