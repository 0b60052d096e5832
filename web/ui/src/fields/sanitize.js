// Rich text (the richtext field's HTML) cleaned with DOMPurify before it is shown or saved: only
// simple formatting survives, links get rel="noopener noreferrer" and open in a new tab. The
// server keeps the HTML as text and does not clean it, so every display goes through here.
import DOMPurify from 'dompurify';

const CONFIG = {
  ALLOWED_TAGS: [
    'p',
    'div',
    'br',
    'span',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'strike',
    'ul',
    'ol',
    'li',
    'a',
    'h1',
    'h2',
    'h3',
    'h4',
    'blockquote',
    'pre',
    'code',
  ],
  ALLOWED_ATTR: ['href'],
  ALLOW_DATA_ATTR: false,
};

let hooked = false;
function addLinkHook() {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/** The HTML as a cleaned string. */
export function sanitizeHtml(html) {
  addLinkHook();
  return DOMPurify.sanitize(typeof html === 'string' ? html : '', CONFIG);
}

/** The HTML as a cleaned DocumentFragment, to append to an element (no v-html, STYLE.md §13). */
export function sanitizedFragment(html) {
  addLinkHook();
  return DOMPurify.sanitize(typeof html === 'string' ? html : '', {
    ...CONFIG,
    RETURN_DOM_FRAGMENT: true,
  });
}
