#!/usr/bin/env python3
"""Compare what savedump found in a kernel dump with the guest's ground truth.

  check-manifest.py MANIFEST.json TRUTHDIR

TRUTHDIR holds what the guest itself recorded before the dump: release
(uname -r), modules (names, one per line), buildids ("name hex" from
/sys/module/*/notes) and, when known, kernel-buildid. Prints every
difference and exits 1 if there is one.
"""
import json
import os
import sys


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def norm(name):
    return name.replace("-", "_")


def main():
    manifest, truth = sys.argv[1], sys.argv[2]
    with open(manifest) as f:
        doc = json.load(f)
    errors = []
    dump = doc["dump"]
    release = read(os.path.join(truth, "release"))
    if dump.get("release") != release:
        errors.append("release: savedump %r, guest %r" % (dump.get("release"), release))
    kid = read(os.path.join(truth, "kernel-buildid"))
    if kid and dump.get("build_id") != kid:
        errors.append("kernel build-id: savedump %r, guest %r" % (dump.get("build_id"), kid))
    mods = {}
    for item in doc["items"]:
        if item["role"] == "module":
            mods[norm(item["name"])] = item
    want = set(norm(m) for m in (read(os.path.join(truth, "modules")) or "").split())
    if set(mods) != want:
        errors.append("modules: savedump %s, guest %s" % (sorted(mods), sorted(want)))
    for line in (read(os.path.join(truth, "buildids")) or "").splitlines():
        name, _, hexid = line.partition(" ")
        item = mods.get(norm(name))
        if item and item.get("build_id") != hexid.strip():
            errors.append("build-id of %s: savedump %r, guest %r"
                          % (name, item.get("build_id"), hexid.strip()))
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
