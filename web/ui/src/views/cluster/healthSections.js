// Shapes a health document (GET /api/v1/health) into the cards of the NodeHealth page.
// Pure: the translate functions are passed in, so it can be unit-tested.

/**
 * @param {object} health the health document
 * @param {{t: Function, te: Function}} i18n vue-i18n's t and te
 * @returns {Array<{key: string, test?: string, rows: Array<{key: string, value: string,
 *   test?: string, mono?: boolean, tag?: string}>}>} one entry per card; the card title is
 *   `health.sections.<key>`, a row label `health.fields.<key>`; a row with `tag` is shown as an
 *   el-tag of that type
 */
export function buildHealthSections(health, { t, te }) {
  const known = (prefix, value) => {
    const key = `${prefix}.${value}`;
    return typeof value === 'string' && te(key) ? t(key) : null;
  };
  const orUnknown = (value) =>
    value === null || value === undefined || value === '' ? t('health.unknown') : String(value);

  const node = health.node ?? {};
  const leader = health.leader ?? null;
  const store = health.store ?? {};
  const version = health.version ?? {};
  const latency = store.latency_ms;
  const model = health.read_model ?? null;
  const count = (n) => (typeof n === 'number' && Number.isFinite(n) ? n : null);

  const sections = [
    {
      key: 'node',
      rows: [
        { key: 'nodeId', value: orUnknown(node.id), test: 'health-node-id', mono: true },
        { key: 'address', value: orUnknown(node.address), test: 'health-node-address', mono: true },
        {
          key: 'role',
          value: known('health.roles', node.role) ?? orUnknown(node.role),
          test: 'health-role',
        },
        {
          key: 'isLeader',
          value: node.is_leader ? t('health.yes') : t('health.no'),
          tag: node.is_leader ? 'success' : 'info',
          test: 'health-is-leader',
        },
      ],
    },
    {
      key: 'leader',
      rows: [
        {
          key: 'leaderId',
          value: leader ? orUnknown(leader.id) : t('health.none'),
          test: 'health-leader-id',
          mono: !!leader,
        },
        {
          key: 'leaderAddress',
          value: leader ? orUnknown(leader.address) : t('health.none'),
          test: 'health-leader',
          mono: !!leader,
        },
      ],
    },
    {
      key: 'store',
      test: 'health-store',
      rows: [
        {
          key: 'reachable',
          value: store.reachable ? t('health.reachable') : t('health.unreachable'),
          tag: store.reachable ? 'success' : 'danger',
          test: 'health-store-reachable',
        },
        {
          key: 'latency',
          value:
            typeof latency === 'number' && Number.isFinite(latency)
              ? t('health.latencyMs', { ms: latency.toFixed(2) })
              : t('health.unknown'),
          test: 'health-store-latency',
        },
      ],
    },
    {
      key: 'versions',
      rows: ['creek', 'dqlite', 'raft'].map((name) => ({
        key: name,
        value: orUnknown(version[name]),
        test: `health-version-${name}`,
        mono: true,
      })),
    },
  ];
  // The read model (lists, searches and counts on this node): how many
  // changes of the store it has not applied yet, and how many workspaces'
  // models are being built (their reads go to the leader meanwhile).
  if (model) {
    const lag = count(model.lag);
    const building = count(model.building);
    sections.splice(3, 0, {
      key: 'readModel',
      test: 'health-read-model',
      rows: [
        {
          key: 'modelLag',
          value: lag === null ? t('health.unknown') : t('health.changesBehind', { n: lag }),
          tag: lag === null ? 'info' : lag === 0 ? 'success' : 'warning',
          test: 'health-read-model-lag',
        },
        {
          key: 'modelBuilding',
          value:
            building === null
              ? t('health.unknown')
              : building === 0
                ? t('health.none')
                : t('health.workspacesBuilding', { n: building }),
          tag: building ? 'warning' : undefined,
          test: 'health-read-model-building',
        },
      ],
    });
  }
  return sections;
}

/** The translated status label: 正常 / 异常 (ok / degraded), or unknown for anything else. */
export function healthStatusLabel(status, { t, te }) {
  const key = `health.status.${status}`;
  return typeof status === 'string' && te(key) ? t(key) : t('health.status.unknown');
}
