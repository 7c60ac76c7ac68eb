"""Licence issue + sign and verification through the services, beside the raw library calls.

On a FRESH database (beside --database-url on PostgreSQL, else a temporary SQLite file) and a
temporary key file with one key per algorithm for the issuing department, for each algorithm
(SM2/SM3 and Ed25519):

- issue: --licences licences through ``services.licence_issue`` (each its own transaction:
  serial counter, identifier, signature over the canonical metadata + face, the row, its
  event, the audit record and the holder's notice);
- verify: each licence read by its identifier and checked with ``services.verify_status``
  (the signed payload recomputed from the row, the key found by its id, the signature checked);
- raw: ``signing.sign`` and ``signing.verify`` on the same payload in a loop for --raw-seconds,
  in the same run: the library's own rate, for scale.

Usage:
    .venv/bin/python bench/licence_issue.py [--licences 500] [--raw-seconds 2]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Last line:
    issue_sm2_per_s=… verify_sm2_per_s=… issue_ed25519_per_s=… verify_ed25519_per_s=…
    raw_sm2_sign_per_s=… raw_sm2_verify_per_s=…  (one line)
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fresh import fresh_database, setup_django, tiny_city  # noqa: E402

ALGORITHMS = ("sm2", "ed25519")


def raw_rates(algorithm: str, key, payload: bytes, seconds: float) -> tuple[float, float]:
    from banhao.licences import signing

    signature = signing.sign(algorithm, key.private, payload)
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            signing.sign(algorithm, key.private, payload)
        n += 50
    sign_rate = n / elapsed
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            assert signing.verify(algorithm, key.public, payload, signature)
        n += 50
    return sign_rate, n / elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--licences", type=int, default=500, help="licences issued (and verified) per algorithm")
    p.add_argument("--raw-seconds", type=float, default=2.0, help="seconds of each raw library loop")
    p.add_argument("--database-url")
    args = p.parse_args()
    url, cleanup = fresh_database(args.database_url)
    key_dir = tempfile.mkdtemp(prefix="banhao-bench-keys-")
    os.environ["BANHAO_LICENCE_KEY_FILE"] = str(Path(key_dir) / "licence-keys.json")
    os.environ["BANHAO_LICENCE_KEYS"] = ""
    setup_django()
    from django.db import connection

    from banhao.licences import keys, services
    from banhao.licences.models import Licence
    from banhao.org.models import Department

    results: dict[str, float] = {}
    try:
        _impl, _version, person = tiny_city()
        issuer = Department.objects.get(name="临沂市行政审批服务局")
        for algorithm in ALGORITHMS:
            keys.key_generate(issuer.credit_code, algorithm)
        licence_type, _ = services.licence_type_upsert(
            actor="bench",
            name="医师执业证书",
            code="11100000000013020201" + "3",
            authority_name="国家卫生健康委员会",
            holder_kind="person",
            several_allowed=True,  # every issue a new licence (no supersede chain)
            fields=[
                {
                    "key": "name",
                    "label": "姓名",
                    "required": True,
                    "public": True,
                    "sources": ["holder.name"],
                },
                {"key": "category", "label": "执业类别", "public": True},
                {"key": "scope", "label": "执业范围", "public": True},
                {"key": "institution", "label": "执业地点（机构）", "public": True},
            ],
        )
        face = {"category": "临床", "scope": "内科专业", "institution": "临沂市人民医院"}
        print(
            f"database: {connection.vendor} ({url.split('@')[-1]}), {args.licences} licences per algorithm, "
            f"issuer {issuer.name}, holder {person.name}"
        )
        for algorithm in ALGORITHMS:
            identifiers = []
            start = time.perf_counter()
            for _ in range(args.licences):
                licence = services.licence_issue(
                    actor="bench",
                    licence_type=licence_type,
                    issuer_id=issuer.pk,
                    person_id=person.pk,
                    face=face,
                    algorithm=algorithm,
                )
                identifiers.append(licence.identifier)
            issue_s = time.perf_counter() - start
            start = time.perf_counter()
            statuses = set()
            for identifier in identifiers:
                statuses.add(services.verify_status(Licence.objects.filter(identifier=identifier).first()))
            verify_s = time.perf_counter() - start
            assert statuses == {"valid"}, statuses
            sample = Licence.objects.get(identifier=identifiers[0])
            raw_sign, raw_verify = raw_rates(
                algorithm,
                keys.signing_key(issuer.credit_code, algorithm),
                services.signed_payload(sample),
                args.raw_seconds,
            )
            results[f"issue_{algorithm}_per_s"] = args.licences / issue_s
            results[f"verify_{algorithm}_per_s"] = args.licences / verify_s
            results[f"raw_{algorithm}_sign_per_s"] = raw_sign
            results[f"raw_{algorithm}_verify_per_s"] = raw_verify
            print(
                f"{algorithm:>8}: issue+sign {args.licences / issue_s:8.1f}/s   verify {args.licences / verify_s:8.1f}/s"
                f"   | raw library: sign {raw_sign:8.1f}/s   verify {raw_verify:8.1f}/s"
                f"   (payload {len(services.signed_payload(sample))} bytes)"
            )
    finally:
        cleanup()
        shutil.rmtree(key_dir, ignore_errors=True)
    command = " ".join(
        [
            ".venv/bin/python bench/licence_issue.py",
            f"--licences {args.licences}",
            f"--raw-seconds {args.raw_seconds}",
        ]
        + ([f"--database-url {shlex.quote(args.database_url)}"] if args.database_url else [])
    )
    print(f"rerun: {command}")
    names = (
        "issue_sm2_per_s",
        "verify_sm2_per_s",
        "issue_ed25519_per_s",
        "verify_ed25519_per_s",
        "raw_sm2_sign_per_s",
        "raw_sm2_verify_per_s",
    )
    print(" ".join(f"{n}={results[n]:.1f}" for n in names))


if __name__ == "__main__":
    main()
