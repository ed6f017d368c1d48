#!/usr/bin/env python3
"""Write small crafted kernel dumps for savedump's hostile-input tests.

  craft-vmcore.py list              the names of every case, one a line
  craft-vmcore.py write DIR [NAME...]   write DIR/NAME for each case (all by default)

Each case is a minimal but valid dump skeleton (an x86_64 ELF vmcore, or a
kdump-compressed file as makedumpfile writes it, perhaps flattened) with one
corruption. The skeletons themselves are the cases named "*-valid*": savedump
must accept them. Every other case is a way libkdumpfile 0.5.1 (or savedump)
was seen to crash, hang or over-allocate; savedump must refuse each with one
line and exit status 4. Nothing here is a binary blob: the files are built
from the structures below at test time (Python standard library only).
"""
import os
import struct
import sys

PAGE = 4096
KTEXT = 0xFFFFFFFF81000000  # __START_KERNEL_map + 16 MiB, the usual x86_64 kernel text
KTEXT_PHYS = 0x1000000

VMCOREINFO = [
    ("OSRELEASE", "6.1.0-crafted"),
    ("BUILD-ID", "00112233445566778899aabbccddeeff00112233"),
    ("PAGESIZE", "4096"),
    ("SYMBOL(init_uts_ns)", "%x" % (KTEXT + 0x1000)),
    ("OFFSET(page.flags)", "0"),
    ("OFFSET(page.compound_head)", "8"),
    ("SIZE(page)", "64"),
    ("NUMBER(phys_base)", "0"),
    ("KERNELOFFSET", "0"),
    ("CRASHTIME", "1700000000"),
]


def vmcoreinfo_text(changes=None, drop=(), extra=(), zero=(), first=()):
    """VMCOREINFO with values changed, lines dropped or overwritten by NULs, raw lines added
    (first: before the others, extra: after them)."""
    changes = changes or {}
    lines = list(first)
    for key, value in VMCOREINFO:
        if key in drop:
            continue
        line = "%s=%s" % (key, changes.get(key, value))
        lines.append("\0" * len(line) if key in zero else line)
    lines.extend(extra)
    return ("\n".join(lines) + "\n").encode()


def note(name, ntype, desc):
    name = name + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def kernel_notes(vmcoreinfo, extra=b""):
    prstatus = bytes(336)  # struct elf_prstatus on x86_64
    return note(b"CORE", 1, prstatus) + note(b"VMCOREINFO", 0, vmcoreinfo) + extra


# --- ELF vmcore -----------------------------------------------------------------------

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")


def elf_vmcore(vmcoreinfo=None, notes=None, **ehdr):
    """An ELF64 x86_64 vmcore: PT_NOTE (PRSTATUS, VMCOREINFO) and one PT_LOAD of kernel text."""
    if notes is None:
        notes = kernel_notes(vmcoreinfo if vmcoreinfo is not None else vmcoreinfo_text())
    notes_off = 0x1000
    load_off = notes_off + (len(notes) + PAGE - 1) // PAGE * PAGE
    load_size = 4 * PAGE
    fields = dict(
        ident=b"\x7fELF\x02\x01\x01" + bytes(9), type=4, machine=62, version=1, entry=0,
        phoff=64, shoff=0, flags=0, ehsize=64, phentsize=56, phnum=2, shentsize=0, shnum=0,
        shstrndx=0)
    fields.update(ehdr)
    out = bytearray(load_off + load_size)
    EHDR.pack_into(out, 0, *fields.values())
    phdrs = PHDR.pack(4, 0, notes_off, 0, 0, len(notes), len(notes), 0) + PHDR.pack(
        1, 7, load_off, KTEXT, KTEXT_PHYS, load_size, load_size, PAGE)
    if 64 + len(phdrs) <= notes_off:
        out[64:64 + len(phdrs)] = phdrs
    out[notes_off:notes_off + len(notes)] = notes
    # init_uts_ns (its struct new_utsname comes first since Linux 5.11)
    uts = load_off + 0x1000
    out[uts:uts + 390] = utsname()
    return bytes(out)


# --- kdump-compressed (makedumpfile's diskdump_mod.h) -----------------------------------

def utsname(release=b"6.1.0-crafted", machine=b"x86_64"):
    return b"".join(f.ljust(65, b"\0") for f in
                    (b"Linux", b"crafted", release, b"#1", machine, b""))


def kdump(vmcoreinfo=None, header=None, sub=None, block=PAGE, v3=False):
    """KDUMP header v6 (64-bit, little-endian), sub-header, two 1-block bitmaps, 4 pages."""
    vmcoreinfo = vmcoreinfo if vmcoreinfo is not None else vmcoreinfo_text()
    notes = kernel_notes(vmcoreinfo)
    npages = 4
    h = dict(version=3 if v3 else 6, status=0, block_size=block, sub_hdr_size=1,
             bitmap_blocks=2, max_mapnr=64, nr_cpus=1, tv_usec=0)
    h.update(header or {})
    # The sub-header block: sub-header, then the notes, then the VMCOREINFO text.
    sub_off = block
    notes_off = sub_off + 256
    vi_off = notes_off + len(notes)
    s = dict(phys_base=0, dump_level=31, split=0, start_pfn=0, end_pfn=0,
             offset_vmcoreinfo=vi_off, size_vmcoreinfo=len(vmcoreinfo),
             offset_note=notes_off, size_note=len(notes), offset_eraseinfo=0,
             size_eraseinfo=0, start_pfn_64=0, end_pfn_64=0, max_mapnr_64=64)
    s.update(sub or {})
    sub_blocks = (256 + len(notes) + len(vmcoreinfo) + block - 1) // block
    if "sub_hdr_size" not in (header or {}):
        h["sub_hdr_size"] = sub_blocks
    bitmap_off = (1 + sub_blocks) * block
    desc_off = bitmap_off + 2 * block
    data_off = desc_off + block
    out = bytearray(data_off + npages * block)
    struct.pack_into("<8si390s6xQQIiiIIIIIIi", out, 0, b"KDUMP   ", h["version"], utsname(),
                     1700000000, h["tv_usec"], h["status"], h["block_size"], h["sub_hdr_size"],
                     h["bitmap_blocks"], h["max_mapnr"], 0, 0, 0, 0, h["nr_cpus"])
    struct.pack_into("<QiiQQQQQQQQQQQ", out, sub_off, *s.values())
    out[notes_off:notes_off + len(notes)] = notes
    out[vi_off:vi_off + len(vmcoreinfo)] = vmcoreinfo
    # Bitmap 1 (pages that exist) and bitmap 2 (pages dumped): pfns 0-3.
    out[bitmap_off] = 0x0F
    out[bitmap_off + block] = 0x0F
    for i in range(npages):
        struct.pack_into("<QIIQ", out, desc_off + 24 * i, data_off + i * block, block, 0, 0)
        out[data_off + i * block:data_off + i * block + 8] = b"PAGE%04d" % i
    return bytes(out)


# --- the cases --------------------------------------------------------------------------

def xen_note_short():
    # A ".note.Xen" XEN_ELFNOTE_DUMPCORE_HEADER note with no descriptor: libkdumpfile reads
    # 32 bytes of it (the page size) without checking its size.
    return kernel_notes(vmcoreinfo_text(), note(b".note.Xen", 0x2000001, b""))


def section0(data, shoff, sh_size=0, sh_link=0, sh_info=0):
    """data with a section header 0 at shoff that holds extended counts (PN_XNUM and kin)."""
    out = bytearray(data)
    out[len(out):shoff + 64] = bytes(max(0, shoff + 64 - len(out)))
    struct.pack_into("<IIQQQQIIQQ", out, shoff, 0, 0, 0, 0, 0, sh_size, sh_link, sh_info, 0, 0)
    return bytes(out)


def flatten(data, chunk=3 * PAGE):
    """makedumpfile -F: a 4 KiB header, then (offset, size, data) records, then (-1, -1)."""
    out = bytearray(PAGE)
    out[0:12] = b"makedumpfile"
    struct.pack_into(">qq", out, 16, 1, 1)  # type 1 (kdump), version 1
    for off in range(0, len(data), chunk):
        piece = data[off:off + chunk]
        out += struct.pack(">qq", off, len(piece)) + piece
    out += struct.pack(">qq", -1, -1)
    return bytes(out)


def sparse(size, data):
    """A file of size bytes (mostly a hole) that starts with data."""
    return ("sparse", size, data)


CASES = {
    # savedump must accept these (exit 0 or 3).
    "elf-valid": lambda: elf_vmcore(),
    "kdump-valid": lambda: kdump(),
    # tv_usec 6000 is a block size to the 32-bit layout (where block_size lies in the 64-bit
    # timestamp): not a power of two, so libkdumpfile goes on to the 64-bit one, and so must we.
    "kdump-valid-usec": lambda: kdump(header={"tv_usec": 6000, "status": 1}),
    # VMCOREINFO PAGESIZE: 0 or empty gives libkdumpfile a page shift of -1 (SIGFPE).
    "elf-pagesize-zero": lambda: elf_vmcore(vmcoreinfo_text({"PAGESIZE": "0"})),
    "elf-pagesize-empty": lambda: elf_vmcore(vmcoreinfo_text({"PAGESIZE": ""})),
    "elf-pagesize-odd": lambda: elf_vmcore(vmcoreinfo_text({"PAGESIZE": "4097"})),
    "kdump-pagesize-zero": lambda: kdump(vmcoreinfo_text({"PAGESIZE": "0"})),
    "kdump-pagesize-huge": lambda: kdump(vmcoreinfo_text({"PAGESIZE": "1073741824"})),
    # A VMCOREINFO key that is both a value and a directory in libkdumpfile's attribute tree:
    # "OFFSET(page" is a value, then OFFSET(page.flags) makes it a directory (its string
    # pointer becomes a list of children): invalid reads and writes in kdump_free().
    "elf-vmcoreinfo-key-clash": lambda: elf_vmcore(vmcoreinfo_text(
        drop=("OFFSET(page.compound_head)",), first=("OFFSET(page=8",))),
    "elf-vmcoreinfo-key-clash-late": lambda: elf_vmcore(vmcoreinfo_text(
        drop=("OFFSET(page.compound_head)",), extra=("OFFSET(page=8",))),
    # A line blanked with NULs in place (same length, as a hex editor would): libkdumpfile's
    # attribute key comparison then reads past the end of shorter keys.
    "elf-vmcoreinfo-nul-line": lambda: elf_vmcore(vmcoreinfo_text(
        zero=("OFFSET(page.compound_head)",))),
    "kdump-vmcoreinfo-nul-line": lambda: kdump(vmcoreinfo_text(
        zero=("OFFSET(page.compound_head)",))),
    "elf-vmcoreinfo-empty-line": lambda: elf_vmcore(vmcoreinfo_text(extra=("", "X=1"))),
    "elf-vmcoreinfo-derived-clash": lambda: elf_vmcore(vmcoreinfo_text(
        first=("OFFSET(page)=8",))),
    "kdump-vmcoreinfo-key-clash": lambda: kdump(vmcoreinfo_text(
        drop=("OFFSET(page.compound_head)",), first=("OFFSET(page=8",))),
    # ELF section headers: libkdumpfile reads e_shnum entries of e_shentsize bytes each.
    "elf-shentsize-zero": lambda: elf_vmcore(shoff=0x1000, shnum=4, shentsize=0),
    "elf-shoff-huge": lambda: elf_vmcore(shoff=0x00FF000000000000, shnum=1, shentsize=64),
    "elf-shoff-huge-shentsize-zero": lambda: elf_vmcore(shoff=0x00FF000000000000, shnum=0,
                                                        shentsize=0),
    "elf-shoff-huge-xnum": lambda: elf_vmcore(shoff=0x00FF000000000000, shnum=0,
                                              shentsize=64),
    "elf-shoff-zero": lambda: elf_vmcore(shoff=0, shnum=3, shentsize=64),
    # 65535 entries of 65535 bytes inside a sparse 4 GiB file: seconds of copying.
    "elf-shnum-slow": lambda: sparse(0x10000 * 0xFFFF + 0x10000,
                                     elf_vmcore(shoff=0x10000, shnum=0xFFFF, shentsize=0xFFFF)),
    "elf-shentsize-big": lambda: elf_vmcore(shoff=0x1000, shnum=2, shentsize=0xFFFF),
    # Right-sized entries, but 65535 of them, or 4 Mi through section 0's sh_size (e_shnum 0):
    # libelf and libkdumpfile read every one (the latter took 9 s).
    "elf-shnum-many": lambda: sparse(0x10000 + 0xFFFF * 64,
                                     elf_vmcore(shoff=0x10000, shnum=0xFFFF, shentsize=64)),
    "elf-shnum-millions": lambda: sparse(0x10000 + (1 << 22) * 64, section0(
        elf_vmcore(shoff=0x10000, shnum=0, shentsize=64), 0x10000, sh_size=1 << 22)),
    # ELF program headers.
    "elf-phentsize-zero": lambda: elf_vmcore(phentsize=0),
    "elf-phentsize-small": lambda: elf_vmcore(phentsize=32),
    "elf-phoff-beyond": lambda: elf_vmcore(phoff=1 << 40),
    "elf-phnum-beyond": lambda: elf_vmcore(phnum=0xFFF0),
    "elf-xen-header-short": lambda: elf_vmcore(notes=xen_note_short()),
    # kdump sub-header: libkdumpfile fails to read the notes, then kdump_free() segfaults.
    "kdump-size-note-huge": lambda: kdump(sub={"size_note": 1 << 40}),
    "kdump-offset-note-beyond": lambda: kdump(sub={"offset_note": 1 << 40}),
    "kdump-size-note-wrap": lambda: kdump(sub={"offset_note": 0xFFFFFFFFFFFFF000,
                                               "size_note": 0x2000}),
    "kdump-vmcoreinfo-beyond": lambda: kdump(v3=True, sub={"size_vmcoreinfo": 1 << 40}),
    # kdump header: any libkdumpfile error after the header is recognised ends in kdump_free().
    "kdump-block-size-odd": lambda: kdump(header={"block_size": 6144}),
    "kdump-block-size-small": lambda: kdump(header={"block_size": 1024}),
    "kdump-bitmap-short": lambda: kdump(header={"max_mapnr": 1 << 20}),
    "kdump-version-negative": lambda: kdump(header={"version": -1}),
    "kdump-sub-hdr-negative": lambda: kdump(header={"sub_hdr_size": -1}),
    "kdump-bitmap-beyond": lambda: kdump(header={"bitmap_blocks": 0x100000}),
    # The same checks after savedump reassembles a flattened file.
    "flat-kdump-valid": lambda: flatten(kdump()),
    "flat-kdump-size-note-huge": lambda: flatten(kdump(sub={"size_note": 1 << 40})),
    "flat-kdump-pagesize-zero": lambda: flatten(kdump(vmcoreinfo_text({"PAGESIZE": "0"}))),
}


def write(directory, names):
    os.makedirs(directory, exist_ok=True)
    for name in names:
        if name not in CASES:
            sys.exit("unknown case %s" % name)
        data = CASES[name]()
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            if isinstance(data, tuple):
                _kind, size, head = data
                f.write(head)
                f.truncate(size)
            else:
                f.write(data)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        print("\n".join(CASES))
    elif len(sys.argv) >= 3 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3:] or list(CASES))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
