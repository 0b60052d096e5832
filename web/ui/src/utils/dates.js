// RFC 3339 times from the API, shown with vue-i18n's datetime format "dateTime".

/** A Date, or null for anything that is not a readable time. */
export function parseTime(value) {
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * @param {unknown} value
 * @param {(date: Date, key: string) => string} d vue-i18n's d
 * @param {string} fallback shown for a missing or unreadable time
 */
export function formatTime(value, d, fallback = '—') {
  const date = parseTime(value);
  return date ? d(date, 'dateTime') : fallback;
}
