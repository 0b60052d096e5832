import { describe, expect, it } from 'vitest';
import { withOption } from './withOption.js';

describe('withOption', () => {
  it('sets a key on a copy and leaves empty values out', () => {
    const options = { precision: 2, unit: 'kg' };
    expect(withOption(options, 'min', 0)).toEqual({ precision: 2, unit: 'kg', min: 0 });
    expect(withOption(options, 'unit', '')).toEqual({ precision: 2 });
    expect(withOption(options, 'unit', null)).toEqual({ precision: 2 });
    expect(withOption(options, 'precision', undefined)).toEqual({ unit: 'kg' });
    expect(options).toEqual({ precision: 2, unit: 'kg' }); // untouched
  });
});
