"""Loading the findings stage's data files into models: the field types they share, each checked
when the file is loaded (a regular expression, a YAML list read as a tuple, a ``str.format``
sentence), and one way to name what does not fit."""

from __future__ import annotations

import re
from importlib import resources
from string import Formatter
from typing import Annotated, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError

from infraaudit.errors import InfraAuditError

Model = TypeVar("Model", bound=BaseModel)


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
    return pattern


def as_tuple(value: object) -> object:
    """A YAML list as a tuple (strict models take only tuples for tuple fields)."""
    return tuple(value) if isinstance(value, list) else value


def _template(text: str) -> str:
    list(Formatter().parse(text))  # ValueError names the problem (unbalanced braces)
    return text


Regex = Annotated[str, AfterValidator(_regex)]
Patterns = Annotated[tuple[Regex, ...], BeforeValidator(as_tuple)]
Words = Annotated[tuple[str, ...], BeforeValidator(as_tuple)]
# A sentence with {placeholders}: a malformed one fails at load (the proposal's wording too).
WordingTemplate = Annotated[str, AfterValidator(_template)]


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
