"""Read YAML into a pydantic model: the inventory, the agency file, report frames, the price
catalog, thresholds and the other catalogs (files a user edits, InventoryError), and the data
files shipped in the package (InfraAuditError: a broken installation or a bad edit). Both name
every field in error by its path.

Every YAML file a user gives goes through one bounded reader (``read_yaml``): at most
``MAX_BYTES``, UTF-8, one document, no aliases or merge keys (a kilobyte of
them expands to gigabytes), at most ``MAX_DEPTH`` levels of nesting, no key twice in a mapping
(both lines named), integers of at most ``MAX_INT_DIGITS`` digits. Values are then validated in
pydantic's strict mode (``validate_strict``): ``retries: true`` or ``port: "161"`` is an error,
not 1 and 161. libyaml parses when it is installed (about ten times faster), with the same
checks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from infraaudit.errors import InfraAuditError, InventoryError

if TYPE_CHECKING:  # pydantic loads with the first model validated, not for --help
    from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound="BaseModel")

MAX_BYTES = 2 * 1024 * 1024  # 10,000 devices, one a line: 0.5 MB, read in 0.7 s
MAX_DEPTH = 64
MAX_INT_DIGITS = 40

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(yaml.MarkedYAMLError, InfraAuditError):
    """A document the reader does not accept (alias, depth, duplicate key, huge number)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _Loader(_Parser):  # type: ignore[misc]
    """The safe loader, refusing duplicate keys, huge integers and values Python cannot build
    (a timestamp like 2025-13-45) as YAML errors with their line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue  # unhashable keys: the constructor below says so
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:
                continue
            if first is not key_node.start_mark:
                mark = key_node.start_mark
                where = (f"lines {first.line + 1} and {mark.line + 1}" if first.line != mark.line
                         else f"line {mark.line + 1}, columns {first.column + 1} and "
                              f"{mark.column + 1}")
                raise _Refused(f"key {_clip(str(key))!r} appears twice in this mapping "
                               f"({where}): keep one", mark)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise _Refused(f"an integer of {digits} digits (at most {MAX_INT_DIGITS})",
                           node.start_mark)
        return super().construct_yaml_int(node)  # type: ignore[no-any-return]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # e.g. month 13: Python's own errors
            raise _Refused(f"{node.tag.rsplit(':', 1)[-1]} value cannot be read: {exc}",
                           node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _check_events(text: str) -> None:
    """Refuse aliases, merge keys' sources and deep nesting from the event stream, before any
    node is built (the composer recurses, in C with libyaml)."""
    depth = documents = 0
    for event in yaml.parse(text, Loader=_Parser):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(f"YAML aliases (*{_clip(str(event.anchor), 30)}) and merge keys "
                           "are not accepted: write each value out", event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused("a second YAML document (---): one document per file",
                               event.start_mark)


def parse_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """(data, root node with line marks) of one YAML document, with the checks above;
    yaml.YAMLError (its ``problem_mark`` gives the line) when it is refused."""
    _check_events(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def data_yaml(text: str) -> Any:
    """A data file shipped in the package (text we wrote, so without ``read_yaml``'s bounds),
    parsed by libyaml when it is installed: the pure-Python loader took ~40 ms of every scan's
    start-up for the SNMP data files alone."""
    return yaml.load(text, Loader=_Parser)


def read_text(path: Path, what: str, limit: int = MAX_BYTES) -> str:
    """A file of at most ``limit`` bytes as UTF-8 text; InventoryError otherwise (a 50 MB
    file is refused before it is read; a pipe, ``<(...)``, or /dev/zero is read up to the
    limit)."""
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise InventoryError(f"{what} {path}: {info.st_size:,} bytes, over the limit of "
                                     f"{limit:,}: is it the right file?")
            raw = handle.read(limit + 1)
    except IsADirectoryError:
        raise InventoryError(f"{what} {path}: a folder, not a file") from None
    except OSError as exc:
        raise InventoryError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise InventoryError(f"{what} {path}: over the limit of {limit:,} bytes: is it the "
                             "right file?")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InventoryError(f"{what} {path}: not UTF-8 text ({exc.reason} at byte "
                             f"{exc.start})") from None


def yaml_problem(exc: yaml.YAMLError, where: Path | str) -> str:
    """``file:line: invalid YAML: problem``, never quoting the line itself (it may hold a
    secret)."""
    mark = getattr(exc, "problem_mark", None)
    place = f"{where}:{mark.line + 1}" if mark else str(where)
    problem = getattr(exc, "problem", None) or "syntax error"
    return f"{place}: invalid YAML: {problem}"


def read_yaml(path: Path, what: str) -> tuple[Any, yaml.Node | None]:
    """``path`` read (``read_text``) and parsed (``parse_yaml``); InventoryError names the
    file and line."""
    text = read_text(path, what)
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        raise InventoryError(yaml_problem(exc, f"{what} {path}")) from None


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"a YAML value of type {type(value).__name__} is not accepted here")


def validate_strict(model: type[Model], data: Any) -> Model:
    """``data`` (as read from YAML) validated in strict mode, through JSON so that strings
    still become paths, addresses, enums and dates: a boolean is not an integer, a number is
    not a string. ValidationError as usual; InventoryError for a value of a type JSON has not
    (``!!binary``, ``!!set``)."""
    try:
        text = json.dumps(data, default=_json_value, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InventoryError(str(exc)) from None
    return model.model_validate_json(text, strict=True)


def load_yaml_model(path: Path, model: type[Model], what: str) -> Model:
    """``path`` read and validated as ``model``; InventoryError names ``what`` and the file,
    and for invalid content every field in error with its message."""
    from pydantic import ValidationError

    data, _ = read_yaml(path, what)
    try:
        return validate_strict(model, data)
    except InventoryError as exc:
        raise InventoryError(f"{what} {path}: {exc}") from None
    except ValidationError as exc:
        raise InventoryError(f"{what} {path}: {problems(exc)}") from None


def problems(exc: ValidationError, skip: str | None = None) -> str:
    """Every field in error as ``path: message``, joined by ``; `` (``skip``: a first path
    element that is not in the file, e.g. a key the loader grouped the entries under)."""
    def path(loc: tuple[int | str, ...]) -> str:
        return ".".join(map(str, loc[1:] if loc and loc[0] == skip else loc))

    return "; ".join(f"{path(e['loc'])}: {e['msg']}" for e in exc.errors())


def load_packaged(package: str, name: str, model: type[Model]) -> Model:
    """A YAML file shipped in ``package`` as ``model``; InfraAuditError names the file and every
    field in error (a broken installation or a bad edit of the file)."""
    from pydantic import ValidationError

    source = resources.files(package).joinpath(name)
    try:
        data, _ = parse_yaml(source.read_text("utf-8"))
        return model.model_validate(data)
    except yaml.YAMLError as exc:
        raise InfraAuditError(yaml_problem(exc, str(source))) from None
    except ValidationError as exc:
        raise InfraAuditError(f"{source}: {problems(exc)}") from None
