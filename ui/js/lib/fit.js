// Tables that truncate with a tooltip instead of clipping: a cell cut short by its column
// (ellipsis) gets its full text as `title`; a number or money cell is never cut — its
// column widens to fit it and the text columns give way.

const TABLES = 'table';
const NUMBER_CELL = '.num, .col-money, .money, .qty, .col-tnum';

function overflowing(el) {
  return el.scrollWidth > el.clientWidth + 1;
}

function fitTable(table) {
  const head = table.tHead?.rows?.[0];
  const cells = table.querySelectorAll('tbody td, tbody th');
  if (cells.length > 2000) return;
  // Numbers first: widen the column of any cut number, once.
  const widen = new Map();
  for (const cell of cells) {
    if (!cell.matches(NUMBER_CELL) && !cell.querySelector(NUMBER_CELL)) continue;
    if (!overflowing(cell)) continue;
    const need = cell.scrollWidth + 4;
    widen.set(cell.cellIndex, Math.max(widen.get(cell.cellIndex) ?? 0, need));
  }
  if (head) {
    for (const [index, width] of widen) {
      const th = head.cells[index];
      if (th && th.getBoundingClientRect().width < width) {
        th.style.width = `${width}px`;
        th.style.minWidth = `${width}px`;
      }
    }
  }
  for (const cell of cells) {
    const text = cell.textContent.trim();
    if (!text) continue;
    if (overflowing(cell)) {
      if (!cell.title) {
        cell.title = text;
        cell.dataset.fitTitle = '';
      }
    } else if (cell.dataset.fitTitle !== undefined) {
      cell.removeAttribute('title');
      delete cell.dataset.fitTitle;
    }
  }
}

let scheduled = null;
let watched = null;

/** Fits the tables under `root` now and whenever its content or the window size changes. */
export function fitTables(root) {
  const run = () => {
    scheduled = null;
    for (const table of root.querySelectorAll(TABLES)) fitTable(table);
  };
  const soon = () => {
    if (scheduled === null) scheduled = requestAnimationFrame(run);
  };
  if (watched !== root) {
    watched = root;
    new MutationObserver(soon).observe(root, { childList: true, subtree: true, characterData: true });
    window.addEventListener('resize', soon);
  }
  run();
}
