// The form designer's edits on the field list (forms contract, "Form definition"): pure functions
// returning new lists, so editing stays simple to test. Field ids come from registry.newFieldId
// over every id seen in the designer session (deleted ones too, see allFieldIds), so an id is not
// handed out twice; choice ids are "c" + a counter over the field's choices, retired ones
// included. What a type allows or holds is its row's (fields/types.js).
import { TYPE_NAMES, typeOf } from '../../fields/types.js';
import { conditionValue, isComplete, valueKind } from '../records/filterQuery.js';
import { cloneJson } from '../records/recordValues.js';

export const LAYOUT_TYPES = new Set(TYPE_NAMES.filter((name) => !typeOf(name).hasValue));
export const MAX_LABEL = 100;
export const MAX_TEXT = 200;

/**
 * Types whose values may be declared unique: sortable ones whose row allows it (not serial, radio
 * or select).
 */
export const uniqueAllowed = (type, sortable) =>
  sortable === true && typeOf(type)?.canUnique === true;

/** Types that take a default value: not layout, not filled by the server (serial numbers). */
export const takesDefault = (type) => !LAYOUT_TYPES.has(type) && !typeOf(type)?.serverFilled;

/** Whether a field holds fields of its own (a sub-table's options.fields). */
const holdsFields = (field) => typeOf(field?.type)?.subfields === true;

/** Every field id in the list, sub-table fields included. */
export function allFieldIds(fields) {
  const ids = [];
  for (const f of fields ?? []) {
    ids.push(f.id);
    if (holdsFields(f)) ids.push(...allFieldIds(f.options?.fields));
  }
  return ids;
}

/**
 * Every id a new field must not take in this form: its fields' (sub-table fields included) and
 * those of the fields removed since whose data the server keeps (GET form's removed_fields): a
 * new field with one of those ids would bring the old values back.
 * @param {{fields?: object[], removed_fields?: Array<{id: string}>}} form
 */
export function reservedIds(form) {
  const removed = Array.isArray(form?.removed_fields) ? form.removed_fields : [];
  return [
    ...allFieldIds(form?.fields),
    ...removed.map((f) => f?.id).filter((id) => typeof id === 'string'),
  ];
}

const counterOf = (id, prefix) => {
  const m = new RegExp(`^${prefix}(\\d+)$`).exec(id ?? '');
  return m ? Number(m[1]) : 0;
};

/** The next choice id of a choice list ("c" + counter, retired choices counted). */
export function nextChoiceId(choices) {
  let max = 0;
  for (const c of choices ?? []) max = Math.max(max, counterOf(c?.id, 'c'));
  return `c${max + 1}`;
}

/** A new field with every common key set. */
export function newField(type, id, label, options = {}) {
  return {
    id,
    type,
    label,
    required: false,
    unique: false,
    default: null,
    placeholder: '',
    help: '',
    hidden: false,
    readonly: false,
    show_when: null,
    options,
  };
}

/** A field as the designer edits it: every common key present (older definitions may lack some). */
export function normalizeField(field) {
  const base = newField(field.type, field.id, field.label ?? '', {});
  const out = { ...base, ...field, options: { ...(field.options ?? {}) } };
  if (holdsFields(field)) {
    out.options.fields = (field.options?.fields ?? []).map(normalizeField);
  }
  return out;
}

/** Inserts at index (the end when out of range). */
export function insertField(fields, field, index = fields.length) {
  const next = [...fields];
  next.splice(index < 0 || index > fields.length ? fields.length : index, 0, field);
  return next;
}

/** Moves the field at `from` to `to` (indexes in the list before the move). */
export function moveField(fields, from, to) {
  if (from === to || from < 0 || from >= fields.length || to < 0 || to >= fields.length) {
    return fields;
  }
  const next = [...fields];
  const [f] = next.splice(from, 1);
  next.splice(to, 0, f);
  return next;
}

/**
 * Moves a field dropped onto another: it lands where the target was (before it when coming from
 * above, after it when coming from below, as the list reads after the move).
 */
export function moveFieldTo(fields, id, targetId) {
  const from = fields.findIndex((f) => f.id === id);
  const to = fields.findIndex((f) => f.id === targetId);
  return from < 0 || to < 0 ? fields : moveField(fields, from, to);
}

/**
 * Moves a field to an insertion point given in the list as it is now (0: first, length: last),
 * as a drop between two fields gives it.
 */
export function moveFieldToIndex(fields, id, index) {
  const from = fields.findIndex((f) => f.id === id);
  if (from < 0) return fields;
  const to = Math.max(0, Math.min(index, fields.length)) - (index > from ? 1 : 0);
  return moveField(fields, from, to);
}

/** Replaces the field with the same id. */
export const replaceField = (fields, field) => fields.map((f) => (f.id === field.id ? field : f));

const partsName = (f, id) => f.options?.parts?.some((p) => p.field === id);

/** Conditions and serial parts that name a field no longer there are dropped with it. */
function dropReferences(fields, goneId) {
  return fields.map((f) => {
    let out = f;
    if (f.show_when?.conditions?.some((c) => c.field === goneId)) {
      const conditions = f.show_when.conditions.filter((c) => c.field !== goneId);
      out = { ...out, show_when: conditions.length ? { ...f.show_when, conditions } : null };
    }
    if (typeOf(f.type)?.optionsEditor === 'SerialOptions' && partsName(f, goneId)) {
      const parts = f.options.parts.filter((p) => !(p.kind === 'field' && p.field === goneId));
      out = { ...out, options: { ...f.options, parts } };
    }
    return out;
  });
}

/** Removes a field and what referred to it. */
export function removeField(fields, id) {
  if (!fields.some((f) => f.id === id)) return fields;
  return dropReferences(
    fields.filter((f) => f.id !== id),
    id,
  );
}

/**
 * A copy of the field right after it, with new ids (its sub-table fields too).
 * @param {object[]} fields
 * @param {string} id
 * @param {() => string} makeId hands out fresh ids
 * @param {(label: string) => string} copyLabel e.g. label => `${label} (copy)`
 * @returns {{fields: object[], copy: object | null}}
 */
export function duplicateField(fields, id, makeId, copyLabel = (l) => l) {
  const index = fields.findIndex((f) => f.id === id);
  if (index < 0) return { fields, copy: null };
  const copy = cloneJson(fields[index]);
  copy.id = makeId();
  copy.label = copyLabel(copy.label).slice(0, MAX_LABEL);
  copy.unique = false;
  if (holdsFields(copy)) {
    copy.options.fields = (copy.options.fields ?? []).map((f) => ({ ...f, id: makeId() }));
  }
  return { fields: insertField(fields, copy, index + 1), copy };
}

/**
 * Fields a show_when condition of `id` may test: other value fields whose row allows it (not
 * sub-tables nor serial numbers).
 */
export const conditionFields = (fields, id) =>
  (fields ?? []).filter((f) => f.id !== id && typeOf(f.type)?.inConditions !== false);

/**
 * Fields a serial number may include (`serialPart` in their rows): text, number, date and choice
 * fields (not lists).
 */
export const serialFieldChoices = (fields) =>
  (fields ?? []).filter((f) => typeOf(f.type)?.serialPart === true);

const pad = (n, width) => String(n).padStart(width, '0');

/** A date pattern (YYYY, YY, MM, DD and - / . _) filled with `date`. */
export function formatDatePattern(pattern, date) {
  return String(pattern ?? '').replace(/YYYY|YY|MM|DD/g, (token) => {
    if (token === 'YYYY') return String(date.getFullYear());
    if (token === 'YY') return pad(date.getFullYear() % 100, 2);
    if (token === 'MM') return pad(date.getMonth() + 1, 2);
    return pad(date.getDate(), 2);
  });
}

/** Whether a date pattern is one the server takes. */
export const datePatternValid = (pattern) =>
  typeof pattern === 'string' && /^(YYYY|YY|MM|DD|[-/._])+$/.test(pattern);

/**
 * What the first serial number would look like: texts as they are, dates of `now`, a field as
 * its label in brackets, the counter at 1.
 */
export function serialExample(parts, fields, now = new Date()) {
  return (parts ?? [])
    .map((p) => {
      if (p.kind === 'text') return p.text ?? '';
      if (p.kind === 'date') return formatDatePattern(p.pattern, now);
      if (p.kind === 'field') {
        const f = (fields ?? []).find((x) => x.id === p.field);
        return `[${f?.label ?? '?'}]`;
      }
      if (p.kind === 'counter') return pad(1, Math.min(Math.max(p.digits ?? 1, 1), 12));
      return '';
    })
    .join('');
}

/** A new part of each kind. */
export function newSerialPart(kind) {
  if (kind === 'text') return { kind, text: '' };
  if (kind === 'date') return { kind, pattern: 'YYYYMMDD' };
  if (kind === 'field') return { kind, field: '' };
  return { kind: 'counter', digits: 4, reset: 'never' };
}

/**
 * Problems the designer can see before saving, as {field, key, params}: i18n keys under
 * designer.problems. The server checks everything again.
 */
export function definitionProblems(fields) {
  const problems = [];
  const check = (list, nested) => {
    for (const f of list ?? []) {
      const add = (key, params = {}) => problems.push({ field: f.id, key, params });
      const label = (f.label ?? '').trim();
      if (!label && typeOf(f.type)?.labelled !== false) add('noLabel');
      if (label.length > MAX_LABEL) add('labelTooLong', { max: MAX_LABEL });
      if ((f.placeholder ?? '').length > MAX_TEXT || (f.help ?? '').length > MAX_TEXT) {
        add('textTooLong', { max: MAX_TEXT });
      }
      const row = typeOf(f.type);
      if (row?.choices) {
        const live = (f.options?.choices ?? []).filter((c) => !c.retired);
        if (!live.length) add('noChoices');
        if (live.some((c) => !(c.label ?? '').trim())) add('choiceNoLabel');
      }
      if (row?.optionsEditor === 'SerialOptions') {
        const parts = f.options?.parts ?? [];
        if (parts.filter((p) => p.kind === 'counter').length !== 1) add('serialCounter');
        if (parts.some((p) => p.kind === 'text' && !(p.text ?? '').length)) add('serialText');
        if (parts.some((p) => p.kind === 'date' && !datePatternValid(p.pattern))) {
          add('serialPattern');
        }
        if (parts.some((p) => p.kind === 'field' && !p.field)) add('serialField');
      }
      if (row?.subfields) {
        if (nested) add('nestedSubtable');
        else if (!(f.options?.fields ?? []).length) add('subtableEmpty');
        else check(f.options.fields, true);
      }
      if (f.show_when) {
        const conditions = f.show_when.conditions ?? [];
        if (!conditions.length) add('emptyCondition');
        else if (!conditions.every(isComplete)) add('incompleteCondition');
      }
      const min = f.options?.min;
      const max = f.options?.max;
      if (typeof min === 'number' && typeof max === 'number' && min > max) add('minAboveMax');
    }
  };
  check(fields, false);
  return problems;
}

/** A complete show_when condition as saved: no value for empty / not_empty, text trimmed. */
const savedCondition = (c) =>
  valueKind(c.op) === 'none'
    ? { field: c.field, op: c.op }
    : { field: c.field, op: c.op, value: conditionValue(c) };

/**
 * The field list as it is saved: show_when keeps its complete conditions (null when none is left;
 * definitionProblems() reports incomplete ones before a save).
 */
export function definitionForSave(fields) {
  return fields.map((f) => {
    const out = { ...f };
    if (out.show_when) {
      const conditions = (out.show_when.conditions ?? []).filter(isComplete).map(savedCondition);
      out.show_when = conditions.length
        ? { match: out.show_when.match === 'any' ? 'any' : 'all', conditions }
        : null;
    }
    if (holdsFields(out)) {
      out.options = { ...out.options, fields: definitionForSave(out.options?.fields ?? []) };
    }
    return out;
  });
}

/** Whether two definitions differ (the unsaved-changes check). */
export const definitionsDiffer = (a, b) => JSON.stringify(a) !== JSON.stringify(b);
