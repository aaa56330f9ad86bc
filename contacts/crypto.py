"""Encryption at rest of contact fields, with keys from the environment.

``CIVIC311_CONTACT_KEYS`` holds Fernet keys, comma-separated: the first encrypts, every one decrypts, so a new
key goes first, ``manage.py reencrypt_contacts`` rewrites the rows with it, and the old key can then be dropped.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class ContactKeyError(RuntimeError):
    """No configured key opens a stored value (the key that wrote it was removed too early)."""


def development_key(secret_key: str) -> str:
    """A key derived from a SECRET_KEY, for machines where CIVIC311_CONTACT_KEYS is not set."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"civic311-contact-key:" + secret_key.encode()).digest()).decode()


@functools.cache
def _multifernet() -> MultiFernet:
    keys = [k.strip() for k in settings.CIVIC311_CONTACT_KEYS if k.strip()]
    if not keys:
        # Derived keys follow Django's own rotation: the current secret encrypts, the fallbacks still decrypt.
        keys = [development_key(secret) for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]
    return MultiFernet([Fernet(k) for k in keys])


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in {"CIVIC311_CONTACT_KEYS", "SECRET_KEY", "SECRET_KEY_FALLBACKS"}:
        _multifernet.cache_clear()


def encrypt(text: str) -> str:
    return _multifernet().encrypt(text.encode()).decode()


def decrypt(token: str, *, ttl: int | None = None) -> str:
    """The value sealed in ``token``; with ``ttl``, only if sealed at most that many seconds ago."""
    try:
        return _multifernet().decrypt(token.encode(), ttl=ttl).decode()
    except InvalidToken:
        # Never the token or anything from it in the message: it lands in logs and error reports.
        raise ContactKeyError("a stored contact value opens with none of CIVIC311_CONTACT_KEYS") from None


def rotate(token: str) -> str:
    """The same value, encrypted with the newest key."""
    try:
        return _multifernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise ContactKeyError("a stored contact value opens with none of CIVIC311_CONTACT_KEYS") from None
