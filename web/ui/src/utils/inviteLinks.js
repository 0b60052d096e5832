// Invite links: the join URL a token turns into, and the state of a link for the list.

/**
 * The URL shown and encoded as QR: this console's own address with the invite route,
 * `<origin><path>#/invite/<token>` (the path keeps a reverse-proxy prefix).
 * @param {string} token
 * @param {{origin: string, pathname: string}} [loc] window.location
 */
export function inviteUrl(token, loc = globalThis.location) {
  return `${loc.origin}${loc.pathname}#/invite/${encodeURIComponent(token)}`;
}

/**
 * @param {{revoked?: boolean, expires_at?: string, max_uses?: number, uses?: number}} link
 * @param {number} nowMs
 * @returns {'revoked' | 'expired' | 'used_up' | 'active'}
 */
export function inviteLinkState(link, nowMs) {
  if (link.revoked === true) return 'revoked';
  const expires = Date.parse(link.expires_at ?? '');
  if (!Number.isNaN(expires) && expires <= nowMs) return 'expired';
  if (Number.isInteger(link.max_uses) && link.max_uses > 0 && (link.uses ?? 0) >= link.max_uses) {
    return 'used_up';
  }
  return 'active';
}

export const DEFAULT_TTL_HOURS = 168;
/** creekd's default too: a leaked link lets in a few people, not a crowd. */
export const DEFAULT_MAX_USES = 20;
export const MAX_TTL_HOURS = 24 * 365;
