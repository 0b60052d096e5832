// Geometry and numbers of the small latency chart (components/LatencySparkline.vue), from the
// health samples of one node (GET /api/v1/cluster/health-samples). Pure, so it can be unit-tested.
//
// The chart is drawn in a fixed viewBox that the SVG stretches to its box: x is time across the
// window, y is latency from 0 (bottom) to a little above the highest sample. Reachable samples are
// joined by a line; the line breaks at unreachable samples (drawn as red bands) and where samples
// are missing for longer than gapMs.

export const CHART_WIDTH = 300;
export const CHART_HEIGHT = 40;
export const CHART_PAD = 3; // keeps the line's stroke inside the box at 0 and at the top
// Samples come every ~10 s; a longer silence is shown as a gap, not as a straight line across it.
export const CHART_GAP_MS = 25 * 1000;
// Narrowest down band, in viewBox units (one sample would otherwise be invisible).
const MIN_BAND_WIDTH = 2;
// The y scale never goes below this, so a flat 0.1 ms line does not fill the whole height.
const MIN_SCALE_MS = 1;

const round2 = (n) => Math.round(n * 100) / 100;
const isLatency = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isUp = (s) => s.reachable === true && isLatency(s.latency_ms);

/**
 * @param {Array<{at_ms: number, reachable: boolean, latency_ms: number | null}>} samples sorted by
 *   at_ms
 * @param {object} range
 * @param {number} range.fromMs window start (epoch ms), the left edge
 * @param {number} range.toMs window end, the right edge
 * @param {number} [range.gapMs]
 * @returns {{path: string, bands: Array<{x: number, width: number}>, scaleMs: number}} path: one
 *   SVG path, a subpath per run of reachable samples (a lone sample is a zero-length subpath,
 *   drawn as a dot by round line caps); bands: the unreachable stretches; scaleMs: latency at the
 *   top of the box
 */
export function buildLatencyChart(samples, { fromMs, toMs, gapMs = CHART_GAP_MS }) {
  const span = Math.max(1, toMs - fromMs);
  const inWindow = samples.filter((s) => s.at_ms >= fromMs && s.at_ms <= toMs);
  const highest = Math.max(0, ...inWindow.filter(isUp).map((s) => s.latency_ms));
  const scaleMs = Math.max(MIN_SCALE_MS, highest * 1.15);
  const x = (atMs) => round2(((atMs - fromMs) / span) * CHART_WIDTH);
  const y = (ms) =>
    round2(
      CHART_HEIGHT - CHART_PAD - (Math.min(ms, scaleMs) / scaleMs) * (CHART_HEIGHT - 2 * CHART_PAD),
    );

  const runs = []; // runs of reachable samples, each a list of "x,y"
  const bands = [];
  let run = null; // the run being extended
  let band = null; // the down band being extended
  let prevAt = null;

  for (const s of inWindow) {
    const gap = prevAt !== null && s.at_ms - prevAt > gapMs;
    prevAt = s.at_ms;
    if (isUp(s)) {
      band = null;
      if (!run || gap) runs.push((run = []));
      run.push(`${x(s.at_ms)},${y(s.latency_ms)}`);
    } else {
      run = null;
      if (band && !gap) band.end = s.at_ms;
      else bands.push((band = { start: s.at_ms, end: s.at_ms }));
    }
  }

  return {
    path: runs.map((r) => (r.length === 1 ? `M${r[0]}h0` : `M${r.join('L')}`)).join(''),
    bands: bands.map(({ start, end }) => {
      const width = Math.max(MIN_BAND_WIDTH, x(end) - x(start));
      const left = (x(start) + x(end) - width) / 2; // widened bands stay centred on their samples
      return {
        x: round2(Math.min(Math.max(0, left), CHART_WIDTH - width)),
        width: round2(width),
      };
    }),
    scaleMs,
  };
}

/**
 * @param {Array<{reachable: boolean, latency_ms: number | null}>} samples sorted by at_ms
 * @returns {{count: number, downCount: number, lastMs: number | null, lastUp: boolean,
 *   maxMs: number | null, avgMs: number | null}} lastMs/lastUp: the newest sample (lastMs null
 *   when it was unreachable or there is none); maxMs/avgMs over the reachable samples
 */
export function latencyStats(samples) {
  const up = samples.filter(isUp).map((s) => s.latency_ms);
  const last = samples.at(-1);
  const lastUp = last !== undefined && isUp(last);
  return {
    count: samples.length,
    downCount: samples.length - up.length,
    lastMs: lastUp ? last.latency_ms : null,
    lastUp,
    maxMs: up.length ? Math.max(...up) : null,
    avgMs: up.length ? up.reduce((a, b) => a + b, 0) / up.length : null,
  };
}

/** A latency number for display, with fewer decimals as it grows: 0.42, 12.5, 230. */
export function formatLatencyMs(ms) {
  if (!isLatency(ms)) return '';
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}
