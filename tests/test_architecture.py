"""Rules of the code's shape, checked on its source (parsed with ``ast``, never by running it):

- the access policy lives in one package: every ``can_*`` / ``may_*`` / ``ensure_*`` /
  ``access_*`` predicate and every scope filter ``*_q(actor, …)`` is defined in
  ``src/hocvuso/access/``, and ``scope_of`` is called nowhere else;
- views and API handlers are thin: they never reach the ORM (``Model.objects``) themselves but
  go through selectors and services.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hocvuso

PACKAGE = Path(hocvuso.__file__).resolve().parent
POLICY = PACKAGE / "access"
PREDICATE = re.compile(r"^(can|may|ensure|access)_")


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _outside_policy() -> list[tuple[Path, ast.Module]]:
    return [
        (p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
        for p in _sources()
        if POLICY not in p.parents
    ]


def _first_param(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    if args and args[0].arg in {"self", "cls"}:
        args = args[1:]
    return args[0].arg if args else None


def policy_breaches(modules: list[tuple[Path, ast.Module]]) -> list[str]:
    found = []
    for path, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = node.name
                if PREDICATE.match(name) or (name.endswith("_q") and _first_param(node) == "actor"):
                    found.append(f"{_rel(path)}:{node.lineno} defines {name}")
            elif isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == "scope_of":
                    found.append(f"{_rel(path)}:{node.lineno} calls scope_of")
    return found


def test_the_policy_is_defined_only_in_the_access_package():
    assert policy_breaches(_outside_policy()) == []


def test_the_policy_check_catches_what_it_looks_for():
    """The check itself, on code written to break it (a check that cannot fail proves nothing)."""
    bad = ast.parse(
        "def can_edit(actor, x): ...\n"
        "def may_go(actor): ...\n"
        "def ensure_thing(actor): ...\n"
        "def access_thing(actor, pk): ...\n"
        "def person_q(actor, prefix=''): ...\n"
        "def helper_q(commune_code): ...\n"  # a filter not about the actor: allowed
        "class A:\n    def team_q(self, actor): ...\n"
        "scope = scope_of(user)\n"
        "s = policy.scope_of(user)\n"
    )
    found = policy_breaches([(PACKAGE / "demo" / "x.py", bad)])
    assert [f.split(" ", 1)[1] for f in found] == [
        "defines can_edit",
        "defines may_go",
        "defines ensure_thing",
        "defines access_thing",
        "defines person_q",
        "defines team_q",
        "calls scope_of",
        "calls scope_of",
    ]


def _handler_modules() -> list[Path]:
    return [
        p
        for p in _sources()
        if p.name == "api.py"
        or p.name == "views.py"
        or p.name.startswith("views_")
        or p.parent.name == "views"
    ]


def orm_reaches(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{_rel(path)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]


def test_views_and_api_handlers_reach_the_orm_only_through_selectors():
    modules = _handler_modules()
    assert len(modules) >= 20
    assert [hit for p in modules for hit in orm_reaches(p)] == []
