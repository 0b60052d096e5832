import { describe, expect, it } from 'vitest';
import { isWrongCurrent, passwordChangeRules } from './usePasswordChange.js';

describe('usePasswordChange', () => {
  it('reads a 403 about the current password, or a 401, as a wrong current password', () => {
    expect(isWrongCurrent({ status: 403, message: 'the current password is wrong' })).toBe(true);
    expect(isWrongCurrent({ status: 401, message: 'sign in' })).toBe(true);
    expect(isWrongCurrent({ status: 403, message: 'you may not' })).toBe(false);
    expect(isWrongCurrent(null)).toBe(false);
  });

  it('checks that the new password is typed twice alike', () => {
    const form = { current: '', next: '', again: '' };
    const rules = passwordChangeRules((key) => key, form);
    expect(Object.keys(rules)).toEqual(['current', 'next', 'again']);
    const same = rules.again.at(-1);
    form.next = 'one-password';
    const results = [];
    same.validator(same, 'another-one', (e) => results.push(e));
    same.validator(same, 'one-password', (e) => results.push(e));
    expect(results[0]).toBeInstanceOf(Error);
    expect(results[1]).toBeUndefined();
  });
});
