// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "progress.h"

struct sd_progress {
	uint64_t total, done;
	bool bar, json;
	double start, last;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sd_progress *sd_progress_create(uint64_t total, bool bar, bool json)
{
	if (!bar && !json)
		return NULL;
	struct sd_progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->total = total;
	p->bar = bar;
	p->json = json;
	p->start = p->last = now();
	return p;
}

static void draw(struct sd_progress *p, bool final)
{
	double t = now() - p->start;
	double rate = t > 0 ? (double)p->done / t : 0;
	double eta = rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0;
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;
	if (p->json) {
		fprintf(stderr,
			"{\"bytes_done\":%llu,\"bytes_total\":%llu,\"rate\":%.0f,\"eta\":%.1f%s}\n",
			(unsigned long long)p->done, (unsigned long long)p->total, rate, eta,
			final ? ",\"done\":true" : "");
		return;
	}
	enum { WIDTH = 30 };
	char bar[WIDTH + 1];
	unsigned fill = pct * WIDTH / 100;
	for (unsigned i = 0; i < WIDTH; i++)
		bar[i] = i < fill ? '#' : ' ';
	bar[WIDTH] = '\0';
	fprintf(stderr, "\r[%s] %3u%% %7.1f/%.1f MiB %6.1f MiB/s ETA %3.0fs%s", bar, pct,
		(double)p->done / 1048576, (double)p->total / 1048576, rate / 1048576, eta,
		final ? "\n" : "");
}

void sd_progress_add(void *arg, uint64_t bytes)
{
	struct sd_progress *p = arg;
	if (!p)
		return;
	p->done += bytes;
	double t = now();
	if (t - p->last >= (p->json ? 1.0 : 0.2)) {
		p->last = t;
		draw(p, false);
	}
}

void sd_progress_done(struct sd_progress *p)
{
	if (p)
		draw(p, true);
}

void sd_progress_destroy(struct sd_progress *p)
{
	free(p);
}
