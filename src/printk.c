// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "printk.h"

static struct sd_error *bad(const char *what)
{
	return sd_error_create(SD_ERROR_INPUT, "kernel log: %s", what);
}

/* A VMCOREINFO OFFSET()/SIZE() value as an unsigned number. */
static bool num(const struct sd_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	int64_t v;
	if (!sd_vmcoreinfo_dec(vi, key, &v) || v < 0 || v > (1 << 20))
		return false;
	*ret = (uint64_t)v;
	return true;
}

/* Read len bytes at addr into a new buffer. */
static struct sd_error *read_block(const struct sd_kmem *mem, uint64_t addr, size_t len,
				   const char *what, uint8_t **ret)
{
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return &sd_enomem;
	if (!sd_kmem_read(mem, addr, buf, len)) {
		free(buf);
		return sd_error_create(SD_ERROR_INPUT, "kernel log: %s is not in the dump", what);
	}
	*ret = buf;
	return NULL;
}

static void put_record(FILE *out, uint64_t ts_nsec, const uint8_t *text, size_t len)
{
	fprintf(out, "[%5" PRIu64 ".%06" PRIu64 "] ", ts_nsec / 1000000000,
		ts_nsec % 1000000000 / 1000);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = text[i];
		if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f))
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
	fputc('\n', out);
}

/* --- Linux >= 5.10: the printk ringbuffer ------------------------------------------------ */

struct prb_layout {
	uint64_t desc_ring, text_data_ring;
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t desc_size, state_var, text_blk_lpos, lpos_begin, lpos_next;
	uint64_t info_size, seq, ts_nsec, text_len;
	uint64_t size_bits, data, counter;
};

static bool prb_layout(const struct sd_vmcoreinfo *vi, struct prb_layout *l)
{
	return num(vi, "OFFSET(printk_ringbuffer.desc_ring)", &l->desc_ring) &&
	       num(vi, "OFFSET(printk_ringbuffer.text_data_ring)", &l->text_data_ring) &&
	       num(vi, "OFFSET(prb_desc_ring.count_bits)", &l->count_bits) &&
	       num(vi, "OFFSET(prb_desc_ring.descs)", &l->descs) &&
	       num(vi, "OFFSET(prb_desc_ring.infos)", &l->infos) &&
	       num(vi, "OFFSET(prb_desc_ring.head_id)", &l->head_id) &&
	       num(vi, "OFFSET(prb_desc_ring.tail_id)", &l->tail_id) &&
	       num(vi, "SIZE(prb_desc)", &l->desc_size) &&
	       num(vi, "OFFSET(prb_desc.state_var)", &l->state_var) &&
	       num(vi, "OFFSET(prb_desc.text_blk_lpos)", &l->text_blk_lpos) &&
	       num(vi, "OFFSET(prb_data_blk_lpos.begin)", &l->lpos_begin) &&
	       num(vi, "OFFSET(prb_data_blk_lpos.next)", &l->lpos_next) &&
	       num(vi, "SIZE(printk_info)", &l->info_size) &&
	       num(vi, "OFFSET(printk_info.seq)", &l->seq) &&
	       num(vi, "OFFSET(printk_info.ts_nsec)", &l->ts_nsec) &&
	       num(vi, "OFFSET(printk_info.text_len)", &l->text_len) &&
	       num(vi, "OFFSET(prb_data_ring.size_bits)", &l->size_bits) &&
	       num(vi, "OFFSET(prb_data_ring.data)", &l->data) &&
	       num(vi, "OFFSET(atomic_long_t.counter)", &l->counter);
}

/* Does [off, off + size) lie inside a record of rec_size bytes? */
static bool fits(uint64_t off, uint64_t size, uint64_t rec_size)
{
	return size <= rec_size && off <= rec_size - size;
}

static struct sd_error *prb_write(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				  uint64_t prb_ptr, FILE *out, size_t *ret_records)
{
	struct prb_layout l;
	if (!prb_layout(vi, &l))
		return bad("VMCOREINFO lacks the printk_ringbuffer layout");
	const unsigned lsize = mem->ptr_size;	/* unsigned long, atomic_long_t */
	if (!fits(l.state_var + l.counter, lsize, l.desc_size) ||
	    !fits(l.text_blk_lpos + l.lpos_begin, lsize, l.desc_size) ||
	    !fits(l.text_blk_lpos + l.lpos_next, lsize, l.desc_size) ||
	    !fits(l.seq, 8, l.info_size) || !fits(l.ts_nsec, 8, l.info_size) ||
	    !fits(l.text_len, 2, l.info_size))
		return bad("VMCOREINFO's printk_ringbuffer layout is inconsistent");

	uint64_t prb;
	if (!sd_kmem_read_ptr(mem, prb_ptr, &prb))
		return bad("prb is not in the dump");
	uint64_t dr = prb + l.desc_ring, tr = prb + l.text_data_ring;
	uint64_t count_bits, descs, infos, head, tail, size_bits, data;
	if (!sd_kmem_read_uint(mem, dr + l.count_bits, 4, &count_bits) ||
	    !sd_kmem_read_ptr(mem, dr + l.descs, &descs) ||
	    !sd_kmem_read_ptr(mem, dr + l.infos, &infos) ||
	    !sd_kmem_read_ptr(mem, dr + l.head_id + l.counter, &head) ||
	    !sd_kmem_read_ptr(mem, dr + l.tail_id + l.counter, &tail) ||
	    !sd_kmem_read_uint(mem, tr + l.size_bits, 4, &size_bits) ||
	    !sd_kmem_read_ptr(mem, tr + l.data, &data))
		return bad("the printk ringbuffer is not in the dump");
	/* Range-check the exponents before shifting by them. */
	if (count_bits > SD_PRINTK_MAX_DESC_BITS || size_bits > SD_PRINTK_MAX_DATA_BITS ||
	    size_bits < 4)
		return bad("the printk ringbuffer's sizes are out of range");

	const uint64_t count = 1ull << count_bits, data_size = 1ull << size_bits;
	/* The struct sizes are VMCOREINFO's: bound the products, not only each factor. */
	if (l.desc_size > SD_PRINTK_MAX_RING / count || l.info_size > SD_PRINTK_MAX_RING / count)
		return bad("the printk ringbuffer's descriptor rings are too large");
	uint8_t *d = NULL, *inf = NULL, *text = NULL;
	struct sd_error *err;
	if ((err = read_block(mem, descs, count * l.desc_size, "the descriptor ring", &d)) ||
	    (err = read_block(mem, infos, count * l.info_size, "the info ring", &inf)) ||
	    (err = read_block(mem, data, data_size, "the text ring", &text)))
		goto out;

	/* state_var: the descriptor id in the low bits, the state in the top two. */
	const unsigned long_bits = lsize * 8;
	const uint64_t id_mask = (long_bits == 64 ? ~0ull : 0xffffffffull) >> 2;
	enum { DESC_COMMITTED = 1, DESC_FINALIZED = 2 };
	size_t records = 0;
	for (uint64_t id = tail & id_mask, n = 0; n < count; id = (id + 1) & id_mask, n++) {
		const uint8_t *desc = d + (id % count) * l.desc_size;
		const uint8_t *info = inf + (id % count) * l.info_size;
		uint64_t sv = sd_kmem_uint(mem, desc + l.state_var + l.counter, lsize);
		unsigned state = (unsigned)(sv >> (long_bits - 2)) & 3;
		if ((sv & id_mask) == id && (state == DESC_COMMITTED || state == DESC_FINALIZED)) {
			uint64_t begin = sd_kmem_uint(mem, desc + l.text_blk_lpos + l.lpos_begin, lsize);
			uint64_t next = sd_kmem_uint(mem, desc + l.text_blk_lpos + l.lpos_next, lsize);
			uint64_t ts = sd_kmem_uint(mem, info + l.ts_nsec, 8);
			uint64_t text_len = sd_kmem_uint(mem, info + l.text_len, 2);
			/* Blocks with bit 0 set carry no data (printk_ringbuffer.c, get_data()). */
			const uint8_t *p = NULL;
			uint64_t len = 0;
			if (!(begin & 1) && !(next & 1) && next > begin) {
				uint64_t bi = begin % data_size, ni = next % data_size;
				uint64_t wraps_b = begin >> size_bits, wraps_n = next >> size_bits;
				if (wraps_b == wraps_n && ni > bi) {
					p = text + bi;
					len = ni - bi;
				} else if (wraps_b + 1 == wraps_n && ni <= data_size) {
					p = text;
					len = ni;
				}
			}
			/* Each block starts with its descriptor id. */
			if (p && len >= lsize) {
				p += lsize;
				len -= lsize;
				put_record(out, ts, p, text_len < len ? text_len : len);
				records++;
			}
		}
		if (id == (head & id_mask))
			break;
	}
	*ret_records = records;
out:
	free(d);
	free(inf);
	free(text);
	return err;
}

/* --- Linux < 5.10: struct printk_log records in log_buf ---------------------------------- */

static struct sd_error *log_buf_write(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				      FILE *out, size_t *ret_records)
{
	uint64_t a_buf, a_len, a_first, a_next, hdr, o_ts, o_len, o_text_len;
	if (!sd_vmcoreinfo_symbol(vi, "log_buf", &a_buf) ||
	    !sd_vmcoreinfo_symbol(vi, "log_buf_len", &a_len) ||
	    !sd_vmcoreinfo_symbol(vi, "log_first_idx", &a_first) ||
	    !sd_vmcoreinfo_symbol(vi, "log_next_idx", &a_next))
		return bad("VMCOREINFO has neither prb nor log_buf");
	if (!(num(vi, "SIZE(printk_log)", &hdr) || num(vi, "SIZE(log)", &hdr)) ||
	    !(num(vi, "OFFSET(printk_log.ts_nsec)", &o_ts) || num(vi, "OFFSET(log.ts_nsec)", &o_ts)) ||
	    !(num(vi, "OFFSET(printk_log.len)", &o_len) || num(vi, "OFFSET(log.len)", &o_len)) ||
	    !(num(vi, "OFFSET(printk_log.text_len)", &o_text_len) ||
	      num(vi, "OFFSET(log.text_len)", &o_text_len)))
		return bad("VMCOREINFO lacks the printk_log layout");
	if (!fits(o_ts, 8, hdr) || !fits(o_len, 2, hdr) || !fits(o_text_len, 2, hdr))
		return bad("VMCOREINFO's printk_log layout is inconsistent");
	uint64_t buf_addr, len, first, next;
	if (!sd_kmem_read_ptr(mem, a_buf, &buf_addr) || !sd_kmem_read_uint(mem, a_len, 4, &len) ||
	    !sd_kmem_read_uint(mem, a_first, 4, &first) || !sd_kmem_read_uint(mem, a_next, 4, &next))
		return bad("log_buf is not in the dump");
	if (len == 0 || len > SD_PRINTK_MAX_DATA || first >= len || next >= len)
		return bad("log_buf's size is out of range");
	uint8_t *b;
	struct sd_error *err = read_block(mem, buf_addr, len, "log_buf", &b);
	if (err)
		return err;
	size_t records = 0;
	uint64_t idx = first;
	/* Every record is at least a header long: that bounds the walk. */
	for (uint64_t n = 0; idx != next && n <= len / (hdr ? hdr : 1); n++) {
		if (!fits(idx, hdr, len))
			break;
		uint64_t rlen = sd_kmem_uint(mem, b + idx + o_len, 2);
		if (rlen == 0) {	/* wrap marker */
			idx = 0;
			continue;
		}
		if (rlen < hdr || !fits(idx, rlen, len))
			break;
		uint64_t tl = sd_kmem_uint(mem, b + idx + o_text_len, 2);
		if (tl > rlen - hdr)
			tl = rlen - hdr;
		put_record(out, sd_kmem_uint(mem, b + idx + o_ts, 8), b + idx + hdr, tl);
		records++;
		idx += rlen;
	}
	free(b);
	*ret_records = records;
	return NULL;
}

struct sd_error *sd_printk_write(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				 FILE *out, size_t *ret_records)
{
	uint64_t prb;
	if (sd_vmcoreinfo_symbol(vi, "prb", &prb))
		return prb_write(mem, vi, prb, out, ret_records);
	return log_buf_write(mem, vi, out, ret_records);
}
