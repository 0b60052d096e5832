// The fields a record list shows, filters and sorts by: the form's fields that hold a value and
// the system fields every record has (forms contract, "System fields"). Pure; labels of system
// fields come translated through `t`. What a type allows is its row's (fields/types.js).
import { TYPE_NAMES, typeOf } from '../../fields/types.js';

/** Layout-only field types: no value, no column. */
export const LAYOUT_TYPES = new Set(TYPE_NAMES.filter((name) => !typeOf(name).hasValue));

/**
 * The system fields as pseudo-fields of a value type (for the filter's value input and ops): the
 * id counts like a number, the people like single members, the times like date-times.
 */
export const SYSTEM_FIELDS = [
  { id: '_id', type: 'number', options: { precision: 0 }, labelKey: 'records.system.id' },
  { id: '_created_by', type: 'member', options: {}, labelKey: 'records.system.createdBy' },
  { id: '_created_at', type: 'datetime', options: {}, labelKey: 'records.system.createdAt' },
  { id: '_updated_by', type: 'member', options: {}, labelKey: 'records.system.updatedBy' },
  { id: '_updated_at', type: 'datetime', options: {}, labelKey: 'records.system.updatedAt' },
];

export const isSystemField = (id) => typeof id === 'string' && id.startsWith('_');

/**
 * The types records sort by, as the server has them (core/forms fm_type_sortable): one-line
 * texts, numbers, dates and single choices. Not long texts (textarea, richtext), signatures,
 * lists or structured values: a sort on them is refused (400).
 */
export const SORTABLE_TYPES = new Set(TYPE_NAMES.filter((name) => typeOf(name).sortable));

/** Whether records may be sorted by this field (a system field, or one of a sortable type). */
export const isSortableField = (field) =>
  isSystemField(field?.id) || SORTABLE_TYPES.has(field?.type);

/** The form's fields that hold a value, in form order (sections, dividers, texts left out). */
export const valueFields = (fields) => (fields ?? []).filter((f) => !LAYOUT_TYPES.has(f.type));

/** The system fields with their labels. */
export const systemFields = (t) =>
  SYSTEM_FIELDS.map(({ labelKey, ...f }) => ({ ...f, label: t(labelKey), system: true }));

/** Every field a column, filter or sort may use: the value fields, then the system fields. */
export const listFields = (fields, t) => [...valueFields(fields), ...systemFields(t)];

/** A system field's value from the record (people as their {id, name}). */
export function systemValue(record, id) {
  switch (id) {
    case '_id':
      return record?.id ?? null;
    case '_created_by':
      return record?.created_by ?? null;
    case '_created_at':
      return record?.created_at ?? null;
    case '_updated_by':
      return record?.updated_by ?? null;
    case '_updated_at':
      return record?.updated_at ?? null;
    default:
      return null;
  }
}

/** The field whose label or id a server message quotes ('金额' must be a number), or null. */
export function fieldOfMessage(message, fields) {
  if (typeof message !== 'string') return null;
  const quoted = [...message.matchAll(/'([^']+)'|‘([^’]+)’|"([^"]+)"/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
  const names = (f) => f.id === name || f.label === name;
  let name;
  for (name of quoted) {
    const field = (fields ?? []).find(names);
    if (field) return field;
  }
  // a sub-table's field: the sub-table shows the error
  for (name of quoted) {
    const table = (fields ?? []).find(
      (f) => typeOf(f.type)?.subfields && (f.options?.fields ?? []).some(names),
    );
    if (table) return table;
  }
  return null;
}

/**
 * A refused save as errors at fields ({field id: message}) for RecordForm: the server's message
 * names the field it is about. {} when it names none (the caller shows it as a whole).
 * @param {unknown} err an ApiError
 * @param {object[]} fields
 */
export function fieldErrors(err, fields) {
  if (![400, 409, 422].includes(err?.status)) return {};
  const field = fieldOfMessage(err.message, fields);
  return field ? { [field.id]: err.message } : {};
}

/** A choice field with the retired choices the values in `held` do not name left out. */
function pickable(field, held) {
  if (typeOf(field?.type)?.subfields) {
    const rows = Array.isArray(held) ? held.filter((r) => r && typeof r === 'object') : [];
    const sub = field.options?.fields ?? [];
    return {
      ...field,
      options: {
        ...field.options,
        fields: sub.map((s) =>
          pickable(
            s,
            rows.flatMap((r) => [r[s.id]].flat()),
          ),
        ),
      },
    };
  }
  const choices = field?.options?.choices;
  if (
    !typeOf(field?.type)?.choices ||
    !Array.isArray(choices) ||
    !choices.some((c) => c?.retired)
  ) {
    return field;
  }
  const ids = new Set([held].flat(2).filter((v) => typeof v === 'string'));
  return {
    ...field,
    options: { ...field.options, choices: choices.filter((c) => !c?.retired || ids.has(c.id)) },
  };
}

/**
 * The fields as a form offers them for input: choices removed from the form (the server keeps
 * them with "retired": true so old values keep their labels, but refuses them in new values) are
 * left out, except those `values` hold (a record being edited shows its old choice, labelled,
 * until it is changed). Sub-tables' fields likewise, over all their rows.
 * @param {object[]} fields
 * @param {object} [values] {field id: value} of the record being edited; none for a new one
 */
export const pickableFields = (fields, values = {}) =>
  (fields ?? []).map((f) => pickable(f, values?.[f.id]));
