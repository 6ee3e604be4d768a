"""API keys at rest: sealed with a server key (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class SealingError(Exception):
    """No server key to seal with, or a sealed value this key cannot open."""


class Sealer:
    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(secret_key.encode()) if secret_key else None

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def seal(self, plain: str) -> str:
        if not plain:
            return ""
        if self._fernet is None:
            raise SealingError("NE_LLM_SECRET_KEY is not set: API keys cannot be stored")
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        if not sealed:
            return ""
        if self._fernet is None:
            raise SealingError("NE_LLM_SECRET_KEY is not set: stored API keys cannot be read")
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise SealingError("a stored API key was sealed with another server key") from None


def new_secret_key() -> str:
    return Fernet.generate_key().decode()
