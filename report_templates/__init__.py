"""Wording and templates of everything infraaudit writes for people (Vietnamese).

Shipped as package data so an installed infraaudit finds them: load with
``importlib.resources.files("infraaudit.report_templates")``. This folder is the package
``infraaudit.report_templates`` (the symlink ``infraaudit/report_templates``). Data, not code:
May import: nothing.
"""

if __name__ != "infraaudit.report_templates":
    raise ImportError(f"{__name__!r} is the package infraaudit.report_templates: "
                      "import infraaudit.report_templates")
