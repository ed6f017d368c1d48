#!/usr/bin/env python3
"""Small helpers for make-dumps.sh (test fixtures; Python standard library only).

  dumptool.py qmp SOCK dump FORMAT FILE [paging]   QMP dump-guest-memory (synchronous)
  dumptool.py qmp SOCK formats                     dump formats this QEMU can write
  dumptool.py qmp SOCK quit
  dumptool.py elf-length FILE        end of the last program header's data (p_offset+p_filesz)
  dumptool.py vmcoreinfo FILE        print the VMCOREINFO note of an ELF core
  dumptool.py gnu-build-id HEX       GNU build-id from a hex dump of an ELF note section
  dumptool.py load-order ROOT REL MOD...   insmod order (deps first) as paths
                                     relative to ROOT/lib/modules/REL, from modules.dep
"""
import json
import os
import socket
import struct
import sys
import time


def qmp(path, args):
    deadline = time.time() + 30
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
    f = s.makefile("rw")

    def reply():
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("qmp: connection closed")
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg

    def cmd(name, **arguments):
        f.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
        f.flush()
        msg = reply()
        if "error" in msg:
            raise SystemExit("qmp %s: %s" % (name, msg["error"].get("desc")))
        return msg["return"]

    json.loads(f.readline())  # greeting
    cmd("qmp_capabilities")
    if args[0] == "dump":
        fmt, out = args[1], os.path.abspath(args[2])
        paging = len(args) > 3 and args[3] == "paging"
        cmd("dump-guest-memory", paging=paging, protocol="file:" + out, format=fmt)
        # dump-guest-memory without detach returns when the file is complete.
    elif args[0] == "formats":
        print("\n".join(cmd("query-dump-guest-memory-capability")["formats"]))
    elif args[0] == "quit":
        try:
            cmd("quit")
        except SystemExit:
            pass
    else:
        raise SystemExit("qmp: unknown command " + args[0])


def elf_header(fp):
    ident = fp.read(64)
    if ident[:4] != b"\x7fELF" or ident[4] != 2:
        raise SystemExit("not an ELF64 file")
    (e_phoff,) = struct.unpack_from("<Q", ident, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", ident, 54)
    fp.seek(e_phoff)
    phdrs = []
    for _ in range(e_phnum):
        ph = fp.read(e_phentsize)
        p_type, _flags, p_offset, p_vaddr, p_paddr, p_filesz = struct.unpack_from("<IIQQQQ", ph)
        phdrs.append((p_type, p_offset, p_filesz))
    return phdrs


def elf_length(path):
    with open(path, "rb") as fp:
        print(max(off + size for _t, off, size in elf_header(fp)))


def notes(data):
    i = 0
    while i + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from("<III", data, i)
        i += 12
        name = data[i:i + namesz].rstrip(b"\0")
        i += (namesz + 3) & ~3
        desc = data[i:i + descsz]
        i += (descsz + 3) & ~3
        yield name, ntype, desc


def vmcoreinfo(path):
    with open(path, "rb") as fp:
        for p_type, off, size in elf_header(fp):
            if p_type != 4:  # PT_NOTE
                continue
            fp.seek(off)
            for name, _t, desc in notes(fp.read(size)):
                if name == b"VMCOREINFO":
                    sys.stdout.write(desc.rstrip(b"\0").decode())
                    return
    raise SystemExit("no VMCOREINFO note in " + path)


def gnu_build_id(hexdata):
    for name, ntype, desc in notes(bytes.fromhex(hexdata)):
        if name == b"GNU" and ntype == 3:
            print(desc.hex())
            return
    raise SystemExit("no GNU build-id note")


def load_order(root, rel, mods):
    base = os.path.join(root, "lib/modules", rel)
    deps = {}
    with open(os.path.join(base, "modules.dep")) as fp:
        for line in fp:
            path, _, rest = line.partition(":")
            deps[path] = rest.split()
    byname = {}
    for path in deps:
        name = os.path.basename(path).split(".ko")[0].replace("-", "_")
        byname[name] = path
    order = []

    def add(path):
        if path in order:
            return
        for dep in reversed(deps[path]):
            add(dep)
        order.append(path)

    for mod in mods:
        path = byname.get(mod.replace("-", "_"))
        if path is None:
            raise SystemExit("module %s not in %s/modules.dep" % (mod, base))
        add(path)
    print("\n".join(order))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "qmp":
        qmp(args[0], args[1:])
    elif cmd == "elf-length":
        elf_length(args[0])
    elif cmd == "vmcoreinfo":
        vmcoreinfo(args[0])
    elif cmd == "gnu-build-id":
        gnu_build_id(args[0])
    elif cmd == "load-order":
        load_order(args[0], args[1], args[2:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
