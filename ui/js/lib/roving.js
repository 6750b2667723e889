// A roving-focus list: of its rows (or chips) exactly one is a tab stop (tabindex 0), the
// others are reached with the arrow keys; the row the clerk is on is marked aria-selected
// where the list is a selection.

/**
 * Makes the item at `index` (clamped into the list) the list's tab stop; focuses it and
 * scrolls it into view unless `focus` is false; with `select` also marks it aria-selected.
 * Returns the index made current, or -1 for an empty list.
 */
export function rove(items, index, { focus = true, select = false } = {}) {
  if (items.length === 0) return -1;
  const at = Math.max(0, Math.min(index, items.length - 1));
  items.forEach((item, n) => {
    item.tabIndex = n === at ? 0 : -1;
    if (select) item.setAttribute('aria-selected', n === at ? 'true' : 'false');
  });
  if (focus) {
    items[at].focus({ preventScroll: true });
    items[at].scrollIntoView({ block: 'nearest' });
  }
  return at;
}

/** Moves the tab stop to `item` (one of `items`), as `rove` does. */
export function roveTo(items, item, options) {
  const at = items.indexOf(item);
  return at < 0 ? -1 : rove(items, at, options);
}

/**
 * Where ↓ ↑ Home End move in a list of `count` items from `index` (-1: none has focus yet):
 * the index to rove to, -1 for ↑ on the first item (what stands above the list may take
 * the focus), or null for any other key.
 */
export function moveKey(key, index, count) {
  if (key === 'ArrowDown') return index < 0 ? 0 : Math.min(index + 1, count - 1);
  if (key === 'ArrowUp') return index <= 0 ? -1 : index - 1;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}
