// Shapes a cluster document (GET /api/v1/cluster) into the rows and the summary line of the
// ClusterNodes page. Pure: the translate functions are passed in, so it can be unit-tested.
import { formatDuration } from '../../utils/duration.js';

// Table order and tag colour of the roles; unknown roles sort last and are shown as sent.
const ROLES = ['voter', 'standby', 'spare'];
const ROLE_TAGS = { voter: 'primary', standby: 'warning', spare: 'info' };

/** Orders u64 ids sent as decimal strings numerically (shorter is smaller), others as text. */
export function compareNodeIds(a, b) {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const roleRank = (role) => {
  const i = ROLES.indexOf(role);
  return i === -1 ? ROLES.length : i;
};

/**
 * "How long ago this node last heard from it": 120 → "120 毫秒前", 65000 → "1 分钟 5 秒前",
 * null → "从未联系".
 * @param {number | null | undefined} ms
 * @param {Function} t vue-i18n's t
 */
export function formatLastContact(ms, t) {
  if (ms === null || ms === undefined) return t('cluster.never');
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return t('cluster.unknown');
  if (ms < 1000) return t('cluster.msAgo', { ms: Math.round(ms) });
  return t('cluster.ago', { duration: formatDuration(ms / 1000, t, { maxUnits: 2 }) });
}

/**
 * @param {object} cluster the cluster document
 * @param {{t: Function, te: Function}} i18n vue-i18n's t and te
 * @returns {Array<{id: string, address: string, role: string, roleLabel: string, roleTag: string,
 *   isLeader: boolean, isSelf: boolean, reachable: boolean, diskLow: boolean, statusLabel: string,
 *   statusTag: string, lastContact: string, version: string, failureDomain: string}>}
 *   one row per node, voters first, then standbys, then spares, each by id
 */
export function buildNodeRows(cluster, { t, te }) {
  const orUnknown = (value) =>
    value === null || value === undefined || value === '' ? t('cluster.unknown') : String(value);
  const leaderId = typeof cluster.leader_id === 'string' ? cluster.leader_id : '';

  return (cluster.nodes ?? [])
    .filter((node) => node !== null && typeof node === 'object')
    .map((node) => {
      const id = String(node.id ?? '');
      const role = typeof node.role === 'string' ? node.role : '';
      const roleKey = `cluster.roles.${role}`;
      const isSelf = id !== '' && id === cluster.self_id;
      const reachable = node.reachable === true;
      const diskLow = node.disk_low === true;
      let status = { label: t('cluster.offline'), tag: 'danger' };
      if (reachable && diskLow) status = { label: t('cluster.diskLow'), tag: 'warning' };
      else if (reachable) status = { label: t('cluster.online'), tag: 'success' };
      return {
        id,
        address: orUnknown(node.address),
        role,
        roleLabel: role && te(roleKey) ? t(roleKey) : orUnknown(role),
        roleTag: ROLE_TAGS[role] ?? 'info',
        isLeader: node.is_leader === true || (leaderId !== '' && id === leaderId),
        isSelf,
        reachable,
        diskLow,
        statusLabel: status.label,
        statusTag: status.tag,
        // "Since this node heard from itself" means nothing.
        lastContact: isSelf
          ? t('cluster.notApplicable')
          : formatLastContact(node.last_contact_ms, t),
        version: orUnknown(node.version),
        failureDomain: Number.isInteger(node.failure_domain)
          ? String(node.failure_domain)
          : t('cluster.unknown'),
      };
    })
    .sort((a, b) => roleRank(a.role) - roleRank(b.role) || compareNodeIds(a.id, b.id));
}

/**
 * The summary line: node count, leader, voters and standbys against the wanted numbers, nodes
 * online. An item with `tone` is highlighted in that colour (Element Plus type).
 * @param {object} cluster the cluster document
 * @param {ReturnType<typeof buildNodeRows>} rows
 * @param {{t: Function}} i18n
 * @returns {Array<{key: string, text: string, tone?: string}>}
 */
export function buildClusterSummary(cluster, rows, { t }) {
  const count = (role) => rows.filter((r) => r.role === role).length;
  const wanted = (n) => (Number.isInteger(n) ? n : '?');
  const leader = rows.find((r) => r.isLeader);
  const leaderId = typeof cluster.leader_id === 'string' ? cluster.leader_id : '';
  const online = rows.filter((r) => r.reachable).length;

  let leaderItem;
  if (leader) {
    leaderItem = { key: 'leader', text: t('cluster.summary.leader', { leader: leader.address }) };
  } else if (leaderId) {
    // A leader this node knows of but that is not in the list (membership still changing).
    leaderItem = { key: 'leader', text: t('cluster.summary.leader', { leader: leaderId }) };
  } else {
    leaderItem = { key: 'leader', text: t('cluster.summary.noLeader'), tone: 'danger' };
  }

  return [
    { key: 'nodes', text: t('cluster.summary.nodes', rows.length) },
    leaderItem,
    {
      key: 'voters',
      text: t('cluster.summary.voters', {
        count: count('voter'),
        wanted: wanted(cluster.voters_wanted),
      }),
    },
    {
      key: 'standbys',
      text: t('cluster.summary.standbys', {
        count: count('standby'),
        wanted: wanted(cluster.standbys_wanted),
      }),
    },
    {
      key: 'online',
      text: t('cluster.summary.online', { count: online, total: rows.length }),
      ...(online < rows.length ? { tone: 'danger' } : {}),
    },
  ];
}
