// The components of the types' rows (types.js `input` and `display`: file names under ./inputs/
// and ./values/), each a chunk of its own loaded on first use. One async component per file, made
// once, so every FieldInput and FieldValue of a type shares it (and renders at once after the
// first load). Not pure: Vue components.
import { defineAsyncComponent, markRaw } from 'vue';

const INPUTS = import.meta.glob('./inputs/*.vue');
const VALUES = import.meta.glob('./values/*.vue');
const made = new Map();

function component(loaders, dir, name) {
  const path = `./${dir}/${name}.vue`;
  if (!made.has(path)) {
    const load = loaders[path];
    made.set(path, load ? markRaw(defineAsyncComponent(load)) : null);
  }
  return made.get(path);
}

/** The input component of a type's row, or null when the row names none that exists. */
export const inputComponent = (row) => (row?.input ? component(INPUTS, 'inputs', row.input) : null);

/** The display component of a type's row, or null (layout rows have none). */
export const displayComponent = (row) =>
  row?.display ? component(VALUES, 'values', row.display) : null;
