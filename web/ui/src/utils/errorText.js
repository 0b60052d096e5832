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
