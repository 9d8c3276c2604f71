"""Settings: defaults file, override file, environment, validation."""

from pathlib import Path

import pytest

from search_service.config import DEFAULT_CONFIG, ConfigError, load_settings


def test_default_file_holds_every_setting_with_a_comment():
    settings = load_settings({})
    assert settings.page_size == 10
    assert settings.index_dir == (DEFAULT_CONFIG.parent.parent / "index").resolve()
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    lines = text.splitlines()
    for name in settings.__dataclass_fields__:
        line_no = next(
            i for i, line in enumerate(lines) if line.startswith((f"{name} =", f"[{name}]"))
        )
        assert lines[line_no - 1].startswith("#") or lines[line_no - 1].startswith(
            ("host", "port")
        ), f"setting {name} has no comment above it"


def test_override_file_and_environment(tmp_path: Path):
    override = tmp_path / "site.toml"
    override.write_text('index_dir = "idx"\nport = 9000\n', encoding="utf-8")
    settings = load_settings({"SEARCH_SERVICE_CONFIG": str(override)})
    assert settings.index_dir == tmp_path / "idx"
    assert settings.port == 9000
    settings = load_settings(
        {"SEARCH_SERVICE_CONFIG": str(override), "SEARCH_SERVICE_PORT": "9100"}
    )
    assert settings.port == 9100


def test_environment_archive_list():
    settings = load_settings({"SEARCH_SERVICE_ARCHIVE": "/a:/b"})
    assert settings.archive == (Path("/a"), Path("/b"))


def test_command_line_wins():
    settings = load_settings({"SEARCH_SERVICE_PORT": "9100"}).replace(port=9200, host=None)
    assert settings.port == 9200
    assert settings.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SEARCH_SERVICE_PORTT": "1"}, "unknown setting"),
        ({"SEARCH_SERVICE_PORT": "eighty"}, "whole number"),
        ({"SEARCH_SERVICE_PORT": "70000"}, "out of range"),
        ({"SEARCH_SERVICE_PAGE_SIZE": "0"}, "out of range"),
        ({"SEARCH_SERVICE_LOG_LEVEL": "LOUD"}, "log_level"),
        ({"SEARCH_SERVICE_CONFIG": "/nonexistent/file.toml"}, "not found"),
    ],
)
def test_bad_settings_are_clear_errors(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("colour = 'red'\n", "unknown setting 'colour'"),
        ("page_size = 'ten'\n", "whole number"),
        ("archive = 'one'\n", "list of folders"),
        ("port = [1\n", "not valid TOML"),
        ("max_page = true\n", "whole number"),
    ],
)
def test_bad_settings_file(tmp_path: Path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings({"SEARCH_SERVICE_CONFIG": str(path)})
