"""The master key: wraps per-tenant data keys and signing keys, keys audit digests.

Production takes it from ``TIMEWARD_MASTER_KEY`` (32 bytes, base64url). Elsewhere,
when it is not set, one is generated once into the data folder and reused.
Purpose-specific keys are derived with HKDF, so one secret never serves two uses.
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import structlog
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = structlog.get_logger(__name__)
KEY_BYTES = 32


class MasterKeyError(RuntimeError):
    pass


def decode_master_key(encoded: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError as exc:
        raise MasterKeyError("TIMEWARD_MASTER_KEY is not valid base64url") from exc
    if len(key) != KEY_BYTES:
        raise MasterKeyError("TIMEWARD_MASTER_KEY must decode to 32 bytes")
    return key


def encode_master_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def local_master_key(data_dir: Path) -> bytes:
    path = data_dir / "master.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(encode_master_key(secrets.token_bytes(KEY_BYTES)))
        path.chmod(0o600)
        log.warning("master_key.generated", path=str(path))
    return decode_master_key(path.read_text().strip())


def derive_key(master_key: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()
    ).derive(master_key)
