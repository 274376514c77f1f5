"""Keyed pseudonyms: stable per author, useless to anyone without the key."""

import hashlib
import hmac


def pseudonym(key: str, user_id: str) -> str:
    """`u-` and 16 hex digits of HMAC-SHA256(key, storefront user id)."""
    return "u-" + hmac.new(key.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:16]
