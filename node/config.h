/* node/config.h: creekd's settings, from /etc/creek/creek.conf and flags.
 *
 * Every setting is one row of the table in config.c (name, type, default,
 * limits, unit, help); that table drives the file parser, the flags,
 * `creekd --help` and docs/configuration.md. The file is `key = value`
 * lines; '#' starts a comment. Flags (--key value or --key=value) override
 * the file. Parsed once in main() and read-only afterwards. */
#ifndef CREEK_NODE_CONFIG_H
#define CREEK_NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../lib/err.h"
#include "../lib/log.h"

#define NODE_CONFIG_DEFAULT_PATH "/etc/creek/creek.conf"

enum node_log_target { NODE_LOG_AUTO, NODE_LOG_STDERR, NODE_LOG_JOURNAL };

struct node_config {
	char *config_path; /* the file read, or NULL */
	char *data_dir;
	char *http;
	char *cluster_address;
	bool cluster_tls;
	char *https; /* NULL: off */
	unsigned failure_domain;
	unsigned cluster_cert_lifetime_s;
	unsigned cluster_bandwidth_mib; /* per cluster connection; 0: no bound */
	unsigned cluster_probe_ms;
	unsigned cluster_offline_after_ms;
	unsigned cluster_standbys;
	char *ui_dir;
	unsigned http_threads;
	unsigned http_max_body;
	unsigned http_max_header;
	unsigned http_timeout_s;
	unsigned http_max_connections;
	unsigned http_max_connections_per_address;
	unsigned http_header_timeout_s;
	unsigned max_upload; /* bytes */
	unsigned max_uploads;
	unsigned max_uploads_per_account;
	unsigned file_repair_s;
	unsigned disk_reserve_mib; /* 0: no guard */
	unsigned housekeeping_s;
	bool read_model;
	unsigned read_model_check_s;
	enum cr_log_level log_level;
	enum node_log_target log_target;
	unsigned password_cost;
	unsigned session_lifetime_s;
	unsigned session_idle_timeout_s;
	unsigned store_latency_ms;
	unsigned snapshot_threshold;
	unsigned snapshot_trailing;
	unsigned store_timeout_ms;
	unsigned write_timeout_ms;
	unsigned write_batch;
	char *test_exit_after_write; /* tests only; NULL: off (the default) */
	char *test_fail_after_write; /* tests only; NULL: off (the default) */
	bool is_foreground;
	bool wants_help;
	bool wants_version;
	bool wants_markdown; /* print the settings table for the docs */
};

/* Parse flags (and the config file they name, or the default one if it
 * exists). On error err->msg is the one line to print, e.g.
 * "creek.conf:12: http-timeout: 70000 is above the maximum 3600". */
int node_config_parse(int argc, char **argv, struct node_config *cfg, struct cr_err *err);
void node_config_close(struct node_config *cfg);

/* Write `creekd --help` (flags and settings, from the table). */
void node_config_help(FILE *out);
/* Write the settings as a Markdown table (docs/configuration.md). */
void node_config_markdown(FILE *out);

#endif
