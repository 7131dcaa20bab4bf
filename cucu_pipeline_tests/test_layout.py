"""The layout a newcomer reads: what the README names exists, modules and functions stay small, and the installed
package holds no test double."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cucu_pipeline_tests.conftest import REPO

PACKAGE = REPO / "cucu_pipeline"
TESTS = REPO / "cucu_pipeline_tests"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
# A path the documents name, in backticks: the repository's own folders, not runtime ones such as data/.dagster.
NAMED_PATH = re.compile(r"`((?:cucu_pipeline(?:_tests)?|deploy|docs|\.ci)/[^`:*\s]*)")


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layout_block() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Layout") :]
    return section.split("```")[1]


def layout_entries() -> dict[str, str]:
    """Each folder or file the Layout block lists, with its description (continuation lines joined)."""
    entries: dict[str, str] = {}
    parent, current = "", None
    for line in layout_block().splitlines():
        match = re.match(r"^( *)(\S+)\s*(.*)$", line)
        if not match:
            continue
        indent, name, text = match.groups()
        if name.endswith("/") or name.endswith(".py"):
            parent = name if not indent else parent
            current = f"{parent}{name}" if indent else name
            entries[current] = text
        elif current:
            entries[current] += " " + line.strip()
    return entries


@pytest.mark.parametrize("document", ["README.md", "SECURITY.md"])
def test_every_path_the_documents_name_exists(document):
    named = set(NAMED_PATH.findall((REPO / document).read_text(encoding="utf-8")))
    missing = sorted(path for path in named if not (REPO / path).exists())
    assert named and not missing


def test_the_layout_lists_every_package_folder_and_the_files_it_names():
    entries = layout_entries()
    folders = {f"cucu_pipeline/{path.parent.relative_to(PACKAGE)}/" for path in PACKAGE.glob("*/__init__.py")}
    assert folders <= set(entries), folders - set(entries)
    for entry, text in entries.items():
        assert (REPO / entry).exists(), entry
        if entry.endswith("/"):
            for module in re.findall(r"\b([a-z_]+\.py)\b", text):
                assert (REPO / entry / module).exists(), f"{entry}{module}"
    test_folders = {path.parent.name for path in TESTS.glob("*/__init__.py")}
    listed = entries["cucu_pipeline_tests/"]
    assert all(f"{folder}/" in listed for folder in test_folders), test_folders


@pytest.mark.parametrize("module", package_modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(module):
    source = module.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long


def test_no_test_double_ships_in_the_package():
    """Fake servers and fault plans live in cucu_pipeline_tests/fakes; the package never serves HTTP itself."""
    for module in package_modules():
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        classes = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
        assert "http.server" not in imported, module
        assert not {name for name in classes if name.startswith("Fake")}, module
