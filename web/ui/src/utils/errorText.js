// Turns an error from the API layer into i18n'd text for an error box.

const CLIENT_CODES = {
  network: 'errors.network',
  timeout: 'errors.timeout',
  bad_response: 'errors.badResponse',
};

/**
 * @param {unknown} err usually an ApiError
 * @param {(key: string, named?: object) => string} t vue-i18n's t
 * @returns {{summary: string, detail: string}} summary: what happened, in the UI language;
 *   detail: the error's own message and code
 */
export function describeError(err, t) {
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' && err.message ? err.message : String(err);
  let summary;
  if (CLIENT_CODES[code]) summary = t(CLIENT_CODES[code]);
  else if (code) summary = t('errors.server', { status: err.status ?? '' });
  else summary = t('errors.unexpected');
  const detail = code ? t('errors.detail', { message, code }) : message;
  return { summary, detail };
}

// Creek's error codes (identity contract) and what they mean to the person at the form.
const SERVER_CODES = {
  invalid: 'errors.codes.invalid',
  unauthenticated: 'errors.codes.unauthenticated',
  denied: 'errors.codes.denied',
  not_found: 'errors.codes.notFound',
  conflict: 'errors.codes.conflict',
  too_big: 'errors.codes.tooBig',
  throttled: 'errors.codes.throttled',
  unavailable: 'errors.codes.unavailable',
};

/**
 * One line for a failed form submission or action: what happened in the UI language, then the
 * server's own explanation (which names the field or rule) when there is one.
 * @param {unknown} err usually an ApiError
 * @param {(key: string, named?: object) => string} t vue-i18n's t
 * @returns {string}
 */
export function formErrorText(err, t) {
  const code = typeof err?.code === 'string' ? err.code : '';
  if (CLIENT_CODES[code]) return t(CLIENT_CODES[code]);
  const message = typeof err?.message === 'string' ? err.message.trim() : '';
  let summary;
  if (SERVER_CODES[code]) summary = t(SERVER_CODES[code]);
  else if (code) summary = t('errors.server', { status: err.status ?? '' });
  else summary = t('errors.unexpected');
  // The server's message repeats the code when it has nothing better to say.
  if (!message || message === code) return summary;
  return t('errors.withReason', { summary, reason: message });
}
