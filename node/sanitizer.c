/* node/sanitizer.c: LeakSanitizer's default suppressions for creekd and
 * creekctl (ASan builds only; empty otherwise).
 *
 * dqlite_node_recover_ext() (creekctl cluster recover, and a one-node
 * store following a new cluster-address) allocates a raft instance of its
 * own and never frees it; the allocations are made inside dqlite and raft,
 * and the short stacks LSan records for them (dqlite is built without
 * frame pointers) show only raft's and libuv's functions. Nothing of
 * Creek's own is suppressed. */
#if defined(__SANITIZE_ADDRESS__)
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:raft_init\n"
	       "leak:raft_uv_init\n"
	       "leak:raftInitCallbacks\n"
	       "leak:logInit\n"
	       "leak:uv_loop_init\n"
	       "leak:libuv.so.1\n";
}
#else
typedef int node_sanitizer_unused; /* ISO C: a translation unit is not empty */
#endif
