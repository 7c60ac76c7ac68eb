"""Licence signatures per second: SM2/SM3 and Ed25519 through banhao.licences.signing, beside the
raw library calls in the same run (decision 0018).

For each algorithm, one key pair and one payload of --payload-bytes (default 1024, about a
licence's canonical metadata and face): signs per second and verifies per second through
`banhao.licences.signing.sign` / `verify` (hex keys, base64 signatures, the parsed-key cache),
and the same operations called straight on the libraries (tongsuopy for SM2 with SM3 and the
default signer id; cryptography for Ed25519) with key objects loaded once. The gap between the
two is what the interface costs. Each figure is the best of --repeats timed runs of at least
--seconds each (the machine is shared; the best run is the least disturbed one). Every
signature made is checked once, so a fast but wrong path cannot pass. Needs no database.

Usage:
    .venv/bin/python bench/licence_sign.py [--payload-bytes 1024] [--seconds 1.0] [--repeats 3]

Last line:
    sm2_sign_per_s=<n> sm2_verify_per_s=<n> ed25519_sign_per_s=<n> ed25519_verify_per_s=<n>
    raw_sm2_sign_per_s=<n> raw_sm2_verify_per_s=<n> raw_ed25519_sign_per_s=<n> raw_ed25519_verify_per_s=<n>
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payload-bytes", type=int, default=1024)
    parser.add_argument("--seconds", type=float, default=1.0, help="least duration of one timed run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per figure; the best counts")
    return parser.parse_args()


def rate(fn, seconds: float, repeats: int) -> float:
    """Calls per second of fn: the best of `repeats` runs, each of at least `seconds`."""
    fn()  # warm the caches outside the timing
    best = 0.0
    for _ in range(repeats):
        calls, t0 = 0, time.perf_counter()
        deadline = t0 + seconds
        while True:
            for _ in range(20):
                fn()
            calls += 20
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, calls / (now - t0))
    return best


def main() -> None:
    args = parse_args()
    import cryptography
    import tongsuopy
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from tongsuopy.crypto import hashes as sm_hashes
    from tongsuopy.crypto.asymciphers import ec as sm_ec

    from banhao.licences import signing

    payload = os.urandom(args.payload_bytes)
    results: dict[str, float] = {}

    for algorithm in signing.ALGORITHMS:
        private, public = signing.generate_keypair(algorithm)
        signature = signing.sign(algorithm, private, payload)
        assert signing.verify(algorithm, public, payload, signature), f"{algorithm}: round trip failed"
        assert not signing.verify(algorithm, public, payload + b"x", signature), f"{algorithm}: tamper passed"

        if algorithm == signing.SM2:
            key = sm_ec.derive_private_key(int(private, 16), sm_ec.SM2())
            pub = sm_ec.EllipticCurvePublicKey.from_encoded_point(sm_ec.SM2(), bytes.fromhex(public))
            scheme = sm_ec.ECDSA(sm_hashes.SM3())
            raw_signature = key.sign(payload, scheme)
            pub.verify(raw_signature, payload, scheme)  # raises if wrong

            def raw_sign(key=key, scheme=scheme):
                return key.sign(payload, scheme)

            def raw_verify(pub=pub, scheme=scheme, sig=raw_signature):
                pub.verify(sig, payload, scheme)
        else:
            key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private))
            pub = key.public_key()
            raw_signature = key.sign(payload)
            pub.verify(raw_signature, payload)

            def raw_sign(key=key):
                return key.sign(payload)

            def raw_verify(pub=pub, sig=raw_signature):
                pub.verify(sig, payload)

        results[f"{algorithm}_sign_per_s"] = rate(
            lambda a=algorithm, k=private: signing.sign(a, k, payload), args.seconds, args.repeats
        )
        results[f"{algorithm}_verify_per_s"] = rate(
            lambda a=algorithm, k=public, s=signature: signing.verify(a, k, payload, s),
            args.seconds,
            args.repeats,
        )
        results[f"raw_{algorithm}_sign_per_s"] = rate(raw_sign, args.seconds, args.repeats)
        results[f"raw_{algorithm}_verify_per_s"] = rate(raw_verify, args.seconds, args.repeats)

    print(
        f"Licence signature benchmark — Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"tongsuopy {tongsuopy.__version__}, cryptography {cryptography.__version__}"
    )
    print(f"payload {args.payload_bytes} bytes; best of {args.repeats} runs of ≥ {args.seconds:g} s each")
    print()
    print(
        f"{'algorithm':<10} {'operation':<8} {'banhao signing/s':>17} {'raw library/s':>14} {'interface cost':>15}"
    )
    for algorithm in signing.ALGORITHMS:
        for op in ("sign", "verify"):
            ours, raw = results[f"{algorithm}_{op}_per_s"], results[f"raw_{algorithm}_{op}_per_s"]
            cost_us = (1 / ours - 1 / raw) * 1e6
            print(f"{algorithm:<10} {op:<8} {ours:>17,.0f} {raw:>14,.0f} {cost_us:>12.1f} µs")
    print()
    rerun = [".venv/bin/python", "bench/licence_sign.py", *sys.argv[1:]]
    print("rerun: " + shlex.join(rerun))
    order = [f"{a}_{op}_per_s" for a in signing.ALGORITHMS for op in ("sign", "verify")]
    order += [f"raw_{name}" for name in order]
    print(" ".join(f"{name}={results[name]:.0f}" for name in order))


if __name__ == "__main__":
    main()
