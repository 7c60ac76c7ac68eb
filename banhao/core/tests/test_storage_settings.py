"""Uploaded files through Django's storage API only, so several app servers can share them
(issue 10, build 2; decision 0016): local disk by default, S3-compatible when configured."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from conftest import parse_source

ROOT = Path(settings.BASE_DIR)
# Not uploads: a file named on the command line (catalog_import, licence_types_import and
# _export, evaluation_export), the system's CJK fonts (pdf).
ALLOWED = {
    "banhao/catalog/excel.py",
    "banhao/catalog/management/commands/catalog_import.py",
    "banhao/core/pdf.py",
    "banhao/evaluation/management/commands/evaluation_export.py",
    "banhao/licences/management/commands/licence_types_export.py",
    "banhao/licences/management/commands/licence_types_import.py",
}
FORBIDDEN_NAMES = {"MEDIA_ROOT", "FileSystemStorage", "shutil"}


def _app_sources():
    for path in sorted((ROOT / "banhao").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in rel or "/migrations/" in rel or rel in ALLOWED:
            continue
        yield rel, parse_source(path)


def _direct(node) -> bool:
    """A use of the disk that bypasses the storage API (docstrings and comments do not count)."""
    if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
        return True
    if isinstance(node, ast.Attribute):
        if node.attr in FORBIDDEN_NAMES or node.attr in {"path", "temporary_file_path"}:
            return not (isinstance(node.value, ast.Name) and node.value.id in {"request", "self"})
    if isinstance(node, ast.alias) and node.name.split(".")[0] in {"os", "shutil", "pathlib"}:
        return node.name not in {"os"}  # os itself is fine (environ); os.path is caught above
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
        return True
    return False


def test_no_app_code_touches_the_media_directory_directly():
    offenders = [
        f"{rel}:{getattr(node, 'lineno', '?')}: {ast.unparse(node)}"
        for rel, tree in _app_sources()
        for node in ast.walk(tree)
        if _direct(node)
    ]
    assert offenders == []


def _storages(**env_vars) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANHAO_STORAGE", "BANHAO_S3_"))}
    env.update(env_vars)
    code = "import config.settings.base as s; print(s.STORAGES['default'])"
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout + done.stderr


def test_local_disk_is_the_default_and_s3_is_chosen_by_environment():
    assert "FileSystemStorage" in _storages()
    s3 = _storages(
        BANHAO_STORAGE="s3", BANHAO_S3_BUCKET="banhao-media", BANHAO_S3_ENDPOINT_URL="http://minio:9000"
    )
    assert "storages.backends.s3.S3Storage" in s3 and "'bucket_name': 'banhao-media'" in s3
    assert "'endpoint_url': 'http://minio:9000'" in s3 and "'default_acl': None" in s3
    assert "ImproperlyConfigured" in _storages(BANHAO_STORAGE="ftp")
