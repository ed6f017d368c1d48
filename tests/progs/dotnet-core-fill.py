#!/usr/bin/env python3
"""Prototype: make a kernel- or gdb-written core usable by dotnet-dump/SOS.

    dotnet-core-fill.py [--truncate-only] [--root DIR] CORE OUT

Kernel and gdb cores leave out the file-backed read-only pages of mapped files
(coredump_filter): the kernel keeps only each file's first page and writes a PT_LOAD
whose p_memsz covers the whole mapping, so readers see zeros where libcoreclr's
dynamic symbols are ("Failed to load data access module" / CORDBG_E_MISSING_DEBUGGER_
EXPORTS); gdb writes no PT_LOAD at all for them, and SOS cannot map the managed
images back from the files. This copies CORE to OUT with
  * every PT_LOAD's p_memsz cut to its p_filesz (absent is not zero), and, unless
    --truncate-only,
  * a new read-only PT_LOAD for each part of an NT_FILE mapping that no PT_LOAD holds,
    filled from the mapped file (ROOT + path, default ROOT /), at the mapping's offset.
A prototype for tests: it trusts the files to be the ones that were mapped.
"""
import struct
import sys

NT_FILE = 0x46494C45
PT_LOAD, PT_NOTE = 1, 4


def parse_nt_file(desc):
    count, page = struct.unpack_from("<QQ", desc, 0)
    count = min(count, 1 << 20)
    ents = [struct.unpack_from("<QQQ", desc, 16 + 24 * i) for i in range(count)]
    names = desc[16 + 24 * count:].split(b"\0")
    return [(s, e, off * page, names[i].decode("utf-8", "surrogateescape"))
            for i, (s, e, off) in enumerate(ents) if i < len(names)]


def notes(data, off, size):
    pos, end = off, off + size
    while pos + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
        name = data[pos + 12:pos + 12 + namesz]
        d = pos + 12 + ((namesz + 3) & ~3)
        yield name, ntype, data[d:d + descsz]
        pos = d + ((descsz + 3) & ~3)


def main(argv):
    truncate_only = "--truncate-only" in argv
    argv = [a for a in argv if a != "--truncate-only"]
    root = ""
    if len(argv) >= 2 and argv[0] == "--root":
        root, argv = argv[1].rstrip("/"), argv[2:]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = argv
    with open(src, "rb") as f:
        data = bytearray(f.read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or struct.unpack_from("<H", data, 16)[0] != 4:
        print("not an ELF64 core", file=sys.stderr)
        return 1
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    phdrs = [list(struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize))
             for i in range(e_phnum)]
    files = []
    for p in phdrs:
        if p[0] == PT_NOTE:
            for name, ntype, desc in notes(data, p[2], p[5]):
                if name.rstrip(b"\0") == b"CORE" and ntype == NT_FILE:
                    files = parse_nt_file(desc)
    covered = []
    for p in phdrs:
        if p[0] == PT_LOAD:
            p[6] = p[5]  # p_memsz = p_filesz
            if p[5]:
                covered.append((p[3], p[3] + p[5]))
    covered.sort()
    added = []
    if not truncate_only:
        for start, end, foff, path in files:
            if path.startswith("/memfd:") or path.endswith(" (deleted)") or path.startswith("/dev/"):
                continue
            gaps, cur = [], start
            for cs, ce in covered:
                if ce <= cur or cs >= end:
                    continue
                if cs > cur:
                    gaps.append((cur, cs))
                cur = max(cur, ce)
            if cur < end:
                gaps.append((cur, end))
            if not gaps:
                continue
            try:
                with open(root + path, "rb") as f:
                    for gs, ge in gaps:
                        f.seek(foff + (gs - start))
                        chunk = f.read(ge - gs)
                        if chunk:
                            added.append((gs, chunk))
            except OSError as e:
                print("%s: %s" % (path, e), file=sys.stderr)
    out = bytes(data)
    tail = bytearray()
    base = (len(out) + 4095) & ~4095
    new_ph = [p for p in phdrs]
    for vaddr, chunk in added:
        off = base + len(tail)
        new_ph.append([PT_LOAD, 4, off, vaddr, 0, len(chunk), len(chunk), 4096])
        tail += chunk
        tail += b"\0" * (((len(tail) + 4095) & ~4095) - len(tail))
    ph_off = base + len(tail)
    if len(new_ph) >= 0xFFFF:
        print("too many segments", file=sys.stderr)
        return 1
    ph_bytes = b"".join(struct.pack("<IIQQQQQQ", *p) for p in new_ph)
    hdr = bytearray(out[:64])
    struct.pack_into("<Q", hdr, 32, ph_off)
    struct.pack_into("<H", hdr, 56, len(new_ph))
    with open(dst, "wb") as f:
        f.write(hdr)
        f.write(out[64:])
        f.write(b"\0" * (base - len(out)))
        f.write(tail)
        f.write(ph_bytes)
    print("%s: %d segments cut to their file size, %d added (%d bytes) from %d mapped files"
          % (dst, sum(1 for p in phdrs if p[0] == PT_LOAD), len(added), len(tail), len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
