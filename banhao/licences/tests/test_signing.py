"""Licence signatures (SM2/SM3 and Ed25519) and the keyring of department keys."""

from __future__ import annotations

import base64
import json
import os
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from banhao.core.identifiers import make_org_code, make_uscc
from banhao.licences import keys, signing

DEPT = make_uscc("1", "1", "371300", make_org_code("28508936"))
OTHER_DEPT = make_uscc("1", "1", "371302", make_org_code("28508937"))
PAYLOAD = "电子证照 1.2.156.3005.2 营业执照 持证主体 临沂市某某有限公司".encode() * 16  # ≈ 1 KB

# A known-answer vector from two independent pure-Python SM2 implementations (gmalg 1.1.2 and
# snowland-smx 1.1.0, decision 0018): d = SHA-256("banhao decision 0018 known-answer key"),
# each signing SM3(Z_A ‖ M) with the default id 1234567812345678, r and s DER-encoded. Our
# tongsuopy-based verify accepting them shows it is standard SM2, not ECDSA over SM2's curve.
KAT_PRIVATE = "c7b04ff00655b0305eb74aced23d6acc46396625197fae81a0d959f4923db604"
KAT_PUBLIC = (
    "04439446ce252e98a9cbcd5ff3126f017dd661b484a4421a816a8bc4deedd6e0f7"
    "71f532da8a8571d727829e84b9d50e7a6676290d3201215639e24261333e4a44"
)
KAT_MESSAGE = "办好 电子证照 签名 已知答案 向量".encode()
KAT_SIGNATURES = {
    "gmalg": "MEUCIQC9+A0OLTYVpEsRHtQkkoDNU6aAD3hNYlJsF2CTL0gcBQIgNrzq2s8399KXkQEE8C+V6dnlgpmroz7YLQ36qqmLOhY=",
    "snowland-smx": "MEQCIDZ9n4EnllFYs2hQB4zEuIg30kSOWaJABBc5NbAuzcJHAiBqJ39IlT3+iZqFaomtGLDU9sSpB4SyMSa5dQvLv7kqGg==",
}


def flip(b64: str, index: int) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.fixture(autouse=True)
def _keyring(settings, tmp_path):
    """Each test has its own key file and no environment keyring."""
    settings.BANHAO_LICENCE_KEYS = ""
    settings.BANHAO_LICENCE_KEY_FILE = tmp_path / "licence-keys.json"
    settings.BANHAO_LICENCE_ALGORITHM = "sm2"
    keys.clear_cache()
    yield
    keys.clear_cache()


# --- signing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_a_signature_verifies_with_the_matching_public_key(algorithm):
    private, public = signing.generate_keypair(algorithm)
    signature = signing.sign(algorithm, private, PAYLOAD)
    assert signing.verify(algorithm, public, PAYLOAD, signature) is True
    assert signing.public_from_private(algorithm, private) == public


def test_key_formats_are_hex_of_the_standard_encodings():
    private, public = signing.generate_keypair("sm2")
    assert len(private) == 64 and len(public) == 130 and public.startswith("04")
    private, public = signing.generate_keypair("ed25519")
    assert len(private) == 64 and len(public) == 64
    int(private, 16), int(public, 16)


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_a_flipped_payload_byte_fails_verification(algorithm):
    private, public = signing.generate_keypair(algorithm)
    signature = signing.sign(algorithm, private, PAYLOAD)
    for index in (0, len(PAYLOAD) // 2, len(PAYLOAD) - 1):
        tampered = bytearray(PAYLOAD)
        tampered[index] ^= 0x01
        assert signing.verify(algorithm, public, bytes(tampered), signature) is False


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_every_flipped_signature_byte_fails_verification(algorithm):
    private, public = signing.generate_keypair(algorithm)
    signature = signing.sign(algorithm, private, PAYLOAD)
    length = len(base64.b64decode(signature))
    assert all(signing.verify(algorithm, public, PAYLOAD, flip(signature, i)) is False for i in range(length))


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_another_keys_signature_fails_verification(algorithm):
    private, _ = signing.generate_keypair(algorithm)
    _, other_public = signing.generate_keypair(algorithm)
    assert (
        signing.verify(algorithm, other_public, PAYLOAD, signing.sign(algorithm, private, PAYLOAD)) is False
    )


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not base64!",
        "AAAA",
        base64.b64encode(b"\x30" * 72).decode(),
        base64.b64encode(bytes(64)).decode(),
        "A" * 10_000,
    ],
)
def test_garbage_signatures_return_false_instead_of_raising(algorithm, garbage):
    _, public = signing.generate_keypair(algorithm)
    assert signing.verify(algorithm, public, PAYLOAD, garbage) is False


def test_a_non_canonical_sm2_signature_fails_verification():
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    private, public = signing.generate_keypair("sm2")
    der = base64.b64decode(signing.sign("sm2", private, PAYLOAD))
    r, s = decode_dss_signature(der)
    raw_rs = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    for variant in (der + b"\x00", raw_rs, der[:-1]):
        assert signing.verify("sm2", public, PAYLOAD, base64.b64encode(variant).decode()) is False


@pytest.mark.parametrize("public", ["", "zz", "04" + "00" * 64, "00" * 65, "ab" * 32])
def test_a_malformed_sm2_public_key_returns_false_instead_of_raising(public):
    private, _ = signing.generate_keypair("sm2")
    assert signing.verify("sm2", public, PAYLOAD, signing.sign("sm2", private, PAYLOAD)) is False


def test_an_unknown_algorithm_or_a_text_payload_returns_false():
    private, public = signing.generate_keypair("sm2")
    signature = signing.sign("sm2", private, PAYLOAD)
    assert signing.verify("rsa", public, PAYLOAD, signature) is False
    assert signing.verify("sm2", public, PAYLOAD.decode(), signature) is False
    with pytest.raises(signing.SigningError, match="不支持的签名算法"):
        signing.sign("rsa", private, PAYLOAD)


def test_an_sm2_signature_cannot_pass_as_ed25519_or_the_reverse():
    sm2_private, sm2_public = signing.generate_keypair("sm2")
    ed_private, ed_public = signing.generate_keypair("ed25519")
    assert signing.verify("ed25519", ed_public, PAYLOAD, signing.sign("sm2", sm2_private, PAYLOAD)) is False
    assert signing.verify("sm2", sm2_public, PAYLOAD, signing.sign("ed25519", ed_private, PAYLOAD)) is False


@pytest.mark.parametrize("implementation", sorted(KAT_SIGNATURES))
def test_sm2_signatures_of_independent_implementations_verify(implementation):
    assert signing.public_from_private("sm2", KAT_PRIVATE) == KAT_PUBLIC
    assert signing.verify("sm2", KAT_PUBLIC, KAT_MESSAGE, KAT_SIGNATURES[implementation]) is True
    assert signing.verify("sm2", KAT_PUBLIC, KAT_MESSAGE + b".", KAT_SIGNATURES[implementation]) is False


def test_sm2_signatures_are_randomised_yet_all_verify():
    first, second = (signing.sign("sm2", KAT_PRIVATE, KAT_MESSAGE) for _ in range(2))
    assert first != second
    assert signing.verify("sm2", KAT_PUBLIC, KAT_MESSAGE, first) and signing.verify(
        "sm2", KAT_PUBLIC, KAT_MESSAGE, second
    )


def test_a_bad_private_key_is_refused_in_chinese_without_echoing_it():
    with pytest.raises(signing.SigningError, match="SM2 私钥") as caught:
        signing.sign("sm2", "ab" * 31, PAYLOAD)
    assert "ab" * 31 not in str(caught.value)
    with pytest.raises(signing.SigningError, match="超出"):
        signing.sign("sm2", "00" * 32, PAYLOAD)


# --- the keyring ----------------------------------------------------------------------------------


def test_a_generated_key_signs_and_verifies_through_the_keyring(settings):
    key = keys.key_generate(DEPT, "sm2")
    chosen = keys.signing_key(DEPT)
    assert chosen == key and chosen.algorithm == "sm2" and chosen.can_sign
    signature = chosen.sign(PAYLOAD)
    assert keys.public_key(key.key_id).verify(PAYLOAD, signature) is True
    assert len(key.key_id) <= keys.KEY_ID_MAX_LENGTH


def test_rotation_keeps_old_signatures_verifiable_and_signs_with_the_new_key():
    old = keys.key_generate(DEPT, "sm2")
    signed_before = keys.signing_key(DEPT).sign(PAYLOAD)
    new = keys.key_generate(DEPT, "sm2")

    assert new.key_id != old.key_id
    assert keys.signing_key(DEPT).key_id == new.key_id
    retired = keys.public_key(old.key_id)
    assert retired is not None and retired.retired is True
    assert retired.verify(PAYLOAD, signed_before) is True
    assert keys.public_key(new.key_id).verify(PAYLOAD, signed_before) is False


def test_a_retired_key_is_never_chosen_for_signing(settings, tmp_path):
    private, public = signing.generate_keypair("sm2")
    settings.BANHAO_LICENCE_KEYS = json.dumps(
        {
            "keys": [
                {"key_id": "only-retired", "department": DEPT, "algorithm": "sm2", "private": private,
                 "public": public, "created": "2026-12-04", "retired": True}
            ]
        }
    )  # fmt: skip
    with pytest.raises(keys.KeyringError, match="没有可用的 SM2/SM3（国密） 签名密钥"):
        keys.signing_key(DEPT)
    assert keys.public_key("only-retired").retired is True


def test_the_newest_key_signs_and_a_key_without_private_part_only_verifies(settings):
    old_private, old_public = signing.generate_keypair("sm2")
    new_private, new_public = signing.generate_keypair("sm2")
    _, verify_only = signing.generate_keypair("sm2")
    entries = [
        {"key_id": "b-newer", "department": DEPT, "algorithm": "sm2", "private": new_private,
         "public": new_public, "created": "2026-12-01"},
        {"key_id": "a-older", "department": DEPT, "algorithm": "sm2", "private": old_private,
         "public": old_public, "created": "2026-11-01"},
        {"key_id": "c-public-only", "department": DEPT, "algorithm": "sm2", "public": verify_only,
         "created": "2026-12-03"},
    ]  # fmt: skip
    settings.BANHAO_LICENCE_KEYS = json.dumps({"keys": entries})
    assert keys.signing_key(DEPT).key_id == "b-newer"
    assert keys.public_key("c-public-only").can_sign is False


def test_signing_keys_are_per_department_and_algorithm():
    sm2_key = keys.key_generate(DEPT, "sm2")
    ed_key = keys.key_generate(DEPT, "ed25519")
    other = keys.key_generate(OTHER_DEPT, "sm2")
    assert keys.signing_key(DEPT, "sm2") == sm2_key
    assert keys.signing_key(DEPT, "ed25519") == ed_key
    assert keys.signing_key(OTHER_DEPT) == other
    with pytest.raises(keys.KeyringError, match="Ed25519"):
        keys.signing_key(OTHER_DEPT, "ed25519")


def test_the_default_algorithm_comes_from_the_setting(settings):
    keys.key_generate(DEPT, "sm2")
    ed_key = keys.key_generate(DEPT, "ed25519")
    settings.BANHAO_LICENCE_ALGORITHM = "ed25519"
    assert keys.signing_key(DEPT) == ed_key
    settings.BANHAO_LICENCE_ALGORITHM = "rsa"
    with pytest.raises(keys.KeyringError, match="BANHAO_LICENCE_ALGORITHM"):
        keys.signing_key(DEPT)


def test_the_environment_keyring_beats_the_key_file(settings):
    in_file = keys.key_generate(DEPT, "sm2")
    private, public = signing.generate_keypair("sm2")
    settings.BANHAO_LICENCE_KEYS = json.dumps(
        {"keys": [{"key_id": "from-env", "department": DEPT, "algorithm": "sm2", "private": private,
                   "public": public, "created": "2026-12-04", "retired": False}]}
    )  # fmt: skip
    assert keys.signing_key(DEPT).key_id == "from-env"
    assert keys.public_key(in_file.key_id) is None  # the file is not read at all
    with pytest.raises(keys.KeyringError, match="环境变量 BANHAO_LICENCE_KEYS"):
        keys.key_generate(DEPT, "sm2")


def test_the_key_file_is_written_atomically_with_mode_0600(settings):
    path = settings.BANHAO_LICENCE_KEY_FILE
    keys.key_generate(DEPT, "sm2")
    keys.key_generate(DEPT, "sm2")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [k["retired"] for k in data["keys"]] == [True, False]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_the_parsed_keyring_is_cached_until_the_file_changes(settings, monkeypatch):
    keys.key_generate(DEPT, "sm2")
    keys.signing_key(DEPT)
    reads = []
    real_parse = keys._parse
    monkeypatch.setattr(keys, "_parse", lambda text, source: reads.append(source) or real_parse(text, source))
    for _ in range(5):
        keys.signing_key(DEPT)
    assert reads == []
    new = keys.key_generate(DEPT, "sm2")  # parses the file once to write it
    reads.clear()
    assert keys.signing_key(DEPT) == new
    assert len(reads) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "不是有效的 JSON"),
        ('{"keys": {}}', '{"keys": [...]}'),
        ('{"keys": [{"key_id": "x", "department": "123", "algorithm": "sm2"}]}', "统一社会信用代码无效"),
        (json.dumps({"keys": [{"key_id": "x", "department": DEPT, "algorithm": "rsa"}]}), "算法应为"),
        (
            json.dumps({"keys": [{"key_id": "x", "department": DEPT, "algorithm": "sm2", "public": "04ab"}]}),
            "SM2 公钥",
        ),
    ],
)
def test_a_broken_keyring_is_refused_with_a_chinese_message(settings, text, message):
    settings.BANHAO_LICENCE_KEYS = text
    with pytest.raises(keys.KeyringError, match=message.replace("[", r"\[").replace("{", r"\{")):
        keys.signing_key(DEPT)


def test_a_private_key_not_matching_its_public_key_is_refused_without_echoing_it(settings):
    private, _ = signing.generate_keypair("sm2")
    _, public = signing.generate_keypair("sm2")
    settings.BANHAO_LICENCE_KEYS = json.dumps(
        {"keys": [{"key_id": "x", "department": DEPT, "algorithm": "sm2", "private": private,
                   "public": public, "created": "2026-12-04"}]}
    )  # fmt: skip
    with pytest.raises(keys.KeyringError, match="私钥与公钥不匹配") as caught:
        keys.public_key("x")
    assert private not in str(caught.value)


def test_a_key_never_shows_its_private_part_in_repr():
    key = keys.key_generate(DEPT, "sm2")
    assert key.private and key.private not in repr(key) and key.private not in str(key)


# --- the management command -----------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("licence_keys", *args, stdout=out)
    return out.getvalue()


def test_the_command_generates_rotates_and_lists_without_private_material(settings):
    path = settings.BANHAO_LICENCE_KEY_FILE
    first = run("generate", "--department", DEPT)
    assert "已生成密钥" in first and "0600" in first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "已停用并保留" in run("rotate", "--department", DEPT)
    run("generate", "--department", OTHER_DEPT, "--algorithm", "ed25519")

    listing = run("list")
    stored = json.loads(path.read_text(encoding="utf-8"))["keys"]
    assert len(stored) == 3
    for entry in stored:
        assert entry["key_id"] in listing
        assert entry["private"] not in listing and entry["private"][:16] not in listing
    assert "已停用" in listing and "在用" in listing and "ed25519" in listing


def test_the_command_refuses_a_bad_credit_code_and_writes_nothing(settings):
    with pytest.raises(CommandError, match="统一社会信用代码"):
        run("generate", "--department", "91371300MA3C00000X")
    assert not settings.BANHAO_LICENCE_KEY_FILE.exists()


@pytest.mark.django_db
def test_ensure_gives_every_department_in_the_database_one_sm2_key(settings, make_department):
    first = make_department("市市场监督管理局")
    second = make_department("兰山区行政审批服务局", region="lanshan")
    existing = keys.key_generate(first.credit_code, "sm2")

    out = run("ensure", "--departments-from-db")
    assert "已为 1 个部门生成" in out and "1 个部门已有在用密钥" in out
    assert keys.signing_key(first.credit_code) == existing  # kept, not rotated
    made = keys.signing_key(second.credit_code)
    assert made.algorithm == "sm2"
    assert "已为 0 个部门生成" in run("ensure", "--departments-from-db")
    assert stat.S_IMODE(os.stat(settings.BANHAO_LICENCE_KEY_FILE).st_mode) == 0o600
