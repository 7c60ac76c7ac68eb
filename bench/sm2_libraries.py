"""The SM2-with-SM3 libraries pip can install, compared: speed on one payload and interoperability.

Decision 0018 chose the licence signature library with this script. It runs in a scratch
virtual environment holding the candidates (not the project's: only the chosen one is a
dependency):

    python3 -m venv /tmp/smvenv
    /tmp/smvenv/bin/pip install gmssl tongsuopy gmalg snowland-smx gmssl-fast cryptography
    /tmp/smvenv/bin/python bench/sm2_libraries.py [--n 100] [--payload-bytes 1024] 2>/dev/null

(gmssl-fast prints GmSSL's error trace on stderr for every failed verification.) One key pair
is used by all. Each library signs the payload; every library verifies every signature, and a
copy of the payload with one flipped byte must fail: "ok" in the matrix means both held — the
libraries compute the same standard signature, e = SM3(Z_A ‖ M) with the signer id
1234567812345678 (GB/T 32918.2), not a plain ECDSA over the SM2 curve. Then signs and
verifies per second (pure-Python libraries --n times, the C-backed ones 20 × --n), and
Ed25519 from cryptography as the reference. A library that is not installed is left out.

Last line:
    <library>_sign_per_s=<n> <library>_verify_per_s=<n> ... interoperable=<yes|no>
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import sys
import time

UID = b"1234567812345678"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100, help="operations per pure-Python figure")
    parser.add_argument("--payload-bytes", type=int, default=1024)
    return parser.parse_args()


def rate(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - t0)


def candidates(d: str, p: str) -> dict:
    """name -> (sign(m) -> r‖s bytes, verify(m, r‖s) -> bool, is_c_backed); d and p (x‖y) in hex."""
    libs = {}
    try:
        import gmalg

        g = gmalg.SM2(sk=bytes.fromhex(d), uid=UID, pk=bytes.fromhex("04" + p))

        def gmalg_sign(m):
            r, s = g.sign(m)
            return r.rjust(32, b"\0") + s.rjust(32, b"\0")

        libs["gmalg"] = (gmalg_sign, lambda m, sig: g.verify(m, sig[:32], sig[32:]), False)
    except ImportError:
        pass
    try:
        from gmssl import sm2 as gmssl_sm2

        c = gmssl_sm2.CryptSM2(private_key=d, public_key=p, mode=1)
        # gmssl draws k from `random` (not a CSPRNG) unless given one: pass a secrets value.
        libs["gmssl"] = (
            lambda m: bytes.fromhex(c.sign_with_sm3(m, secrets.token_hex(32))),
            lambda m, sig: bool(c.verify_with_sm3(sig.hex(), m)),
            False,
        )
    except ImportError:
        pass
    try:
        from pysmx import SM2 as smx  # snowland-smx
        from pysmx.SM2._SM2 import get_random_str

        def smx_sign(m):
            while True:  # Sign gives None in the rare r = 0 or r + k = n case
                sig = smx.Sign(m, d, get_random_str(64), 64, uid=UID)
                if sig:
                    return sig

        libs["snowland-smx"] = (smx_sign, lambda m, sig: bool(smx.Verify(sig, m, p, 64, uid=UID)), False)
    except ImportError:
        pass
    try:
        import gmssl_fast

        f = gmssl_fast.SM2(private_key=d, public_key="04" + p)
        libs["gmssl-fast"] = (f.sign, lambda m, sig: bool(f.verify(m, sig)), True)
    except ImportError:
        pass
    try:
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
        from tongsuopy.crypto import hashes as ts_hashes
        from tongsuopy.crypto.asymciphers import ec as ts_ec
        from tongsuopy.crypto.exceptions import InvalidSignature

        key = ts_ec.derive_private_key(int(d, 16), ts_ec.SM2())
        pub = key.public_key()
        scheme = ts_ec.ECDSA(ts_hashes.SM3())

        def ts_sign(m):
            r, s = decode_dss_signature(key.sign(m, scheme))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

        def ts_verify(m, sig):
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            try:
                pub.verify(der, m, scheme)
            except InvalidSignature:
                return False
            return True

        libs["tongsuopy"] = (ts_sign, ts_verify, True)
    except ImportError:
        pass
    return libs


def main() -> None:
    args = parse_args()
    from tongsuopy.crypto import serialization
    from tongsuopy.crypto.asymciphers import ec as ts_ec

    key = ts_ec.generate_private_key(ts_ec.SM2())
    d = f"{key.private_numbers().private_value:064x}"
    p = (
        key.public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        .hex()[2:]
    )
    payload = os.urandom(args.payload_bytes)
    tampered = bytearray(payload)
    tampered[len(payload) // 2] ^= 1
    libs = candidates(d, p)
    names = list(libs)

    print(
        "interoperability (row signs, column verifies; ok = accepts the signature, rejects the flipped payload)"
    )
    print(f"{'':14}" + "".join(f"{n:>14}" for n in names))
    all_ok = True
    for signer in names:
        sig = libs[signer][0](payload)
        cells = []
        for verifier in names:
            try:
                ok = libs[verifier][1](payload, sig) and not libs[verifier][1](bytes(tampered), sig)
                cell = "ok" if ok else "FAIL"
            except Exception as e:  # a library that raises instead of answering
                ok, cell = False, type(e).__name__
            all_ok &= ok
            cells.append(cell)
        print(f"{signer:14}" + "".join(f"{c:>14}" for c in cells))

    print(f"\nspeed, {args.payload_bytes}-byte payload (pure Python n={args.n}, C-backed n={args.n * 20})")
    figures = []
    for name, (sign, verify, c_backed) in libs.items():
        n = args.n * 20 if c_backed else args.n
        sig = sign(payload)
        s_rate = rate(lambda sign=sign: sign(payload), n)
        v_rate = rate(lambda verify=verify, sig=sig: verify(payload, sig), n)
        print(f"{name:14} sign/s={s_rate:9,.0f}  verify/s={v_rate:9,.0f}")
        figures.append(
            f"{name.replace('-', '_')}_sign_per_s={s_rate:.0f} {name.replace('-', '_')}_verify_per_s={v_rate:.0f}"
        )
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        ek = Ed25519PrivateKey.generate()
        ep, es = ek.public_key(), ek.sign(payload)
        s_rate = rate(lambda: ek.sign(payload), args.n * 100)
        v_rate = rate(lambda: ep.verify(es, payload), args.n * 100)
        print(f"{'ed25519':14} sign/s={s_rate:9,.0f}  verify/s={v_rate:9,.0f}  (cryptography, reference)")
        figures.append(f"ed25519_sign_per_s={s_rate:.0f} ed25519_verify_per_s={v_rate:.0f}")
    except ImportError:
        pass
    print()
    print("rerun: " + shlex.join([sys.executable, "bench/sm2_libraries.py", *sys.argv[1:]]))
    print(" ".join([*figures, f"interoperable={'yes' if all_ok else 'no'}"]))


if __name__ == "__main__":
    main()
