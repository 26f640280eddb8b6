"""Read YAML into a pydantic model: the agency file, report frames, the price catalog (files a
user edits, InventoryError), and the data files shipped in the package (InfraAuditError: a
broken installation or a bad edit). Both name every field in error by its path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from infraaudit.errors import InfraAuditError, InventoryError

Model = TypeVar("Model", bound=BaseModel)


def load_yaml_model(path: Path, model: type[Model], what: str) -> Model:
    """``path`` read and validated as ``model``; InventoryError names ``what`` and the file,
    and for invalid content every field in error with its message."""
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
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
    source = resources.files(package).joinpath(name)
    try:
        return model.model_validate(yaml.safe_load(source.read_text("utf-8")))
    except ValidationError as exc:
        raise InfraAuditError(f"{source}: {problems(exc)}") from None
