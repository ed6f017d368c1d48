#!/usr/bin/env python3
"""Rewrite the NT_FILE note of a 64-bit little-endian ELF core, for tests of
hostile input. The new note is appended at the end of a copy of the core and the
PT_NOTE program header is pointed at it; the rest of the core is unchanged.

  edit-core.py IN OUT rename OLD NEW    replace the path OLD by NEW (bytes, may hold ..)
  edit-core.py IN OUT long N            make the first path N bytes long
  edit-core.py IN OUT unterminated      drop the final NUL of the last name
  edit-core.py IN OUT truncate N        keep only the first N bytes of the core
"""
import shutil
import struct
import sys

NT_FILE = 0x46494C45


def align4(n):
    return (n + 3) & ~3


def parse_notes(data):
    notes, off = [], 0
    while off + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from("<III", data, off)
        name = data[off + 12:off + 12 + namesz]
        doff = off + 12 + align4(namesz)
        notes.append([name, ntype, bytearray(data[doff:doff + descsz])])
        off = doff + align4(descsz)
    return notes


def build_notes(notes):
    out = bytearray()
    for name, ntype, desc in notes:
        out += struct.pack("<III", len(name), len(desc), ntype)
        out += name + b"\0" * (align4(len(name)) - len(name))
        out += desc + b"\0" * (align4(len(desc)) - len(desc))
    return out


def edit_nt_file(desc, how, args):
    count, page = struct.unpack_from("<QQ", desc, 0)
    entries = desc[16:16 + 24 * count]
    names = bytes(desc[16 + 24 * count:]).split(b"\0")[:count]
    tail_nul = True
    if how == "rename":
        old, new = args[0].encode(), args[1].encode()
        if old not in names:
            sys.exit(f"{args[0]} is not in NT_FILE")
        names = [new if n == old else n for n in names]
    elif how == "long":
        names[0] = b"/" + b"x" * (int(args[0]) - 1)
    elif how == "unterminated":
        tail_nul = False
    body = b"\0".join(names) + (b"\0" if tail_nul else b"")
    return bytearray(struct.pack("<QQ", count, page) + entries + body)


def main():
    src, dst, how, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    if how == "truncate":
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read(int(args[0])))
        return
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        ehdr = f.read(64)
        phoff, = struct.unpack_from("<Q", ehdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ph = bytearray(f.read(phentsize))
            if struct.unpack_from("<I", ph, 0)[0] != 4:  # PT_NOTE
                continue
            off, = struct.unpack_from("<Q", ph, 8)
            size, = struct.unpack_from("<Q", ph, 32)
            f.seek(off)
            notes = parse_notes(f.read(size))
            for n in notes:
                if n[0].rstrip(b"\0") == b"CORE" and n[1] == NT_FILE:
                    n[2] = edit_nt_file(n[2], how, args)
            blob = build_notes(notes)
            f.seek(0, 2)
            new_off = align4(f.tell())
            f.seek(new_off)
            f.write(blob)
            struct.pack_into("<Q", ph, 8, new_off)
            struct.pack_into("<Q", ph, 32, len(blob))
            f.seek(phoff + i * phentsize)
            f.write(ph)
            return
    sys.exit("no PT_NOTE segment")


main()
