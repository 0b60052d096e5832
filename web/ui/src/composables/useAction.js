import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { formErrorText } from '../utils/errorText.js';

/**
 * A form's or button's action: `busy` while it runs, `error` (text in the UI language) when it
 * failed. run() resolves to {ok: true, value} or {ok: false, error}; it never rejects, since the
 * failure is shown through `error` (or by the caller, with a custom text from `describe`).
 * @param {{describe?: (err: unknown) => string | null}} [options] a custom text for some errors
 *   (null: the usual one)
 */
export function useAction(options = {}) {
  const { t } = useI18n();
  const busy = ref(false);
  const error = ref('');

  async function run(fn) {
    busy.value = true;
    error.value = '';
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      error.value = options.describe?.(err) ?? formErrorText(err, t);
      return { ok: false, error: err };
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, run, clear: () => (error.value = '') };
}
