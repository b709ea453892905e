#!/usr/bin/env python3
"""DSSE interop, both ways, between v2g-adm and an independent implementation.

The signer and verifier here follow secure-systems-lab/dsse (protocol.md, envelope.md) on their own: PAE,
the JSON envelope, Ed25519 from pyca/cryptography, key ids as the SHA-256 of the raw public key. They sign
bundles and roots that `v2g-adm` must accept (and refuse once tampered with), and verify what `v2g-adm`
signs. Needs V2G_BIN_DIR (the folder holding v2g-adm). Prints one line per check and "N passed, M failed".
"""
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ADM = os.path.join(os.environ["V2G_BIN_DIR"], "v2g-adm")
POLICY_TYPE = "application/vnd.v2g-edge.policy+json"
ROOT_TYPE = "application/vnd.v2g-edge.root+json"

results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name}: {detail}")


def pae(payload_type: str, body: bytes) -> bytes:
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def b64(data: bytes) -> str:
    return base64.standard_b64encode(data).decode("ascii")


def sign_envelope(payload_type: str, body: bytes, keys) -> bytes:
    signatures = [{"keyid": key_id(raw_public(k)), "sig": b64(k.sign(pae(payload_type, body)))} for k in keys]
    return json.dumps({"payload": b64(body), "payloadType": payload_type, "signatures": signatures}).encode()


def verify_envelope(data: bytes, payload_type: str, keys_by_id: dict, threshold: int) -> bytes:
    """DSSE multi-signature verification; raises on any failure, returns the verified body."""
    envelope = json.loads(data)
    if envelope["payloadType"] != payload_type:
        raise ValueError(f"payloadType {envelope['payloadType']!r}")
    body = base64.b64decode(envelope["payload"], validate=True)
    valid = set()
    for signature in envelope["signatures"]:
        public = keys_by_id.get(signature["keyid"])
        if public is None:
            continue
        public.verify(base64.b64decode(signature["sig"], validate=True), pae(payload_type, body))
        valid.add(signature["keyid"])
    if len(valid) < threshold:
        raise ValueError(f"{len(valid)} valid signatures, threshold {threshold}")
    return body


def root_keys(root_bytes: bytes, role: str):
    """The keys and threshold of one role of a root, after checking the root's own signatures."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    unverified = json.loads(base64.b64decode(json.loads(root_bytes)["payload"], validate=True))
    keys = {}
    for kid, entry in unverified["keys"].items():
        raw = bytes.fromhex(entry["public"])
        if key_id(raw) != kid:
            raise ValueError(f"key id {kid} is not the SHA-256 of its key")
        keys[kid] = Ed25519PublicKey.from_public_bytes(raw)
    root_role = unverified["roles"]["root"]
    verify_envelope(root_bytes, ROOT_TYPE, {k: keys[k] for k in root_role["keyids"]}, root_role["threshold"])
    wanted = unverified["roles"][role]
    return {k: keys[k] for k in wanted["keyids"]}, wanted["threshold"]


def load_key(path: str) -> Ed25519PrivateKey:
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def adm(*args):
    done = subprocess.run([ADM, *args], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def rfc3339(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def bundle_body(version: int, expires: str, policy: dict, targets=("*",)) -> bytes:
    return json.dumps({"type": "policy", "version": version, "expires": expires, "targets": list(targets), "policy": policy}).encode()


def main() -> int:
    check("PAE matches the specification's vector",
          pae("http://example.com/HelloWorld", b"hello world") == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world")

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    expires = rfc3339(now + datetime.timedelta(days=30))
    with tempfile.TemporaryDirectory() as tmp:
        keys_dir = os.path.join(tmp, "keys")
        code, out, err = adm("keys", "init", "--dir", keys_dir, "--policy-keys", "2", "--policy-threshold", "2")
        check("v2g-adm keys init", code == 0, err)
        root_path = os.path.join(keys_dir, "root.json")
        with open(root_path, "rb") as f:
            root_bytes = f.read()

        try:
            policy_public, threshold = root_keys(root_bytes, "policy")
            check("Python verifies the root written by v2g-adm (self-signed, key ids are SHA-256)", threshold == 2 and len(policy_public) == 2)
        except (ValueError, InvalidSignature, KeyError) as error:
            check("Python verifies the root written by v2g-adm", False, repr(error))
            return 1

        pem = {}
        for name in os.listdir(os.path.join(keys_dir, "keys")):
            if name.endswith(".pem"):
                key = load_key(os.path.join(keys_dir, "keys", name))
                pem[key_id(raw_public(key))] = (os.path.join(keys_dir, "keys", name), key)
        policy_keys = [pem[k][1] for k in policy_public]
        check("key files are 0600 PKCS#8 Ed25519", all(os.stat(p).st_mode & 0o777 == 0o600 for p, _ in pem.values()) and len(pem) == 4)

        def verify(path, *extra):
            return adm("policy", "verify", "--root", root_path, "--agent", "tx-0412", "--group", "feeder-12", *extra, path)

        def write(name, data):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            return path

        # Python signs, v2g-adm verifies.
        body = bundle_body(5, expires, {"thermal": {"hot_spot_limit_c": 95}}, ["group:feeder-12"])
        signed = write("py.bundle", sign_envelope(POLICY_TYPE, body, policy_keys))
        code, out, err = verify(signed)
        check("Python-signed bundle: v2g-adm ACCEPTED version 5, exit 0", code == 0 and out == "ACCEPTED version 5", f"{code} {out} {err}")

        code, out, _ = verify(signed, "--installed-version", "5")
        check("the same bundle over installed version 5: REFUSED ROLLBACK, exit 1", code == 1 and out.startswith("REFUSED ROLLBACK:"), out)

        envelope = json.loads(open(signed, "rb").read())
        envelope["payload"] = b64(bundle_body(5, expires, {"thermal": {"hot_spot_limit_c": 119}}, ["group:feeder-12"]))
        code, out, _ = verify(write("tampered.bundle", json.dumps(envelope).encode()))
        check("payload changed after Python signed it: REFUSED BAD_SIGNATURE, exit 1", code == 1 and out.startswith("REFUSED BAD_SIGNATURE:"), out)

        code, out, _ = verify(write("one.bundle", sign_envelope(POLICY_TYPE, body, policy_keys[:1])))
        check("one of two policy signatures: REFUSED THRESHOLD_NOT_MET", code == 1 and out.startswith("REFUSED THRESHOLD_NOT_MET:"), out)

        code, out, _ = verify(write("stranger.bundle", sign_envelope(POLICY_TYPE, body, [Ed25519PrivateKey.generate()])))
        check("signed by a key the root does not know: REFUSED UNKNOWN_KEY", code == 1 and out.startswith("REFUSED UNKNOWN_KEY:"), out)

        hot = bundle_body(6, expires, {"thermal": {"hot_spot_limit_c": 130}})
        code, out, _ = verify(write("hot.bundle", sign_envelope(POLICY_TYPE, hot, policy_keys)))
        check("validly signed, out of range: REFUSED OUT_OF_RANGE naming field, value and range",
              code == 1 and out.startswith("REFUSED OUT_OF_RANGE:") and "thermal.hot_spot_limit_c = 130" in out and "60.0…120.0" in out, out)

        code, out, _ = verify(write("typo.bundle", sign_envelope(POLICY_TYPE, bundle_body(7, expires, {"thermal": {"hot_spot": 95}}), policy_keys)))
        check("validly signed, unknown policy key: REFUSED MALFORMED naming it", code == 1 and out.startswith("REFUSED MALFORMED:") and "thermal.hot_spot" in out, out)

        # A signature whose base64 has a '+' or '/' (trailing spaces in the body vary it), then spelt URL-safe.
        for pad in range(64):
            urlsafe = json.loads(sign_envelope(POLICY_TYPE, body + b" " * pad, policy_keys))
            standard = urlsafe["signatures"][0]["sig"]
            if "+" in standard or "/" in standard:
                break
        urlsafe["signatures"][0]["sig"] = base64.urlsafe_b64encode(base64.b64decode(standard)).decode()
        code, out, _ = verify(write("urlsafe.bundle", json.dumps(urlsafe).encode()))
        check("URL-safe base64 (outside the strict profile): REFUSED MALFORMED", code == 1 and out.startswith("REFUSED MALFORMED:"), out)

        # v2g-adm signs, Python verifies.
        policy_file = write("policy.json", json.dumps({"thermal": {"hot_spot_limit_c": 96}, "ev": {"minimum_soc_pct": 25}}).encode())
        adm_bundle = os.path.join(tmp, "adm.bundle")
        args = ["policy", "sign", "--root", root_path, "--policy", policy_file, "--version", "8", "--expires", expires,
                "--target", "*", "--out", adm_bundle]
        for kid in policy_public:
            args += ["--key", pem[kid][0]]
        code, out, err = adm(*args)
        check("v2g-adm policy sign", code == 0, err)
        with open(adm_bundle, "rb") as f:
            adm_bytes = f.read()
        try:
            verified = json.loads(verify_envelope(adm_bytes, POLICY_TYPE, policy_public, threshold))
            check("Python verifies the v2g-adm bundle (2 of 2 policy signatures over the PAE)",
                  verified["version"] == 8 and verified["policy"]["thermal"]["hot_spot_limit_c"] == 96
                  and verified["policy"]["ev"]["minimum_soc_pct"] == 25 and verified["targets"] == ["*"], verified)
        except (ValueError, InvalidSignature, KeyError) as error:
            check("Python verifies the v2g-adm bundle", False, repr(error))

        tampered = json.loads(adm_bytes)
        tampered["payload"] = b64(base64.b64decode(tampered["payload"]).replace(b'"hot_spot_limit_c":96', b'"hot_spot_limit_c":99'))
        try:
            verify_envelope(json.dumps(tampered).encode(), POLICY_TYPE, policy_public, threshold)
            check("Python refuses the v2g-adm bundle once its payload is changed", False, "accepted")
        except InvalidSignature:
            check("Python refuses the v2g-adm bundle once its payload is changed", True)

        # A root written by Python, trusted by v2g-adm, and a bundle under it.
        py_root_key, py_policy_key, py_envelope_key = (Ed25519PrivateKey.generate() for _ in range(3))
        ids = [key_id(raw_public(k)) for k in (py_root_key, py_policy_key, py_envelope_key)]
        root_body = json.dumps({
            "type": "root", "version": 1, "expires": rfc3339(now + datetime.timedelta(days=365)),
            "keys": {kid: {"keytype": "ed25519", "public": raw_public(k).hex()} for kid, k in zip(ids, (py_root_key, py_policy_key, py_envelope_key))},
            "roles": {"root": {"keyids": [ids[0]], "threshold": 1}, "policy": {"keyids": [ids[1]], "threshold": 1},
                      "envelope": {"keyids": [ids[2]], "threshold": 1, "max_validity_s": 300}},
        }).encode()
        py_root = write("py-root.json", sign_envelope(ROOT_TYPE, root_body, [py_root_key]))
        code, out, err = adm("keys", "list", "--root", py_root)
        check("v2g-adm trusts a root written by Python", code == 0 and ids[1] in out and "root version 1" in out, f"{out} {err}")
        py_bundle = write("py-root.bundle", sign_envelope(POLICY_TYPE, bundle_body(1, expires, {}), [py_policy_key]))
        code, out, _ = adm("policy", "verify", "--root", py_root, "--agent", "tx-1", py_bundle)
        check("a bundle under the Python root: ACCEPTED version 1", code == 0 and out == "ACCEPTED version 1", out)
        code, out, _ = adm("policy", "verify", "--root", py_root, "--agent", "tx-1", signed)
        check("a bundle signed under the other root: REFUSED UNKNOWN_KEY", code == 1 and out.startswith("REFUSED UNKNOWN_KEY:"), out)

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 0 if results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
