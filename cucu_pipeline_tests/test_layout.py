"""The layout a newcomer reads: what the README and the reference pages name exists and every link resolves, modules
and functions stay small, no module imports itself through others, and the installed package holds no test double."""

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


DOCUMENTS = ["README.md", "SECURITY.md", *sorted(f"docs/{page.name}" for page in (REPO / "docs").glob("*.md"))]
MAX_README_LINES = 250
LINK = re.compile(r"\]\(([^)\s]+)\)")
# A citation in code or configuration: `docs/writing.md: "Publishing"` names a section of a reference page.
CITATION = re.compile(r"(docs/[a-z_]+\.md): \"([^\"]+)\"")


def layout_block() -> str:
    return (REPO / "docs" / "layout.md").read_text(encoding="utf-8").split("```")[1]


def headings(text: str) -> list[str]:
    return re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)


def anchors(page: Path) -> set[str]:
    """GitHub's anchor for each heading: lower case, punctuation other than `-` dropped, spaces as `-`."""
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings(page.read_text())}


def broken_links(document: Path) -> list[str]:
    """Each relative link of a Markdown document whose file or heading does not exist."""
    broken = []
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists() or (anchor and anchor not in anchors(linked)):
            broken.append(target)
    return broken


def sections(page: Path) -> list[str]:
    """A page's headings and its bold run-in headings (`**When one machine is not enough.**`)."""
    text = page.read_text(encoding="utf-8")
    return headings(text) + re.findall(r"\*\*([^*]+?)\.?\*\*", text)


def layout_entries() -> dict[str, str]:
    """Each folder or file the Layout block lists, by its path (a name indented under a folder is inside it), with its
    description (continuation lines joined)."""
    entries: dict[str, str] = {}
    folders: list[tuple[int, str]] = []  # the open folders, outermost first, with their indentation
    current = None
    for line in layout_block().splitlines():
        match = re.match(r"^( *)(\S+)\s*(.*)$", line)
        if not match:
            continue
        indent, name, text = match.groups()
        if name.endswith("/") or name.endswith(".py"):
            folders = [(depth, folder) for depth, folder in folders if depth < len(indent)]
            current = "".join(folder for _, folder in folders) + name
            entries[current] = text
            if name.endswith("/"):
                folders.append((len(indent), name))
        elif current:
            entries[current] += " " + line.strip()
    return entries


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_the_documents_name_exists(document):
    named = set(NAMED_PATH.findall((REPO / document).read_text(encoding="utf-8")))
    missing = sorted(path for path in named if not (REPO / path).exists())
    assert not missing


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_link_of_the_documents_resolves(document):
    assert broken_links(REPO / document) == []


def test_a_link_to_a_missing_page_or_heading_is_found(tmp_path):
    (tmp_path / "page.md").write_text("# Title\n\n## When it runs\n")
    document = tmp_path / "doc.md"
    document.write_text("[a](page.md) [b](page.md#when-it-runs) [c](gone.md) [d](page.md#gone) [e](https://x.org)")
    assert broken_links(document) == ["gone.md", "page.md#gone"]


def test_the_readme_is_the_front_door_and_links_every_reference_page():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= MAX_README_LINES
    pages = {f"docs/{page.name}" for page in (REPO / "docs").glob("*.md")}
    assert pages <= set(LINK.findall(readme)), pages - set(LINK.findall(readme))


def test_every_citation_of_a_reference_page_names_one_of_its_sections():
    cited = [
        (path, page, section)
        for path in [*PACKAGE.rglob("*.py"), *TESTS.rglob("*.py"), *(REPO / "deploy").rglob("*.yaml")]
        for page, section in CITATION.findall(re.sub(r"\s+", " ", path.read_text(encoding="utf-8")))
    ]
    assert cited
    unknown = [
        (str(path.relative_to(REPO)), page, section)
        for path, page, section in cited
        if not any(heading.startswith(section) for heading in sections(REPO / page))
    ]
    assert unknown == []


def test_the_layout_lists_every_package_folder_and_the_files_it_names():
    entries = layout_entries()
    folders = {f"cucu_pipeline/{path.parent.relative_to(PACKAGE)}/" for path in PACKAGE.glob("*/**/__init__.py")}
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


def imported_modules(tree: ast.Module) -> set[str]:
    """Every module a file's `import` and `from ... import` statements name."""
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return imported | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_no_test_double_ships_in_the_package():
    """Fake servers and fault plans live in cucu_pipeline_tests/fakes; the package never serves HTTP itself."""
    for module in package_modules():
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = imported_modules(tree)
        classes = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
        assert "http.server" not in imported, module
        assert not {name for name in classes if name.startswith("Fake")}, module


def test_the_installed_package_imports_nothing_from_the_tests():
    """The wheel holds `cucu_pipeline` alone (pyproject.toml); the benchmark, which runs the fakes, lives beside it."""
    for module in package_modules():
        imported = imported_modules(ast.parse(module.read_text(encoding="utf-8")))
        assert not {name for name in imported if name.split(".")[0] == "cucu_pipeline_tests"}, module


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every package module `path` imports anywhere: at the top, inside functions and under TYPE_CHECKING alike."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            imported |= (submodules & modules) or {node.module}
    return imported & modules


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles of a module graph, each as the path that closes it (depth-first search, one per back edge)."""
    circles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return circles


def test_the_import_circle_finder_finds_a_circle_through_a_type_only_import(tmp_path):
    (tmp_path / "claims.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rules import X\n"
    )
    (tmp_path / "rules.py").write_text("from claims import false_facts\n")
    modules = {"claims", "rules"}
    graph = {name: imports_of(tmp_path / f"{name}.py", modules) for name in modules}
    assert import_circles(graph) == [["claims", "rules", "claims"]]


def test_no_module_of_the_package_imports_itself_through_others():
    paths = {module_name(path): path for path in package_modules()}
    graph = {name: imports_of(path, set(paths)) - {name} for name, path in paths.items()}
    assert import_circles(graph) == []


def test_the_stages_of_writing_are_handed_texts_never_the_composer():
    """Writing is a pipeline of stages (campaign/writing/drafting.py): the composer builds the briefs once, at the
    start; no later stage imports it to be called back."""
    writing = REPO / "cucu_pipeline" / "campaign" / "writing"
    paths = {module_name(path): path for path in package_modules()}
    composer = "cucu_pipeline.campaign.writing.composer"
    stages = ("attempts", "hard_rules", "judging", "templates", "library", "briefs")
    for stage in stages:
        assert composer not in imports_of(writing / f"{stage}.py", set(paths)), stage


def test_the_fast_lane_leaves_out_every_system_and_benchmark_test():
    """`pytest -m "not slow"`: the marker is registered, and every module that runs the graph through the CLI, a
    service, the browser or the benchmark carries it."""
    import tomllib

    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert any(marker.startswith("slow:") for marker in settings["markers"])
    modules = [*(TESTS / "system").glob("test_*.py"), *(TESTS / "bench").glob("test_*.py")]
    unmarked = [
        path.name for path in modules if "pytestmark = pytest.mark.slow" not in path.read_text(encoding="utf-8")
    ]
    assert modules and unmarked == []
