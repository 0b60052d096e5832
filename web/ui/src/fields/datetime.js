// Dates and times between the API and the inputs. The API holds datetimes as RFC 3339 in UTC
// ("2026-11-28T01:30:00Z", forms contract "Types"); people type and read them in the browser's
// time zone: Element's picker works with Date objects, the phone's native
// <input type="datetime-local"> with "YYYY-MM-DDTHH:mm" local strings. Pure.

const pad = (n) => String(n).padStart(2, '0');

/** A Date as the API's datetime: UTC, whole seconds, "2026-11-28T01:30:00Z"; null if invalid. */
export function toApiDateTime(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An API datetime as a Date, null when missing or unreadable. */
export function fromApiDateTime(value) {
  if (typeof value !== 'string' || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** An API datetime as the value of <input type="datetime-local"> (local time), '' if none. */
export function toLocalInput(value) {
  const d = fromApiDateTime(value);
  if (!d) return '';
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of <input type="datetime-local"> as an API datetime, null when empty or invalid. */
export function fromLocalInput(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text ?? '');
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return toApiDateTime(new Date(y, mo - 1, d, h, mi, s || 0));
}
