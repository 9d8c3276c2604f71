"""Settings: read once, from ``config/default.toml``, an override file and the environment.

Precedence, lowest first: ``config/default.toml`` (every setting, with its default), the file
named by ``SEARCH_SERVICE_CONFIG``, ``SEARCH_SERVICE_<NAME>`` environment variables, and the
command line (applied by the caller with :meth:`Settings.replace`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "SEARCH_SERVICE_"
CONFIG_ENV = ENV_PREFIX + "CONFIG"
DEFAULT_CONFIG = Path(__file__).resolve().parent / "defaults.toml"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
AUTH_MODES = ("off", "basic", "proxy")


class ConfigError(ValueError):
    """A settings file or variable is missing, unknown or of the wrong type."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """All settings of the service; see ``config/default.toml`` for what each one means."""

    archive: tuple[Path, ...]
    index_dir: Path
    max_file_bytes: int
    build_procs: int
    log_level: str
    page_size: int
    max_page_size: int
    max_page: int
    max_query_length: int
    posting_cache_mb: int
    host: str
    port: int
    workers: int
    threads: int
    auth: str
    auth_users: dict[str, str]
    auth_proxy_header: str
    auth_proxy_trusted: tuple[str, ...]

    def replace(self, **changes: Any) -> Settings:
        """A copy with the given settings changed; ``None`` values are ignored."""
        given = {name: value for name, value in changes.items() if value is not None}
        if "archive" in given:
            given["archive"] = tuple(Path(p) for p in given["archive"])
        if "index_dir" in given:
            given["index_dir"] = Path(given["index_dir"])
        return dataclasses.replace(self, **given)


_FIELDS = {field.name: field for field in dataclasses.fields(Settings)}
_POSITIVE = {
    "max_file_bytes",
    "page_size",
    "max_page_size",
    "max_page",
    "max_query_length",
    "posting_cache_mb",
    "threads",
}


def load_settings(
    environ: Mapping[str, str] | None = None, default_file: Path = DEFAULT_CONFIG
) -> Settings:
    """Read the settings files and the environment into one validated :class:`Settings`."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    raw.update(_read_file(default_file))
    override = environ.get(CONFIG_ENV)
    if override:
        raw.update(_read_file(Path(override)))
    raw.update(_read_environment(environ))
    missing = sorted(set(_FIELDS) - set(raw))
    if missing:
        raise ConfigError(f"settings missing (not in {default_file}): {', '.join(missing)}")
    return Settings(**{name: _check(name, value) for name, value in raw.items()})


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"settings file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    for name in data:
        if name not in _FIELDS:
            raise ConfigError(f"{path}: unknown setting {name!r}")
    base = path.resolve().parent
    if "archive" in data:
        if not isinstance(data["archive"], list):
            raise ConfigError(f"{path}: setting 'archive' must be a list of folders")
        data["archive"] = [_resolve(base, entry, path, "archive") for entry in data["archive"]]
    if "index_dir" in data:
        data["index_dir"] = _resolve(base, data["index_dir"], path, "index_dir")
    return data


def _resolve(base: Path, value: Any, source: Path, name: str) -> Path:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: setting {name!r} must be a path string, not {value!r}")
    return (base / value).resolve()


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, text in environ.items():
        if not key.startswith(ENV_PREFIX) or key == CONFIG_ENV:
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name not in _FIELDS:
            raise ConfigError(f"unknown setting in environment variable {key}")
        values[name] = _parse_env(name, key, text)
    return values


def _parse_env(name: str, key: str, text: str) -> Any:
    kind = _FIELDS[name].type
    if name == "archive":
        return [Path(part) for part in text.split(os.pathsep) if part]
    if kind == "int":
        try:
            return int(text.replace("_", ""))
        except ValueError:
            raise ConfigError(f"{key} must be a whole number, not {text!r}") from None
    if kind == "tuple[str, ...]":
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "dict[str, str]":  # "name=hash,name=hash"
        pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ConfigError(f"{key} must look like name=hash,name=hash")
        return {name.strip(): value.strip() for name, value in pairs}
    return text


def _check(name: str, value: Any) -> Any:
    """Validate one setting's type and range; return it in its final form."""
    kind = _FIELDS[name].type
    if name == "archive":
        if not all(isinstance(p, str | Path) for p in value):
            raise ConfigError("setting 'archive' must be a list of folders")
        return tuple(Path(p) for p in value)
    if name == "index_dir":
        return Path(value)
    if kind == "tuple[str, ...]":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"setting {name!r} must be a list of strings")
        return tuple(value)
    if kind == "dict[str, str]":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"setting {name!r} must be a table of name = string")
        return dict(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"setting {name!r} must be a whole number, not {value!r}")
        if value < 0 or (value == 0 and name in _POSITIVE) or (name == "port" and value > 65535):
            raise ConfigError(f"setting {name!r} is out of range: {value}")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"setting {name!r} must be a string, not {value!r}")
    if name == "auth" and value not in AUTH_MODES:
        raise ConfigError(f"setting 'auth' must be one of {', '.join(AUTH_MODES)}")
    if name == "log_level" and value.upper() not in LOG_LEVELS:
        raise ConfigError(f"setting 'log_level' must be one of {', '.join(LOG_LEVELS)}")
    return value.upper() if name == "log_level" else value
