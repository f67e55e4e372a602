"""docs/configuration.md lists every environment variable the settings and gunicorn.conf.py read, and
names no variable that nothing reads."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = {"get", "getenv", "env_bool", "env_list"}  # os.environ.get, os.getenv, settings' helpers


def variables_read(path):
    """Names given as a literal to os.environ.get/[]/in, os.getenv, env_bool or env_list."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in READERS and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and any(ast.unparse(c) == "os.environ" for c in node.comparators)
        ):
            names.add(node.left.value)
    return {name for name in names if re.fullmatch(r"[A-Z][A-Z0-9_]+", name)}


def documented():
    text = (ROOT / "docs" / "configuration.md").read_text()
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, re.MULTILINE))


def test_every_variable_the_settings_read_is_documented():
    read = variables_read(ROOT / "dubweb" / "settings.py") | variables_read(ROOT / "gunicorn.conf.py")
    assert "MEDIA_ROOT" in read and "GUNICORN_BIND" in read and "HOST" in read  # the reader finds them
    assert sorted(read - documented()) == []


def test_every_documented_variable_is_read_somewhere():
    code = "\n".join(
        path.read_text()
        for pattern in (
            "dubweb/*.py",
            "projects/**/*.py",
            "sandbox/*.py",
            "gunicorn.conf.py",
            "dev",
            "compose.yaml",
        )
        for path in ROOT.glob(pattern)
    )
    assert sorted(name for name in documented() if name not in code) == []
