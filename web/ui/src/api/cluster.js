import { ApiError, apiGet } from './client.js';

// The cluster console's two reads. Both answer with Creek's error shape on failure (503
// "unavailable" while the store has no leader); a 2xx body without the expected list is reported
// as bad_response, so the pages can rely on `nodes` and `samples` being arrays.

function badResponse(path, what) {
  return new ApiError({ status: 200, code: 'bad_response', message: `${path}: ${what}` });
}

/**
 * GET /api/v1/cluster: every node of the cluster as seen by the node serving the UI.
 * @returns {Promise<{self_id: string, leader_id: string, voters_wanted: number,
 *   standbys_wanted: number, nodes: object[]}>}
 */
export async function getCluster(options = {}) {
  const path = '/api/v1/cluster';
  const body = await apiGet(path, options);
  if (!Array.isArray(body?.nodes)) throw badResponse(path, 'no "nodes" list');
  return body;
}

/**
 * GET /api/v1/cluster/health-samples?since_ms=…: the reachability and latency samples taken since
 * that time (epoch ms), sorted by at_ms.
 * @param {number} sinceMs
 * @returns {Promise<Array<{node_id: string, at_ms: number, reachable: boolean,
 *   latency_ms: number | null}>>}
 */
export async function getHealthSamples(sinceMs, options = {}) {
  const since = Math.max(0, Math.floor(sinceMs));
  const path = `/api/v1/cluster/health-samples?since_ms=${since}`;
  const body = await apiGet(path, options);
  if (!Array.isArray(body?.samples)) throw badResponse(path, 'no "samples" list');
  return body.samples;
}
