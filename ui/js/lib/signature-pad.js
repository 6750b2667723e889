// 签名板 — the customer signs on screen with a finger, a pen or the mouse. A <canvas> in a
// 4:1 box takes pointer events (one stroke from pointerdown to pointerup, coalesced
// points included, so a fast pen stays smooth); each point is kept normalised to 0..1 of
// the box (x right, y down), which is what the core stores and draws on the slip. The
// same strokes come back as an SVG of polylines (`signatureSvg`) wherever a saved
// signature is shown, so the screen and the paper draw one thing.
import { h } from './dom.js';
import { t } from '../i18n.js';

/** The core refuses more than this many points in all; the pad stops taking ink there. */
const MAX_POINTS = 20000;
/** Points closer than this (fraction of the box width) to the last one add nothing. */
const MIN_STEP = 0.002;
const SVG_NS = 'http://www.w3.org/2000/svg';
/** The SVG view box keeps the 4:1 shape: 400 × 100 units. */
const VIEW_W = 400;
const VIEW_H = 100;

const clamp = (v) => Math.min(1, Math.max(0, v));
const round = (v) => Math.round(v * 10000) / 10000;

/**
 * A signature pad: `{element, canvas, strokes(), setStrokes(list), clear(), isEmpty()}`.
 * `onChange(strokes)` is called after every stroke and after 清除.
 */
export function signaturePad({ id = 'signature-pad', label = t('slips.signature.label'), onChange } = {}) {
  const canvas = h('canvas', {
    class: 'signature-canvas',
    id: `${id}-canvas`,
    role: 'img',
    'aria-label': label,
    tabIndex: 0,
  });
  const baseline = h('span', { class: 'signature-baseline', 'aria-hidden': 'true' }, t('slips.signature.here'));
  const clearButton = h(
    'button',
    { type: 'button', class: 'btn btn-small', id: `${id}-clear`, title: t('slips.signature.clear.title') },
    t('slips.signature.clear'),
  );
  const count = h('span', { class: 'hint signature-state', id: `${id}-state`, 'aria-live': 'polite' });
  const element = h(
    'div',
    { class: 'signature-pad', id },
    h('div', { class: 'signature-box' }, canvas, baseline),
    h('div', { class: 'signature-tools' }, clearButton, count),
  );

  let strokes = [];
  let current = null; // the stroke being drawn
  let pointerId = null;
  let points = 0;

  function context() {
    const ctx = canvas.getContext('2d');
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#10233f';
    return ctx;
  }

  /** Matches the bitmap to the box on screen (and the screen's pixel ratio), then redraws. */
  function fit() {
    const box = canvas.getBoundingClientRect();
    if (box.width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(box.width * ratio);
    const hgt = Math.round(box.height * ratio);
    if (canvas.width !== w || canvas.height !== hgt) {
      canvas.width = w;
      canvas.height = hgt;
    }
    redraw();
  }

  function lineWidth() {
    return Math.max(1.5, canvas.height / 45);
  }

  function redraw() {
    const ctx = context();
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.lineWidth = lineWidth();
    for (const stroke of strokes) drawStroke(ctx, stroke);
    if (current) drawStroke(ctx, current);
    baseline.hidden = strokes.length > 0 || current !== null;
  }

  function drawStroke(ctx, stroke) {
    if (stroke.length === 0) return;
    ctx.beginPath();
    const [x0, y0] = stroke[0];
    ctx.moveTo(x0 * canvas.width, y0 * canvas.height);
    if (stroke.length === 1) ctx.lineTo(x0 * canvas.width + 0.1, y0 * canvas.height);
    for (const [x, y] of stroke.slice(1)) ctx.lineTo(x * canvas.width, y * canvas.height);
    ctx.stroke();
  }

  function pointOf(event) {
    const box = canvas.getBoundingClientRect();
    return [round(clamp((event.clientX - box.left) / box.width)), round(clamp((event.clientY - box.top) / box.height))];
  }

  function add(point) {
    if (points >= MAX_POINTS) return;
    const last = current[current.length - 1];
    if (last && Math.hypot(point[0] - last[0], (point[1] - last[1]) / 4) < MIN_STEP) return;
    current.push(point);
    points += 1;
    // Draw only the new piece: a long stroke does not repaint the whole pad each move.
    const ctx = context();
    ctx.lineWidth = lineWidth();
    ctx.beginPath();
    const from = last ?? point;
    ctx.moveTo(from[0] * canvas.width, from[1] * canvas.height);
    ctx.lineTo(point[0] * canvas.width + (last ? 0 : 0.1), point[1] * canvas.height);
    ctx.stroke();
    baseline.hidden = true;
  }

  function showState() {
    count.textContent = strokes.length ? t('slips.signature.strokes', { n: strokes.length }) : t('slips.signature.empty');
    element.dataset.strokes = String(strokes.length);
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (pointerId !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    canvas.focus({ preventScroll: true });
    pointerId = event.pointerId;
    canvas.setPointerCapture?.(event.pointerId);
    fit();
    current = [];
    add(pointOf(event));
  });
  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerId !== pointerId || !current) return;
    event.preventDefault();
    const all = event.getCoalescedEvents?.() ?? [];
    for (const e of all.length ? all : [event]) add(pointOf(e));
  });
  const end = (event) => {
    if (event.pointerId !== pointerId || !current) return;
    if (event.type === 'pointerup') add(pointOf(event));
    if (current.length) strokes.push(current);
    current = null;
    pointerId = null;
    showState();
    onChange?.(strokes);
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener('lostpointercapture', end);
  // A touch that starts on the pad signs; it must not scroll or zoom the page.
  canvas.addEventListener('touchstart', (event) => event.preventDefault(), { passive: false });

  function clear() {
    strokes = [];
    current = null;
    pointerId = null;
    points = 0;
    redraw();
    showState();
    onChange?.(strokes);
  }
  clearButton.addEventListener('click', () => {
    clear();
    canvas.focus();
  });
  canvas.addEventListener('keydown', (event) => {
    // Delete or Backspace on the pad clears it (the 清除 button does the same).
    if ((event.key === 'Delete' || event.key === 'Backspace') && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      clear();
    }
  });

  new ResizeObserver(() => fit()).observe(canvas);
  showState();

  return {
    element,
    canvas,
    strokes: () => strokes.map((s) => s.map((p) => [p[0], p[1]])),
    setStrokes(list) {
      strokes = (list ?? []).map((s) => s.map((p) => [clamp(p[0]), clamp(p[1])]));
      points = strokes.reduce((n, s) => n + s.length, 0);
      fit();
      redraw();
      showState();
    },
    clear,
    isEmpty: () => strokes.length === 0,
  };
}

/** A saved signature as SVG: one polyline per stroke in a 4:1 box. */
export function signatureSvg(strokes, { id, label = t('slips.signature.saved') } = {}) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${VIEW_W} ${VIEW_H}`);
  svg.setAttribute('class', 'signature-svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  if (id) svg.id = id;
  for (const stroke of strokes ?? []) {
    if (!stroke.length) continue;
    const pts = stroke.map(([x, y]) => `${(x * VIEW_W).toFixed(1)},${(y * VIEW_H).toFixed(1)}`);
    // A dot (one point) is drawn as a zero-length line with round caps.
    if (pts.length === 1) pts.push(pts[0]);
    const line = document.createElementNS(SVG_NS, 'polyline');
    line.setAttribute('points', pts.join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', 'currentColor');
    line.setAttribute('stroke-width', '2.2');
    line.setAttribute('stroke-linecap', 'round');
    line.setAttribute('stroke-linejoin', 'round');
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(line);
  }
  return svg;
}
