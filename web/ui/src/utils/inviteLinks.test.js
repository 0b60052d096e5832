import { describe, expect, it } from 'vitest';
import { inviteLinkState, inviteUrl } from './inviteLinks.js';

describe('invite links', () => {
  it('inviteUrl keeps the origin and path of the console', () => {
    expect(inviteUrl('abc', { origin: 'https://creek.example', pathname: '/' })).toBe(
      'https://creek.example/#/invite/abc',
    );
    expect(inviteUrl('a+b/c', { origin: 'http://10.0.0.1:8080', pathname: '/creek/' })).toBe(
      'http://10.0.0.1:8080/creek/#/invite/a%2Bb%2Fc',
    );
  });

  it('inviteLinkState: revoked, expired, used up, or active', () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    const future = '2026-11-29T12:00:00Z';
    const past = '2026-11-28T11:59:59Z';
    expect(inviteLinkState({ revoked: true, expires_at: future }, now)).toBe('revoked');
    expect(inviteLinkState({ expires_at: past, uses: 0, max_uses: 0 }, now)).toBe('expired');
    expect(inviteLinkState({ expires_at: future, uses: 5, max_uses: 5 }, now)).toBe('used_up');
    expect(inviteLinkState({ expires_at: future, uses: 99, max_uses: 0 }, now)).toBe('active');
    expect(inviteLinkState({ expires_at: future, uses: 1, max_uses: 5 }, now)).toBe('active');
  });
});
