"""Accounts (issue 17): sign-in throttling, password rules, the demo account flagged.

* Throttling is django-axes: after ``AXES_FAILURE_LIMIT`` wrong passwords for one user name from one address
  the sign-in is refused (HTTP 429, page ``lockout.html``) for ``AXES_COOLOFF_TIME``, even with the right
  password. :class:`SignInThrottleBackend` applies it to the web sign-in, where there is a request; an
  authentication without a request (the test client's ``login``, a script) goes to the next backend.
* Passwords are checked by Django's validators (``AUTH_PASSWORD_VALIDATORS``) wherever the CLI sets one.
* Passwords are hashed with Argon2id (:class:`Argon2idHasher`), the first choice of the OWASP Password
  Storage Cheat Sheet and of Django's documentation, instead of Django's default PBKDF2. PBKDF2 at Django's
  1,000,000 SHA-256 iterations costs about half a second of CPU per sign-in (a second on a loaded 2-core
  server), so a team signing in at once, or anyone trying passwords, takes the processors from every reader
  (issue 17's load benchmark); Argon2id at OWASP's stated minimum (19 MiB, 2 passes, 1 lane) costs tens of
  milliseconds and resists GPU guessing better, its memory cost being what a GPU lacks. Older PBKDF2 hashes
  still verify and are rehashed with Argon2id at the next sign-in (Django upgrades hashers on login).
* The demo account (``demo``/``demo``, made by ``benefice demo`` only) is in the group :data:`DEMO_GROUP`;
  every page shows a banner while it exists, so a demo database is not mistaken for a production one.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.hashers import Argon2PasswordHasher

from benefice.errors import BeneficeError

DEMO_GROUP = "demo account"


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's minimum parameters (m = 19 MiB, t = 2, p = 1), not Django's 100 MiB × 8 lanes.

    Django's defaults would allocate 100 MiB per concurrent sign-in in every worker process; OWASP's
    configurations are equivalent in strength per its cheat sheet, and this one bounds a sign-in's memory
    to 19 MiB. The parameters are stored in each hash, so changing them later upgrades hashes at sign-in."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


class SignInThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def check_password_rules(password: str, username: str = "") -> None:
    """Django's password validators; a refused password raises BeneficeError naming every rule it breaks."""
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        raise BeneficeError("password refused: " + " ".join(exc.messages)) from None


_demo_cache: list[float | bool] = []  # [read at (monotonic), exists]: at most one query a minute per process


def demo_account_exists(*, fresh: bool = False) -> bool:
    import time

    from django.contrib.auth.models import User

    if fresh or not _demo_cache or time.monotonic() - _demo_cache[0] > 60:
        exists = User.objects.filter(groups__name=DEMO_GROUP, is_active=True).exists()
        _demo_cache[:] = [time.monotonic(), exists]
    return bool(_demo_cache[1])


def forget_demo_account() -> None:
    _demo_cache.clear()


def client_address(request) -> str | None:
    """The address sign-in throttling counts failures by (``AXES_CLIENT_IP_CALLABLE``).

    Behind one reverse proxy (``BENEFICE_BEHIND_PROXY=1``) every request comes from the proxy, so the client
    is the last address of ``X-Forwarded-For``, the one that proxy appended (earlier ones are the client's
    word and may be forged); otherwise ``REMOTE_ADDR``.
    """
    from django.conf import settings

    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
