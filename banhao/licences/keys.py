"""The keyring of licence signing keys: keys per issuing department (decision 0018).

Each issuing department, named by its 18-character unified social credit code, has one or
more keys per algorithm. The keyring is JSON::

    {"keys": [{"key_id": "sm2-11371300MB28508936-20261204-3fa2c1", "department": "11371300MB28508936",
               "algorithm": "sm2", "private": "<hex>", "public": "<hex>",
               "created": "2026-12-04", "retired": false}]}

It comes from the JSON text in the setting/environment variable ``BANHAO_LICENCE_KEYS`` when
that is set (the whole keyring: the key file is then not read), else from the file at
``BANHAO_LICENCE_KEY_FILE`` (default ``var/licence-keys.json``). A key may come without its
``private`` part: it still verifies the licences it signed but signs no more.

- ``signing_key(code, algorithm=None)``: the newest key of the department and algorithm that
  is not retired and has its private part (default algorithm: ``BANHAO_LICENCE_ALGORITHM``).
- ``public_key(key_id)``: any key by id, retired or not: rotation never invalidates a licence.
- ``key_generate(code, algorithm, path=None)``: a new key in the key file; the department's
  older keys of that algorithm are marked retired and kept. ``keys_ensure(codes)`` gives a key
  to each department without one, in one write.

The parsed keyring is cached per source (the file's inode, mtime and size; the environment's
text), so a call does one ``stat`` and no reading. Key material never appears in a message,
a log line or a ``repr``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import secrets
import stat
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from banhao.core.identifiers import normalize_uscc

from . import signing

logger = logging.getLogger(__name__)

ENV_SETTING = "BANHAO_LICENCE_KEYS"
FILE_SETTING = "BANHAO_LICENCE_KEY_FILE"
KEY_ID_MAX_LENGTH = 64  # what a licence record's key id column must hold


class KeyringError(ImproperlyConfigured):
    """No usable key, or a keyring that cannot be read or written; a Chinese message, no key material."""


@dataclass(frozen=True)
class Key:
    key_id: str
    department: str
    algorithm: str
    public: str
    created: str  # ISO date
    retired: bool = False
    private: str = field(default="", repr=False, compare=False)

    @property
    def can_sign(self) -> bool:
        return bool(self.private)

    def sign(self, payload: bytes) -> str:
        """The base64 signature of payload with this key (see banhao.licences.signing)."""
        if not self.private:
            raise KeyringError(f"密钥 {self.key_id} 没有私钥，只能用于验证。")
        return signing.sign(self.algorithm, self.private, payload)

    def verify(self, payload: bytes, signature_b64: str) -> bool:
        return signing.verify(self.algorithm, self.public, payload, signature_b64)

    def as_json(self) -> dict:
        data = {
            "key_id": self.key_id,
            "department": self.department,
            "algorithm": self.algorithm,
            "public": self.public,
            "created": self.created,
            "retired": self.retired,
        }
        if self.private:
            data["private"] = self.private
        return data


@dataclass(frozen=True)
class Keyring:
    keys: tuple[Key, ...]
    source: str  # where the keys came from, for messages (a path or the variable's name)
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", {k.key_id: k for k in self.keys})

    def by_id(self, key_id: str) -> Key | None:
        return self._index.get(key_id)

    def signing_key(self, department: str, algorithm: str) -> Key | None:
        """The newest usable key: latest created date, then the later entry in the keyring."""
        best = None
        for key in self.keys:  # in keyring order: a later entry of the same date wins
            if key.department == department and key.algorithm == algorithm and key.can_sign:
                if not key.retired and (best is None or key.created >= best.created):
                    best = key
        return best


# --- reading ------------------------------------------------------------------------------------


def _parse(text: str, source: str) -> Keyring:
    try:
        data = json.loads(text) if text.strip() else {"keys": []}
    except json.JSONDecodeError as e:
        raise KeyringError(
            f"签名密钥配置（{source}）不是有效的 JSON：第 {e.lineno} 行第 {e.colno} 列。"
        ) from None
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise KeyringError(f'签名密钥配置（{source}）应为 {{"keys": [...]}} 形式的 JSON。')
    keys, seen = [], set()
    for n, entry in enumerate(entries, start=1):
        key = _parse_entry(entry, n, source)
        if key.key_id in seen:
            raise KeyringError(f"签名密钥配置（{source}）中密钥编号 {key.key_id} 重复。")
        seen.add(key.key_id)
        keys.append(key)
    return Keyring(tuple(keys), source)


def _parse_entry(entry, n: int, source: str) -> Key:
    where = f"签名密钥配置（{source}）第 {n} 个密钥"
    if not isinstance(entry, dict):
        raise KeyringError(f"{where}应为 JSON 对象。")
    key_id = entry.get("key_id")
    if not isinstance(key_id, str) or not key_id.strip() or len(key_id) > KEY_ID_MAX_LENGTH:
        raise KeyringError(f"{where}缺少密钥编号 key_id（1 至 {KEY_ID_MAX_LENGTH} 个字符）。")
    where = f"签名密钥配置（{source}）中的密钥 {key_id}"
    try:
        department = normalize_uscc(entry.get("department") or "")
    except ValidationError as e:
        raise KeyringError(f"{where}的部门统一社会信用代码无效：{e.messages[0]}") from None
    algorithm = entry.get("algorithm")
    if algorithm not in signing.ALGORITHMS:
        raise KeyringError(f"{where}的算法应为 sm2 或 ed25519。")
    public, private = entry.get("public"), entry.get("private") or ""
    if not isinstance(public, str) or not isinstance(private, str):
        raise KeyringError(f"{where}的公钥、私钥应为十六进制文本。")
    try:
        signing.check_public(algorithm, public)
        if private and signing.public_from_private(algorithm, private) != public.lower():
            raise KeyringError(f"{where}的私钥与公钥不匹配。")
    except signing.SigningError as e:
        raise KeyringError(f"{where}：{e}") from None
    created = entry.get("created")
    try:
        created = dt.date.fromisoformat(created).isoformat()
    except (TypeError, ValueError):
        raise KeyringError(f"{where}的创建日期 created 应为 YYYY-MM-DD。") from None
    retired = entry.get("retired", False)
    if not isinstance(retired, bool):
        raise KeyringError(f"{where}的 retired 应为 true 或 false。")
    return Key(key_id, department, algorithm, public.lower(), created, retired, private.lower())


_cache: dict[str, tuple[object, Keyring]] = {}
_cache_lock = threading.Lock()


def key_file_path() -> Path:
    """Where the key file is (BANHAO_LICENCE_KEY_FILE), whether or not it is in force."""
    return Path(getattr(settings, FILE_SETTING))


def _env_text() -> str:
    return (getattr(settings, ENV_SETTING, "") or "").strip()


def _read_file(path: Path) -> Keyring:
    source = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return Keyring((), source)
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _cache.get(source)
    if cached and cached[0] == stamp:
        return cached[1]
    if st.st_mode & 0o077:
        logger.warning(
            "licence key file %s is readable by others (mode %o); chmod 600 it",
            path,
            stat.S_IMODE(st.st_mode),
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise KeyringError(f"无法读取签名密钥文件 {path}：{e.strerror}。") from None
    keyring = _parse(text, source)
    with _cache_lock:
        _cache[source] = (stamp, keyring)
    return keyring


def load_keyring() -> Keyring:
    """The keyring in force: the environment's JSON when set, else the key file (cached)."""
    text = _env_text()
    if not text:
        return _read_file(key_file_path())
    cached = _cache.get(ENV_SETTING)
    if cached and cached[0] == text:
        return cached[1]
    keyring = _parse(text, f"环境变量 {ENV_SETTING}")
    with _cache_lock:
        _cache[ENV_SETTING] = (text, keyring)
    return keyring


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def default_algorithm() -> str:
    algorithm = (getattr(settings, "BANHAO_LICENCE_ALGORITHM", "") or signing.SM2).lower()
    if algorithm not in signing.ALGORITHMS:
        raise KeyringError(f"BANHAO_LICENCE_ALGORITHM 应为 sm2 或 ed25519，当前为 {algorithm!r}。")
    return algorithm


def _algorithm(algorithm: str | None) -> str:
    if algorithm is None:
        return default_algorithm()
    if algorithm not in signing.ALGORITHMS:
        raise KeyringError(f"不支持的签名算法：{algorithm!r}（可用：sm2、ed25519）。")
    return algorithm


def signing_key(department_code: str, algorithm: str | None = None) -> Key:
    """The key a department signs new licences with; KeyringError when it has none."""
    algorithm = _algorithm(algorithm)
    code = (department_code or "").strip().upper()
    keyring = load_keyring()
    key = keyring.signing_key(code, algorithm)
    if key is None:
        raise KeyringError(
            f"部门（统一社会信用代码 {code or '空'}）没有可用的 {signing.ALGORITHM_LABELS[algorithm]} 签名密钥"
            f"（密钥来源：{keyring.source}）。请运行 python manage.py licence_keys generate "
            f"--department {code or '<统一社会信用代码>'} --algorithm {algorithm}。"
        )
    return key


def public_key(key_id: str) -> Key | None:
    """The key with that id, retired or not (None when the keyring has no such key)."""
    if not key_id:
        return None
    return load_keyring().by_id(key_id)


def keyring_keys(path=None) -> list[Key]:
    """The keys in force, or those of the key file at ``path``."""
    return list((_read_file(Path(path)) if path is not None else load_keyring()).keys)


def keyring_source(path=None) -> str:
    return str(path) if path is not None else load_keyring().source


# --- writing -----------------------------------------------------------------------------------


def _new_key_id(department: str, algorithm: str, today: dt.date) -> str:
    return f"{algorithm}-{department}-{today:%Y%m%d}-{secrets.token_hex(3)}"


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock beside the key file: two writers never lose each other's keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_atomically(path: Path, data: dict) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _target(path) -> Path:
    if path is None and _env_text():
        raise KeyringError(
            f"签名密钥由环境变量 {ENV_SETTING} 提供，密钥文件不被读取，不能在其中生成密钥；"
            f"请在提供该变量的地方轮换密钥，或去掉该变量改用密钥文件。"
        )
    return Path(path) if path is not None else key_file_path()


def _add_keys(path: Path, wanted: list[tuple[str, str]], *, only_missing: bool) -> list[Key]:
    """Adds a key for each (department, algorithm) in one locked write; returns the new keys."""
    with _locked(path):
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        parsed = _parse(text, str(path))  # refuses to write over a keyring that does not read
        data = json.loads(text) if text.strip() else {"keys": []}
        entries = data["keys"]  # the file's own entries (fields we do not know are kept)
        today = timezone.localdate()
        made = []
        for department, algorithm in wanted:
            same = [
                entries[i]
                for i, k in enumerate(parsed.keys)
                if k.department == department and k.algorithm == algorithm
            ]
            if only_missing and parsed.signing_key(department, algorithm) is not None:
                continue
            for e in same:
                e["retired"] = True
            private, public = signing.generate_keypair(algorithm)
            key = Key(
                _new_key_id(department, algorithm, today),
                department,
                algorithm,
                public,
                today.isoformat(),
                False,
                private,
            )
            entries.append(key.as_json())
            made.append(key)
        if made:
            _write_atomically(path, data)
    return made


def _department(code: str) -> str:
    try:
        return normalize_uscc(code)
    except ValidationError as e:
        raise KeyringError(f"部门统一社会信用代码无效：{e.messages[0]}") from None


def key_generate(department_code: str, algorithm: str | None = None, *, path=None) -> Key:
    """A new signing key for the department in the key file (0600, written atomically).

    The department's older keys of the algorithm are marked retired and kept: the licences
    they signed still verify through ``public_key(their id)``.
    """
    department, algorithm = _department(department_code), _algorithm(algorithm)
    target = _target(path)
    (key,) = _add_keys(target, [(department, algorithm)], only_missing=False)
    logger.info(
        "licence signing key %s generated for %s (%s) in %s", key.key_id, department, algorithm, target
    )
    return key


def keys_ensure(department_codes, algorithm: str | None = None, *, path=None) -> list[Key]:
    """A key for every department that has no usable one of the algorithm; the new keys."""
    algorithm = _algorithm(algorithm)
    departments = sorted({_department(c) for c in department_codes})
    if path is None and _env_text():
        keyring = load_keyring()
        missing = [d for d in departments if keyring.signing_key(d, algorithm) is None]
        if missing:
            _target(None)  # raises: the environment's keyring cannot be written
        return []
    made = _add_keys(_target(path), [(d, algorithm) for d in departments], only_missing=True)
    for key in made:
        logger.info("licence signing key %s generated for %s (%s)", key.key_id, key.department, key.algorithm)
    return made
