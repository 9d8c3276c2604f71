"""Security for every response: headers, and the optional access control.

Access control is off by default. ``basic`` checks HTTP basic credentials against password
hashes from the settings; ``proxy`` trusts the user name that an authenticating reverse proxy
sets in a header, but only from the proxy's own addresses. ``/health`` stays open so that
monitoring needs no password.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from flask import Flask, Response, jsonify, request
from werkzeug.security import check_password_hash

from search_service.config import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
OPEN_PATHS = frozenset({"/health"})
REALM = 'Basic realm="Archive search", charset="UTF-8"'


def init_security(app: Flask, settings: Settings) -> None:
    """Add the security headers to every response and, when configured, require a user."""

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    if settings.auth == "basic":
        checker = BasicAuth(settings.auth_users)
        app.before_request(checker.require)
    elif settings.auth == "proxy":
        app.before_request(_proxy_check(settings))


class BasicAuth:
    """HTTP basic auth against hashed passwords, remembering good answers.

    Password hashes are deliberately slow (hundreds of milliseconds); a digest of each
    credential pair that passed once is kept so that every later request costs a hash lookup.
    """

    def __init__(self, users: dict[str, str]):
        self.users = dict(users)
        self.passed: set[bytes] = set()
        self.lock = threading.Lock()

    def require(self) -> Response | None:
        if request.path in OPEN_PATHS:
            return None
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or not self.verify(auth.username or "", auth.password or "")
        ):
            response = jsonify(error={"code": "unauthorized", "message": "Sign in to search."})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = REALM
            return response
        return None

    def verify(self, username: str, password: str) -> bool:
        stored = self.users.get(username)
        if stored is None:
            return False
        digest = hashlib.sha256(f"{username}\0{password}\0{stored}".encode()).digest()
        with self.lock:
            if any(hmac.compare_digest(digest, known) for known in self.passed):
                return True
        if not check_password_hash(stored, password):
            return False
        with self.lock:
            if len(self.passed) > 10_000:
                self.passed.clear()
            self.passed.add(digest)
        return True


def _proxy_check(settings: Settings):
    trusted = frozenset(settings.auth_proxy_trusted)
    header = settings.auth_proxy_header

    def require() -> Response | None:
        if request.path in OPEN_PATHS:
            return None
        user = request.headers.get(header, "").strip()
        if request.remote_addr not in trusted or not user:
            response = jsonify(
                error={"code": "forbidden", "message": "Open the archive through the sign-in."}
            )
            response.status_code = 403
            return response
        return None

    return require
