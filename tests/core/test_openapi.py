"""Every schema of the API has its own name: two classes of the same name would be collapsed
into one in the OpenAPI document, which would then describe one endpoint with another's fields
(the desk's and the teams' visits once did)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import hocvuso
from hocvuso.config.api import api


def test_schema_names_are_unique_across_the_api():
    found: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.walk_packages(hocvuso.__path__, "hocvuso."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == info.name:
                found[name].add(info.name)
    assert {n: m for n, m in found.items() if len(m) > 1} == {}


def test_the_documented_desk_visit_has_the_desk_fields():
    schema = api.get_openapi_schema()
    body = schema["components"]["schemas"]["DeskVisitIn"]["properties"]
    assert {"commune", "procedure", "outcome"} <= set(body)
    assert "team_id" not in body
