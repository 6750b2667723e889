// 设置 — interface language and what this desk is connected to.
import { transport } from '../api.js';
import { h, clear } from '../dom.js';
import { LANGUAGES, language, setLanguage, t } from '../i18n.js';

export async function render(root, ctx) {
  const info = (await ctx.refreshInfo()) ?? ctx.info();
  if (!ctx.isCurrent()) return null;

  const choose = h(
    'select',
    { id: 'settings-language', class: 'input', value: language(), 'aria-describedby': 'settings-language-hint' },
    LANGUAGES.map((code) => h('option', { value: code, lang: code }, t(`lang.${code}`))),
  );
  choose.addEventListener('change', async () => {
    await setLanguage(choose.value);
    ctx.relabel();
  });

  const row = (labelKey, value, cls = '') => [
    h('dt', {}, t(labelKey)),
    h('dd', { class: cls }, value ?? t('file.empty')),
  ];

  clear(root);
  root.append(
    h(
      'section',
      { class: 'page page-settings' },
      h('div', { class: 'page-head' }, h('h1', {}, t('settings.title'))),
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'settings-language' }, t('settings.language')),
          h('div', { class: 'control' }, choose, h('div', { class: 'hint', id: 'settings-language-hint' }, t('settings.language.hint'))),
        ),
      ),
      h(
        'div',
        { class: 'card settings-links' },
        h('h2', {}, t('settings.catalogue')),
        h(
          'a',
          { href: '#/settings/models', id: 'settings-models', class: 'settings-link' },
          h('span', { class: 'settings-link-title' }, t('models.title'), ' ›'),
          h('span', { class: 'hint' }, t('models.lead')),
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('settings.about')),
        h(
          'dl',
          { class: 'details' },
          row('settings.version', info?.version, 'num'),
          row('settings.user', info?.user?.name),
          row('settings.data', info?.data_file, 'path'),
          row('settings.customers', info?.customers?.toLocaleString?.(), 'num'),
          row('settings.transport', t(`settings.transport.${transport()}`)),
        ),
      ),
    ),
  );
  choose.focus();
  return null;
}
