"""Short, readable public ids, unguessable tracking tokens, and the digest that bearer secrets are stored as."""

import hashlib
import secrets

# Crockford's base32 without I, L, O, U: no letters that read as digits or spell words.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_public_id() -> str:
    """Eight characters in two groups, e.g. ``7K4M-2QXB``: about 10^12 values, easy to read aloud."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_public_id(text: str) -> str:
    """Accept what people type: lower case, no dash, O for 0, I/L for 1."""
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != 8:
        return text.strip()
    return f"{cleaned[:4]}-{cleaned[4:]}"


def new_tracking_token() -> str:
    """The requester's private link: 256 random bits, never derived from anything public."""
    return secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    """What we store of a bearer secret (a tracking token, an Open311 API key): its SHA-256.

    A plain hash, not a keyed one: the secrets are at least 192 random bits (tokens issued before 256-bit ones
    were), so a digest in a leaked backup can't be reversed by guessing, and no server key is needed to check
    one, so rotating SECRET_KEY never breaks a resident's link or a client's key.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def unissued_token_digest() -> str:
    """The digest of a token that nobody holds: a request made without issuing a token can't be tracked."""
    return secrets.token_hex(32)
