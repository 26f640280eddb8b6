"""Wording and templates of everything infraaudit writes for people (Vietnamese).

Shipped as package data so an installed infraaudit finds them: load with
``importlib.resources.files("report_templates")``.
"""
