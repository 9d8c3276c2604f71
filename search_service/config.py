"""Settings: read once, in layers, each overriding only the settings it names.

Lowest precedence first:

1. the built-in defaults, ``defaults.toml`` inside the package (every setting, with a comment);
2. the host's file, ``/etc/archive-search/config.toml``, if present;
3. the working folder's file, ``./config/archive-search.toml``, if present;
4. the file named by ``SEARCH_SERVICE_CONFIG``;
5. the file named by ``--config``;
6. ``SEARCH_SERVICE_<NAME>`` environment variables;
7. the command line (applied by the caller with :meth:`Settings.replace`).

Relative paths in a settings file are resolved against that file's folder; in the built-in
defaults, ``archive`` names the sample archive inside the package and ``index_dir`` is
``./index`` of the working folder. Relative paths in environment variables are relative to the
working folder. An unknown setting or a value of the wrong type is a :class:`ConfigError`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

ENV_PREFIX = "SEARCH_SERVICE_"
CONFIG_ENV = ENV_PREFIX + "CONFIG"
DEFAULTS_RESOURCE = "defaults.toml"  # inside the search_service package
LOCAL_CONFIG = Path("config") / "archive-search.toml"  # relative to the working folder
SYSTEM_CONFIG = Path("/etc/archive-search/config.toml")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
AUTH_MODES = ("off", "basic", "proxy")
SECRET_SETTINGS = frozenset({"auth_users"})  # shown with their values masked
MASK = "********"

# Layer names, lowest precedence first (the ``config`` command shows them in this order).
LAYER_DEFAULTS = "built-in defaults"
LAYER_SYSTEM = "host settings file"
LAYER_LOCAL = "working folder's settings file"
LAYER_ENV_FILE = CONFIG_ENV
LAYER_OPTION = "--config"
LAYER_ENVIRONMENT = "environment"


class ConfigError(ValueError):
    """A settings file or variable is missing, unknown or of the wrong type."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """All settings of the service; see ``search_service/defaults.toml`` for each one."""

    archive: tuple[Path, ...]
    index_dir: Path
    max_file_bytes: int
    build_procs: int
    log_level: str
    page_size: int
    max_page_size: int
    max_page: int
    max_query_length: int
    max_prefix_terms: int
    time_budget_ms: int
    slow_search_ms: int
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


@dataclasses.dataclass(frozen=True)
class Layer:
    """One place settings were looked for: its name, the file or variables, what it set."""

    name: str
    where: str  # a file's path, or a description of the variables
    found: bool
    keys: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class LoadedSettings:
    """The effective settings, where each one came from, and every layer looked at."""

    settings: Settings
    sources: dict[str, Layer]
    layers: tuple[Layer, ...]

    def shown(self) -> dict[str, Any]:
        """Every setting as plain JSON values, secrets masked."""
        shown = {}
        for name in _FIELDS:
            value = getattr(self.settings, name)
            if name in SECRET_SETTINGS:
                value = {user: MASK for user in value}
            elif isinstance(value, tuple):
                value = [str(item) if isinstance(item, Path) else item for item in value]
            elif isinstance(value, Path):
                value = str(value)
            shown[name] = value
        return shown


_FIELDS = {field.name: field for field in dataclasses.fields(Settings)}
_POSITIVE = {
    "max_file_bytes",
    "page_size",
    "max_page_size",
    "max_page",
    "max_query_length",
    "max_prefix_terms",
    "time_budget_ms",
    "posting_cache_mb",
    "threads",
}


def defaults_text() -> str:
    """The built-in defaults file, as shipped in the package."""
    return resources.files("search_service").joinpath(DEFAULTS_RESOURCE).read_text("utf-8")


def package_folder() -> Path:
    """The installed package's folder (the bundled sample archive lives in it)."""
    return Path(str(resources.files("search_service")))


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    config_file: Path | None = None,
    local_file: Path | None = None,
    system_file: Path | None = None,
) -> Settings:
    """Read every layer of settings into one validated :class:`Settings`."""
    return load_layers(
        environ, config_file=config_file, local_file=local_file, system_file=system_file
    ).settings


def load_layers(
    environ: Mapping[str, str] | None = None,
    *,
    config_file: Path | None = None,
    local_file: Path | None = None,
    system_file: Path | None = None,
) -> LoadedSettings:
    """Like :func:`load_settings`, also saying where each setting came from.

    ``local_file`` and ``system_file`` default to :data:`LOCAL_CONFIG` and
    :data:`SYSTEM_CONFIG`.
    """
    environ = os.environ if environ is None else environ
    local_file = LOCAL_CONFIG if local_file is None else local_file
    system_file = SYSTEM_CONFIG if system_file is None else system_file
    raw: dict[str, Any] = {}
    sources: dict[str, Layer] = {}
    layers: list[Layer] = []

    def apply(layer: Layer, values: dict[str, Any]) -> None:
        layers.append(layer)
        raw.update(values)
        sources.update(dict.fromkeys(values, layer))

    defaults = _read_defaults()
    where = str(package_folder() / DEFAULTS_RESOURCE)
    apply(Layer(LAYER_DEFAULTS, where, True, tuple(defaults)), defaults)
    for name, path, required in (
        (LAYER_SYSTEM, Path(system_file), False),
        (LAYER_LOCAL, Path(local_file), False),
        (LAYER_ENV_FILE, Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None, True),
        (LAYER_OPTION, Path(config_file) if config_file else None, True),
    ):
        if path is None:
            layers.append(Layer(name, "not given", False))
            continue
        path = path.absolute()
        if not required and not _exists(path):
            layers.append(Layer(name, str(path), False))
            continue
        values = _read_file(path)
        apply(Layer(name, str(path), True, tuple(values)), values)
    variables = _read_environment(environ)
    for setting, value in variables.items():
        key = ENV_PREFIX + setting.upper()
        layer = Layer(LAYER_ENVIRONMENT, key, True, (setting,))
        raw[setting] = value
        sources[setting] = layer
    layers.append(
        Layer(
            LAYER_ENVIRONMENT,
            ", ".join(ENV_PREFIX + name.upper() for name in variables) or f"{ENV_PREFIX}<NAME>",
            bool(variables),
            tuple(variables),
        )
    )
    missing = sorted(set(_FIELDS) - set(raw))
    if missing:
        raise ConfigError(f"settings missing from the built-in defaults: {', '.join(missing)}")
    checked = {}
    for name, value in raw.items():
        try:
            checked[name] = _check(name, value)
        except ConfigError as error:  # name the file or variable that set it
            raise ConfigError(f"{sources[name].where}: {error}") from None
    return LoadedSettings(Settings(**checked), sources, tuple(layers))


def _exists(path: Path) -> bool:
    """Whether an optional settings file is there; one that cannot even be looked at counts
    as there, so that reading it names the problem."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _read_defaults() -> dict[str, Any]:
    """The built-in defaults: ``archive`` inside the package, ``index_dir`` in the working
    folder (a wheel's package folder is no place for an index)."""
    where = package_folder() / DEFAULTS_RESOURCE
    data = _parse(defaults_text(), where)
    _check_names(data, where)
    package = package_folder()
    data["archive"] = [_resolve(package, entry, where, "archive") for entry in data["archive"]]
    data["index_dir"] = _resolve(Path.cwd(), data["index_dir"], where, "index_dir")
    return data


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"settings file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read settings file {path}: {error}") from None
    data = _parse(text, path)
    _check_names(data, path)
    base = path.resolve().parent
    if "archive" in data:
        data["archive"] = [_resolve(base, entry, path, "archive") for entry in data["archive"]]
    if "index_dir" in data:
        data["index_dir"] = _resolve(base, data["index_dir"], path, "index_dir")
    return data


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def _check_names(data: dict[str, Any], path: Path) -> None:
    for name in data:
        if name not in _FIELDS:
            raise ConfigError(f"{path}: unknown setting {name!r}")
    if "archive" in data and not isinstance(data["archive"], list):
        raise ConfigError(f"{path}: setting 'archive' must be a list of folders")


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
