// The designer's view of the field types (fields/registry.js): the palette's categories, a type's
// label and icon, whether it may be unique, a new field of a type with its default options. The
// one place in the designer that reads the registry's tables.
import { markRaw } from 'vue';
import { Document } from '@element-plus/icons-vue';
import { iconComponent } from '../../fields/icons.js';
import { CATEGORIES, FIELD_TYPES, typeOf } from '../../fields/registry.js';
import { SORTABLE_TYPES } from '../records/recordFields.js';
import { newField, uniqueAllowed } from './designerModel.js';

/** A type's icon given by name (or already a component); Document for unknown names. */
const iconOf = (icon) =>
  typeof icon === 'string' ? iconComponent(icon) : markRaw(icon ?? Document);

/** A type's name in the UI language. */
export function typeLabel(type, t) {
  const key = typeOf(type)?.labelKey;
  return key ? t(key) : type;
}

/** A type's icon component. */
export const typeIcon = (type) => iconOf(typeOf(type)?.icon);

/** Whether records sort by fields of this type (the server's list, records/recordFields.js). */
export const isSortable = (type) => SORTABLE_TYPES.has(type);

/**
 * Whether fields of this type may be declared unique: as the server decides it (sortable types
 * but serial, radio and select; so dates and date-times may be, long texts may not).
 */
export const canUnique = (type) => uniqueAllowed(type, isSortable(type));

/**
 * The palette: the registry's categories in order, each with its types in palette order.
 * @returns {Array<{key: string, label: (t) => string, types: Array<{type: string,
 *   label: (t) => string, icon: object}>}>}
 */
export function paletteCategories() {
  const types = Object.values(FIELD_TYPES);
  return CATEGORIES.map((c) => ({
    key: c.key,
    label: (t) => t(c.labelKey),
    types: types
      .filter((e) => e.category === c.key)
      .map((e) => ({ type: e.type, icon: iconOf(e.icon), label: (t) => t(e.labelKey) })),
  })).filter((c) => c.types.length);
}

/** A new field of `type` labelled with the type's name, with its default options. */
export function makeField(type, id, t) {
  const entry = typeOf(type);
  const options = entry?.defaultOptions ? entry.defaultOptions() : {};
  return newField(type, id, typeLabel(type, t), options);
}
