#!/usr/bin/env python3
"""Make damaged copies of an ELF vmcore for savedump's robustness tests.

  corrupt-dump.py vmcoreinfo-garbage IN OUT        VMCOREINFO note text -> random bytes
  corrupt-dump.py vmcoreinfo-set IN OUT KEY VALUE  replace KEY's value (same length)
  corrupt-dump.py poke IN OUT VADDR HEXBYTES       overwrite memory at a kernel address
  corrupt-dump.py vaddr-offset IN VADDR            print the file offset of VADDR

IN must be an ELF vmcore with virtual addresses in its PT_LOADs (/proc/vmcore
or makedumpfile -E). The input is never modified: OUT is a new file.
"""
import random
import shutil
import struct
import sys


def phdrs(data):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit("not a 64-bit ELF file")
    (phoff,) = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        yield struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)


def notes(data):
    """(offset of desc, descsz, name, type) for each note in each PT_NOTE."""
    for p_type, _flags, off, _va, _pa, filesz, _memsz, _align in phdrs(data):
        if p_type != 4:
            continue
        pos, end = off, off + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            desc = pos + 12 + ((namesz + 3) & ~3)
            yield desc, descsz, name, ntype
            pos = desc + ((descsz + 3) & ~3)


def vmcoreinfo(data):
    for desc, size, name, _t in notes(data):
        if name == b"VMCOREINFO":
            return desc, size
    sys.exit("no VMCOREINFO note")


def vaddr_offset(data, vaddr):
    for p_type, _flags, off, va, _pa, filesz, _memsz, _align in phdrs(data):
        if p_type == 1 and va <= vaddr < va + filesz:
            return off + vaddr - va
    sys.exit("address %#x is not in the dump" % vaddr)


def copy_edit(src, dst, edits):
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        for off, blob in edits:
            f.seek(off)
            f.write(blob)


def main():
    cmd, src = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        data = f.read()
    if cmd == "vmcoreinfo-garbage":
        desc, size = vmcoreinfo(data)
        rnd = random.Random(1)
        copy_edit(src, sys.argv[3], [(desc, bytes(rnd.randrange(256) for _ in range(size)))])
    elif cmd == "vmcoreinfo-set":
        key, value = sys.argv[4].encode(), sys.argv[5].encode()
        desc, size = vmcoreinfo(data)
        text = data[desc:desc + size]
        start = text.find(b"\n" + key + b"=")
        if start < 0:
            sys.exit("no %s in VMCOREINFO" % key.decode())
        start += len(key) + 2
        end = text.index(b"\n", start)
        if end - start != len(value):
            sys.exit("new value must have the old one's length (%d)" % (end - start))
        copy_edit(src, sys.argv[3], [(desc + start, value)])
    elif cmd == "poke":
        off = vaddr_offset(data, int(sys.argv[4], 16))
        copy_edit(src, sys.argv[3], [(off, bytes.fromhex(sys.argv[5]))])
    elif cmd == "vaddr-offset":
        print(vaddr_offset(data, int(sys.argv[3], 16)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
