"""The test suite's shape (issue 17).

What tests share lives in tests/support: a test module never imports another test module or a
conftest (a helper found in one test module made the other packages' tests depend on it, and
importing a module of tests collects nothing but couples everything). Only the root conftest
declares ``pytest_plugins`` (pytest refuses it anywhere else). Fixtures leave the environment as
they found it: no test code writes ``os.environ`` by hand, and the session's template instance is
built without leaving ``DOSSIER_INSTANCE`` pointing at it.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def module_name(path: Path, project: Path) -> str:
    """``tests/search/test_store.py`` → ``tests.search.test_store`` (a package: its own name)."""
    parts = list(path.relative_to(project).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path, project: Path) -> Iterator[tuple[int, str]]:
    """Each module a file imports, with its line; ``from package import name`` also yields
    ``package.name`` when ``package`` is a folder (``name`` may be a module)."""
    own = module_name(path, project)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: up from this file's package, one level per dot after the first
                parts = package.split(".")
                anchor = ".".join(parts[:len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            yield node.lineno, base
            if (project / base.replace(".", "/")).is_dir():
                yield from ((node.lineno, f"{base}.{alias.name}") for alias in node.names)


def is_test_module(name: str) -> bool:
    last = name.rpartition(".")[2]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def imports_of_test_modules(project: Path) -> list[str]:
    """``file:line imports module`` for every import of a test module or a conftest, by any file
    of the tests or the benchmarks."""
    files = sorted((project / "tests").rglob("*.py")) + sorted((project / "benchmarks").glob("*.py"))
    return [f"{path.relative_to(project)}:{line} imports {name}"
            for path in files for line, name in imported_names(path, project)
            if is_test_module(name) and name != module_name(path, project)]


def declares_pytest_plugins(path: Path) -> bool:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == "pytest_plugins" for target in targets):
            return True
    return False


def environment_writes(path: Path) -> list[int]:
    """Lines writing ``os.environ`` directly (assignment, deletion, update, setdefault, pop,
    clear, ``os.putenv``): a fixture sets variables through ``monkeypatch`` (or, session-wide,
    ``pytest.MonkeyPatch.context()``), which puts them back."""
    def is_environ(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            if any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func
            if (is_environ(method.value) and method.attr in {"update", "setdefault", "pop", "clear",
                                                             "popitem", "__setitem__"}) \
                    or method.attr in {"putenv", "unsetenv"}:
                lines.append(node.lineno)
    return lines


def test_no_test_module_imports_another() -> None:
    assert imports_of_test_modules(PROJECT) == [], "move the shared helper into tests/support"


def test_the_import_check_finds_every_way_of_importing_a_test_module(tmp_path: Path) -> None:
    """The check above, on a planted tree: absolute, relative, package-attribute and conftest
    imports are reported; imports from tests.support are not."""
    files = {
        "tests/__init__.py": "", "tests/conftest.py": "START = 1\n", "tests/a/__init__.py": "",
        "tests/support/__init__.py": "", "tests/support/helper.py": "VALUE = 1\n",
        "tests/a/test_one.py": "from tests.a.test_two import VALUE\nfrom tests.support.helper import VALUE\n",
        "tests/a/test_two.py": "from . import test_one\nfrom tests.support import helper\nVALUE = 2\n",
        "tests/a/test_three.py": "import tests.a.test_one\nfrom ..conftest import START\n",
        "benchmarks/run.py": "from tests.a.test_two import VALUE\nfrom tests.support.helper import VALUE\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert imports_of_test_modules(tmp_path) == [
        "tests/a/test_one.py:1 imports tests.a.test_two",
        "tests/a/test_three.py:1 imports tests.a.test_one",
        "tests/a/test_three.py:2 imports tests.conftest",
        "tests/a/test_two.py:1 imports tests.a.test_one",
        "benchmarks/run.py:1 imports tests.a.test_two",
    ]


def test_only_the_root_conftest_declares_pytest_plugins() -> None:
    conftests = sorted((PROJECT / "tests").rglob("conftest.py"))
    declaring = [str(path.relative_to(PROJECT)) for path in conftests if declares_pytest_plugins(path)]
    assert declaring == ["tests/conftest.py"]


def test_no_test_code_writes_the_environment_by_hand() -> None:
    written = {str(path.relative_to(PROJECT)): lines for path in sorted((PROJECT / "tests").rglob("*.py"))
               if (lines := environment_writes(path))}
    assert written == {}, "use monkeypatch (or pytest.MonkeyPatch.context() in a session fixture)"


def test_the_environment_checks_find_a_write_by_hand(tmp_path: Path) -> None:
    planted = tmp_path / "conftest.py"
    planted.write_text('import os\nos.environ["A"] = "1"\nos.environ.update(B="2")\n'
                       'os.environ.get("C")\nenv = {**os.environ, "D": "4"}\n', encoding="utf-8")
    assert environment_writes(planted) == [2, 3]


def test_building_the_template_leaves_the_environment_as_it_was(template_db: Path) -> None:
    """The session's template instance is built with ``DOSSIER_INSTANCE`` on its own folder; a
    test that does not choose an instance folder (``instance_dir``) must not find itself there."""
    assert os.environ.get("DOSSIER_INSTANCE") != str(template_db.parent)
