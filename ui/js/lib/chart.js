// Small charts drawn as inline SVG by our own code (no chart library): horizontal bars,
// this period above the period before for each item, the value written at the end of
// each bar so that nothing is told by colour alone. Horizontal because the items are
// Chinese model names, fault categories and engineers, which need room to be read.

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element: svg('rect', {x: 1}, child…); text children are set as text. */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Rough width of text in pixels: CJK and full-width characters a whole em, others ~0.6. */
function textWidth(text, size) {
  let width = 0;
  for (const c of String(text)) width += c.charCodeAt(0) > 0x2e80 ? size : size * 0.6;
  return width;
}

/** The text cut with … to fit `max` pixels. */
function fit(text, size, max) {
  if (textWidth(text, size) <= max) return text;
  let out = '';
  for (const c of String(text)) {
    if (textWidth(`${out}${c}…`, size) > max) break;
    out += c;
  }
  return `${out}…`;
}

const LAYOUT = {
  width: 350,
  labelWidth: 140,
  valueWidth: 62,
  legend: 24,
  row: 34,
  bar: 11,
  font: 12,
};

/**
 * A bar chart of `items` ({label, current, previous}), each value written with `format`.
 * `legend` names the two periods ({current, previous}); `title` is the accessible name.
 */
export function barChart({ items, format, legend, title, id }) {
  const L = LAYOUT;
  const height = L.legend + items.length * L.row + 4;
  const max = Math.max(0, ...items.flatMap((i) => [i.current, i.previous]));
  const span = L.width - L.labelWidth - L.valueWidth;
  const length = (v) => (max > 0 && v > 0 ? Math.max(1, (v / max) * span) : 0);
  const root = svg('svg', {
    class: 'chart',
    id,
    width: L.width,
    height,
    viewBox: `0 0 ${L.width} ${height}`,
    role: 'img',
    'aria-label': title,
  });
  root.append(svg('title', {}, title));

  // Legend: the order of the bars, in words as well as in colour.
  const key = (x, cls, text) => [
    svg('rect', { x, y: 6, width: 12, height: L.bar, class: cls, rx: 2 }),
    svg('text', { x: x + 17, y: 6 + L.bar - 1, class: 'chart-legend' }, text),
  ];
  const second = L.labelWidth + 17 + textWidth(legend.current, L.font) + 20;
  root.append(...key(L.labelWidth, 'bar-current', legend.current), ...key(second, 'bar-previous', legend.previous));

  items.forEach((item, i) => {
    const y = L.legend + i * L.row;
    const group = svg('g', { class: 'chart-item', 'data-index': i });
    group.append(
      svg('title', {}, `${item.label}：${legend.current} ${format(item.current)}，${legend.previous} ${format(item.previous)}`),
      svg('text', { x: L.labelWidth - 8, y: y + L.bar + 4, 'text-anchor': 'end', class: 'chart-label' }, fit(item.label, L.font, L.labelWidth - 10)),
    );
    for (const [which, value, dy] of [
      ['current', item.current, 0],
      ['previous', item.previous, L.bar + 2],
    ]) {
      const w = length(value);
      group.append(
        svg('rect', { x: L.labelWidth, y: y + dy, width: w, height: L.bar, class: `bar-${which}`, rx: 2 }),
        svg(
          'text',
          { x: L.labelWidth + w + 4, y: y + dy + L.bar - 1, class: `chart-value chart-value-${which}` },
          format(value),
        ),
      );
    }
    root.append(group);
  });
  // The axis the bars grow from.
  root.append(svg('line', { x1: L.labelWidth, x2: L.labelWidth, y1: L.legend - 2, y2: height - 2, class: 'chart-axis' }));
  return root;
}
