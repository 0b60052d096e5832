/* node/main.c: creekd's entry point.
 *
 * Parses the configuration, sets up logging, starts the node, then runs a
 * libuv loop on the main thread that owns signals (SIGTERM/SIGINT stop the
 * node cleanly), the systemd watchdog and STATUS= updates. Later, cluster
 * work and the schedulers run on this loop too. */
#define LOG_MODULE "node"
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../storage/engine.h"
#include "config.h"
#include "journal.h"
#include "node.h"
#include "notify.h"

#define STATUS_INTERVAL_MS 10000
#define DISK_INTERVAL_MS   1000 /* free space of data-dir (disk-reserve) */

struct main_loop {
	uv_loop_t loop;
	uv_signal_t sigterm;
	uv_signal_t sigint;
	uv_timer_t watchdog;
	uv_timer_t status;
	uv_timer_t disk;
	struct node *node;
	int stop_signal;
};

static void on_signal(uv_signal_t *handle, int signum)
{
	struct main_loop *m = handle->data;

	m->stop_signal = signum;
	uv_stop(&m->loop);
}

static void on_watchdog(uv_timer_t *t)
{
	(void)t;
	node_notify_watchdog();
}

static void on_status(uv_timer_t *t)
{
	struct main_loop *m = t->data;
	char line[256];

	node_status_line(m->node, line, sizeof(line));
	node_notify_status(line);
}

static void on_disk(uv_timer_t *t)
{
	struct main_loop *m = t->data;

	node_disk_tick(m->node);
}

static void close_handle(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void setup_logging(const struct node_config *cfg)
{
	bool to_journal =
	    cfg->log_target == NODE_LOG_JOURNAL ||
	    (cfg->log_target == NODE_LOG_AUTO && !cfg->is_foreground && node_journal_is_stderr());

	cr_log_configure(to_journal ? node_journal_sink : NULL, NULL, cfg->log_level);
}

/* Before the node starts: a SIGTERM that arrives while it starts (the
 * HTTP port already answers) is handled once the loop runs, not fatal. */
static void catch_signals(struct main_loop *m)
{
	uv_signal_init(&m->loop, &m->sigterm);
	uv_signal_init(&m->loop, &m->sigint);
	m->sigterm.data = m->sigint.data = m;
	uv_signal_start(&m->sigterm, on_signal, SIGTERM);
	uv_signal_start(&m->sigint, on_signal, SIGINT);
}

static void close_loop(struct main_loop *m)
{
	uv_walk(&m->loop, close_handle, NULL);
	uv_run(&m->loop, UV_RUN_DEFAULT);
	(void)uv_loop_close(&m->loop);
}

static void run_loop(struct main_loop *m)
{
	uint64_t wd_usec = node_notify_watchdog_usec();

	uv_timer_init(&m->loop, &m->status);
	m->status.data = m;
	uv_timer_start(&m->status, on_status, STATUS_INTERVAL_MS, STATUS_INTERVAL_MS);
	uv_timer_init(&m->loop, &m->disk);
	m->disk.data = m;
	uv_timer_start(&m->disk, on_disk, DISK_INTERVAL_MS, DISK_INTERVAL_MS);
	if (wd_usec > 0) {
		/* Ping at half the interval, as sd_watchdog_enabled(3) advises. */
		uint64_t every_ms = wd_usec / 2000 > 0 ? wd_usec / 2000 : 1;
		uv_timer_init(&m->loop, &m->watchdog);
		uv_timer_start(&m->watchdog, on_watchdog, 0, every_ms);
	}
	uv_run(&m->loop, UV_RUN_DEFAULT);
}

int main(int argc, char **argv)
{
	struct node_config cfg;
	struct cr_err err = { 0 };
	struct main_loop m;
	char status[256];

	/* glibc gives each thread that contends an arena of its own, up to 8
	 * per core; creekd's many threads (HTTP, workers, store, raft) then
	 * hold freed memory in each. 4 arenas: 100k records held 509 MiB of
	 * RSS instead of 664 MiB (docs/storage.md, "Memory, as measured").
	 * MALLOC_ARENA_MAX in the environment still wins. */
	if (getenv("MALLOC_ARENA_MAX") == NULL)
		(void)mallopt(M_ARENA_MAX, 4);
	/* Raft entries and pages of a bulk load are allocations of up to a
	 * few MB. glibc raises its mmap threshold each time such a block is
	 * freed (up to 32 MiB), after which they come from the arenas and
	 * their freed space stays in the process. A fixed threshold keeps
	 * them mapped on their own and given back when freed: 100,000
	 * records held 382 MiB of RSS instead of 526 MiB (heaptrack and
	 * tests/bench/forms.py; docs/storage.md). MALLOC_MMAP_THRESHOLD_
	 * still wins. */
	if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL)
		(void)mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	json_set_alloc_funcs(cr_malloc, free); /* lib/mem.h: once, before any JSON */
	if (node_config_parse(argc, argv, &cfg, &err) < 0) {
		(void)fprintf(stderr, "creekd: %s\n", err.msg);
		return 2;
	}
	if (cfg.wants_help || cfg.wants_version || cfg.wants_markdown) {
		if (cfg.wants_help)
			node_config_help(stdout);
		else if (cfg.wants_markdown)
			node_config_markdown(stdout);
		else
			printf("creekd %s (dqlite %s, raft %s)\n", CREEK_VERSION,
			       storage_engine_dqlite_version(), storage_engine_raft_version());
		node_config_close(&cfg);
		return 0;
	}
	setup_logging(&cfg);
	/* dqlite's connect function and raft's disk I/O share libuv's pool; the
	 * default of 4 threads is too few (notes §8). Read once at first use. */
	(void)setenv("UV_THREADPOOL_SIZE", "16", 0);
	(void)signal(SIGPIPE, SIG_IGN);
	memset(&m, 0, sizeof(m));
	if (uv_loop_init(&m.loop) != 0) {
		(void)fprintf(stderr, "creekd: cannot create the event loop\n");
		node_config_close(&cfg);
		return 1;
	}
	catch_signals(&m);
	if (node_start(&cfg, &m.node, &err) < 0) {
		(void)fprintf(stderr, "creekd: %s\n", err.msg);
		close_loop(&m);
		node_config_close(&cfg);
		return 1;
	}
	node_status_line(m.node, status, sizeof(status));
	node_notify_ready(status);
	log_notice("creekd %s ready: UI and API on http://%s", CREEK_VERSION, cfg.http);
	run_loop(&m);
	log_notice("stopping on signal %d", m.stop_signal);
	node_notify_stopping();
	node_handover(m.node);
	node_stop(m.node);
	close_loop(&m);
	log_notice("stopped");
	node_config_close(&cfg);
	return 0;
}
