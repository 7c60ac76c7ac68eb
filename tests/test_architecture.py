"""The house's import contracts (import-linter, configured in pyproject.toml) hold and bite.

`make test` runs `lint-imports` itself; these tests run it too, on the real tree and on a
copy of it into which forbidden imports are written, so a contract that stopped checking
(a typo in a module name, an ignore too wide) fails here.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# (module written into, line added, contract that must break, the import it must name)
FORBIDDEN = [
    (
        "portal/views.py",
        "from banhao.cases.models import Case",
        "Another app is reached only through its api.py",
        "banhao.portal.views -> banhao.cases.models",
    ),
    (
        "core/masking.py",
        "from banhao.org.api import Scope",
        "core knows no domain app",
        "banhao.core.masking -> banhao.org.api",
    ),
    (
        "catalog/selectors.py",
        "from banhao.cases.api import case_info",
        "The catalog does not know cases or the hall",
        "banhao.catalog.selectors -> banhao.cases.api",
    ),
    (
        "cases/selectors.py",
        "from banhao.hall.selectors import desk_queue",
        "Cases do not know the hall",
        "banhao.cases.selectors -> banhao.hall.selectors",
    ),
    (
        "org/selectors.py",
        "from banhao.registry.api import person_find",
        "Apps sit in layers",
        "banhao.org.selectors -> banhao.registry.api",
    ),
    (
        "org/selectors.py",
        "from banhao.registry.api import person_find",
        "No import cycle between apps",
        # which edges import-linter proposes to cut depends on the whole graph; that it found a
        # cycle at all is the point (the real tree has none: see the test above)
        "No cycles are allowed in banhao.",
    ),
    (
        "core/labels.py",
        "from banhao.core.audit import audit_record",
        "No import cycle inside core",
        ".labels -> .audit",
    ),
]

# Exempt: an app's tests, and the demo loader.
ALLOWED = [
    ("catalog/tests/test_architecture_probe.py", "from banhao.hall.models import Ticket"),
    ("demo/city.py", "from banhao.cases.models import Case"),
]


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(  # noqa: S603 (our own lint-imports, fixed arguments)
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def broken_sections(output: str) -> dict[str, str]:
    """The report of each broken contract, keyed by the contract's name."""
    report = output.split("Broken contracts", 1)[1] if "Broken contracts" in output else ""
    # Each section starts with the contract's name underlined by dashes.
    parts = re.split(r"\n([^\n]+)\n-{5,}\n", "\n" + report)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_the_house_keeps_its_import_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_forbidden_import_breaks_its_contract(tmp_path):
    shutil.copytree(
        ROOT / "banhao",
        tmp_path / "banhao",
        ignore=lambda d, names: [n for n in names if not (n.endswith(".py") or (Path(d) / n).is_dir())],
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for path, line, _, _ in FORBIDDEN:
        with (tmp_path / "banhao" / path).open("a", encoding="utf-8") as f:
            f.write(f"\n{line}\n")
    for path, line in ALLOWED:
        with (tmp_path / "banhao" / path).open("a", encoding="utf-8") as f:
            f.write(f"\n{line}\n")

    result = lint_imports(tmp_path, pythonpath=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    sections = broken_sections(result.stdout)
    for _, _, contract, shown in FORBIDDEN:
        reports = [text for name, text in sections.items() if name.startswith(contract)]
        assert len(reports) == 1, f"{contract!r} did not break:\n{result.stdout}"
        (report,) = reports
        assert shown in report, f"{contract!r} did not report {shown!r}:\n{result.stdout}"
    assert "test_architecture_probe" not in result.stdout
    assert "banhao.demo.city" not in result.stdout
