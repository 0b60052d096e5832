// Drag and drop inside the designer (native HTML5): what a drag carries, and where a drop over a
// field lands.

/** A field type dragged from the palette. */
export const TYPE_MIME = 'application/x-creek-field-type';
/** A field of the canvas being moved. */
export const FIELD_MIME = 'application/x-creek-field-id';

/** Whether a drag carries one of ours (during dragover only the types can be read). */
export const carries = (event, mime) => Array.from(event.dataTransfer?.types ?? []).includes(mime);

/**
 * The insertion point of a drop over the field at `index`: before it in its upper half, after it
 * in its lower half.
 * @param {number} index
 * @param {number} y the pointer's clientY
 * @param {{top: number, height: number}} box the field's bounding box
 */
export const dropIndex = (index, y, box) => (y < box.top + box.height / 2 ? index : index + 1);
