"""The field types the findings stage's data files share, each checked when the file is loaded
(a regular expression, a YAML list read as a tuple, a ``str.format`` sentence). The files are
read with ``infraaudit.util.yamlfile``."""

from __future__ import annotations

import re
from string import Formatter
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator


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
