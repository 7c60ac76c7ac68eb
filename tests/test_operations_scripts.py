"""The operations scripts (issue 10, builds 1 and 3): the restore drill on SQLite, and the
system-packages installer's decisions (with dpkg-query, apt-get and sudo replaced by recorders,
since the test cannot uninstall packages from the machine)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DRILL = ROOT / "scripts" / "restore-drill.sh"
DEPS = ROOT / "scripts" / "system-deps.sh"


def _db(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("CREATE TABLE registry_person (id INTEGER PRIMARY KEY, name TEXT)")
        c.execute("CREATE TABLE cases_case (id INTEGER PRIMARY KEY, number TEXT)")
        c.executemany("INSERT INTO registry_person (name) VALUES (?)", [(f"人{i}",) for i in range(rows)])
        c.executemany("INSERT INTO cases_case (number) VALUES (?)", [(f"C{i}",) for i in range(rows // 2)])


def _run(*args, env_extra=None, cwd=ROOT):
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        **(env_extra or {}),
    }
    env.pop("BANHAO_SKIP_SYSTEM_DEPS", None) if "BANHAO_SKIP_SYSTEM_DEPS" not in (env_extra or {}) else None
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


@pytest.fixture
def site(tmp_path):
    """A SQLite database with rows in two tables and a media directory with two files."""
    db = tmp_path / "live.sqlite3"
    _db(db, 40)
    media = tmp_path / "media"
    (media / "cases" / "2026").mkdir(parents=True)
    (media / "cases" / "2026" / "申请书.pdf").write_bytes(b"%PDF-1.7 x")
    (media / "drafts").mkdir()
    (media / "drafts" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return {"DATABASE_URL": f"sqlite:///{db}", "BANHAO_MEDIA_ROOT": str(media), "db": db, "media": media}


def _env(site):
    return {"DATABASE_URL": site["DATABASE_URL"], "BANHAO_MEDIA_ROOT": site["BANHAO_MEDIA_ROOT"]}


def test_the_drill_backs_up_restores_into_a_fresh_copy_and_finds_every_row_and_file(site, tmp_path):
    out = tmp_path / "backup"
    result = _run(str(DRILL), "drill", str(out), env_extra=_env(site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restore drill passed: 2 tables, 60 rows, 2 media files identical" in result.stdout
    assert {p.name for p in out.iterdir()} == {
        "database.sqlite3",
        "media.tar.gz",
        "media.sha256",
        "row-counts.json",
        "MANIFEST",
    }
    assert "engine=sqlite3" in (out / "MANIFEST").read_text()


def test_verify_finds_a_restore_that_lost_rows_or_files(site, tmp_path):
    out, target, media = tmp_path / "b", tmp_path / "restored.sqlite3", tmp_path / "restored-media"
    assert _run(str(DRILL), "backup", str(out), env_extra=_env(site)).returncode == 0
    assert _run(str(DRILL), "restore", str(out), f"sqlite:///{target}", str(media)).returncode == 0
    with sqlite3.connect(target) as c:
        c.execute("DELETE FROM cases_case WHERE id = 1")
    (media / "drafts" / "photo.png").unlink()
    result = _run(str(DRILL), "verify", str(out), f"sqlite:///{target}", str(media))
    assert result.returncode == 1
    assert "restore drill FAILED" in result.stdout and "cases_case: 20 -> 19" in result.stdout
    assert "media: 2 files backed up, 1 restored" in result.stdout


def test_restore_never_overwrites_an_existing_database_or_media(site, tmp_path):
    out = tmp_path / "b"
    assert _run(str(DRILL), "backup", str(out), env_extra=_env(site)).returncode == 0
    result = _run(str(DRILL), "restore", str(out), site["DATABASE_URL"], str(tmp_path / "m"))
    assert result.returncode == 1 and "refusing to overwrite" in result.stderr
    assert sqlite3.connect(site["db"]).execute("SELECT COUNT(*) FROM registry_person").fetchone() == (40,)


# --- system packages ------------------------------------------------------------------------------


@pytest.fixture
def fake_system(tmp_path):
    """A PATH where dpkg-query reports the packages listed in `installed`, apt-get and sudo
    record their calls, and id -u answers `uid`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    installed = tmp_path / "installed"
    installed.write_text("")
    uid = tmp_path / "uid"
    uid.write_text("0")
    scripts = {
        "dpkg-query": f'pkg="${{@: -1}}"; grep -qx "$pkg" {installed} && printf "ii " || printf "un "',
        "apt-get": f'echo "apt-get $*" >> {log}',
        "sudo": f'echo "sudo" >> {log}; "$@"',
        "id": f"cat {uid}",
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)

    class System:
        path = f"{bin_dir}:/usr/bin:/bin"

        def install(self, *packages):
            installed.write_text("\n".join(packages) + "\n")

        def as_user(self):
            uid.write_text("1000")

        def calls(self):
            return log.read_text().splitlines() if log.exists() else []

    return System()


ALL = [
    "chromium",
    "libatomic1",
    "fonts-noto-cjk",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
]


def _deps(fake, *args):
    env = {"PATH": fake.path, "HOME": str(Path(fake.path.split(":")[0]).parent)}
    command = ["/bin/bash", str(DEPS), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)  # noqa: S603


def test_nothing_is_installed_when_everything_is_present(fake_system):
    fake_system.install(*ALL)
    result = _deps(fake_system)
    assert result.returncode == 0 and result.stdout == ""
    assert fake_system.calls() == []


def test_only_the_missing_packages_are_installed_as_root(fake_system):
    fake_system.install("chromium", "libpango-1.0-0", "libpangoft2-1.0-0")
    result = _deps(fake_system)
    assert result.returncode == 0, result.stderr
    assert fake_system.calls() == [
        "apt-get update -qq",
        "apt-get install -y -qq libatomic1 fonts-noto-cjk libharfbuzz-subset0",
    ]


def test_a_user_installs_through_sudo_and_bench_adds_wrk(fake_system):
    fake_system.install(*ALL)
    fake_system.as_user()
    assert _deps(fake_system, "--bench").returncode == 0
    assert fake_system.calls() == ["sudo", "apt-get update -qq", "sudo", "apt-get install -y -qq wrk"]


def test_check_reports_what_is_missing_without_installing(fake_system):
    fake_system.install(*ALL[:-1])
    result = _deps(fake_system, "--check")
    assert result.returncode == 1 and "missing libharfbuzz-subset0" in result.stderr
    assert fake_system.calls() == []


def test_the_makefile_and_ci_call_the_same_script():
    makefile = (ROOT / "Makefile").read_text()
    assert "system-deps:\n\t@scripts/system-deps.sh" in makefile
    assert "demo: system-deps" in makefile and "test: system-deps" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/system-deps.sh" in ci and "apt-get" not in ci
