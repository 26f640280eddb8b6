"""Tokens: an agency token submits for its own agency only; an admin token reads.

A token is shown once when it is made; the database keeps its sha256 and its first characters
(the prefix, to name it when revoking). A presented token is found by its hash, so no stored
secret is ever compared character by character.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from infraaudit.collector.db import agencies, tokens, writer
from infraaudit.errors import AuthAdminError

PREFIX_LEN = 8
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Principal:
    """Who presented a valid token: an agency (its code) or the province (admin)."""

    token_id: int
    agency_code: str | None

    @property
    def admin(self) -> bool:
        return self.agency_code is None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token(engine: Engine, agency_code: str | None) -> str:
    token = secrets.token_urlsafe(32)
    with writer(engine).begin() as conn:
        conn.execute(sa.insert(tokens).values(
            agency_code=agency_code, prefix=token[:PREFIX_LEN], sha256=token_hash(token),
            created_at=dt.datetime.now(dt.UTC)))
    return token


def check_code(code: str) -> str:
    if not CODE_RE.match(code):
        raise AuthAdminError(f"bad agency code {code!r}: letters, digits, '.', '_' and '-' "
                             "only, starting with a letter or digit, at most 64 characters")
    return code


def add_agency(engine: Engine, code: str, name: str) -> tuple[str, bool]:
    """Register the agency (or rename it) and make it a new token; return (token, created).

    Codes that differ only in case name one agency: ``aga`` is refused next to ``AGA`` (the
    spelling registered first is the agency's, and its audits must use it)."""
    check_code(code)
    if not name.strip():
        raise AuthAdminError("the agency name is empty")
    with writer(engine).begin() as conn:
        same = conn.execute(sa.select(agencies.c.code).where(
            sa.func.lower(agencies.c.code) == code.lower(), agencies.c.code != code)).first()
        if same is not None:
            raise AuthAdminError(f"agency {same.code!r} is registered already: codes that "
                                 f"differ only in case name one agency; write {same.code!r}")
        existing = conn.execute(sa.select(agencies.c.name).where(agencies.c.code == code)).first()
        if existing is None:
            conn.execute(sa.insert(agencies).values(
                code=code, name=name.strip(), created_at=dt.datetime.now(dt.UTC)))
        elif existing.name != name.strip():
            conn.execute(sa.update(agencies).where(agencies.c.code == code)
                         .values(name=name.strip()))
    return _new_token(engine, code), existing is None


def add_admin(engine: Engine) -> str:
    return _new_token(engine, None)


def revoke(engine: Engine, code: str | None, prefix: str | None) -> int:
    """Revoke every live token of agency ``code``, or the one token starting with ``prefix``
    (of that agency when ``code`` is given too); return how many were revoked."""
    if code is None and prefix is None:
        raise AuthAdminError("name an agency code, a token prefix, or both")
    now = dt.datetime.now(dt.UTC)
    with writer(engine).begin() as conn:
        if code is not None and conn.execute(
                sa.select(agencies.c.code).where(agencies.c.code == code)).first() is None:
            raise AuthAdminError(f"no agency {code!r}")
        live = sa.select(tokens.c.id, tokens.c.prefix).where(tokens.c.revoked_at.is_(None))
        if code is not None:
            live = live.where(tokens.c.agency_code == code)
        rows = conn.execute(live).all()
        if prefix is not None:
            rows = [r for r in rows if r.prefix.startswith(prefix[:PREFIX_LEN])
                    and len(prefix) >= 4]
            if len(rows) != 1:
                raise AuthAdminError(
                    f"{len(rows)} live tokens start with {prefix!r}: give a prefix of at least "
                    f"4 characters that names exactly one token")
        if rows:
            conn.execute(sa.update(tokens).where(tokens.c.id.in_([r.id for r in rows]))
                         .values(revoked_at=now))
    return len(rows)


def authenticate(engine: Engine, token: str) -> Principal | None:
    """The principal of a live token, or None (unknown, forged or revoked)."""
    digest = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(tokens.c.id, tokens.c.agency_code, tokens.c.sha256)
            .where(tokens.c.sha256 == digest, tokens.c.revoked_at.is_(None))).first()
    if row is None or not hmac.compare_digest(row.sha256, digest):
        return None
    return Principal(token_id=row.id, agency_code=row.agency_code)
