// One catalogue per language; Chinese when the browser asks for it, English otherwise,
// and the page's switch remembers the choice.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zh from './zh.json';

const CHOICE_KEY = 'sealflow.language';
export type Language = 'zh' | 'en';

export function preferredLanguage(): Language {
  const chosen = localStorage.getItem(CHOICE_KEY);
  if (chosen === 'zh' || chosen === 'en') return chosen;
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

export function switchLanguage(language: Language) {
  localStorage.setItem(CHOICE_KEY, language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  void i18next.changeLanguage(language);
}

export function initI18n() {
  const language = preferredLanguage();
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  void i18next.use(initReactI18next).init({ resources: { zh: { translation: zh }, en: { translation: en } }, lng: language, fallbackLng: 'en', interpolation: { escapeValue: false } });
  return i18next;
}
