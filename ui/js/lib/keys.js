// Keyboard shortcuts, read the same way on every screen. Ctrl and ⌘ (macOS) count alike.

/** Ctrl or ⌘ is held. */
export function ctrlHeld(event) {
  return event.ctrlKey || event.metaKey;
}

/** Ctrl, ⌘ or Alt is held: the key is not a plain letter for a screen's own shortcuts. */
export function modified(event) {
  return event.ctrlKey || event.metaKey || event.altKey;
}

/** Ctrl+letter (without Alt), either case: Ctrl+P, Ctrl+K. */
export function isCtrl(event, letter) {
  return ctrlHeld(event) && !event.altKey && event.key.toLowerCase() === letter;
}

/** Ctrl+S: save the form on show (the frame keeps the browser's "save page" away). */
export function isSave(event) {
  return ctrlHeld(event) && (event.key === 's' || event.key === 'S');
}
