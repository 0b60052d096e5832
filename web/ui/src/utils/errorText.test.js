import { describe, expect, it } from 'vitest';
import { describeError, formErrorText } from './errorText.js';
import { ApiError } from '../api/client.js';

const t = (key, named) => (named ? `${key} ${JSON.stringify(named)}` : key);

describe('describeError', () => {
  it('explains client-side codes and keeps the original message', () => {
    const err = new ApiError({ status: 0, code: 'network', message: 'Failed to fetch' });
    expect(describeError(err, t)).toEqual({
      summary: 'errors.network',
      detail: 'errors.detail {"message":"Failed to fetch","code":"network"}',
    });
  });

  it('shows the server message and code of a Creek error', () => {
    const err = new ApiError({ status: 500, code: 'internal', message: 'boom' });
    const { summary, detail } = describeError(err, t);
    expect(summary).toBe('errors.server {"status":500}');
    expect(detail).toContain('"message":"boom"');
  });

  it('handles errors that are not ApiErrors', () => {
    expect(describeError(new Error('oops'), t)).toEqual({
      summary: 'errors.unexpected',
      detail: 'oops',
    });
  });
});

describe('formErrorText', () => {
  it('puts the server reason after the code meaning', () => {
    const err = new ApiError({ status: 409, code: 'conflict', message: "login 'alice' is taken" });
    expect(formErrorText(err, t)).toBe(
      'errors.withReason {"summary":"errors.codes.conflict","reason":"login \'alice\' is taken"}',
    );
  });

  it('uses the code meaning alone when the message only repeats the code', () => {
    expect(formErrorText(new ApiError({ status: 403, code: 'denied', message: 'denied' }), t)).toBe(
      'errors.codes.denied',
    );
  });

  it('explains client-side failures and unknown errors', () => {
    expect(formErrorText(new ApiError({ status: 0, code: 'network', message: 'x' }), t)).toBe(
      'errors.network',
    );
    expect(formErrorText(new ApiError({ status: 502, code: 'http_502', message: '' }), t)).toBe(
      'errors.server {"status":502}',
    );
    expect(formErrorText(new Error(''), t)).toBe('errors.unexpected');
  });
});
