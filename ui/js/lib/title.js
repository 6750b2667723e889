// The window title: "<what is on show> · 售后服务台", back to the app's name when a screen goes.
import { t } from '../i18n.js';

/** Sets the title to the screen's words followed by the app's name. */
export function setTitle(...parts) {
  document.title = [...parts, t('app.title')].join(' · ');
}

/** The app's name alone: when a screen is disposed, or before anyone logs in. */
export function resetTitle() {
  document.title = t('app.title');
}
