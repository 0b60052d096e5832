// Client-side checks of a field's value, mirroring what creekd refuses (forms contract, "Types"),
// so a person sees the problem at the field before submitting. The server stays the judge: its
// 400 names the field and RecordForm shows that message too. Messages come through vue-i18n's `t`
// (keys under `fields.errors.`). Pure.
import { formatNumber, precisionOf } from './format.js';
import {
  MAX_FILES,
  SIGNATURE_MAX_CHARS,
  TEXTAREA_MAX_LENGTH,
  TEXT_MAX_LENGTH,
  hasValue,
  isEmpty,
} from './types.js';

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
  const cap = { text: TEXT_MAX_LENGTH, textarea: TEXTAREA_MAX_LENGTH }[field?.type] ?? null;
  if (Number.isInteger(own) && own > 0) return cap === null ? own : Math.min(own, cap);
  return cap;
}

function checkText(field, value, t) {
  if (typeof value !== 'string') return t('fields.errors.text');
  const text = field.type === 'richtext' ? value : value.trim();
  const max = maxLengthOf(field);
  if (max !== null && chars(text) > max) return t('fields.errors.maxLength', { n: max });
  switch (field.type) {
    case 'email':
      return EMAIL_RE.test(text) && text.length <= 254 ? '' : t('fields.errors.email');
    case 'phone':
      return PHONE_RE.test(text) && /\d{3}/.test(text.replace(/\D/g, ''))
        ? ''
        : t('fields.errors.phone');
    case 'link':
      return LINK_RE.test(text) && URL.canParse?.(text) !== false ? '' : t('fields.errors.link');
    default:
      return '';
  }
}

function checkNumber(field, value, t) {
  if (!isNum(value)) return t('fields.errors.number');
  const o = field.options ?? {};
  if (field.type === 'duration') {
    return Number.isInteger(value) && value >= 0 ? '' : t('fields.errors.duration');
  }
  if (field.type === 'rating') {
    const max = Number.isInteger(o.max) ? o.max : 5;
    return Number.isInteger(value) && value >= 0 && value <= max
      ? ''
      : t('fields.errors.rating', { max });
  }
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

function checkTimeRange(value, t) {
  if (typeof value !== 'object' || !isDateTime(value.start) || !isDateTime(value.end)) {
    return t('fields.errors.timeRange');
  }
  return Date.parse(value.end) < Date.parse(value.start) ? t('fields.errors.timeOrder') : '';
}

function checkIds(field, value, t) {
  const ids = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !field.options?.multiple) return t('fields.errors.one');
  return ids.every((id) => Number.isInteger(id) && id > 0) ? '' : t('fields.errors.choice');
}

function checkFiles(field, value, t) {
  if (!Array.isArray(value)) return t('fields.errors.files');
  const max = Number.isInteger(field.options?.max_files) ? field.options.max_files : MAX_FILES;
  if (value.length > max) return t('fields.errors.maxFiles', { n: max }, max);
  const whole = (f) => f && typeof f.sha256 === 'string' && typeof f.name === 'string';
  return value.every(whole) ? '' : t('fields.errors.files');
}

function checkLocation(value, t) {
  const { lat, lng } = value ?? {};
  const ok = isNum(lat) && isNum(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  return ok ? '' : t('fields.errors.location');
}

function checkSubtable(field, rows, t) {
  if (!Array.isArray(rows)) return t('fields.errors.rows');
  const inner = (field.options?.fields ?? []).filter((f) => hasValue(f) && f.type !== 'serial');
  for (let i = 0; i < rows.length; i++) {
    for (const f of inner) {
      const message = validateValue(f, rows[i]?.[f.id], t);
      if (message) return t('fields.errors.row', { n: i + 1, label: f.label, message });
    }
  }
  return '';
}

function checkByType(field, value, t) {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'richtext':
    case 'email':
    case 'phone':
    case 'link':
    case 'barcode':
      return checkText(field, value, t);
    case 'number':
    case 'money':
    case 'percent':
    case 'duration':
    case 'rating':
      return checkNumber(field, value, t);
    case 'date':
      return isDate(value) ? '' : t('fields.errors.date');
    case 'datetime':
      return isDateTime(value) ? '' : t('fields.errors.datetime');
    case 'timerange':
      return checkTimeRange(value, t);
    case 'radio':
    case 'select':
      return typeof value === 'string' ? '' : t('fields.errors.choice');
    case 'checkbox':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? ''
        : t('fields.errors.choice');
    case 'member':
    case 'department':
      return checkIds(field, value, t);
    case 'attachment':
    case 'image':
      return checkFiles(field, value, t);
    case 'location':
      return checkLocation(value, t);
    case 'subtable':
      return checkSubtable(field, value, t);
    case 'signature':
      return typeof value === 'string' &&
        value.startsWith('data:image/png;base64,') &&
        value.length <= SIGNATURE_MAX_CHARS
        ? ''
        : t('fields.errors.signature');
    default:
      return '';
  }
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
  if (!hasValue(field) || field.type === 'serial') return '';
  if (isEmpty(field, value)) return field.required ? t('fields.errors.required') : '';
  return checkByType(field, value, t);
}
