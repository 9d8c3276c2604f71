"""Access control both ways: off (the default) leaves everything open; ``basic`` and ``proxy``
close every page and API route but ``/health``. Also the settings from the environment and
the ``hash-password`` command.
"""

from __future__ import annotations

import base64

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from search_service.cli import main
from search_service.config import load_settings
from search_service.web import create_app

from .test_hostile import check_security_headers

# Cheap hashes keep the tests fast; the method does not matter to the check.
PASSWORD = "Жаңа-құпия сөз 2025"
HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
OTHER_HASH = generate_password_hash("another one", method="pbkdf2:sha256:1000")

CLOSED = [
    "/",
    "/search?q=тариф",
    "/articles/ru.2024.02.tariff-title",
    "/api/search?q=тариф",
    "/api/articles/ru.2024.02.tariff-title",
    "/api/articles/ru.2024.02.tariff-title/similar",
    "/api/analyze?text=тариф",
    "/export.csv?q=тариф",
    "/opensearch.xml",
    "/static/archive.css",
    "/lang/ru?next=/",
    "/no/such/page",
]


def client_for(tiny_index, environ=None, **changes):
    settings = load_settings(environ or {}).replace(index_dir=tiny_index, **changes)
    app = create_app(settings)
    app.config.update(TESTING=True)
    return app.test_client()


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def opened(response) -> bool:
    return response.status_code not in (401, 403)


# Off ------------------------------------------------------------------------------------


def test_auth_is_off_by_default(tiny_index):
    assert load_settings({}).auth == "off"
    client = client_for(tiny_index)
    for url in CLOSED[:-1]:
        response = client.get(url)
        assert response.status_code in (200, 303), url
        assert "WWW-Authenticate" not in response.headers


# Basic ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basic_client(tiny_index):
    return client_for(tiny_index, auth="basic", auth_users={"anna": HASH, "marat": OTHER_HASH})


@pytest.mark.parametrize("url", CLOSED)
def test_basic_auth_asks_for_credentials(basic_client, url):
    response = basic_client.get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert response.get_json() == {
        "error": {"code": "unauthorized", "message": response.get_json()["error"]["message"]}
    }
    check_security_headers(response)
    assert "тариф" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        basic("anna", "wrong"),
        basic("anna", PASSWORD.upper()),
        basic("anna", ""),
        basic("", PASSWORD),
        basic("nobody", PASSWORD),
        basic("marat", PASSWORD),  # a right password of another user
        basic("anna:x", PASSWORD),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Bearer " + PASSWORD},
        {"Authorization": "Digest username=anna"},
        {"Authorization": ""},
    ],
)
def test_basic_auth_refuses_wrong_credentials(basic_client, headers):
    for url in ("/search?q=тариф", "/api/search?q=тариф"):
        response = basic_client.get(url, headers=headers)
        assert response.status_code == 401, (headers, url)
        assert "WWW-Authenticate" in response.headers


@pytest.mark.parametrize("url", CLOSED[:-1])
def test_basic_auth_lets_the_right_user_in(basic_client, url):
    response = basic_client.get(url, headers=basic("anna", PASSWORD))
    assert response.status_code in (200, 303), url
    check_security_headers(response)


def test_basic_auth_answers_repeated_requests_the_same(basic_client):
    """A remembered good answer must never let a wrong password through later."""
    right, wrong = basic("anna", PASSWORD), basic("anna", PASSWORD + "x")
    for _ in range(3):
        assert basic_client.get("/api/search?q=тариф", headers=right).status_code == 200
        assert basic_client.get("/api/search?q=тариф", headers=wrong).status_code == 401


def test_health_stays_open_with_basic_auth(basic_client):
    response = basic_client.get("/health")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    # Only the exact path: no way round the check by a look-alike of it.
    for url in ("/health/", "/health/../search?q=тариф", "/health%2F..%2Fsearch"):
        assert basic_client.get(url, follow_redirects=True).status_code in (401, 404), url


def test_basic_auth_with_no_users_lets_nobody_in(tiny_index):
    client = client_for(tiny_index, auth="basic", auth_users={})
    assert client.get("/", headers=basic("anna", PASSWORD)).status_code == 401
    assert client.get("/health").status_code == 200


# Proxy ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxy_client(tiny_index):
    return client_for(tiny_index, auth="proxy", auth_proxy_trusted=("10.0.0.2", "::1"))


def from_address(address: str, user: str | None = None) -> dict:
    headers = {"X-Remote-User": user} if user is not None else {}
    return {"environ_base": {"REMOTE_ADDR": address}, "headers": headers}


@pytest.mark.parametrize("url", CLOSED[:-1])
def test_proxy_auth_needs_a_trusted_address_and_the_header(proxy_client, url):
    assert opened(proxy_client.get(url, **from_address("10.0.0.2", "anna")))
    assert opened(proxy_client.get(url, **from_address("::1", "anna")))
    for refused in (
        from_address("10.0.0.2"),  # the proxy, but no user
        from_address("10.0.0.2", "  "),
        from_address("10.0.0.3", "anna"),  # a user name, but not from the proxy
        from_address("127.0.0.1", "anna"),  # not in this app's trusted list
        from_address("203.0.113.9", "anna"),
    ):
        response = proxy_client.get(url, **refused)
        assert response.status_code == 403, (url, refused)
        assert set(response.get_json()["error"]) == {"code", "message"}
        check_security_headers(response)


def test_proxy_auth_ignores_forwarded_for_headers(proxy_client):
    spoofed = {"X-Forwarded-For": "10.0.0.2", "X-Real-IP": "10.0.0.2", "X-Remote-User": "anna"}
    response = proxy_client.get(
        "/api/search?q=тариф", headers=spoofed, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert response.status_code == 403


def test_health_stays_open_with_proxy_auth(proxy_client):
    assert proxy_client.get("/health", **from_address("203.0.113.9")).status_code == 200


def test_proxy_header_name_is_a_setting(tiny_index):
    client = client_for(
        tiny_index, auth="proxy", auth_proxy_header="X-Auth-User", auth_proxy_trusted=("10.0.0.2",)
    )
    environ = {"REMOTE_ADDR": "10.0.0.2"}
    ok = client.get("/", headers={"X-Auth-User": "anna"}, environ_base=environ)
    assert ok.status_code == 200
    old = client.get("/", headers={"X-Remote-User": "anna"}, environ_base=environ)
    assert old.status_code == 403


# Settings from the environment ----------------------------------------------------------


def test_basic_auth_from_the_environment(tiny_index):
    environ = {"SEARCH_SERVICE_AUTH": "basic", "SEARCH_SERVICE_AUTH_USERS": f"anna={HASH}"}
    settings = load_settings(environ)
    assert settings.auth == "basic" and settings.auth_users == {"anna": HASH}
    client = client_for(tiny_index, environ)
    assert client.get("/api/search?q=тариф").status_code == 401
    ok = client.get("/api/search?q=тариф", headers=basic("anna", PASSWORD))
    assert ok.status_code == 200


def test_several_users_from_the_environment(tiny_index):
    environ = {
        "SEARCH_SERVICE_AUTH": "basic",
        "SEARCH_SERVICE_AUTH_USERS": f"anna={HASH}, marat={OTHER_HASH}",
    }
    client = client_for(tiny_index, environ)
    assert client.get("/", headers=basic("anna", PASSWORD)).status_code == 200
    assert client.get("/", headers=basic("marat", "another one")).status_code == 200


def test_proxy_auth_from_the_environment(tiny_index):
    environ = {
        "SEARCH_SERVICE_AUTH": "proxy",
        "SEARCH_SERVICE_AUTH_PROXY_TRUSTED": "10.0.0.2, 10.0.0.3",
    }
    assert load_settings(environ).auth_proxy_trusted == ("10.0.0.2", "10.0.0.3")
    client = client_for(tiny_index, environ)
    assert client.get("/", **from_address("10.0.0.3", "anna")).status_code == 200
    assert client.get("/", **from_address("10.0.0.4", "anna")).status_code == 403


@pytest.mark.parametrize(
    "environ",
    [
        {"SEARCH_SERVICE_AUTH": "on"},
        {"SEARCH_SERVICE_AUTH": "BASIC"},
        {"SEARCH_SERVICE_AUTH_USERS": "anna"},
    ],
)
def test_bad_auth_settings_stop_the_command(environ, runner, monkeypatch):
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(main, ["stats", "--json"])
    assert result.exit_code == 2
    assert "setting" in result.output or "SEARCH_SERVICE_AUTH" in result.output


# The hash-password command --------------------------------------------------------------


def test_hash_password_from_stdin(runner):
    result = runner.invoke(main, ["hash-password", "--stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    hashed = result.output.strip()
    assert check_password_hash(hashed, PASSWORD)
    assert not check_password_hash(hashed, PASSWORD + "\n")
    assert PASSWORD not in result.output


def test_hash_password_asks_twice_without_echo(runner):
    answers = f"{PASSWORD}\nnot the same\n{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(main, ["hash-password"], input=answers)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert "Password" in result.output and "match" in result.output.lower()
    assert check_password_hash(result.output.strip().splitlines()[-1], PASSWORD)


def test_hash_password_makes_a_settings_line_that_works(tiny_index, tmp_path, runner):
    result = runner.invoke(
        main, ["hash-password", "--stdin", "--user", "anna"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    config = tmp_path / "auth.toml"
    config.write_text(f'auth = "basic"\n[auth_users]\n{result.output}', encoding="utf-8")
    settings = load_settings({"SEARCH_SERVICE_CONFIG": str(config)})
    client = client_for(tiny_index, {"SEARCH_SERVICE_CONFIG": str(config)})
    assert set(settings.auth_users) == {"anna"}
    assert client.get("/", headers=basic("anna", PASSWORD)).status_code == 200
    assert client.get("/", headers=basic("anna", "wrong")).status_code == 401


def test_hash_password_refuses_an_empty_password(runner):
    result = runner.invoke(main, ["hash-password", "--stdin"], input="\n")
    assert result.exit_code == 2
    assert "empty" in result.output
