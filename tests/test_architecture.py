"""Apps talk to each other only through `api.py`; the kernel depends on no domain app.

Read from the source with `ast`, so a new import that breaks the rule fails here.
Exempt: tests, migrations, and the demo loader (a seeding tool that drives every app).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "banhao"
EXEMPT_APPS = {"demo"}


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def violations(root: Path) -> list[str]:
    found = []
    apps = sorted(p.name for p in root.iterdir() if (p / "apps.py").exists())
    for app in apps:
        if app in EXEMPT_APPS:
            continue
        for path in sorted((root / app).rglob("*.py")):
            rel = path.relative_to(root)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            for name in imports_of(path):
                parts = name.split(".")
                if parts[0] != "banhao" or len(parts) < 2 or parts[1] in (app, "demo"):
                    continue
                other = parts[1]
                if app == "core":
                    found.append(f"{rel}: the kernel imports {name}")
                elif other != "core" and (len(parts) < 3 or parts[2] != "api"):
                    found.append(f"{rel}: imports {name} (use banhao.{other}.api)")
    return found


def test_apps_import_each_other_only_through_their_api():
    assert violations(ROOT) == []


def test_the_checker_sees_forbidden_imports(tmp_path):
    for app in ("alpha", "core"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "apps.py").write_text("")
    (tmp_path / "alpha" / "views.py").write_text(
        "from banhao.beta.api import ok\nimport banhao.beta.models\n"
    )
    (tmp_path / "core" / "x.py").write_text("from banhao.alpha.api import thing\n")
    assert violations(tmp_path) == [
        "alpha/views.py: imports banhao.beta.models (use banhao.beta.api)",
        "core/x.py: the kernel imports banhao.alpha.api",
        "core/x.py: the kernel imports banhao.alpha.api.thing",
    ]
