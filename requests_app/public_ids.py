"""Short, readable public ids and unguessable tracking tokens."""
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
    """The requester's private link: 192 random bits, never derived from anything public."""
    return secrets.token_urlsafe(24)
