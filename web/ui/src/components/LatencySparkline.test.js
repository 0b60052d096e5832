import { describe, expect, it } from 'vitest';
import { createSSRApp, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import LatencySparkline from './LatencySparkline.vue';
import { i18n } from '../i18n/index.js';

// Rendered on the server side (the tests run without a DOM): the markup is what the browser gets.
async function render(props, locale = 'zh-CN') {
  const before = i18n.global.locale.value;
  i18n.global.locale.value = locale;
  try {
    const app = createSSRApp({ render: () => h(LatencySparkline, props) });
    app.use(i18n);
    return await renderToString(app);
  } finally {
    i18n.global.locale.value = before;
  }
}

const count = (html, test) => html.split(`data-test="${test}"`).length - 1;
const caption = (html) => html.match(/data-test="latency-caption"[^>]*>([^<]*)</)[1];
const label = (html) => html.match(/aria-label="([^"]*)"/)[1];

const up = (atS, ms) => ({ node_id: '1', at_ms: atS * 1000, reachable: true, latency_ms: ms });
const down = (atS) => ({ node_id: '1', at_ms: atS * 1000, reachable: false, latency_ms: null });
const RANGE = { fromMs: 0, toMs: 300 * 1000 };

describe('LatencySparkline', () => {
  it('draws a line and the newest latency', async () => {
    const html = await render({ samples: [up(0, 1), up(10, 2.5)], ...RANGE });
    expect(html).toContain('viewBox="0 0 300 40"');
    expect(count(html, 'latency-line')).toBe(1);
    expect(count(html, 'latency-down')).toBe(0);
    expect(caption(html)).toBe('2.50 毫秒');
    expect(label(html)).toBe('最近 30 分钟的延迟：当前 2.50 毫秒，平均 1.75 毫秒，最高 2.50 毫秒');
    expect(html).not.toContain('is-down');
    expect(html).not.toContain('style=');
  });

  it('marks unreachable samples and an unreachable node', async () => {
    const html = await render({ samples: [up(0, 1), down(10), down(20)], ...RANGE }, 'en');
    expect(count(html, 'latency-down')).toBe(1);
    expect(caption(html)).toBe('Unreachable');
    expect(html).toContain('sparkline is-down');
    expect(label(html)).toBe(
      'Latency over the last 30 minutes: unreachable now, average 1.00 ms, max 1.00 ms, unreachable 2 times',
    );
  });

  it('says when there is no data', async () => {
    const html = await render({ samples: [], ...RANGE }, 'en');
    expect(count(html, 'latency-line')).toBe(0);
    expect(caption(html)).toBe('No data');
    expect(label(html)).toBe('Latency over the last 30 minutes: No data');
  });
});
