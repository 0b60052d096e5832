import { describe, expect, it } from 'vitest';
import { describeError } from './errorText.js';
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
