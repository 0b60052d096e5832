// Choosing a new password (PUT /me/password): the form, its rules and the action, shared by the
// account menu's dialog and the #/change-password page that a password set by someone else leads
// to. creekd answers a wrong current password with 403 "the current password is wrong" (401 is
// read the same way).
import { computed, reactive } from 'vue';
import { useAction } from './useAction.js';
import { PASSWORD_MIN, minLength, required, sameAs } from '../utils/formRules.js';

/** Whether err is creekd's answer to a wrong current password. */
export const isWrongCurrent = (err) =>
  err?.status === 401 || (err?.status === 403 && /current password/i.test(err?.message ?? ''));

/** The form's rules: all three typed, the new one long enough and typed twice alike. */
export function passwordChangeRules(t, form) {
  return {
    current: [required(t('account.password.currentRequired'))],
    next: [
      required(t('account.password.newRequired')),
      minLength(PASSWORD_MIN, t('common.passwordMin', { n: PASSWORD_MIN })),
    ],
    again: [
      required(t('account.password.newRequired')),
      sameAs(() => form.next, t('account.password.mismatch')),
    ],
  };
}

/**
 * @param {(key: string, args?: object) => string} t vue-i18n's t
 * @returns the form ({current, next, again}), its rules, and useAction's busy, error, run, clear
 */
export function usePasswordChange(t) {
  const form = reactive({ current: '', next: '', again: '' });
  const rules = computed(() => passwordChangeRules(t, form));
  const action = useAction({
    describe: (err) => (isWrongCurrent(err) ? t('account.password.wrongCurrent') : null),
  });
  return { form, rules, ...action };
}
