// Client-side checks of a field's value, mirroring what creekd refuses (forms contract, "Types"),
// so a person sees the problem at the field before submitting. The server stays the judge: its
// 400 names the field and RecordForm shows that message too. Messages come through vue-i18n's `t`
// (keys under `fields.errors.`). Pure.
import { formatNumber, precisionOf } from './format.js';
import { MAX_FILES, SIGNATURE_MAX_CHARS, hasValue, isEmpty, typeOf } from './types.js';

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Digits with spaces, dashes and brackets, an optional leading +: "+86 138-0013-8000", "(010) 1234".
export const PHONE_RE = /^\+?[0-9()][0-9\s()-]{2,30}$/;
export const LINK_RE = /^https?:\/\/[^\s/?#]+\S*$/i;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
/** Length in characters (code points), as a person counts them. */
const chars = (s) => [...s].length;

/** Digits after the decimal point of a number as JavaScript prints it. */
export function decimals(n) {
  if (Number.isInteger(n)) return 0;
  const [mantissa, exp] = String(n).split('e');
  const frac = (mantissa.split('.')[1] ?? '').length;
  return Math.max(0, frac - Number(exp ?? 0));
}

/** Whether "YYYY-MM-DD" names a real day. */
export function isDate(s) {
  const m = typeof s === 'string' ? DATE_RE.exec(s) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

export const isDateTime = (s) =>
  typeof s === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s));

/** The most characters a text-like value may have, or null for no limit. */
export function maxLengthOf(field) {
  const own = field?.options?.max_length;
  const cap = typeOf(field?.type)?.maxLength ?? null;
  if (Number.isInteger(own) && own > 0) return cap === null ? own : Math.min(own, cap);
  return cap;
}

// The checks of the types' rows (types.js: `validate`), on a value that is not empty:
// (field, value, t) => '' or the problem. Function declarations, so types.js may name them while
// the two modules load each other.

/** The length of a text (trimmed, or as it is for rich text) against the field's maximum. */
function lengthProblem(field, text, t) {
  const max = maxLengthOf(field);
  return max !== null && chars(text) > max ? t('fields.errors.maxLength', { n: max }) : '';
}

/** Text: a string within the field's length. */
export function checkText(field, value, t) {
  if (typeof value !== 'string') return t('fields.errors.text');
  return lengthProblem(field, value.trim(), t);
}

/** Rich text: a string (its HTML, untrimmed) within the field's length. */
export function checkRichText(field, value, t) {
  if (typeof value !== 'string') return t('fields.errors.text');
  return lengthProblem(field, value, t);
}

/** Text that must also match a pattern (email, phone, link). */
function checkPatterned(field, value, t, ok, key) {
  const problem = checkText(field, value, t);
  if (problem) return problem;
  return ok(value.trim()) ? '' : t(key);
}

export function checkEmail(field, value, t) {
  const ok = (text) => EMAIL_RE.test(text) && text.length <= 254;
  return checkPatterned(field, value, t, ok, 'fields.errors.email');
}

export function checkPhone(field, value, t) {
  const ok = (text) => PHONE_RE.test(text) && /\d{3}/.test(text.replace(/\D/g, ''));
  return checkPatterned(field, value, t, ok, 'fields.errors.phone');
}

export function checkLink(field, value, t) {
  const ok = (text) => LINK_RE.test(text) && URL.canParse?.(text) !== false;
  return checkPatterned(field, value, t, ok, 'fields.errors.link');
}

/** A number within the field's precision, minimum and maximum. */
export function checkNumber(field, value, t) {
  if (!isNum(value)) return t('fields.errors.number');
  const o = field.options ?? {};
  const p = precisionOf(field);
  if (decimals(value) > p) {
    return p === 0 ? t('fields.errors.integer') : t('fields.errors.precision', { n: p });
  }
  if (isNum(o.min) && value < o.min) {
    return t('fields.errors.min', { min: formatNumber(field, o.min) });
  }
  if (isNum(o.max) && value > o.max) {
    return t('fields.errors.max', { max: formatNumber(field, o.max) });
  }
  return '';
}

/** A duration: whole seconds, not negative. */
export function checkDuration(field, value, t) {
  if (!isNum(value)) return t('fields.errors.number');
  return Number.isInteger(value) && value >= 0 ? '' : t('fields.errors.duration');
}

/** A rating: a whole number from 0 to the field's maximum (5 unless set). */
export function checkRating(field, value, t) {
  if (!isNum(value)) return t('fields.errors.number');
  const max = Number.isInteger(field.options?.max) ? field.options.max : 5;
  return Number.isInteger(value) && value >= 0 && value <= max
    ? ''
    : t('fields.errors.rating', { max });
}

export function checkDate(field, value, t) {
  return isDate(value) ? '' : t('fields.errors.date');
}

export function checkDateTime(field, value, t) {
  return isDateTime(value) ? '' : t('fields.errors.datetime');
}

export function checkTimeRange(field, value, t) {
  if (typeof value !== 'object' || !isDateTime(value.start) || !isDateTime(value.end)) {
    return t('fields.errors.timeRange');
  }
  return Date.parse(value.end) < Date.parse(value.start) ? t('fields.errors.timeOrder') : '';
}

/** One choice: its id. */
export function checkChoice(field, value, t) {
  return typeof value === 'string' ? '' : t('fields.errors.choice');
}

/** Several choices: a list of ids. */
export function checkChoices(field, value, t) {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
    ? ''
    : t('fields.errors.choice');
}

/** Members or departments: an id, or a list of ids when the field takes several. */
export function checkIds(field, value, t) {
  const ids = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !field.options?.multiple) return t('fields.errors.one');
  return ids.every((id) => Number.isInteger(id) && id > 0) ? '' : t('fields.errors.choice');
}

export function checkFiles(field, value, t) {
  if (!Array.isArray(value)) return t('fields.errors.files');
  const max = Number.isInteger(field.options?.max_files) ? field.options.max_files : MAX_FILES;
  if (value.length > max) return t('fields.errors.maxFiles', { n: max }, max);
  const whole = (f) => f && typeof f.sha256 === 'string' && typeof f.name === 'string';
  return value.every(whole) ? '' : t('fields.errors.files');
}

export function checkLocation(field, value, t) {
  const { lat, lng } = value ?? {};
  const ok = isNum(lat) && isNum(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  return ok ? '' : t('fields.errors.location');
}

/** A sub-table's rows: each row's values checked by their own fields (serial numbers left out). */
export function checkSubtable(field, rows, t) {
  if (!Array.isArray(rows)) return t('fields.errors.rows');
  const inner = (field.options?.fields ?? []).filter(
    (f) => hasValue(f) && !typeOf(f.type)?.serverFilled,
  );
  for (let i = 0; i < rows.length; i++) {
    for (const f of inner) {
      const message = validateValue(f, rows[i]?.[f.id], t);
      if (message) return t('fields.errors.row', { n: i + 1, label: f.label, message });
    }
  }
  return '';
}

export function checkSignature(field, value, t) {
  return typeof value === 'string' &&
    value.startsWith('data:image/png;base64,') &&
    value.length <= SIGNATURE_MAX_CHARS
    ? ''
    : t('fields.errors.signature');
}

/** No rule beyond required (address, layout). */
export function checkNothing() {
  return '';
}

/**
 * The first problem with a field's value, '' when there is none. Checks required, then the
 * type's rules (text length, number range and precision, email, phone, link, dates, files,
 * coordinates, sub-table rows). Choice ids are not checked against the current choices: a record
 * may keep a choice that was removed since (the server accepts what it stored).
 * @param {object} field
 * @param {unknown} value
 * @param {(key: string, params?: object) => string} t vue-i18n's t
 */
export function validateValue(field, value, t) {
  const row = typeOf(field?.type);
  if (!row?.hasValue || row.serverFilled) return '';
  if (isEmpty(field, value)) return field.required ? t('fields.errors.required') : '';
  return row.validate(field, value, t);
}
