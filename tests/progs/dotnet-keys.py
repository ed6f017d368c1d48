#!/usr/bin/env python3
"""Symbol-store (SSQP) keys of files, as dotnet-dump/SOS look them up.

    dotnet-keys.py FILE...          one line per key: KEY<TAB>FILE
    dotnet-keys.py --info FILE...   also what the key is made of (PE/PDB/ELF fields)
    dotnet-keys.py --runtime-info ELF
                                    the build-ids in the ELF's DotNetRuntimeInfo export
                                    (libcoreclr.so, or a single-file app's host):
                                    "runtime ID", "dac ID", "dbi ID" lines

Keys (dotnet/symstore docs/specs/SSQP_Key_Conventions.md):
  ELF            name/elf-buildid-<build-id>/name        (and _.debug/elf-buildid-sym-<id>/_.debug
                                                          when the file has .debug_info)
  PE (.dll/.exe) name/<TimeDateStamp %08X><SizeOfImage %x>/name
  portable PDB   name/<guid N>FFFFFFFF/name              (from the PDB's #Pdb stream)
Names are lower-cased. The DAC/DBI keys derived from libcoreclr's build-id
(libmscordaccore.so/elf-buildid-coreclr-<id>/...) are made by the caller.
Files that are none of these are reported on stderr (exit status 1).
"""
import struct
import sys


def elf_build_id(data):
    """GNU build-id of an ELF file (from PT_NOTE segments, else SHT_NOTE sections), or None."""
    if len(data) < 64 or data[:4] != b"\x7fELF":
        return None
    if data[4] != 2 or data[5] != 1:
        raise ValueError("only ELF64 little-endian")
    e_phoff, e_shoff = struct.unpack_from("<QQ", data, 32)
    e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHHHH", data, 54)
    ranges = []
    for i in range(min(e_phnum, 4096)):
        off = e_phoff + i * e_phentsize
        if e_phentsize < 56 or off + 56 > len(data):
            break
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, off)
        if p_type == 4:  # PT_NOTE
            ranges.append((p_offset, p_filesz))
    for i in range(min(e_shnum, 65536)):
        off = e_shoff + i * e_shentsize
        if e_shentsize < 64 or off + 64 > len(data):
            break
        sh_type, = struct.unpack_from("<I", data, off + 4)
        sh_offset, sh_size = struct.unpack_from("<QQ", data, off + 24)
        if sh_type == 7:  # SHT_NOTE
            ranges.append((sh_offset, sh_size))
    for start, size in ranges:
        pos, end = start, min(start + size, len(data))
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name_at = pos + 12
            desc_at = name_at + ((namesz + 3) & ~3)
            nxt = desc_at + ((descsz + 3) & ~3)
            if nxt > end:
                break
            if ntype == 3 and data[name_at:name_at + namesz] == b"GNU\0":
                return data[desc_at:desc_at + descsz]
            pos = nxt
    return None


def elf_has_debug_info(data):
    e_shoff, = struct.unpack_from("<Q", data, 40)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 58)
    if e_shentsize < 64 or e_shstrndx >= e_shnum:
        return False
    stroff = e_shoff + e_shstrndx * e_shentsize
    if stroff + 64 > len(data):
        return False
    str_start, str_size = struct.unpack_from("<QQ", data, stroff + 24)
    for i in range(min(e_shnum, 65536)):
        off = e_shoff + i * e_shentsize
        if off + 64 > len(data):
            break
        sh_name, sh_type = struct.unpack_from("<II", data, off)
        n = str_start + sh_name
        if sh_type != 8 and sh_name < str_size and data[n:n + 12] == b".debug_info\0":
            return True
    return False


def pe_info(data):
    """(TimeDateStamp, SizeOfImage, [(guid, age, pdb path, portable)]) of a PE file, or None."""
    if len(data) < 64 or data[:2] != b"MZ":
        return None
    e_lfanew, = struct.unpack_from("<I", data, 0x3C)
    if e_lfanew + 24 > len(data) or data[e_lfanew:e_lfanew + 4] != b"PE\0\0":
        return None
    coff = e_lfanew + 4
    nsect, stamp = struct.unpack_from("<HI", data, coff + 2)
    opt_size, = struct.unpack_from("<H", data, coff + 16)
    opt = coff + 20
    if opt + opt_size > len(data) or opt_size < 2:
        return None
    magic, = struct.unpack_from("<H", data, opt)
    if magic == 0x10B:
        dirs_at, size_of_image_at = opt + 96, opt + 56
    elif magic == 0x20B:
        dirs_at, size_of_image_at = opt + 112, opt + 56
    else:
        return None
    size_of_image, = struct.unpack_from("<I", data, size_of_image_at)
    sections = []
    for i in range(min(nsect, 96)):
        s = opt + opt_size + i * 40
        if s + 40 > len(data):
            break
        vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", data, s + 8)
        sections.append((va, max(vsize, rawsize), rawptr))

    def rva_to_off(rva):
        for va, size, raw in sections:
            if va <= rva < va + size:
                return raw + (rva - va)
        return None

    entries = []
    # Data directory 6: debug directory.
    if dirs_at + 7 * 8 <= opt + opt_size:
        dbg_rva, dbg_size = struct.unpack_from("<II", data, dirs_at + 6 * 8)
        off = rva_to_off(dbg_rva) if dbg_size else None
        for i in range(min(dbg_size // 28, 64) if off is not None else 0):
            e = off + i * 28
            if e + 28 > len(data):
                break
            _, _, major, minor, dtype, dsize, _, dptr = struct.unpack_from("<IIHHIIII", data, e)
            if dtype != 2 or dptr + 24 > len(data):  # IMAGE_DEBUG_TYPE_CODEVIEW
                continue
            if data[dptr:dptr + 4] != b"RSDS":
                continue
            guid = data[dptr + 4:dptr + 20]
            age, = struct.unpack_from("<I", data, dptr + 20)
            path = data[dptr + 24:dptr + min(dsize, 4096)].split(b"\0")[0].decode("utf-8", "replace")
            entries.append((guid, age, path, minor == 0x504D))
    return stamp, size_of_image, entries


def guid_n(raw):
    """GUID in 'N' form from its 16 on-disk bytes (first three fields little-endian)."""
    d1, d2, d3 = struct.unpack_from("<IHH", raw, 0)
    return "%08x%04x%04x%s" % (d1, d2, d3, raw[8:16].hex())


def portable_pdb_id(data):
    """The 20-byte PDB id of a portable PDB (#Pdb stream), or None."""
    if len(data) < 32 or data[:4] != b"BSJB":
        return None
    vlen, = struct.unpack_from("<I", data, 12)
    pos = 16 + vlen
    if pos + 4 > len(data):
        return None
    nstreams, = struct.unpack_from("<H", data, pos + 2)
    pos += 4
    for _ in range(min(nstreams, 64)):
        if pos + 8 > len(data):
            return None
        offset, size = struct.unpack_from("<II", data, pos)
        end = data.find(b"\0", pos + 8, pos + 8 + 32)
        if end < 0:
            return None
        name = data[pos + 8:end]
        pos = pos + 8 + ((end - (pos + 8) + 4) & ~3)
        if name == b"#Pdb" and size >= 20 and offset + 20 <= len(data):
            return data[offset:offset + 20]
    return None


def keys_of(path):
    with open(path, "rb") as f:
        data = f.read()
    name = path.rsplit("/", 1)[-1].lower()
    bid = elf_build_id(data)
    if bid is not None:
        hexid = (bid + b"\0" * max(0, 20 - len(bid))).hex()
        out = [("%s/elf-buildid-%s/%s" % (name, hexid, name), "elf build-id %s" % bid.hex())]
        if elf_has_debug_info(data):
            out.append(("_.debug/elf-buildid-sym-%s/_.debug" % hexid, "elf with .debug_info"))
        return out
    pe = pe_info(data)
    if pe is not None:
        stamp, size, cv = pe
        what = "pe TimeDateStamp=%08X SizeOfImage=%x" % (stamp, size)
        for guid, age, pdb, portable in cv:
            what += " codeview=%s age=%d %s pdb=%s" % (
                guid_n(guid), age, "portable" if portable else "windows", pdb)
        return [("%s/%08X%x/%s" % (name, stamp, size, name), what)]
    pid = portable_pdb_id(data)
    if pid is not None:
        g = guid_n(pid[:16])
        return [("%s/%sFFFFFFFF/%s" % (name, g, name),
                 "portable pdb guid=%s stamp=%s" % (g, pid[16:20][::-1].hex()))]
    return None


def elf_symbol(data, wanted):
    """(file offset, size) of a dynamic symbol of an ELF64 file, or None."""
    e_shoff, = struct.unpack_from("<Q", data, 40)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 58)
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    if e_shentsize < 64:
        return None
    shdrs = []
    for i in range(min(e_shnum, 65536)):
        off = e_shoff + i * e_shentsize
        if off + 64 > len(data):
            return None
        shdrs.append(struct.unpack_from("<IIQQQQIIQQ", data, off))
    for sh in shdrs:
        if sh[1] != 11 or sh[6] >= len(shdrs):  # SHT_DYNSYM, sh_link -> string table
            continue
        strtab = shdrs[sh[6]]
        for j in range(min(sh[5] // 24, 1 << 20)):
            so = sh[4] + j * 24
            if so + 24 > len(data):
                break
            st_name, _, _, _, st_value, st_size = struct.unpack_from("<IBBHQQ", data, so)
            n = strtab[4] + st_name
            if data[n:n + len(wanted) + 1] != wanted + b"\0":
                continue
            for i in range(min(e_phnum, 4096)):
                po = e_phoff + i * e_phentsize
                p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", data, po)
                if p_type == 1 and p_vaddr <= st_value and st_value + st_size <= p_vaddr + p_filesz:
                    return p_offset + (st_value - p_vaddr), st_size
    return None


def runtime_info(path):
    """DotNetRuntimeInfo: signature, int version, then three module indexes of 24 bytes
    (length byte + build-id) for the runtime, the DAC and the DBI."""
    with open(path, "rb") as f:
        data = f.read()
    if elf_build_id(data) is None and data[:4] != b"\x7fELF":
        raise ValueError("not ELF")
    where = elf_symbol(data, b"DotNetRuntimeInfo")
    if where is None or where[1] < 96:
        raise ValueError("no DotNetRuntimeInfo export")
    off = where[0]
    if data[off:off + 18] != b"DotNetRuntimeInfo\0":
        raise ValueError("bad DotNetRuntimeInfo signature")
    out = ["version %d" % struct.unpack_from("<i", data, off + 20)[0]]
    for i, name in enumerate(("runtime", "dac", "dbi")):
        idx = data[off + 24 + 24 * i:off + 48 + 24 * i]
        n = min(idx[0], 23)
        out.append("%s %s" % (name, idx[1:1 + n].hex()))
    return out


def main(argv):
    if len(argv) == 2 and argv[0] == "--runtime-info":
        try:
            print("\n".join(runtime_info(argv[1])))
        except (OSError, ValueError, struct.error) as e:
            print("%s: %s" % (argv[1], e), file=sys.stderr)
            return 1
        return 0
    info = False
    if argv and argv[0] == "--info":
        info, argv = True, argv[1:]
    status = 0
    for path in argv:
        try:
            keys = keys_of(path)
        except (OSError, ValueError, struct.error) as e:
            print("%s: %s" % (path, e), file=sys.stderr)
            status = 1
            continue
        if keys is None:
            print("%s: not ELF, PE or portable PDB" % path, file=sys.stderr)
            status = 1
            continue
        for key, what in keys:
            print("%s\t%s%s" % (key, path, "\t" + what if info else ""))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
