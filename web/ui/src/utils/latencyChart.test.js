import { describe, expect, it } from 'vitest';
import {
  CHART_HEIGHT,
  CHART_PAD,
  CHART_WIDTH,
  buildLatencyChart,
  formatLatencyMs,
  latencyStats,
} from './latencyChart.js';

const up = (atS, ms) => ({ node_id: '1', at_ms: atS * 1000, reachable: true, latency_ms: ms });
const down = (atS) => ({ node_id: '1', at_ms: atS * 1000, reachable: false, latency_ms: null });
// A 300 s window maps 1 s to 1 viewBox unit (CHART_WIDTH is 300).
const RANGE = { fromMs: 0, toMs: 300 * 1000 };

describe('buildLatencyChart', () => {
  it('joins reachable samples into one line scaled to the highest latency', () => {
    const chart = buildLatencyChart([up(0, 0), up(10, 1), up(20, 2)], RANGE);
    expect(CHART_WIDTH).toBe(300);
    expect(chart.scaleMs).toBeCloseTo(2.3);
    const bottom = CHART_HEIGHT - CHART_PAD;
    const top = Math.round((bottom - (2 / 2.3) * (CHART_HEIGHT - 2 * CHART_PAD)) * 100) / 100;
    expect(chart.path).toMatch(new RegExp(`^M0,${bottom}L10,[\\d.]+L20,${top}$`));
    expect(chart.bands).toEqual([]);
  });

  it('breaks the line at unreachable samples and draws them as bands', () => {
    const chart = buildLatencyChart(
      [up(0, 1), up(10, 1), down(20), down(30), down(40), up(50, 1), up(60, 1), down(70)],
      RANGE,
    );
    expect(chart.path.match(/M/g)).toHaveLength(2);
    expect(chart.path).toContain('L10,');
    expect(chart.path).toContain('M50,');
    expect(chart.bands).toEqual([
      { x: 20, width: 20 },
      { x: 69, width: 2 }, // one sample: widened to the minimum, centred on it
    ]);
  });

  it('breaks the line where samples are missing, and shows a lone sample as a dot', () => {
    const chart = buildLatencyChart([up(0, 1), up(10, 1), up(100, 1), up(200, 1)], RANGE);
    const subpaths = chart.path.split('M').filter(Boolean);
    expect(subpaths).toHaveLength(3);
    expect(subpaths[1]).toMatch(/^100,[\d.]+h0$/);
    expect(subpaths[2]).toMatch(/^200,[\d.]+h0$/);
  });

  it('starts a new band after a silence between unreachable samples', () => {
    const chart = buildLatencyChart([down(0), down(10), down(100)], RANGE);
    expect(chart.bands).toHaveLength(2);
    expect(chart.bands[0]).toEqual({ x: 0, width: 10 });
    expect(chart.path).toBe('');
  });

  it('ignores samples outside the window and keeps edge bands inside the box', () => {
    const chart = buildLatencyChart([up(-10, 50), down(300), up(400, 50)], RANGE);
    expect(chart.scaleMs).toBe(1);
    expect(chart.bands).toEqual([{ x: 298, width: 2 }]);
  });

  it('treats a reachable sample without a latency as unreachable', () => {
    const odd = { node_id: '1', at_ms: 5000, reachable: true, latency_ms: null };
    expect(buildLatencyChart([odd], RANGE).bands).toHaveLength(1);
  });
});

describe('latencyStats', () => {
  it('summarises the newest, highest and average latency and the outages', () => {
    expect(latencyStats([up(0, 1), down(10), up(20, 3)])).toEqual({
      count: 3,
      downCount: 1,
      lastMs: 3,
      lastUp: true,
      maxMs: 3,
      avgMs: 2,
    });
    expect(latencyStats([up(0, 1), down(10)])).toMatchObject({ lastMs: null, lastUp: false });
    expect(latencyStats([])).toEqual({
      count: 0,
      downCount: 0,
      lastMs: null,
      lastUp: false,
      maxMs: null,
      avgMs: null,
    });
  });
});

describe('formatLatencyMs', () => {
  it('uses fewer decimals for larger numbers', () => {
    expect(formatLatencyMs(0.424)).toBe('0.42');
    expect(formatLatencyMs(12.54)).toBe('12.5');
    expect(formatLatencyMs(230.4)).toBe('230');
    expect(formatLatencyMs(null)).toBe('');
  });
});
