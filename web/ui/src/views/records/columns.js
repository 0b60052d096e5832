// The record table's columns: which of the list's fields are shown, kept per app in localStorage.
// Saved as {shown: [ids in order], known: [every id offered then]}: a field added to the form
// later is shown until the user hides it, a field removed from the form is dropped.

export const MAX_DEFAULT_COLUMNS = 8;

export const columnsKey = (ws, app) => `creek.records.columns.${ws}.${app}`;

/**
 * The columns shown at first: the first value fields, then who created the record and when.
 * @param {object[]} fields listFields(): value fields, then system fields
 */
export function defaultColumns(fields) {
  const own = fields.filter((f) => !f.system).slice(0, MAX_DEFAULT_COLUMNS);
  return [...own.map((f) => f.id), '_created_by', '_created_at'].filter((id) =>
    fields.some((f) => f.id === id),
  );
}

function read(storage, key) {
  try {
    const saved = JSON.parse(storage?.getItem(key) ?? 'null');
    if (saved && Array.isArray(saved.shown) && Array.isArray(saved.known)) return saved;
  } catch {
    // unreadable or storage disabled: the default columns
  }
  return null;
}

/**
 * The columns to show now.
 * @param {Storage | undefined} storage
 * @param {string} key columnsKey()
 * @param {object[]} fields listFields()
 * @returns {string[]} field ids in display order
 */
export function loadColumns(storage, key, fields) {
  const saved = read(storage, key);
  if (!saved) return defaultColumns(fields);
  const ids = new Set(fields.map((f) => f.id));
  const known = new Set(saved.known);
  const shown = saved.shown.filter((id) => ids.has(id));
  for (const f of fields)
    if (!known.has(f.id) && !f.system && !shown.includes(f.id)) shown.push(f.id);
  return shown;
}

/** Remembers the choice; a storage that refuses is ignored (the choice holds for this view). */
export function saveColumns(storage, key, shown, fields) {
  try {
    storage?.setItem(key, JSON.stringify({ shown, known: fields.map((f) => f.id) }));
  } catch {
    // storage full or disabled
  }
}

/** Forgets the choice (back to the default columns). */
export function resetColumns(storage, key) {
  try {
    storage?.removeItem(key);
  } catch {
    // storage disabled
  }
}

/** The fields of the shown ids, in order. */
export const shownFields = (fields, shown) =>
  shown.map((id) => fields.find((f) => f.id === id)).filter(Boolean);

/** The form fields of the shown ids (for export's `fields`: system columns are always in it). */
export const exportFieldIds = (fields, shown) =>
  shownFields(fields, shown)
    .filter((f) => !f.system)
    .map((f) => f.id);
