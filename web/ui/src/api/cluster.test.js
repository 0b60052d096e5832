import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './client.js';
import { getCluster, getHealthSamples } from './cluster.js';

function jsonResponse(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function stubFetch(impl) {
  const fetchMock = vi.fn(impl);
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

const CLUSTER = {
  self_id: '4242',
  leader_id: '1',
  voters_wanted: 3,
  standbys_wanted: 3,
  nodes: [
    {
      id: '1',
      address: '10.0.0.1:9443',
      role: 'voter',
      is_leader: true,
      reachable: true,
      last_contact_ms: 120,
      version: '0.1.0',
      failure_domain: 0,
    },
  ],
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('getCluster', () => {
  it('GETs /api/v1/cluster and returns the document', async () => {
    const fetchMock = stubFetch(async () => jsonResponse(200, CLUSTER));
    await expect(getCluster()).resolves.toEqual(CLUSTER);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/cluster');
    expect(init.method).toBe('GET');
  });

  it('turns 503 without a leader into an ApiError with the server message', async () => {
    stubFetch(async () =>
      jsonResponse(503, { error: { code: 'unavailable', message: 'the store has no leader' } }),
    );
    const err = await rejection(getCluster());
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: 'unavailable' });
    expect(err.message).toBe('the store has no leader');
  });

  it('reports a body without a nodes list as bad_response', async () => {
    for (const body of [{ self_id: '1' }, { nodes: {} }, null]) {
      stubFetch(async () => jsonResponse(200, body));
      const err = await rejection(getCluster());
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe('bad_response');
    }
  });
});

describe('getHealthSamples', () => {
  it('asks for the samples since a whole-millisecond time and returns the list', async () => {
    const samples = [{ node_id: '1', at_ms: 1764300000000, reachable: true, latency_ms: 1.8 }];
    const fetchMock = stubFetch(async () => jsonResponse(200, { samples }));
    await expect(getHealthSamples(1764299999999.7)).resolves.toEqual(samples);
    expect(fetchMock.mock.calls[0][0]).toBe(
      '/api/v1/cluster/health-samples?since_ms=1764299999999',
    );
  });

  it('never asks for a negative time', async () => {
    const fetchMock = stubFetch(async () => jsonResponse(200, { samples: [] }));
    await getHealthSamples(-5);
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/cluster/health-samples?since_ms=0');
  });

  it('reports a body without a samples list as bad_response', async () => {
    stubFetch(async () => jsonResponse(200, { samples: 'none' }));
    expect((await rejection(getHealthSamples(0))).code).toBe('bad_response');
  });
});
