import { apiGet } from './client.js';

/**
 * GET /api/v1/health. creekd answers 503 when the store is unreachable, with the same health
 * document (status "degraded"), so 503 is a result here, not an error.
 * @returns {Promise<object>} the health document
 */
export function getHealth(options = {}) {
  return apiGet('/api/v1/health', { ...options, acceptStatus: [503] });
}
