// Money and quantities on the stock screens: integer fen shown as ¥1,234.50, yuan typed
// as "12.50" read back into fen without floating-point rounding, signed quantities.

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

/** 123450 → "¥1,234.50"; −600 → "-¥6.00"; missing → "". */
export function yuan(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  const value = Number(fen);
  if (!Number.isFinite(value)) return String(fen);
  const whole = Math.abs(Math.trunc(value));
  const yuanPart = String(Math.trunc(whole / 100)).replace(GROUPS, ',');
  const cents = String(whole % 100).padStart(2, '0');
  return `${value < 0 ? '-' : ''}¥${yuanPart}.${cents}`;
}

/** Fen as the plain yuan a clerk types and reads in a form field: 1250 → "12.50". */
export function yuanInput(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  const value = Math.trunc(Number(fen));
  if (!Number.isFinite(value)) return '';
  const whole = Math.abs(value);
  return `${value < 0 ? '-' : ''}${Math.trunc(whole / 100)}.${String(whole % 100).padStart(2, '0')}`;
}

const FULL_WIDTH = /[０-９．，]/g;

/**
 * "12.5", "12.50", "¥1,234.5", "１２．５" → fen (1250, 1250, 123450, 1250); "" → 0;
 * anything else (letters, 3 decimals, negatives) → null.
 */
export function parseYuan(text) {
  const plain = String(text ?? '')
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[¥￥,\s]/g, '')
    .replace(/元$/, '');
  if (plain === '') return 0;
  const match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(plain);
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** A whole number typed into a quantity field, or null. */
export function parseQuantity(text) {
  const plain = String(text ?? '')
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .trim();
  if (!/^\d+$/.test(plain)) return null;
  const value = Number(plain);
  return Number.isSafeInteger(value) ? value : null;
}

/** 5 → "+5", −2 → "-2", 0 → "0". */
export function signed(n) {
  const value = Number(n ?? 0);
  return value > 0 ? `+${value}` : String(value);
}

/** A signed amount of yuan as typed ("-50", "－12.5"): fen, or null when unreadable. */
export function parseSignedYuan(text) {
  const plain = String(text ?? '').trim();
  const negative = /^[-－]/.test(plain);
  const fen = parseYuan(negative ? plain.slice(1) : plain);
  if (fen === null) return null;
  return negative ? -fen : fen;
}
