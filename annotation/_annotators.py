"""Annotator identities in exports: every format names an annotator by Label Studio user id, as a string."""

from __future__ import annotations

__all__ = ["Annotators"]

from typing import Any, Mapping


class Annotators:
    """Normalise annotator identities to the Label Studio user id, as a string."""

    def __init__(self, mapping: Mapping[str, Any] | None):
        self.email_to_id: dict[str, str] = {}
        self.id_to_email: dict[str, str] = {}
        for k, v in (mapping or {}).items():
            k, v = str(k).strip(), str(v).strip()
            if "@" in k and "@" not in v:
                self.pair(v, k)
            elif "@" in v and "@" not in k:
                self.pair(k, v)
        self.unresolved: set[str] = set()

    def pair(self, uid: str, email: str) -> None:
        if uid and email:
            self.email_to_id.setdefault(email.casefold(), uid)
            self.id_to_email.setdefault(uid, email)

    def pair_from_username(self, created_username: Any) -> None:
        """Drafts carry ``created_username`` as ``"email, id"``."""
        if isinstance(created_username, str) and "," in created_username:
            email, _, uid = created_username.rpartition(",")
            if uid.strip().isdigit():
                self.pair(uid.strip(), email.strip())

    def key(self, value: Any) -> str | None:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dict):
            uid, email = value.get("id"), value.get("email")
            if uid is not None:
                uid = self.key(uid)
                if uid and isinstance(email, str):
                    self.pair(uid, email)
                return uid
            return self.key(email)
        text = str(value).strip()
        if not text:
            return None
        if text.isdigit():
            return str(int(text))
        if "@" in text:
            uid = self.email_to_id.get(text.casefold())
            if uid is None:
                self.unresolved.add(text)
                return text
            return uid
        return text
