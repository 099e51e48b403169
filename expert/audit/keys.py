"""The auditor's two keys: a secret that keys each record's case hash, and a key that signs the log.

- The case-hash key (`CaseKey`) is 32 random bytes, kept as 64 hex digits in a file. A record's
  case hash is HMAC-SHA256 of the case under it: without the key, nobody can test guesses of
  what a person told against a record made without the facts. Whoever replays or diffs a log
  needs the same key to check a case hash; verifying the chain does not.
- The signing key (`SigningKey`, Ed25519) signs the head of the log after each batch. Its public
  half (`PublicKey`, in KEYFILE.pub) lets anyone check that the log up to a signature is the one
  the key's holder wrote: a log rewritten with recomputed hashes no longer verifies.
"""

import base64
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from expert.errors import AuditError, InvalidArgumentError
from expert.util.files import FileFault, read_regular

# Both kinds of key file are a few hundred bytes at most.
_MAX_KEY_FILE = 64_000
CASE_KEY_ENV = "EXPERT_AUDIT_KEY_FILE"


def _read_key_file(path: Path, what: str) -> bytes:
    try:
        return read_regular(path, _MAX_KEY_FILE, what=what)
    except FileFault as exc:
        raise AuditError(str(exc)) from None


def _create_exclusively(path: Path, data: bytes, mode: int) -> None:
    """Write a new file, refusing to replace one; FileExistsError if it is there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)  # whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


@dataclass(frozen=True)
class CaseKey:
    """The secret that keys case hashes (HMAC-SHA256). Its `id` may be shown; its secret never is."""

    secret: bytes = field(repr=False)

    def __post_init__(self):
        if not isinstance(self.secret, bytes) or len(self.secret) < 16:
            raise InvalidArgumentError("secret: expected at least 16 random bytes (CaseKey.generate() makes 32)")

    @property
    def id(self) -> str:
        """A name for the key, stored in each record it hashed: it reveals nothing of the secret."""
        return hashlib.sha256(b"expert audit case key\0" + self.secret).hexdigest()[:16]

    def digest(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()

    @classmethod
    def generate(cls) -> "CaseKey":
        return cls(secrets.token_bytes(32))

    @classmethod
    def read(cls, path: str | Path) -> "CaseKey":
        """The key in a file of 64 hex digits; AuditError naming the file if it is missing or not a key."""
        path = Path(path)
        text = _read_key_file(path, "a case-hash key file").strip()
        try:
            secret = bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            secret = b""
        if len(secret) != 32:
            raise AuditError(f"{path}: not a case-hash key (expected 64 hex digits on one line)")
        return cls(secret)

    def save(self, path: str | Path) -> None:
        """Keep the key in a new file (mode 0600); AuditError if there is one there already.

        The key is written aside and linked into place, so that the file appears whole or not at
        all, and two processes saving keys at once cannot both succeed.
        """
        path = Path(path)
        data = (self.secret.hex() + "\n").encode("ascii")
        aside = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            _create_exclusively(aside, data, 0o600)
            try:
                os.link(aside, path)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                _create_exclusively(path, data, 0o600)
        except FileExistsError:
            raise AuditError(f"{path}: a case-hash key was made there meanwhile; nothing was written, run again") from None
        except OSError as exc:
            raise AuditError(f"{path}: the case-hash key cannot be written: {exc.strerror or exc}") from exc
        finally:
            aside.unlink(missing_ok=True)


def default_case_key_path(log: str | Path) -> Path:
    """Where `expert audit` keeps a log's case-hash key when none is named: LOG.key, beside it."""
    log = Path(log)
    return log.with_name(log.name + ".key")


@dataclass(frozen=True)
class PublicKey:
    """The public half of a signing key: checks the signatures in a log."""

    key: Ed25519PublicKey

    @property
    def fingerprint(self) -> str:
        """`ed25519:` and the SHA-256 of the raw public key, as each signature record names its key."""
        raw = self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return "ed25519:" + hashlib.sha256(raw).hexdigest()

    @property
    def short(self) -> str:
        return self.fingerprint[: len("ed25519:") + 16]

    def verify(self, signature: str, message: bytes) -> bool:
        try:
            self.key.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    @classmethod
    def read(cls, path: str | Path) -> "PublicKey":
        """The public key in a PEM file (KEYFILE.pub from `expert audit keygen`)."""
        path = Path(path)
        data = _read_key_file(path, "a public key file")
        if b"PRIVATE KEY" in data:
            raise AuditError(f"{path}: this is a private key; give its public half ({path.name}.pub)")
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            raise AuditError(f"{path}: not a public key (expected the PEM file KEYFILE.pub)") from None
        if not isinstance(key, Ed25519PublicKey):
            raise AuditError(f"{path}: not an Ed25519 public key")
        return cls(key)


@dataclass(frozen=True)
class SigningKey:
    """The private signing key (Ed25519) of whoever writes the log."""

    key: Ed25519PrivateKey = field(repr=False)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key.public_key())

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.key.sign(message)).decode("ascii")

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def read(cls, path: str | Path) -> "SigningKey":
        """The private key in a PEM file; refused if others may read it, as ssh refuses."""
        path = Path(path)
        data = _read_key_file(path, "a signing key file")
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuditError(
                f"{path}: the signing key may be read by others (mode {stat.S_IMODE(mode):04o}); "
                f"run `chmod 600 {path}`"
            )
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise AuditError(f"{path}: not a signing key (expected the PEM file from `expert audit keygen`)") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise AuditError(f"{path}: not an Ed25519 private key")
        return cls(key)

    def write(self, path: str | Path) -> tuple[Path, Path]:
        """Write the private key (mode 0600) and its public half at PATH.pub; refuse to replace either."""
        path = Path(path)
        public_path = path.with_name(path.name + ".pub")
        for existing in (path, public_path):
            if existing.exists() or existing.is_symlink():
                raise AuditError(f"{existing}: already exists; not replacing a key (choose another name)")
        private = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        written = []
        try:
            _create_exclusively(path, private, 0o600)
            written.append(path)
            _create_exclusively(public_path, public, 0o644)
        except FileExistsError as exc:
            for done in written:
                done.unlink(missing_ok=True)
            raise AuditError(f"{exc.filename}: already exists; not replacing a key (choose another name)") from None
        except OSError as exc:
            for done in written:
                done.unlink(missing_ok=True)
            raise AuditError(f"{exc.filename or path}: cannot be written: {exc.strerror or exc}") from exc
        return path, public_path
