"""Provider keys at rest: encrypted with Fernet (the `cryptography` package).

The encryption key comes from CREDENTIALS_KEY, or is derived from SECRET_KEY when that is not set.
Set CREDENTIALS_KEY in production so that rotating SECRET_KEY does not lose the stored keys.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class UnreadableSecret(Exception):
    """The stored key cannot be decrypted (CREDENTIALS_KEY or SECRET_KEY changed)."""


def _fernet():
    secret = settings.CREDENTIALS_KEY or settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"dubweb-credentials:{secret}".encode()).digest()))


def encrypt(plain):
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret(
            "A stored provider key can no longer be read (the credentials key changed); enter it again."
        ) from None
