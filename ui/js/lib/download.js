// Saving a file the core made (an .xlsx or a PDF, as base64) through the browser's own download,
// which works the same in the browser door and in the Tauri window.
import { h } from './dom.js';
import { t } from '../i18n.js';

const TYPES = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
};

/** The MIME type of a file name, from its extension. */
function typeOf(fileName) {
  const ext = String(fileName).split('.').pop().toLowerCase();
  return TYPES[ext] ?? 'application/octet-stream';
}

/**
 * What the clerk must know about a PDF reply's `unprintable` (the codes of characters no
 * font has, printed as the code in a box): "以下字符无字形，已以编码代替：U+F0000", or ''.
 */
export function unprintableText(out) {
  const codes = out?.unprintable ?? [];
  return codes.length ? t('pdf.unprintable', { codes: codes.join('、') }) : '';
}

/** Saves base64 content as a file the browser downloads. */
export function download(fileName, base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: typeOf(fileName) }));
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
