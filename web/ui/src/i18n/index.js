import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN.js';
import en from './locales/en.js';

export const DEFAULT_LOCALE = 'zh-CN';
export const STORAGE_KEY = 'creek.locale';

/** The languages offered by the language switch; labelKey is translated for display. */
export const LOCALES = [
  { value: 'zh-CN', labelKey: 'lang.zhCN' },
  { value: 'en', labelKey: 'lang.en' },
];

const isSupported = (locale) => LOCALES.some((l) => l.value === locale);

function savedLocale() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isSupported(saved) ? saved : DEFAULT_LOCALE;
  } catch {
    // Storage can be disabled (privacy settings); the default language is the right answer then.
    return DEFAULT_LOCALE;
  }
}

const timeFormat = { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
const dateTimeFormat = { year: 'numeric', month: '2-digit', day: '2-digit', ...timeFormat };

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'en',
  messages: { 'zh-CN': zhCN, en },
  datetimeFormats: {
    'zh-CN': { time: timeFormat, dateTime: dateTimeFormat },
    en: { time: timeFormat, dateTime: dateTimeFormat },
  },
});

function applyToDocument(locale) {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}
applyToDocument(i18n.global.locale.value);

/** Switches the UI language and remembers the choice in localStorage. */
export function setLocale(locale) {
  if (!isSupported(locale)) return;
  i18n.global.locale.value = locale;
  applyToDocument(locale);
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Not saved (storage disabled): the switch still applies to this page view.
  }
}
