// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manifest reader (jsonread.c) that savedump verify runs on an
 * archive's manifest.json. Input: the file's bytes.
 */
#include "fuzz.h"
#include "jsonread.h"

const char fuzz_name[] = "jsonread";

static size_t walk(const struct sd_jv *v, int depth)
{
	fuzz_assert(depth <= SD_JSON_MAX_DEPTH + 1);
	size_t n = 1;
	if (v->type == SD_JV_STRING)
		fuzz_assert(v->string != NULL);
	for (size_t i = 0; i < v->n; i++) {
		if (v->type == SD_JV_OBJECT) {
			fuzz_assert(v->keys[i] != NULL);
			fuzz_assert(sd_jv_get(v, v->keys[i]) != NULL);
		}
		n += walk(&v->values[i], depth + 1);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_jv *v = NULL;
	struct sd_error *err = sd_jv_parse((const char *)data, size, &v);
	if (err) {
		fuzz_assert(err->code == SD_ERROR_INPUT || err->code == SD_ERROR_NOMEM);
		fuzz_assert(v == NULL);
		sd_error_destroy(err);
		return 0;
	}
	fuzz_assert(walk(v, 0) <= SD_JSON_MAX_ELEMENTS + 1);
	sd_jv_get_string(v, "archive_path");
	sd_jv_get_bool(v, "packed", false);
	sd_jv_destroy(v);
	return 0;
}

/* --- seeds -------------------------------------------------------------------------------- */

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	static const char manifest[] =
		"{\n  \"savedump\": {\"version\": \"0.1.0\", \"manifest_format\": 1},\n"
		"  \"dump\": {\"type\": \"userland\", \"format\": \"elf-core\", \"pid\": 42},\n"
		"  \"summary\": {\"complete\": true, \"damage\": null},\n"
		"  \"items\": [{\"role\": \"library\", \"status\": \"found\", \"packed\": true,\n"
		"    \"archive_path\": \"usr/lib/x\\udcff.so\", \"aliases\": [\"lib/x.so\"],\n"
		"    \"size\": 1.5e3, \"reason\": \"\\u00e9\\ud83d\\ude00\\n\"}]\n}\n";
	emit(arg, "manifest", manifest, sizeof(manifest) - 1);
	static const char bad[] = "[[[[{\"a\":[1,-2e-3,true,false,null,\"\\udc80\\\"\"]}]]]]";
	emit(arg, "nested", bad, sizeof(bad) - 1);
}
