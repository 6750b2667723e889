// Saving a file the core made (an .xlsx as base64) through the browser's own download,
// which works the same in the browser door and in the Tauri window.
import { h } from './dom.js';

/** Saves base64 content as a file the browser downloads. */
export function download(fileName, base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(
    new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
  );
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
