/* cluster/manager.c: membership, reachability, leader, roles; see
 * cluster.h. One thread; the picture it keeps is read under a mutex by any
 * thread. Connections to the store nodes are its own (not the pool's), one
 * per member, reused while they work. */
#define LOG_MODULE "cluster"
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/log.h"
#include "../lib/mem.h"
#include "../lib/time.h"
#include "cluster.h"
#include "cluster_int.h"
#include "proxy.h"

#define PROBE_TIMEOUT_MS  1000
#define DOMAIN_REFRESH_MS 5000

_Static_assert(CLUSTER_PROXY_MAX_MEMBERS >= CLUSTER_MAX_NODES, "the proxy holds every member");

struct member {
	struct cluster_node_status s;
	uint64_t last_ok_ms;       /* monotonic; 0 never */
	uint64_t first_fail_ms;    /* monotonic start of the current silence; 0 if answering */
	unsigned failure_domain;   /* from the cluster_node table */
	struct storage_conn *conn; /* the manager's own, or NULL */
};

struct cluster {
	struct cluster_config cfg;
	char files_dir[4096];
	char self_address[CLUSTER_ADDRESS_MAX];
	struct cluster_renewal renewal; /* this node's serials are its */
	struct cluster_dialer *dialer;
	struct storage_store *store;
	uint64_t started_ms;
	uint64_t domains_read_ms;

	pthread_t thread;
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;
	bool stopping;
	bool poked;
	bool handing_over; /* no rebalancing while this node leaves */
	unsigned removing; /* nor while a member is being removed */
	struct member members[CLUSTER_MAX_NODES];
	unsigned n_members;
	uint64_t leader_id;
	char leader_address[CLUSTER_ADDRESS_MAX];
	/* cluster_avoid_leading() */
	bool is_avoiding_lead;
	bool has_warned_no_heir; /* once per request */
	cluster_may_lead_fn may_lead;
	void *may_lead_arg;
	uint64_t shed_after_ms; /* monotonic: no transfer before */
	int disk_low_stored;    /* this node's row says: 0, 1, or -1 not read yet */
};

const char *cluster_role_name(enum storage_role role)
{
	switch (role) {
	case STORAGE_ROLE_VOTER:
		return "voter";
	case STORAGE_ROLE_STANDBY:
		return "standby";
	case STORAGE_ROLE_SPARE:
		return "spare";
	}
	return "unknown";
}

/* ---- talking to store nodes ---- */

static int open_conn(struct cluster *c, const char *address, struct storage_conn **out,
		     struct cr_err *err)
{
	return storage_conn_open_with(cluster_dialer_dial, c->dialer, address, PROBE_TIMEOUT_MS,
				      out, err);
}

/* Ask a node for its leader; the answer proves it is alive. *conn is the
 * connection to reuse (NULL: open one); it is closed on failure. */
static int probe(struct cluster *c, const char *address, struct storage_conn **conn,
		 double *latency_ms, uint64_t *leader_id, char *leader, struct cr_err *err)
{
	uint64_t t0 = cr_now_us();
	int rc = 0;

	if (*conn == NULL)
		rc = open_conn(c, address, conn, err);
	if (rc == 0)
		rc = storage_conn_leader(*conn, leader_id, leader, 128, err);
	if (rc < 0) {
		storage_conn_free(*conn);
		*conn = NULL;
		return rc;
	}
	*latency_ms = (double)(cr_now_us() - t0) / 1000.0;
	return 0;
}

/* ---- the picture ---- */

static struct member *find_member(struct cluster *c, uint64_t id)
{
	for (unsigned i = 0; i < c->n_members; i++)
		if (c->members[i].s.id == id)
			return &c->members[i];
	return NULL;
}

static void snapshot(struct cluster *c, struct cluster_status *out)
{
	uint64_t now = cr_now_ms();

	memset(out, 0, sizeof(*out));
	out->self_id = c->cfg.self_id;
	out->leader_id = c->leader_id;
	out->n_nodes = c->n_members;
	out->voters_wanted = cluster_voters_wanted(c->n_members);
	out->standbys_wanted = c->cfg.standbys;
	for (unsigned i = 0; i < c->n_members; i++) {
		out->nodes[i] = c->members[i].s;
		out->nodes[i].is_leader = c->members[i].s.id == c->leader_id;
		out->nodes[i].last_contact_ms =
		    c->members[i].last_ok_ms > 0 ? (int64_t)(now - c->members[i].last_ok_ms) : -1;
	}
}

/* This node's own serials: what its node.crt holds (the table may still
 * hold the one before a re-issue), and the one it replaces while it
 * installs a renewal. */
static void self_serials(const struct cluster *c, struct member *m)
{
	memcpy(m->s.cert_serial, c->renewal.serial, CLUSTER_SERIAL_MAX);
	memcpy(m->s.next_serial, c->renewal.next_serial, CLUSTER_SERIAL_MAX);
}

/* Replace the member list with the configuration read from the leader,
 * keeping what is known of members that stay. */
static bool merge_config(struct cluster *c, const struct storage_server *servers, unsigned n)
{
	struct member next[CLUSTER_MAX_NODES];
	bool changed = n != c->n_members;
	unsigned k = 0;

	memset(next, 0, sizeof(next));
	for (unsigned i = 0; i < n && k < CLUSTER_MAX_NODES; i++) {
		struct member *old = find_member(c, servers[i].id);
		if (old != NULL) {
			next[k] = *old;
			old->conn = NULL; /* moved */
			changed |= strcmp(old->s.address, servers[i].address) != 0 ||
				   old->s.role != servers[i].role;
		} else {
			changed = true;
		}
		next[k].s.id = servers[i].id;
		(void)snprintf(next[k].s.address, sizeof(next[k].s.address), "%.63s",
			       servers[i].address);
		next[k].s.role = servers[i].role;
		if (servers[i].id == c->cfg.self_id)
			self_serials(c, &next[k]);
		k++;
	}
	for (unsigned i = 0; i < c->n_members; i++)
		storage_conn_free(c->members[i].conn); /* members that left */
	memcpy(c->members, next, sizeof(next));
	c->n_members = k;
	return changed;
}

/* Only members' current certificates are peers: st's nodes but skip_id
 * (0: none), each with the serials it holds now. */
static void tell_proxy(struct cluster *c, const struct cluster_status *st, uint64_t skip_id)
{
	struct cluster_peer peers[CLUSTER_MAX_NODES];
	unsigned n = 0;

	if (c->cfg.proxy == NULL)
		return;
	memset(peers, 0, sizeof(peers));
	for (unsigned i = 0; i < st->n_nodes; i++)
		if (st->nodes[i].id != skip_id) {
			peers[n].id = st->nodes[i].id;
			memcpy(peers[n].serial, st->nodes[i].cert_serial, CLUSTER_SERIAL_MAX);
			memcpy(peers[n].next_serial, st->nodes[i].next_serial, CLUSTER_SERIAL_MAX);
			n++;
		}
	cluster_proxy_set_members(c->cfg.proxy, peers, n);
}

static bool read_domains(struct cluster *c);

/* After the member list changed: remember it and tell the pool and the
 * proxy. A new member's serial is in the table before it is added
 * (cluster_admit()), so it is read before the proxy learns the member. */
static void publish_members(struct cluster *c)
{
	struct cluster_status st;
	const char *addresses[CLUSTER_MAX_NODES];
	struct cr_err err = { 0 };

	(void)read_domains(c);
	pthread_mutex_lock(&c->lock);
	snapshot(c, &st);
	pthread_mutex_unlock(&c->lock);
	tell_proxy(c, &st, 0);
	for (unsigned i = 0; i < st.n_nodes; i++)
		addresses[i] = st.nodes[i].address;
	if (st.n_nodes > 0 && storage_pool_set_addresses(storage_store_pool(c->store), addresses,
							 st.n_nodes, &err) < 0)
		log_warn("cannot update the store's node list: %s", err.msg);
	if (cluster_files_write_members(c->files_dir, &st, &err) < 0)
		log_warn("cannot save the member list: %s", err.msg);
	if (c->cfg.join_pending && find_member(c, c->cfg.self_id) != NULL) {
		char path[4200];
		(void)snprintf(path, sizeof(path), "%s/join", c->files_dir);
		if (unlink(path) == 0)
			log_info("node %" PRIu64 " is a member of the cluster", c->cfg.self_id);
		c->cfg.join_pending = false;
	}
	log_info("cluster members: %u", st.n_nodes);
}

/* Failure domains and certificate serials come from the cluster_node
 * table (this node's own serial from its node.crt: the table may still
 * hold the one before a re-issue). Whether a serial changed. */
static bool read_domains(struct cluster *c)
{
	struct storage_rows rows;
	struct cr_err err = { 0 };
	bool changed = false;
	int rc = storage_query(c->store, STORAGE_DB_SYSTEM,
			       "SELECT node_id, failure_domain, cert_serial, next_serial, disk_low "
			       "FROM cluster_node",
			       NULL, 0, &rows, &err);

	if (rc == 0) {
		pthread_mutex_lock(&c->lock);
		for (size_t r = 0; r < rows.n_rows; r++) {
			const char *id = storage_rows_text(&rows, r, 0);
			const char *serial = storage_rows_text(&rows, r, 2);
			const char *next = storage_rows_text(&rows, r, 3);
			struct member *m =
			    id != NULL ? find_member(c, strtoull(id, NULL, 10)) : NULL;
			if (m == NULL)
				continue;
			m->failure_domain = (unsigned)storage_rows_int(&rows, r, 1, 0);
			m->s.disk_low = storage_rows_int(&rows, r, 4, 0) != 0;
			if (m->s.id == c->cfg.self_id) {
				c->disk_low_stored = m->s.disk_low ? 1 : 0;
				continue;
			}
			serial =
			    serial != NULL && strlen(serial) < CLUSTER_SERIAL_MAX ? serial : "";
			next = next != NULL && strlen(next) < CLUSTER_SERIAL_MAX ? next : "";
			changed |= strcmp(m->s.cert_serial, serial) != 0 ||
				   strcmp(m->s.next_serial, next) != 0;
			(void)snprintf(m->s.cert_serial, sizeof(m->s.cert_serial), "%s", serial);
			(void)snprintf(m->s.next_serial, sizeof(m->s.next_serial), "%s", next);
		}
		pthread_mutex_unlock(&c->lock);
		c->domains_read_ms = cr_now_ms();
	}
	storage_rows_close(&rows);
	return changed;
}

/* ---- roles (leader only) ---- */

static bool is_up(const struct cluster *c, const struct member *m, uint64_t now)
{
	if (m->s.id == c->cfg.self_id || m->first_fail_ms == 0)
		return true;
	return now - m->first_fail_ms < c->cfg.offline_after_ms;
}

/* One role change, if one is needed: the id and role to assign. Under
 * c->lock. */
static bool plan_change(struct cluster *c, uint64_t *id, enum storage_role *role)
{
	struct cluster_role_member m[CLUSTER_MAX_NODES];
	uint64_t now = cr_now_ms();

	for (unsigned i = 0; i < c->n_members; i++)
		m[i] = (struct cluster_role_member){ .id = c->members[i].s.id,
						     .role = c->members[i].s.role,
						     .failure_domain = c->members[i].failure_domain,
						     .is_up = is_up(c, &c->members[i], now),
						     .reachable = c->members[i].s.reachable,
						     .disk_low = c->members[i].s.disk_low };
	return cluster_plan_role(m, c->n_members, c->cfg.self_id, c->cfg.standbys, id, role);
}

static void adjust(struct cluster *c, struct storage_conn *leader_conn)
{
	uint64_t id = 0;
	enum storage_role role = STORAGE_ROLE_SPARE;
	struct cr_err err = { 0 };
	bool planned;

	pthread_mutex_lock(&c->lock);
	planned = !c->handing_over && c->removing == 0 && plan_change(c, &id, &role);
	pthread_mutex_unlock(&c->lock);
	if (!planned)
		return;
	log_info("roles: node %" PRIu64 " becomes %s", id, cluster_role_name(role));
	if (storage_conn_assign(leader_conn, id, role, &err) < 0)
		log_warn("roles: node %" PRIu64 " could not become %s: %s", id,
			 cluster_role_name(role), err.msg);
	c->poked = true; /* look again at once */
}

/* ---- the round ---- */

/* Probe every member; the leader as the members name it. */
static void probe_all(struct cluster *c, uint64_t *leader_id, char *leader)
{
	struct cr_err err = { 0 };
	unsigned n;

	pthread_mutex_lock(&c->lock);
	n = c->n_members;
	/* This node first: its view of the leader is published at once, so a
	 * silent peer (probed after, up to PROBE_TIMEOUT_MS) delays nothing. */
	for (unsigned k = 0; k < n; k++) {
		unsigned self_at = 0;
		for (unsigned x = 0; x < n; x++)
			if (c->members[x].s.id == c->cfg.self_id)
				self_at = x;
		unsigned i = k == 0 ? self_at : (k <= self_at ? k - 1 : k);
		struct member *m = &c->members[i];
		char address[CLUSTER_ADDRESS_MAX];
		struct storage_conn *conn = m->conn;
		double latency = 0;
		uint64_t lid = 0;
		char lname[128] = "";
		int rc;
		bool is_self = m->s.id == c->cfg.self_id;
		memcpy(address, m->s.address, sizeof(address));
		m->conn = NULL;
		pthread_mutex_unlock(&c->lock);
		rc = probe(c, address, &conn, &latency, &lid, lname, &err);
		if (rc < 0)
			log_debug("node at '%s' does not answer: %s", address, err.msg);
		pthread_mutex_lock(&c->lock);
		/* Only this thread changes the member list: m is still valid. */
		m->conn = conn;
		m->s.latency_ms = latency;
		m->s.reachable = rc == 0 || is_self;
		if (rc == 0 || is_self) {
			m->last_ok_ms = cr_now_ms();
			m->first_fail_ms = 0;
		} else if (m->first_fail_ms == 0) {
			m->first_fail_ms = cr_now_ms();
		}
		/* This node's own view first (it may be the leader). */
		if (rc == 0 && lid != 0 && (*leader_id == 0 || is_self)) {
			*leader_id = lid;
			memcpy(leader, lname, 128);
			if (is_self) {
				c->leader_id = lid;
				(void)snprintf(c->leader_address, sizeof(c->leader_address),
					       "%.63s", lname);
			}
		}
	}
	pthread_mutex_unlock(&c->lock);
}

/* This node leads but was asked not to (cluster_avoid_leading). */
static void shed_if_asked(struct cluster *c)
{
	struct cluster_status st;
	struct cr_err err = { 0 };
	cluster_may_lead_fn may_lead;
	void *arg;
	uint64_t to = 0;
	bool has_warned;

	pthread_mutex_lock(&c->lock);
	if (!c->is_avoiding_lead || cr_now_ms() < c->shed_after_ms) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	c->shed_after_ms = cr_now_ms() + CLUSTER_SHED_EVERY_MS;
	may_lead = c->may_lead;
	arg = c->may_lead_arg;
	has_warned = c->has_warned_no_heir;
	snapshot(c, &st);
	pthread_mutex_unlock(&c->lock);
	if (st.n_nodes <= 1)
		return;
	if (cluster_shed_leadership(c->dialer, c->self_address, &st, may_lead, arg, &to, &err) ==
	    0) {
		log_notice("leadership handed to node %" PRIu64 ": this node's data disk is "
			   "nearly full",
			   to);
		storage_pool_forget_leader(storage_store_pool(c->store));
		cluster_poke(c);
		return;
	}
	if (!has_warned)
		log_warn("this node leads with its data disk nearly full and cannot hand "
			 "leadership over: %s",
			 err.msg);
	pthread_mutex_lock(&c->lock);
	c->has_warned_no_heir = true;
	pthread_mutex_unlock(&c->lock);
}

struct disk_row {
	char node_id[24];
	int64_t low;
};

static int set_disk_low(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	const struct disk_row *d = arg;
	struct storage_value p[2] = { storage_int(d->low), storage_text(d->node_id) };

	return storage_tx_exec(tx, "UPDATE cluster_node SET disk_low = ? WHERE node_id = ?", p, 2,
			       NULL, err);
}

/* Tell the leader (through this node's row) whether this node's disk is
 * below its reserve, when the row says otherwise. */
static void tell_disk(struct cluster *c)
{
	struct disk_row d = { "", 0 };
	struct cr_err err = { 0 };
	int stored;

	pthread_mutex_lock(&c->lock);
	d.low = c->is_avoiding_lead ? 1 : 0;
	stored = c->disk_low_stored;
	pthread_mutex_unlock(&c->lock);
	if (stored < 0 || stored == d.low)
		return;
	(void)snprintf(d.node_id, sizeof(d.node_id), "%" PRIu64, c->cfg.self_id);
	if (storage_write_past_reserve(c->store, STORAGE_DB_SYSTEM, set_disk_low, &d, &err) < 0) {
		log_warn("cannot tell the cluster about this node's data disk: %s", err.msg);
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->disk_low_stored = (int)d.low;
	pthread_mutex_unlock(&c->lock);
	log_info("%s", d.low
			   ? "the leader is told to make this node a spare until its disk has room"
			   : "the leader is told this node's disk has room: it may vote again");
}

static void round_once(struct cluster *c)
{
	struct storage_server *servers = NULL;
	unsigned n = 0;
	uint64_t leader_id = 0;
	char leader[128] = "";
	struct cr_err err = { 0 };
	bool changed = false;
	struct storage_conn *leader_conn = NULL;

	probe_all(c, &leader_id, leader);
	if (leader_id == 0) {
		/* No member knows (a joining spare, or a lone survivor): ask the
		 * nodes the pool knows of. */
		struct storage_pool *pool = storage_store_pool(c->store);
		struct storage_conn *any = NULL;
		if (storage_pool_acquire_within(pool, STORAGE_DB_SYSTEM, 200, &any, NULL) == 0)
			storage_pool_last_leader(pool, &leader_id, leader, 128);
		storage_pool_release(pool, any);
	}
	pthread_mutex_lock(&c->lock);
	c->leader_id = leader_id;
	(void)snprintf(c->leader_address, sizeof(c->leader_address), "%.63s", leader);
	{
		struct member *lm = leader_id != 0 ? find_member(c, leader_id) : NULL;
		if (lm != NULL && lm->conn != NULL) {
			leader_conn = lm->conn;
			lm->conn = NULL; /* borrowed for this round */
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (leader_conn == NULL && leader[0] != '\0' &&
	    open_conn(c, leader, &leader_conn, &err) < 0)
		leader_conn = NULL;
	if (leader_conn != NULL && storage_conn_cluster(leader_conn, &servers, &n, &err) == 0) {
		pthread_mutex_lock(&c->lock);
		changed = merge_config(c, servers, n);
		pthread_mutex_unlock(&c->lock);
		free(servers);
	}
	if (changed) {
		publish_members(c);
	} else if (cr_now_ms() - c->domains_read_ms > DOMAIN_REFRESH_MS) {
		/* A member's certificate renewed, or this node's. */
		bool renewed = read_domains(c);
		if (cluster_renew_step(&c->renewal)) {
			struct member *self = NULL;
			pthread_mutex_lock(&c->lock);
			self = find_member(c, c->cfg.self_id);
			if (self != NULL)
				self_serials(c, self);
			pthread_mutex_unlock(&c->lock);
			renewed = true;
		}
		if (renewed) {
			struct cluster_status st;
			cluster_status(c, &st);
			tell_proxy(c, &st, 0);
		}
	}
	if (leader_conn != NULL && leader_id == c->cfg.self_id &&
	    cr_now_ms() - c->started_ms > c->cfg.probe_interval_ms)
		adjust(c, leader_conn);
	if (leader_id == c->cfg.self_id)
		shed_if_asked(c);
	if (leader_id != 0)
		tell_disk(c);
	/* Give the leader connection back to its member. */
	pthread_mutex_lock(&c->lock);
	{
		struct member *lm = find_member(c, leader_id);
		if (lm != NULL && lm->conn == NULL && leader_conn != NULL &&
		    !storage_conn_is_broken(leader_conn))
			lm->conn = leader_conn;
		else
			storage_conn_free(leader_conn);
	}
	pthread_mutex_unlock(&c->lock);
}

void cluster_avoid_leading(struct cluster *c, bool yes, cluster_may_lead_fn may_lead, void *arg)
{
	pthread_mutex_lock(&c->lock);
	c->is_avoiding_lead = yes;
	c->has_warned_no_heir = false;
	c->may_lead = may_lead;
	c->may_lead_arg = arg;
	c->shed_after_ms = 0;
	c->poked = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

static void *manager_main(void *arg)
{
	struct cluster *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->stopping) {
		pthread_mutex_unlock(&c->lock);
		round_once(c);
		pthread_mutex_lock(&c->lock);
		if (!c->poked && !c->stopping) {
			/* Without a leader, look again soon: an election is short. */
			cr_cond_wait_ms(&c->wake, &c->lock,
					c->leader_id == 0 ? 50 : c->cfg.probe_interval_ms);
		}
		c->poked = false;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int cluster_start(const struct cluster_config *cfg, struct cluster_dialer *dialer,
		  struct storage_store *store, struct cluster **out, struct cr_err *err)
{
	struct cluster *c = cr_calloc(1, sizeof(*c));
	struct storage_server self = { .id = cfg->self_id, .role = STORAGE_ROLE_VOTER };

	c->cfg = *cfg;
	(void)snprintf(c->files_dir, sizeof(c->files_dir), "%s", cfg->files_dir);
	(void)snprintf(c->self_address, sizeof(c->self_address), "%s", cfg->self_address);
	(void)snprintf(self.address, sizeof(self.address), "%s", cfg->self_address);
	c->renewal = (struct cluster_renewal){
		.files_dir = c->files_dir,
		.store = store,
		.tls = cfg->proxy != NULL ? dialer->tls : NULL,
		.self_id = cfg->self_id,
		.lifetime_s =
		    cfg->cert_lifetime_s != 0 ? cfg->cert_lifetime_s : CLUSTER_CERT_LIFETIME_S,
	};
	(void)snprintf(c->renewal.serial, sizeof(c->renewal.serial), "%s",
		       cfg->self_cert_serial != NULL ? cfg->self_cert_serial : "");
	c->cfg.files_dir = c->files_dir;
	c->cfg.self_address = c->self_address;
	c->cfg.self_cert_serial = c->renewal.serial;
	if (c->cfg.probe_interval_ms == 0)
		c->cfg.probe_interval_ms = 1000;
	if (c->cfg.offline_after_ms == 0)
		c->cfg.offline_after_ms = 30000;
	if (c->cfg.standbys == 0)
		c->cfg.standbys = 3;
	c->dialer = dialer;
	c->store = store;
	c->started_ms = cr_now_ms();
	c->disk_low_stored = -1;
	/* Until the leader tells: this node alone, plus the peers the pool
	 * already knows about (they are probed for the leader). */
	(void)merge_config(c, &self, 1);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, manager_main, c) != 0) {
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return cr_err_set(err, CR_EINTERNAL, "cannot start the cluster manager");
	}
	*out = c;
	return 0;
}

void cluster_stop(struct cluster *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	for (unsigned i = 0; i < c->n_members; i++)
		storage_conn_free(c->members[i].conn);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void cluster_poke(struct cluster *c)
{
	pthread_mutex_lock(&c->lock);
	c->poked = true;
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

unsigned cluster_cert_lifetime(const struct cluster *c)
{
	return c->renewal.lifetime_s;
}

static uint64_t leader_now(struct cluster *c, char *address, size_t address_len);

void cluster_status(struct cluster *c, struct cluster_status *out)
{
	char address[CLUSTER_ADDRESS_MAX];
	uint64_t leader_id = leader_now(c, address, sizeof(address));

	pthread_mutex_lock(&c->lock);
	snapshot(c, out);
	pthread_mutex_unlock(&c->lock);
	/* The leader as Raft sees it now, as the forwarding does. */
	out->leader_id = leader_id;
	for (unsigned i = 0; i < out->n_nodes; i++)
		out->nodes[i].is_leader = out->nodes[i].id == leader_id && leader_id != 0;
}

/* The leader: the local node's Raft view as the store's watcher read it
 * (at most 50 ms old, never waiting on a peer) when it names one, else the
 * last round's (a spare, or a node that has just joined, may know no
 * leader while its peers do). */
static uint64_t leader_now(struct cluster *c, char *address, size_t address_len)
{
	uint64_t id = 0;

	if (storage_pool_raft_leader(storage_store_pool(c->store), &id, address, address_len) &&
	    id != 0)
		return id;
	pthread_mutex_lock(&c->lock);
	id = c->leader_id;
	(void)snprintf(address, address_len, "%s", c->leader_address);
	pthread_mutex_unlock(&c->lock);
	return id;
}

bool cluster_is_leader(struct cluster *c)
{
	char address[CLUSTER_ADDRESS_MAX];

	return leader_now(c, address, sizeof(address)) == c->cfg.self_id;
}

void cluster_leader_address(struct cluster *c, char *out, size_t out_len)
{
	(void)leader_now(c, out, out_len);
}

uint64_t cluster_leader(struct cluster *c, char *out, size_t out_len)
{
	return leader_now(c, out, out_len);
}

bool cluster_is_cut_off(struct cluster *c)
{
	return storage_pool_is_leaderless(storage_store_pool(c->store));
}

/* ---- changes asked for by people and by a stopping node ---- */

/* A connection to the current leader, through the pool's discovery. */
static int leader_conn_open(struct cluster *c, struct storage_conn **out, struct cr_err *err)
{
	return storage_pool_acquire(storage_store_pool(c->store), STORAGE_DB_SYSTEM, out, err);
}

static int remove_once(struct cluster *c, uint64_t id, struct cr_err *err)
{
	struct storage_conn *conn = NULL;
	struct storage_server *servers = NULL;
	unsigned n = 0;
	bool found = false;
	bool is_spare = false;
	int rc = leader_conn_open(c, &conn, err);

	if (rc == 0)
		rc = storage_conn_cluster(conn, &servers, &n, err);
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		if (servers[i].id == id) {
			found = true;
			is_spare = servers[i].role == STORAGE_ROLE_SPARE;
		}
	}
	free(servers);
	if (rc == 0 && !found)
		rc = cr_err_set(err, CR_ENOTFOUND, "no node %" PRIu64 " in the cluster", id);
	/* A voter leaves the quorum first (raft refuses re-assigning a role). */
	if (rc == 0 && !is_spare)
		rc = storage_conn_assign(conn, id, STORAGE_ROLE_SPARE, err);
	if (rc == 0)
		rc = storage_conn_remove(conn, id, err);
	storage_pool_release(storage_store_pool(c->store), conn);
	return rc;
}

int cluster_remove(struct cluster *c, uint64_t id, struct cr_err *err)
{
	uint64_t deadline = cr_now_ms() + 20000;
	unsigned attempt = 0;
	int rc;

	if (id == c->cfg.self_id)
		return cr_err_set(err, CR_EINVAL,
				  "node %" PRIu64 " is this node; stop it, then remove it from "
				  "another node",
				  id);
	pthread_mutex_lock(&c->lock);
	c->removing++; /* no role changes of our own meanwhile */
	pthread_mutex_unlock(&c->lock);
	/* Busy while another configuration change runs, or leadership moves:
	 * each step is safe to repeat (a removed node is then not found). */
	do {
		rc = remove_once(c, id, err);
		if (rc == CR_ENOTFOUND && attempt > 0)
			rc = 0; /* an earlier attempt did it, unanswered */
		if (rc == CR_EUNAVAIL || rc == CR_EUNKNOWN)
			cr_sleep_ms(200);
		attempt++;
	} while ((rc == CR_EUNAVAIL || rc == CR_EUNKNOWN) && cr_now_ms() < deadline);
	pthread_mutex_lock(&c->lock);
	c->removing--;
	pthread_mutex_unlock(&c->lock);
	if (rc == 0) {
		struct cluster_status st;
		bool listed = false;
		/* Its certificate is refused here now, not at the next round (if
		 * this node's picture is one with it: else the round tells). */
		cluster_status(c, &st);
		for (unsigned i = 0; i < st.n_nodes; i++)
			listed |= st.nodes[i].id == id;
		if (listed)
			tell_proxy(c, &st, id);
		log_info("node %" PRIu64 " removed from the cluster", id);
		cluster_poke(c);
	}
	return rc;
}

/* An up standby (else spare) of st, or 0. */
static uint64_t voter_heir(const struct cluster_status *st)
{
	for (unsigned pass = 0; pass < 2; pass++) {
		enum storage_role want = pass == 0 ? STORAGE_ROLE_STANDBY : STORAGE_ROLE_SPARE;
		for (unsigned i = 0; i < st->n_nodes; i++)
			if (st->nodes[i].reachable && st->nodes[i].role == want)
				return st->nodes[i].id;
	}
	return 0;
}

/* Give this node's voter role to an up standby or spare, retrying until
 * deadline (cluster_handover). */
static void hand_voter_role(struct cluster *c, const struct cluster_status *st, uint64_t deadline)
{
	struct storage_conn *conn = NULL;
	struct cr_err err = { 0 };
	uint64_t heir = voter_heir(st);

	while (heir != 0 && cr_now_ms() < deadline) {
		if (leader_conn_open(c, &conn, &err) == 0 &&
		    storage_conn_assign(conn, heir, STORAGE_ROLE_VOTER, &err) == 0 &&
		    storage_conn_assign(conn, st->self_id, STORAGE_ROLE_SPARE, &err) == 0) {
			log_info("voter role handed to node %" PRIu64, heir);
			break;
		}
		storage_pool_release(storage_store_pool(c->store), conn);
		conn = NULL;
		cr_sleep_ms(100);
	}
	storage_pool_release(storage_store_pool(c->store), conn);
}

void cluster_handover(struct cluster *c, unsigned timeout_ms)
{
	struct cluster_status st;
	struct storage_conn *conn = NULL;
	struct cr_err err = { 0 };
	uint64_t deadline = cr_now_ms() + timeout_ms;
	uint64_t to = 0;
	enum storage_role self_role = STORAGE_ROLE_SPARE;

	pthread_mutex_lock(&c->lock);
	c->handing_over = true;
	snapshot(c, &st);
	pthread_mutex_unlock(&c->lock);
	for (unsigned i = 0; i < st.n_nodes; i++)
		if (st.nodes[i].id == st.self_id)
			self_role = st.nodes[i].role;
	if (st.n_nodes <= 1)
		return;
	/* Leadership first: to an up voter. */
	if (st.leader_id == st.self_id) {
		for (unsigned i = 0; i < st.n_nodes && to == 0; i++)
			if (st.nodes[i].id != st.self_id && st.nodes[i].reachable &&
			    st.nodes[i].role == STORAGE_ROLE_VOTER)
				to = st.nodes[i].id;
		if (to != 0 && open_conn(c, c->self_address, &conn, &err) == 0 &&
		    storage_conn_transfer(conn, to, &err) == 0)
			log_info("leadership handed to node %" PRIu64, to);
		else
			log_warn("could not hand leadership over: %s",
				 to == 0 ? "no other voter answers" : err.msg);
		storage_conn_free(conn);
		storage_pool_forget_leader(storage_store_pool(c->store));
	}
	/* Then the voter role, to an up standby or spare. */
	if (self_role == STORAGE_ROLE_VOTER && st.n_nodes > 3)
		hand_voter_role(c, &st, deadline);
}
