import { useI18n } from 'vue-i18n';
import { formErrorText } from '../utils/errorText.js';
import { confirmDanger, toastError, toastSuccess } from '../utils/feedback.js';

/**
 * Something that cannot be undone (delete, remove, revoke): asked first (confirmDanger), then
 * run; a toast says that it was done or why it failed.
 * @returns {(text: {title: string, message: string, confirm?: string, done: string},
 *   action: () => Promise<unknown>) => Promise<boolean>} resolves to true when done; `confirm`
 *   (the button) is "Delete" unless given
 */
export function useConfirmedAction() {
  const { t } = useI18n();
  return async function confirmThenRun(text, action) {
    const ok = await confirmDanger({
      title: text.title,
      message: text.message,
      confirm: text.confirm ?? t('common.delete'),
      cancel: t('common.cancel'),
    });
    if (!ok) return false;
    try {
      await action();
    } catch (err) {
      toastError(formErrorText(err, t));
      return false;
    }
    toastSuccess(text.done);
    return true;
  };
}
