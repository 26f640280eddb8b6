"""Read a YAML file into a pydantic model: the agency file, report frames, the price catalog."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from infraaudit.errors import InventoryError

Model = TypeVar("Model", bound=BaseModel)


def load_yaml_model(path: Path, model: type[Model], what: str) -> Model:
    """``path`` read and validated as ``model``; InventoryError names ``what`` and the file,
    and for invalid content every field in error with its message."""
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise InventoryError(f"{what} {path}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InventoryError(f"{what} {path}: {problems}") from None
