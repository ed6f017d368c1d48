# drgn script (run by fetch-distro-dbg.sh as `drgn -c DUMP -s VMLINUX ... drgn-modules.py`):
# prints the name of every module on the kernel's module list, one a line, by
# walking `modules` with the vmlinux DWARF (works with drgn 0.0.22 and 0.0.31).
from drgn.helpers.linux.list import list_for_each_entry

for mod in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):  # noqa: F821
    print(mod.name.string_().decode())
