import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PASSWORD_MIN,
  changedFields,
  formValid,
  minLength,
  passwordChars,
  required,
  sameAs,
} from './formRules.js';
import { generatePassword } from './password.js';

const check = (rule, value) =>
  new Promise((resolve) => rule.validator({}, value, (err) => resolve(err?.message ?? null)));

describe('form rules', () => {
  it('required refuses blank text and empty lists', async () => {
    const rule = required('needed');
    expect(await check(rule, '  ')).toBe('needed');
    expect(await check(rule, [])).toBe('needed');
    expect(await check(rule, null)).toBe('needed');
    expect(await check(rule, 'x')).toBeNull();
    expect(await check(rule, 0)).toBeNull();
  });

  it('sameAs compares with the other field at validation time', async () => {
    const form = { password: 'a' };
    const rule = sameAs(() => form.password, 'differs');
    expect(await check(rule, 'b')).toBe('differs');
    form.password = 'b';
    expect(await check(rule, 'b')).toBeNull();
  });

  it('changedFields keeps what changed; id lists compare as sets', () => {
    const before = { name: 'A', title: '', department_ids: [1, 4], role_ids: [], status: 'active' };
    const after = {
      name: 'A',
      title: 'CEO',
      department_ids: [4, 1],
      role_ids: [2],
      status: 'active',
    };
    expect(changedFields(before, after, Object.keys(before))).toEqual({
      title: 'CEO',
      role_ids: [2],
    });
    expect(changedFields(before, { ...before }, Object.keys(before))).toEqual({});
  });
});

describe('generatePassword', () => {
  it('draws from the alphabet without look-alikes, at the length asked', () => {
    const pw = generatePassword(24);
    expect(pw).toHaveLength(24);
    expect(pw).toMatch(/^[a-kmnp-zA-HJ-NP-Z2-9]+$/);
  });

  it('skips bytes that would bias the choice', () => {
    // 56 letters: bytes from 224 up are dropped; 0 → 'a', 57 → 'b'.
    const bytes = [250, 0, 255, 57, 224, 1];
    const random = (array) => {
      array.fill(0).set(bytes.slice(0, array.length));
      return array;
    };
    expect(generatePassword(3, random)).toBe('abb');
  });
});

describe('minLength', () => {
  it('counts characters as creekd does (after NFC), not bytes', async () => {
    const rule = minLength(8, 'short');
    expect(await check(rule, 'abcdefg')).toBe('short');
    expect(await check(rule, 'abcdefgh')).toBeNull();
    expect(await check(rule, '密码好')).toBe('short'); // 9 bytes, 3 characters
    expect(await check(rule, '溪流春天的小荷花')).toBeNull(); // 8 characters
    expect(await check(rule, 'e\u0301'.repeat(4) + 'abc')).toBe('short'); // 11 code points
  });

  it('counts decomposed text as composed', () => {
    expect(passwordChars('e\u0301t\u00e9')).toBe(3);
    expect(passwordChars('\u1100\u1161\u11a8')).toBe(1); // 각 in conjoining jamo
    expect(passwordChars('q\u0301')).toBe(2); // no composed form: the mark is a code point
  });
});

// The cases creekd's tests read too (tests/unit/core/test_identity.c).
describe('password length (tests/cases/password_chars.json)', () => {
  const table = JSON.parse(
    readFileSync(new URL('../../../../tests/cases/password_chars.json', import.meta.url), 'utf8'),
  );

  it('has the same minimum and has cases', () => {
    expect(table.min).toBe(PASSWORD_MIN);
    expect(table.cases.length).toBeGreaterThan(0);
  });

  table.cases.forEach((c, i) => {
    it(`case ${i}: ${c.note}`, async () => {
      expect(passwordChars(c.password)).toBe(c.chars);
      expect(await check(minLength(table.min, 'short'), c.password)).toBe(
        c.chars < table.min ? 'short' : null,
      );
    });
  });
});

describe('formValid', () => {
  it('resolves true or false from el-form validation, for all or some fields', async () => {
    const form = {
      validate: () => Promise.resolve(true),
      validateField: (f) => (f === 'bad' ? Promise.reject(new Error('x')) : Promise.resolve(true)),
    };
    expect(await formValid(form)).toBe(true);
    expect(await formValid(form, 'name')).toBe(true);
    expect(await formValid(form, 'bad')).toBe(false);
    expect(await formValid({ validate: () => Promise.reject(new Error('x')) })).toBe(false);
    expect(await formValid(undefined)).toBe(false);
  });
});
