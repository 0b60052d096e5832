// Field values as plain text: for table cells, history lines, cards and anything CSV-like. The
// rich display (links, thumbnails, stars) is FieldValue.vue; this is its text-only twin. Text
// comes through the translate function `t` of vue-i18n (keys under `fields.value.`). Pure.
import { formatDuration } from '../utils/duration.js';
import { systemField, typeOf } from './types.js';

const CURRENCY_SYMBOLS = { CNY: '¥', USD: '$', EUR: '€', GBP: '£', JPY: 'JP¥', HKD: 'HK$' };

const pad = (n) => String(n).padStart(2, '0');
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** A field's precision (0..10, default 2; rating and duration are whole numbers). */
export function precisionOf(field) {
  const fixed = typeOf(field?.type)?.precision;
  if (Number.isInteger(fixed)) return fixed;
  const p = field?.options?.precision;
  return Number.isInteger(p) && p >= 0 && p <= 10 ? p : 2;
}

/** The symbol shown before an amount ('¥' for CNY), or the code and a space. */
export function currencyPrefix(code) {
  if (!code) return '';
  return CURRENCY_SYMBOLS[code] ?? `${code} `;
}

/**
 * A number of a number-like field with its precision, unit, currency or percent sign:
 * 1234.5 → "¥1,234.50" (money), "12.50%" (percent), "3.00 kg" (number with unit).
 */
export function formatNumber(field, value) {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return '';
  const p = precisionOf(field);
  const style = typeOf(field?.type)?.numberStyle;
  const grouped = style === 'money';
  const text = n.toLocaleString('en-US', {
    minimumFractionDigits: p,
    maximumFractionDigits: p,
    useGrouping: grouped,
  });
  const unit = field?.options?.unit ? ` ${field.options.unit}` : '';
  if (style === 'money') return `${currencyPrefix(field.options?.currency)}${text}${unit}`;
  if (style === 'percent') return `${text}%`;
  return `${text}${unit}`;
}

/** Bytes as "980 B", "12.3 KB", "4.5 MB". */
export function formatBytes(bytes) {
  if (!isNum(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** An RFC 3339 time in the browser's time zone, "2026-11-28 09:30"; '' if unreadable. */
export function formatDateTime(value) {
  if (typeof value !== 'string' || value === '') return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A choice's label, or null when the id is no choice of the field (removed since the record was
 * saved: callers show the id, greyed).
 */
export function choiceLabel(field, id) {
  const choice = (field?.options?.choices ?? []).find((c) => c.id === id);
  return choice ? choice.label : null;
}

/** A member's or department's name from the answer's refs; `#id` when refs do not name it. */
export function refName(refs, kind, value) {
  if (value !== null && typeof value === 'object') return value.name ?? `#${value.id}`;
  const name = refs?.[kind]?.[String(value)];
  return typeof name === 'string' ? name : `#${value}`;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/** Rich text (HTML) as plain text: block ends become spaces, tags go, entities are decoded. */
export function htmlToText(html) {
  if (typeof html !== 'string') return '';
  return html
    .replace(/<(br|\/p|\/div|\/li|\/h\d)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e) => ENTITIES[e])
    .replace(/\s+/g, ' ')
    .trim();
}

/** Coordinates as "31.230416, 121.473701". */
export const formatCoordinates = (lat, lng) =>
  isNum(lat) && isNum(lng) ? `${+lat.toFixed(6)}, ${+lng.toFixed(6)}` : '';

/** An address as "广东省 深圳市 南山区 科技园路 1 号". */
export function formatAddress(value) {
  if (!value || typeof value !== 'object') return '';
  const region = Array.isArray(value.region) ? value.region.filter(Boolean) : [];
  return [...region, value.detail ?? ''].filter((s) => String(s).trim() !== '').join(' ');
}

const list = (v) => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

// The formatters of the types' rows (types.js: `format`), on a value that is not empty:
// (field, value, refs, t) => text. Function declarations, so types.js may name them while the two
// modules load each other. formatNumber, formatDateTime and htmlToText above serve as some.

/** Any value as it is: text, or JSON for an object. */
export function formatPlain(field, value) {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function formatString(field, value) {
  return String(value);
}

export function formatDateTimeValue(field, value) {
  return formatDateTime(value);
}

export function formatRichText(field, value) {
  return htmlToText(value);
}

export function formatDurationValue(field, value, refs, t) {
  return isNum(value) ? formatDuration(value, t) : '';
}

export function formatRating(field, value) {
  return isNum(value) ? `${value}/${field.options?.max ?? 5}` : '';
}

export function formatTimeRange(field, value) {
  return `${formatDateTime(value?.start)} ~ ${formatDateTime(value?.end)}`;
}

export function formatChoices(field, value, refs, t) {
  return list(value)
    .map((id) => choiceLabel(field, id) ?? String(id))
    .join(t('fields.value.separator'));
}

/** Members or departments by name, from the refs the type's row names (refKind). */
export function formatPeople(field, value, refs, t) {
  const kind = typeOf(field.type)?.refKind;
  return list(value)
    .map((id) => refName(refs, kind, id))
    .join(t('fields.value.separator'));
}

export function formatFiles(field, value, refs, t) {
  return list(value)
    .map((f) => f?.name ?? '')
    .join(t('fields.value.separator'));
}

export function formatAddressValue(field, value) {
  return formatAddress(value);
}

export function formatLocation(field, value) {
  const coords = formatCoordinates(value?.lat, value?.lng);
  return value?.label ? `${value.label} (${coords})` : coords;
}

export function formatRows(field, value, refs, t) {
  return t('fields.value.rows', list(value).length);
}

export function formatSigned(field, value, refs, t) {
  return t('fields.value.signed');
}

function formatByType(field, value, refs, t) {
  return (typeOf(field.type)?.format ?? formatPlain)(field, value, refs, t);
}

/**
 * A value as plain text ('' when empty).
 * @param {object} field the field (a system field by its id: _created_at, _created_by, ...)
 * @param {unknown} value
 * @param {{members?: object, departments?: object}} refs names of ids (from the API answer)
 * @param {(key: string, params?: object | number) => string} t vue-i18n's t
 */
export function formatValue(field, value, refs, t) {
  if (value === null || value === undefined || value === '') return '';
  const system = systemField(field?.id);
  if (system) {
    const pseudo = { id: field.id, type: system.valueType, options: { precision: 0 } };
    return formatByType(pseudo, value, refs, t);
  }
  if (!typeOf(field?.type)?.hasValue) return '';
  if (Array.isArray(value) && value.length === 0) return '';
  return formatByType(field, value, refs, t);
}
