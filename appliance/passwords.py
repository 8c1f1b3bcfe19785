"""Password and PIN hashing with scrypt (stdlib hashlib): salted, compared in constant time,
and with its cost parameters inside the stored string so they can be raised later."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# About 50 ms on a Raspberry Pi 4; 16 MiB of memory per check (128 · n · r bytes).
COST_N = 2**14
BLOCK_R = 8
PARALLEL_P = 1
KEY_BYTES = 32
SALT_BYTES = 16
_SCHEME = "scrypt"


def hash_secret(secret: str, *, n: int = COST_N, r: int = BLOCK_R, p: int = PARALLEL_P) -> str:
    """`scrypt$n$r$p$salt$key` with salt and key in unpadded base64."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(secret, salt, n, r, p)
    return "$".join((_SCHEME, str(n), str(r), str(p), _b64(salt), _b64(key)))


def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` matches the stored hash; False for a wrong secret or a malformed
    stored string (never raises on what a user typed)."""
    try:
        scheme, n_text, r_text, p_text, salt_text, key_text = stored.split("$")
        if scheme != _SCHEME:
            return False
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, key = _unb64(salt_text), _unb64(key_text)
        derived = _derive(secret, salt, n, r, p, len(key))
    except ValueError:  # a damaged stored hash (base64, or parameters scrypt refuses)
        return False
    return hmac.compare_digest(derived, key)


def needs_rehash(stored: str) -> bool:
    """True when the stored hash uses weaker parameters than today's (rehash at next login)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return True
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
    except ValueError:
        return True
    return n < COST_N or r < BLOCK_R or p < PARALLEL_P


def _derive(secret: str, salt: bytes, n: int, r: int, p: int, key_bytes: int = KEY_BYTES) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * n * r * p + 1024 * 1024,
        dklen=key_bytes,
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
