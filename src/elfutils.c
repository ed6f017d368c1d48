// SPDX-License-Identifier: GPL-2.0-or-later
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "elfutils.h"
#include "ktypes.h"
#include "util.h"

/* Caps for hostile cores. */
enum {
	MAX_NOTE_SEGMENTS = 4096,
	MAX_PHDRS = 1 << 20,
	MAX_MODULES = 1 << 16,
};

static void elf_init_once(void)
{
	elf_version(EV_CURRENT);
}

/* Once per process, also when the first readers run in several threads (resolve.c). */
static void elf_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, elf_init_once);
}

/* fd as an ELF file, mapped; anything else (an archive, not ELF at all) is an input error. */
static struct sd_error *open_elf(int fd, Elf **ret)
{
	elf_init();
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		return sd_error_create(SD_ERROR_INPUT, "not an ELF file");
	}
	*ret = elf;
	return NULL;
}

static struct sd_error *elf_error(const char *what)
{
	return sd_error_create(SD_ERROR_LIBRARY, "%s: %s", what, elf_errmsg(-1));
}

static void set_build_id(struct sd_build_id *id, const void *bytes, ssize_t len)
{
	if (len <= 0 || (size_t)len > SD_BUILD_ID_MAX) {
		id->len = 0;
		return;
	}
	memcpy(id->bytes, bytes, (size_t)len);
	id->len = (size_t)len;
}

struct sd_error *sd_elf_file_info(int fd, struct sd_elf_info *ret)
{
	Elf *elf;
	struct sd_error *open_err = open_elf(fd, &elf);
	if (open_err)
		return open_err;
	struct sd_elf_info info = {0};
	GElf_Ehdr ehdr;
	if (!gelf_getehdr(elf, &ehdr)) {
		struct sd_error *err = elf_error("ELF header");
		elf_end(elf);
		return err;
	}
	info.type = ehdr.e_type;
	info.machine = ehdr.e_machine;
	info.is64 = gelf_getclass(elf) == ELFCLASS64;

	const void *id;
	set_build_id(&info.build_id, NULL, 0);
	ssize_t idlen = dwelf_elf_gnu_build_id(elf, &id);
	if (idlen > 0)
		set_build_id(&info.build_id, id, idlen);

	GElf_Word crc;
	const char *link = dwelf_elf_gnu_debuglink(elf, &crc);
	if (link) {
		info.debuglink = strndup(link, SD_PATH_MAX);
		info.debuglink_crc = crc;
	}

	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) == 0) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			if (!gelf_getshdr(scn, &shdr))
				continue;
			const char *name = elf_strptr(elf, shstrndx, shdr.sh_name);
			if (!name)
				continue;
			if (shdr.sh_type == SHT_SYMTAB)
				info.has_symtab = true;
			if ((strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0) &&
			    shdr.sh_type != SHT_NOBITS && shdr.sh_size > 0)
				info.has_debug_info = true;
			if (strcmp(name, ".gnu_debugaltlink") == 0 && shdr.sh_type != SHT_NOBITS) {
				/* File name, NUL, then the build-id of the supplementary file. */
				Elf_Data *data = elf_getdata(scn, NULL);
				if (!data || !data->d_buf || data->d_size == 0)
					continue;
				const char *buf = data->d_buf;
				const char *nul = memchr(buf, '\0', data->d_size);
				if (!nul)
					continue;
				free(info.altlink);
				info.altlink = strdup(buf);
				size_t rest = data->d_size - (size_t)(nul + 1 - buf);
				set_build_id(&info.alt_build_id, nul + 1, (ssize_t)rest);
			}
		}
	}
	elf_end(elf);
	if ((link && !info.debuglink)) {
		sd_elf_info_deinit(&info);
		return &sd_enomem;
	}
	*ret = info;
	return NULL;
}

void sd_elf_info_deinit(struct sd_elf_info *info)
{
	free(info->debuglink);
	free(info->altlink);
	memset(info, 0, sizeof(*info));
}

bool sd_elf_build_id(int fd, struct sd_build_id *ret)
{
	elf_init();
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return false;
	const void *id;
	ssize_t len = elf_kind(elf) == ELF_K_ELF ? dwelf_elf_gnu_build_id(elf, &id) : -1;
	if (len > 0)
		set_build_id(ret, id, len);
	elf_end(elf);
	return len > 0 && ret->len > 0;
}

struct core_segment {
	uint64_t vaddr, memsz, offset, filesz;
};

struct sd_core {
	int fd;
	Elf *elf;
	uint64_t file_size;
	struct sd_note_layout layout;
	int machine;
	bool has_process_notes;
	struct sd_file_note files;
	bool has_prpsinfo;
	struct sd_prpsinfo prpsinfo;
	int signal;
	void *auxv;
	size_t auxv_len;
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
	struct core_segment *segs;
	size_t n_segs, cap_segs;
	uint64_t needed_size;	/* end of the last PT_LOAD's file data */
	char *damage;		/* what is wrong with a core we can still use */
};

static void core_damage(struct sd_core *core, struct sd_error *err)
{
	if (!core->damage && err != &sd_enomem)
		core->damage = strdup(err->message);
	sd_error_destroy(err);
}

static struct sd_error *core_note(struct sd_core *core, const GElf_Nhdr *nhdr, const char *name,
				  const void *desc)
{
	struct sd_error *err;
	if (strcmp(name, "VMCOREINFO") == 0 && !core->vmcoreinfo) {
		core->vmcoreinfo = strndup(desc, nhdr->n_descsz);
		if (!core->vmcoreinfo)
			return &sd_enomem;
		core->vmcoreinfo_len = strlen(core->vmcoreinfo);
		return NULL;
	}
	if (strcmp(name, "CORE") != 0)
		return NULL;
	switch (nhdr->n_type) {
	case NT_FILE:
		if (core->files.maps)
			return NULL;
		core->has_process_notes = true;
		err = sd_parse_nt_file(desc, nhdr->n_descsz, core->layout, &core->files);
		/* A damaged NT_FILE costs the file names; the loader's list still works. */
		if (err && err->code == SD_ERROR_INPUT) {
			core_damage(core, err);
			err = NULL;
		}
		return err;
	case NT_PRPSINFO:
		core->has_process_notes = true;
		if (!core->has_prpsinfo) {
			/* A malformed NT_PRPSINFO costs the command line, nothing else. */
			err = sd_parse_prpsinfo(desc, nhdr->n_descsz, core->layout, core->machine,
						&core->prpsinfo);
			if (err == &sd_enomem)
				return err;
			core->has_prpsinfo = err == NULL;
			sd_error_destroy(err);
		}
		return NULL;
	case NT_PRSTATUS:
		if (core->signal < 0)
			core->signal = sd_parse_prstatus_signal(desc, nhdr->n_descsz, core->layout);
		return NULL;
	case NT_AUXV:
		if (!core->auxv) {
			core->auxv = malloc(nhdr->n_descsz ? nhdr->n_descsz : 1);
			if (!core->auxv)
				return &sd_enomem;
			memcpy(core->auxv, desc, nhdr->n_descsz);
			core->auxv_len = nhdr->n_descsz;
		}
		return NULL;
	}
	return NULL;
}

struct sd_error *sd_core_open(int fd, const char *name, struct sd_core **ret)
{
	elf_init();
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sd_error_errno(errno, "%s", name);

	struct sd_core *core = calloc(1, sizeof(*core));
	if (!core)
		return &sd_enomem;
	core->fd = fd;
	core->signal = -1;
	core->file_size = (uint64_t)st.st_size;
	struct sd_error *err = NULL;

	core->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!core->elf || elf_kind(core->elf) != ELF_K_ELF) {
		err = sd_error_create(SD_ERROR_INPUT, "%s: not an ELF file", name);
		goto fail;
	}
	GElf_Ehdr ehdr;
	if (!gelf_getehdr(core->elf, &ehdr)) {
		err = sd_error_create(SD_ERROR_INPUT, "%s: bad ELF header: %s", name, elf_errmsg(-1));
		goto fail;
	}
	if (ehdr.e_type != ET_CORE) {
		err = sd_error_create(SD_ERROR_INPUT, "%s: ELF file but not a core (e_type %u)", name,
				      (unsigned)ehdr.e_type);
		goto fail;
	}
	core->machine = ehdr.e_machine;
	core->layout.is64 = gelf_getclass(core->elf) == ELFCLASS64;
	core->layout.big_endian = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;

	size_t phnum;
	if (elf_getphdrnum(core->elf, &phnum) != 0) {
		err = sd_error_create(SD_ERROR_INPUT, "%s: bad program headers: %s", name,
				      elf_errmsg(-1));
		goto fail;
	}
	if (phnum > MAX_PHDRS) {
		err = sd_error_create(SD_ERROR_INPUT, "%s: %zu program headers is too many", name,
				      phnum);
		goto fail;
	}
	size_t n_notes = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr phdr;
		if (!gelf_getphdr(core->elf, (int)i, &phdr)) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: program header %zu unreadable: %s",
					      name, i, elf_errmsg(-1));
			goto fail;
		}
		if (phdr.p_type == PT_LOAD) {
			if (!sd_grow(&core->segs, &core->cap_segs, core->n_segs + 1,
				     sizeof(*core->segs))) {
				err = &sd_enomem;
				goto fail;
			}
			uint64_t filesz = phdr.p_filesz;
			if (phdr.p_offset + filesz > core->needed_size &&
			    phdr.p_offset + filesz >= phdr.p_offset)
				core->needed_size = phdr.p_offset + filesz;
			/* A truncated core: only what the file holds is readable. */
			if (phdr.p_offset >= core->file_size)
				filesz = 0;
			else if (filesz > core->file_size - phdr.p_offset)
				filesz = core->file_size - phdr.p_offset;
			core->segs[core->n_segs++] = (struct core_segment){
				.vaddr = phdr.p_vaddr, .memsz = phdr.p_memsz,
				.offset = phdr.p_offset, .filesz = filesz,
			};
			continue;
		}
		if (phdr.p_type != PT_NOTE)
			continue;
		if (++n_notes > MAX_NOTE_SEGMENTS)
			break;
		if (phdr.p_offset > core->file_size ||
		    phdr.p_filesz > core->file_size - phdr.p_offset) {
			err = sd_error_create(SD_ERROR_INPUT,
					      "%s: truncated: note segment at offset %#llx (%llu bytes) is past the end of the file (%llu bytes)",
					      name, (unsigned long long)phdr.p_offset,
					      (unsigned long long)phdr.p_filesz,
					      (unsigned long long)core->file_size);
			goto fail;
		}
		Elf_Data *data = elf_getdata_rawchunk(core->elf, (int64_t)phdr.p_offset,
						      phdr.p_filesz, ELF_T_NHDR);
		if (!data) {
			err = sd_error_create(SD_ERROR_INPUT, "%s: unreadable note segment: %s", name,
					      elf_errmsg(-1));
			goto fail;
		}
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nhdr;
		while (off < data->d_size &&
		       (off = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
			const char *nname = nhdr.n_namesz ? (const char *)data->d_buf + name_off : "";
			if (nhdr.n_namesz && nname[nhdr.n_namesz - 1] != '\0')
				continue;
			err = core_note(core, &nhdr, nname, (const char *)data->d_buf + desc_off);
			if (err) {
				err = sd_error_prefix(err, "%s", name);
				goto fail;
			}
		}
	}
	if (core->needed_size > core->file_size && !core->damage) {
		core_damage(core, sd_error_create(SD_ERROR_INPUT,
			"truncated: %llu of %llu bytes of memory segments are missing",
			(unsigned long long)(core->needed_size - core->file_size),
			(unsigned long long)core->needed_size));
	}
	*ret = core;
	return NULL;

fail:
	sd_core_destroy(core);
	return err;
}

void sd_core_destroy(struct sd_core *core)
{
	if (!core)
		return;
	if (core->elf)
		elf_end(core->elf);
	sd_file_note_deinit(&core->files);
	free(core->auxv);
	free(core->vmcoreinfo);
	free(core->segs);
	free(core->damage);
	free(core);
}

const char *sd_core_damage(const struct sd_core *core)
{
	return core->damage;
}

struct sd_note_layout sd_core_layout(const struct sd_core *core)
{
	return core->layout;
}

int sd_core_machine(const struct sd_core *core)
{
	return core->machine;
}

bool sd_core_has_process_notes(const struct sd_core *core)
{
	return core->has_process_notes;
}

const char *sd_core_vmcoreinfo(const struct sd_core *core, size_t *len)
{
	if (len)
		*len = core->vmcoreinfo_len;
	return core->vmcoreinfo;
}

const struct sd_file_note *sd_core_files(const struct sd_core *core)
{
	return &core->files;
}

const struct sd_prpsinfo *sd_core_prpsinfo(const struct sd_core *core)
{
	return core->has_prpsinfo ? &core->prpsinfo : NULL;
}

int sd_core_signal(const struct sd_core *core)
{
	return core->signal;
}

bool sd_core_auxv(const struct sd_core *core, uint64_t type, uint64_t *ret)
{
	return core->auxv && sd_auxv_get(core->auxv, core->auxv_len, core->layout, type, ret);
}

size_t sd_core_read(struct sd_core *core, uint64_t vaddr, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t addr = vaddr + done;
		const struct core_segment *seg = NULL;
		for (size_t i = 0; i < core->n_segs; i++) {
			const struct core_segment *s = &core->segs[i];
			if (addr >= s->vaddr && addr - s->vaddr < s->memsz) {
				seg = s;
				break;
			}
		}
		if (!seg)
			break;
		uint64_t rel = addr - seg->vaddr;
		if (rel >= seg->filesz)
			break;	/* not dumped */
		size_t n = len - done;
		if (n > seg->filesz - rel)
			n = (size_t)(seg->filesz - rel);
		ssize_t r = sd_pread_full(core->fd, (char *)buf + done, n, (off_t)(seg->offset + rel));
		if (r <= 0)
			break;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return done;
}

/*
 * libdwfl is used only to enumerate modules and their build-ids from the
 * core's memory; savedump resolves files itself, inside --root, so these
 * callbacks never hand libdwfl a file.
 */
static int find_no_elf(Dwfl_Module *mod, void **userdata, const char *modname,
		       Dwarf_Addr base, char **file_name, Elf **elfp)
{
	return -1;
}

static int find_no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			     Dwarf_Addr base, const char *file_name,
			     const char *debuglink_file, GElf_Word debuglink_crc,
			     char **debuginfo_file_name)
{
	return -1;
}

struct modules_arg {
	struct sd_core_module *mods;
	size_t n, cap;
	struct sd_error *err;
};

static int module_cb(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr low,
		     void *arg_)
{
	struct modules_arg *arg = arg_;
	if (arg->n >= MAX_MODULES)
		return DWARF_CB_ABORT;
	if (!sd_grow(&arg->mods, &arg->cap, arg->n + 1, sizeof(*arg->mods))) {
		arg->err = &sd_enomem;
		return DWARF_CB_ABORT;
	}
	struct sd_core_module *m = &arg->mods[arg->n];
	memset(m, 0, sizeof(*m));
	Dwarf_Addr start, end;
	dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
	m->low = start;
	m->high = end;
	m->name = strdup(name ? name : "");
	if (!m->name) {
		arg->err = &sd_enomem;
		return DWARF_CB_ABORT;
	}
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &bits, &vaddr);
	if (len > 0)
		set_build_id(&m->build_id, bits, len);
	arg->n++;
	return DWARF_CB_OK;
}

struct sd_error *sd_core_modules(struct sd_core *core, struct sd_core_module **ret,
				 size_t *ret_n)
{
	static char *debuginfo_path = NULL;
	static const Dwfl_Callbacks callbacks = {
		.find_elf = find_no_elf,
		.find_debuginfo = find_no_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	Dwfl *dwfl = dwfl_begin(&callbacks);
	if (!dwfl)
		return sd_error_create(SD_ERROR_LIBRARY, "libdwfl: %s", dwfl_errmsg(-1));
	dwfl_report_begin(dwfl);
	int r = dwfl_core_file_report(dwfl, core->elf, NULL);
	if (r < 0) {
		struct sd_error *err = sd_error_create(SD_ERROR_INPUT,
						       "cannot read the loaded modules: %s",
						       dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return err;
	}
	dwfl_report_end(dwfl, NULL, NULL);
	struct modules_arg arg = {0};
	dwfl_getmodules(dwfl, module_cb, &arg, 0);
	dwfl_end(dwfl);
	if (arg.err) {
		sd_core_modules_free(arg.mods, arg.n);
		return arg.err;
	}
	*ret = arg.mods;
	*ret_n = arg.n;
	return NULL;
}

void sd_core_modules_free(struct sd_core_module *mods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(mods[i].name);
	free(mods);
}

const char *sd_elf_machine_name(int machine)
{
	switch (machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_386:
		return "i386";
	case EM_AARCH64:
		return "aarch64";
	case EM_ARM:
		return "arm";
	case EM_PPC64:
		return "ppc64";
	case EM_PPC:
		return "ppc";
	case EM_S390:
		return "s390x";
	case EM_RISCV:
		return "riscv64";
	case EM_LOONGARCH:
		return "loongarch64";
	case EM_MIPS:
		return "mips";
	}
	return NULL;
}

bool sd_elf_build_id_mem(const void *buf, size_t len, struct sd_build_id *ret)
{
	elf_init();
	Elf *elf = elf_memory((char *)buf, len);
	if (!elf)
		return false;
	const void *id;
	ssize_t n = elf_kind(elf) == ELF_K_ELF ? dwelf_elf_gnu_build_id(elf, &id) : -1;
	if (n > 0)
		set_build_id(ret, id, n);
	elf_end(elf);
	return n > 0 && ret->len > 0;
}

struct sd_error *sd_elf_mem_info(const void *buf, size_t len, struct sd_elf_info *ret)
{
	/* elf_memory() images go through the same code as files via a memfd-free path. */
	elf_init();
	Elf *elf = elf_memory((char *)buf, len);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		return sd_error_create(SD_ERROR_INPUT, "not an ELF image");
	}
	struct sd_elf_info info = {0};
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &id);
	if (n > 0)
		set_build_id(&info.build_id, id, n);
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) == 0) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			const char *name;
			if (!gelf_getshdr(scn, &shdr) ||
			    !(name = elf_strptr(elf, shstrndx, shdr.sh_name)))
				continue;
			if (shdr.sh_type == SHT_SYMTAB)
				info.has_symtab = true;
			if ((!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")) &&
			    shdr.sh_type != SHT_NOBITS && shdr.sh_size > 0)
				info.has_debug_info = true;
		}
	}
	elf_end(elf);
	*ret = info;
	return NULL;
}

bool sd_elf_symbol(int fd, const char *name, uint64_t *ret)
{
	elf_init();
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return false;
	bool found = false;
	for (int pass = 0; pass < 2 && !found; pass++) {
		Elf_Scn *scn = NULL;
		while (!found && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			if (!gelf_getshdr(scn, &shdr) ||
			    shdr.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM) || !shdr.sh_entsize)
				continue;
			Elf_Data *data = elf_getdata(scn, NULL);
			if (!data)
				continue;
			size_t n = shdr.sh_size / shdr.sh_entsize;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				const char *sname;
				if (!gelf_getsym(data, (int)i, &sym) ||
				    !(sname = elf_strptr(elf, shdr.sh_link, sym.st_name)))
					continue;
				if (strcmp(sname, name) == 0) {
					*ret = sym.st_value;
					found = true;
					break;
				}
			}
		}
	}
	elf_end(elf);
	return found;
}

struct sd_dwarf_types {
	Dwarf *dwarf;
	/* A small cache: the walker asks for a handful of structs. */
	struct {
		char *name;
		Dwarf_Die die;
	} cache[16];
	size_t n_cache;
};

struct sd_error *sd_dwarf_types_open(int fd, struct sd_dwarf_types **ret)
{
	elf_init();
	Dwarf *dwarf = dwarf_begin(fd, DWARF_C_READ);
	if (!dwarf)
		return sd_error_create(SD_ERROR_INPUT, "no DWARF: %s", dwarf_errmsg(-1));
	struct sd_dwarf_types *d = calloc(1, sizeof(*d));
	if (!d) {
		dwarf_end(dwarf);
		return &sd_enomem;
	}
	d->dwarf = dwarf;
	*ret = d;
	return NULL;
}

void sd_dwarf_types_destroy(struct sd_dwarf_types *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_cache; i++)
		free(d->cache[i].name);
	dwarf_end(d->dwarf);
	free(d);
}

/* The complete definition of struct name, searching top-level DIEs of every CU. */
static bool find_struct(struct sd_dwarf_types *d, const char *name, Dwarf_Die *ret)
{
	for (size_t i = 0; i < d->n_cache; i++) {
		if (strcmp(d->cache[i].name, name) == 0) {
			*ret = d->cache[i].die;
			return true;
		}
	}
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(d->dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;
		if (dwarf_offdie(d->dwarf, off + hsize, &cu) && dwarf_child(&cu, &child) == 0) {
			do {
				if (dwarf_tag(&child) != DW_TAG_structure_type || dwarf_hasattr(&child, DW_AT_declaration))
					continue;
				const char *n = dwarf_diename(&child);
				if (n && strcmp(n, name) == 0) {
					if (d->n_cache < ARRAY_SIZE(d->cache) &&
					    (d->cache[d->n_cache].name = strdup(name)))
						d->cache[d->n_cache++].die = child;
					*ret = child;
					return true;
				}
			} while (dwarf_siblingof(&child, &child) == 0);
		}
		off = next;
	}
	return false;
}

/* Follow DW_AT_type through typedefs and qualifiers. */
static bool peel_type(Dwarf_Die *die, Dwarf_Die *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Die t;
	if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &t))
		return false;
	for (int i = 0; i < 16; i++) {
		int tag = dwarf_tag(&t);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type)
			break;
		if (!dwarf_attr_integrate(&t, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &t))
			return false;
	}
	*ret = t;
	return true;
}

static bool dwarf_find_member(Dwarf_Die *s, const char *name, int depth, uint64_t *ret_off,
			      Dwarf_Die *ret_die)
{
	Dwarf_Die child;
	if (depth > 8 || dwarf_child(s, &child) != 0)
		return false;
	do {
		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		Dwarf_Attribute attr;
		Dwarf_Word loc = 0;
		if (dwarf_attr(&child, DW_AT_data_member_location, &attr))
			dwarf_formudata(&attr, &loc);
		const char *n = dwarf_diename(&child);
		if (n) {
			if (strcmp(n, name) == 0) {
				*ret_off = loc;
				*ret_die = child;
				return true;
			}
			continue;
		}
		Dwarf_Die inner;
		uint64_t ioff;
		if (peel_type(&child, &inner) && dwarf_find_member(&inner, name, depth + 1, &ioff, ret_die)) {
			*ret_off = loc + ioff;
			return true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

static bool dw_member(void *arg, const char *type, const char *path, uint64_t *ret_offset,
		      uint64_t *ret_size)
{
	struct sd_dwarf_types *d = arg;
	Dwarf_Die s, member, mtype;
	if (!find_struct(d, type, &s))
		return false;
	uint64_t total = 0;
	char part[SD_KTYPES_NAME_MAX];
	const char *p = path;
	while (*p) {
		uint64_t off;
		if (!sd_ktypes_next_member(&p, part) ||
		    !dwarf_find_member(&s, part, 0, &off, &member) || !peel_type(&member, &mtype))
			return false;
		total += off;
		s = mtype;
	}
	Dwarf_Word size;
	/*
	 * A flexible array member (struct module_notes_attrs.attrs[]) has no
	 * bound, so no size: 0, as BTF gives it.
	 */
	if (dwarf_aggregate_size(&mtype, &size) != 0) {
		if (dwarf_tag(&mtype) != DW_TAG_array_type)
			return false;
		size = 0;
	}
	*ret_offset = total;
	*ret_size = size;
	return true;
}

static bool dw_size(void *arg, const char *type, uint64_t *ret)
{
	Dwarf_Die s;
	Dwarf_Word size;
	if (!find_struct(arg, type, &s) || dwarf_aggregate_size(&s, &size) != 0)
		return false;
	*ret = size;
	return true;
}

void sd_dwarf_types_ktypes(struct sd_dwarf_types *d, struct sd_ktypes *ret)
{
	ret->member = dw_member;
	ret->size = dw_size;
	ret->arg = d;
	ret->source = "dwarf";
}

enum { MAX_SEGMENTS = 1 << 22 };

static int segment_cmp(const void *a, const void *b)
{
	const struct sd_elf_segment *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

struct sd_error *sd_elf_load_segments(int fd, struct sd_elf_segment **ret, size_t *ret_n)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return sd_error_errno(errno, "fstat");
	elf_init();
	/* ELF_C_READ reads only the headers asked for: a vmcore is never read whole. */
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return sd_error_create(SD_ERROR_INPUT, "not an ELF file: %s", elf_errmsg(-1));
	struct sd_error *err = NULL;
	struct sd_elf_segment *v = NULL;
	size_t phnum = 0, n = 0;
	if (elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &phnum) != 0 || phnum == 0 ||
	    phnum > MAX_SEGMENTS) {
		err = sd_error_create(SD_ERROR_INPUT, "no usable program headers");
		goto out;
	}
	if (!(v = malloc(phnum * sizeof(*v)))) {
		err = &sd_enomem;
		goto out;
	}
	uint64_t size = (uint64_t)st.st_size;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph)) {
			err = sd_error_create(SD_ERROR_INPUT, "program header %zu: %s", i,
					      elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD || ph.p_vaddr == 0 || ph.p_memsz == 0)
			continue;
		struct sd_elf_segment s = { .vaddr = ph.p_vaddr, .offset = ph.p_offset,
					    .filesz = ph.p_filesz, .memsz = ph.p_memsz };
		/* Only what lies in the file: a hostile header cannot send reads elsewhere. */
		if (s.offset > size || s.filesz > size - s.offset || s.filesz > s.memsz ||
		    s.vaddr + s.memsz < s.vaddr) {
			err = sd_error_create(SD_ERROR_INPUT, "program header %zu lies outside the "
					      "file", i);
			goto out;
		}
		v[n++] = s;
	}
	if (!n) {
		err = sd_error_create(SD_ERROR_INPUT, "no segment with a virtual address");
		goto out;
	}
	qsort(v, n, sizeof(*v), segment_cmp);
	*ret = take_ptr(v);
	*ret_n = n;
out:
	free(v);
	elf_end(elf);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct sd_error *sd_dwarf_source_files(int fd, size_t max, struct sd_strv *ret)
{
	Elf *elf;
	struct sd_error *open_err = open_elf(fd, &elf);
	if (open_err)
		return open_err;
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		elf_end(elf);
		return NULL;	/* no DWARF: no source files */
	}
	struct sd_strv names = {0};
	struct sd_error *err = NULL;
	Dwarf_Off off = 0, next;
	size_t hsize;
	/* Each unit's line table names its files, joined by libdw to the unit's directories. */
	for (size_t units = 0; !err && names.n < max && units < SD_DWARF_UNITS_MAX &&
	     dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; units++, off = next) {
		Dwarf_Die die;
		Dwarf_Files *srcfiles;
		size_t n;
		if (!dwarf_offdie(dw, off + hsize, &die) || dwarf_getsrcfiles(&die, &srcfiles, &n))
			continue;
		/* A relative name (DWARF 5 directory entries may be) is under comp_dir. */
		Dwarf_Attribute attr;
		const char *comp_dir = dwarf_formstring(dwarf_attr(&die, DW_AT_comp_dir, &attr));
		for (size_t i = 0; i < n && !err && names.n < max; i++) {
			const char *name = dwarf_filesrc(srcfiles, i, NULL, NULL);
			if (!name || !name[0] || strlen(name) >= SD_PATH_MAX)
				continue;
			if (name[0] == '/')
				err = sd_strv_add(&names, name);
			else if (comp_dir && comp_dir[0] == '/' && strlen(comp_dir) < SD_PATH_MAX)
				err = sd_strv_addf(&names, "%s/%s", comp_dir, name);
		}
	}
	dwarf_end(dw);
	elf_end(elf);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n && !err; i++)
		if (i == 0 || strcmp(names.v[i], names.v[i - 1]) != 0)
			err = sd_strv_add(ret, names.v[i]);
	sd_strv_deinit(&names);
	return err;
}
