"""Settings: built-in defaults, the layered settings files, environment, validation, and the
``config`` command that shows where each setting came from."""

import json
from pathlib import Path

import pytest

from search_service import config
from search_service.cli import main
from search_service.config import (
    ConfigError,
    defaults_text,
    load_layers,
    load_settings,
    package_folder,
)


@pytest.fixture
def no_host_file(monkeypatch, tmp_path):
    """No /etc/archive-search/config.toml of the machine running the tests."""
    monkeypatch.setattr(config, "SYSTEM_CONFIG", tmp_path / "no-such-host-file.toml")


def test_default_file_holds_every_setting_with_a_comment():
    settings = load_settings({})
    assert settings.page_size == 10
    lines = defaults_text().splitlines()
    for name in settings.__dataclass_fields__:
        line_no = next(
            i for i, line in enumerate(lines) if line.startswith((f"{name} =", f"[{name}]"))
        )
        assert lines[line_no - 1].startswith("#") or lines[line_no - 1].startswith(
            ("host", "port")
        ), f"setting {name} has no comment above it"


def test_defaults_find_the_bundled_sample_and_put_the_index_in_the_working_folder(
    tmp_path, monkeypatch, no_host_file
):
    monkeypatch.chdir(tmp_path)  # no ./config/archive-search.toml here
    settings = load_settings({})
    assert settings.archive == (package_folder() / "sample_archive",)
    assert len(list(settings.archive[0].rglob("*.txt"))) > 40
    assert settings.index_dir == tmp_path.resolve() / "index"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_layer_overrides_only_what_it_names(tmp_path, monkeypatch):
    host = write(tmp_path / "etc" / "config.toml", "port = 9001\npage_size = 20\nthreads = 2\n")
    write(tmp_path / "work" / "config" / "archive-search.toml", 'port = 9002\nindex_dir = "ix"\n')
    from_env = write(tmp_path / "env.toml", "port = 9003\nmax_page = 50\n")
    from_option = write(tmp_path / "opt.toml", "port = 9004\n")
    monkeypatch.chdir(tmp_path / "work")
    loaded = load_layers(
        {"SEARCH_SERVICE_CONFIG": str(from_env), "SEARCH_SERVICE_THREADS": "8"},
        config_file=from_option,
        system_file=host,
    )
    settings = loaded.settings
    assert settings.port == 9004
    assert settings.page_size == 20  # only the host file names it
    assert settings.max_page == 50
    assert settings.threads == 8  # the variable wins over the host file
    assert settings.index_dir == tmp_path / "work" / "config" / "ix"  # against its file's folder
    assert settings.max_query_length == 500  # nobody names it: the built-in default
    sources = {name: layer.name for name, layer in loaded.sources.items()}
    assert sources["port"] == "--config"
    assert sources["page_size"] == "host settings file"
    assert sources["index_dir"] == "working folder's settings file"
    assert sources["max_page"] == "SEARCH_SERVICE_CONFIG"
    assert sources["threads"] == "environment"
    assert loaded.sources["threads"].where == "SEARCH_SERVICE_THREADS"
    assert sources["max_query_length"] == "built-in defaults"
    assert [layer.name for layer in loaded.layers] == [
        "built-in defaults",
        "host settings file",
        "working folder's settings file",
        "SEARCH_SERVICE_CONFIG",
        "--config",
        "environment",
    ]


def test_missing_optional_files_are_skipped_but_named_files_must_exist(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = load_layers({}, system_file=tmp_path / "absent.toml")
    assert [layer.found for layer in loaded.layers[1:3]] == [False, False]
    with pytest.raises(ConfigError, match="not found"):
        load_settings({}, config_file=tmp_path / "absent.toml")


def test_an_optional_file_that_cannot_be_read_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "etc-config.toml").mkdir()  # there, but not a readable file
    with pytest.raises(ConfigError, match="cannot read settings file"):
        load_settings({}, system_file=tmp_path / "etc-config.toml")


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
@pytest.mark.parametrize("layer", ["system", "local", "environment", "option"])
def test_bad_settings_file(tmp_path: Path, monkeypatch, content, message, layer):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "config" / "archive-search.toml"
    write(path, content)
    with pytest.raises(ConfigError, match=message) as raised:
        if layer == "system":
            load_settings({}, system_file=path, local_file=tmp_path / "absent.toml")
        elif layer == "local":
            load_settings({})
        elif layer == "environment":
            load_settings({"SEARCH_SERVICE_CONFIG": str(path)}, local_file=tmp_path / "x")
        else:
            load_settings({}, config_file=path, local_file=tmp_path / "x")
    assert str(path) in str(raised.value)


# The `config` command --------------------------------------------------------------------


def test_config_command_shows_values_sources_and_masks_secrets(
    tmp_path, monkeypatch, runner, no_host_file
):
    work = tmp_path / "work"
    local = write(
        work / "config" / "archive-search.toml",
        'port = 9002\nauth = "basic"\n[auth_users]\n"anna" = "scrypt:32768:8:1$secret-hash"\n',
    )
    option = write(tmp_path / "opt.toml", "threads = 3\n")
    monkeypatch.chdir(work)
    monkeypatch.setenv("SEARCH_SERVICE_PAGE_SIZE", "25")

    result = runner.invoke(main, ["--config", str(option), "config"])
    assert result.exit_code == 0, result.output
    assert "secret-hash" not in result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if " = " in line}
    assert lines["port"].endswith(f"# {local}")
    assert lines["threads"].endswith(f"# {option}")
    assert lines["page_size"].endswith("# SEARCH_SERVICE_PAGE_SIZE")
    assert lines["max_page"].endswith("# built-in defaults")
    assert '"anna": "********"' in lines["auth_users"]
    assert f'"{work.resolve() / "index"}"' in lines["index_dir"]
    assert "/etc" not in result.output or "not present" in result.output

    result = runner.invoke(main, ["--config", str(option), "config", "--json"])
    assert result.exit_code == 0, result.output
    assert "secret-hash" not in result.output
    report = json.loads(result.output)
    assert report["settings"]["port"] == {
        "value": 9002,
        "source": "working folder's settings file",
        "from": str(local),
    }
    assert report["settings"]["auth_users"]["value"] == {"anna": "********"}
    assert report["settings"]["page_size"]["from"] == "SEARCH_SERVICE_PAGE_SIZE"
    assert report["settings"]["archive"]["value"] == [str(package_folder() / "sample_archive")]
    layers = {layer["layer"]: layer for layer in report["layers"]}
    assert layers["host settings file"]["found"] is False
    assert sorted(layers["working folder's settings file"]["settings"]) == [
        "auth",
        "auth_users",
        "port",
    ]
    assert layers["--config"]["settings"] == ["threads"]
    assert layers["SEARCH_SERVICE_CONFIG"] == {
        "layer": "SEARCH_SERVICE_CONFIG",
        "where": "not given",
        "found": False,
        "settings": [],
    }


def test_config_command_stops_on_a_bad_file_with_exit_code_2(tmp_path, monkeypatch, runner):
    bad = write(tmp_path / "bad.toml", "colour = 'red'\n")
    result = runner.invoke(main, ["--config", str(bad), "config"])
    assert result.exit_code == 2
    assert "unknown setting 'colour'" in result.output and str(bad) in result.output
