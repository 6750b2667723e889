// Tabs (role=tab buttons over role=tabpanel panels): the chosen tab is selected and the one
// tab stop, its panel the only one shown.

/**
 * Shows the tab `name` of `tabs` (name → tab button) and, when `panels` (name → panel) are
 * given, only its panel; focuses the tab when `focus`. With `roving` (arrow keys move
 * between the tabs) the chosen tab is the one tab stop; without, every tab stays one.
 */
export function selectTab(tabs, name, { panels = null, focus = false, roving = true } = {}) {
  for (const [key, tab] of Object.entries(tabs)) {
    const on = key === name;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    if (roving) tab.tabIndex = on ? 0 : -1;
    if (panels?.[key]) panels[key].hidden = !on;
  }
  if (focus) tabs[name]?.focus();
}

/** The tab name ← or → (wrapping), Home or End leads to from `name`; null for other keys. */
export function tabKey(names, name, key) {
  const at = names.indexOf(name);
  if (key === 'ArrowRight') return names[(at + 1) % names.length];
  if (key === 'ArrowLeft') return names[(at - 1 + names.length) % names.length];
  if (key === 'Home') return names[0];
  if (key === 'End') return names[names.length - 1];
  return null;
}
