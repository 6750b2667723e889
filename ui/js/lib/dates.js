// Dates and times on screen, one formatter for the whole UI. The core stores UTC text
// ("2026-11-22T05:40:00Z") and counts time in the desk's zone, China Standard Time (UTC+8,
// Asia/Shanghai; core `platform::time::zone`): every time is shown in that zone, so what the
// clerk typed is what the page shows, whatever zone the computer running the browser is in.
// China has kept no daylight-saving time since 1991: the zone is a fixed +8 hours.

const DESK_OFFSET_MS = 8 * 60 * 60 * 1000;
const pad = (n) => String(n).padStart(2, '0');

/** A stored time (UTC text or a Date) as the desk's day and clock; null when missing or unreadable. */
function deskParts(value) {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const d = new Date(date.getTime() + DESK_OFFSET_MS);
  return {
    day: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  };
}

/**
 * A stored time as the desk's "YYYY-MM-DD HH:mm"; empty when missing, the text itself when
 * it is not a time.
 */
export function deskDateTime(value) {
  const p = deskParts(value);
  if (p) return `${p.day} ${p.time}`;
  return value ? String(value) : '';
}

/** A stored time as the desk's "YYYY-MM-DD"; empty when missing. */
export function deskDate(value) {
  return deskParts(value)?.day ?? '';
}

/** A stored time as an <input type=datetime-local> value in the desk's zone. */
export function deskInput(value) {
  const p = deskParts(value);
  return p ? `${p.day}T${p.time}` : '';
}

/** An appointment window: "11-23 14:00–16:00", or with both days when it spans two. */
export function appointmentText(from, to) {
  const a = deskParts(from);
  if (!a) return '';
  const b = deskParts(to);
  const start = `${a.day.slice(5)} ${a.time}`;
  if (!b) return start;
  return b.day === a.day ? `${start}–${b.time}` : `${start} – ${b.day.slice(5)} ${b.time}`;
}

/** The desk's wall clock "HH:mm:ss" at a moment (e.g. when a board was last read). */
export function deskClock(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const d = new Date(date.getTime() + DESK_OFFSET_MS);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The desk's year at a moment. */
export function deskYear(value) {
  return Number(deskDate(value).slice(0, 4));
}
