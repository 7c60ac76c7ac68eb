"""Licence signing keys: generate, rotate, list, ensure (decision 0018).

    python manage.py licence_keys generate --department 11371300MB28508936 [--algorithm sm2|ed25519]
    python manage.py licence_keys rotate --department 11371300MB28508936 [--algorithm ...]
    python manage.py licence_keys list
    python manage.py licence_keys ensure --departments-from-db [--algorithm sm2]

generate and rotate are the same: a new key, the department's older keys of the algorithm
retired and kept (they still verify the licences they signed). ensure gives a key to every
department that has none. Keys go to the key file (BANHAO_LICENCE_KEY_FILE, or --key-file),
mode 0600. Nothing here prints key material: list shows ids, departments, algorithms, state.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from banhao.licences import keys, signing
from banhao.org.api import department_credit_codes


class Command(BaseCommand):
    help = "电子证照签名密钥：生成、轮换、列出、为各部门补齐（不输出私钥）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{generate,rotate,list,ensure}")
        for name, text in (("generate", "为部门生成新密钥"), ("rotate", "轮换部门密钥（同 generate）")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--department", required=True, help="部门统一社会信用代码（18 位）")
            p.add_argument(
                "--algorithm",
                choices=signing.ALGORITHMS,
                default=None,
                help="默认取 BANHAO_LICENCE_ALGORITHM",
            )
            p.add_argument("--key-file", default=None, help="密钥文件（默认 BANHAO_LICENCE_KEY_FILE）")
        p = sub.add_parser("list", help="列出密钥编号、部门、算法与状态")
        p.add_argument("--key-file", default=None, help="密钥文件（默认：当前生效的密钥来源）")
        p = sub.add_parser("ensure", help="为没有密钥的部门生成密钥")
        p.add_argument("--departments-from-db", action="store_true", help="数据库中的全部部门")
        p.add_argument("--department", action="append", default=[], help="部门统一社会信用代码（可重复）")
        p.add_argument("--algorithm", choices=signing.ALGORITHMS, default=signing.SM2)
        p.add_argument("--key-file", default=None, help="密钥文件（默认 BANHAO_LICENCE_KEY_FILE）")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except keys.KeyringError as e:
            raise CommandError(str(e)) from None

    def _generate(self, *, department, algorithm, key_file, **_):
        target = key_file or keys.key_file_path()
        before = keys.keyring_keys(target)
        key = keys.key_generate(department, algorithm, path=key_file)
        retired = [
            k
            for k in before
            if (k.department, k.algorithm) == (key.department, key.algorithm) and not k.retired
        ]
        self.stdout.write(
            f"已生成密钥 {key.key_id}（部门 {key.department}，算法 {signing.ALGORITHM_LABELS[key.algorithm]}），"
            f"写入 {target}（权限 0600）。"
        )
        if retired:
            self.stdout.write(
                f"该部门此前在用的 {len(retired)} 个同算法密钥已停用并保留，用它们签发的证照仍可验证。"
            )

    _rotate = _generate

    def _list(self, *, key_file, **_):
        items = keys.keyring_keys(key_file)
        self.stdout.write(f"密钥来源：{keys.keyring_source(key_file)}，共 {len(items)} 个密钥。")
        if not items:
            return
        self.stdout.write("密钥编号\t部门\t算法\t状态\t创建日期\t可签名")
        for k in items:
            self.stdout.write(
                "\t".join(
                    (
                        k.key_id,
                        k.department,
                        k.algorithm,
                        "已停用" if k.retired else "在用",
                        k.created,
                        "是" if k.can_sign else "否（仅验证）",
                    )
                )
            )

    def _ensure(self, *, departments_from_db, department, algorithm, key_file, **_):
        codes = list(department)
        if departments_from_db:
            codes += department_credit_codes()
        if not codes:
            raise CommandError("请用 --departments-from-db 或 --department 指明部门。")
        made = keys.keys_ensure(codes, algorithm, path=key_file)
        have = len(set(c.strip().upper() for c in codes)) - len(made)
        self.stdout.write(
            f"已为 {len(made)} 个部门生成 {signing.ALGORITHM_LABELS[algorithm]} 签名密钥；"
            f"{have} 个部门已有在用密钥。"
        )
