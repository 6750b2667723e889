// A timeline: what happened to a record, oldest first, each step with its time in the
// desk's zone, who did it (where known), its title and detail. The customer file, the
// equipment file, the order file and the complaint file draw theirs with it.
import { h } from './dom.js';
import { deskDateTime } from './dates.js';

/**
 * An <ol class="timeline"> of `entries` ({at, title, detail, user, kind}). Options: the
 * list's `id` and extra `className`; `kindOf(entry)` for the row's data-kind; `titleOf(entry)`
 * for its title (default the entry's own); `chipOf(entry, kind)` for a chip after the time;
 * `withUser` to show who did it.
 */
export function timelineList(entries, { id, className = '', kindOf = null, titleOf = (e) => e.title ?? '', chipOf = null, withUser = false } = {}) {
  return h(
    'ol',
    { class: ['timeline', className].filter(Boolean).join(' '), id },
    entries.map((entry) => {
      const kind = kindOf ? kindOf(entry) : null;
      return h(
        'li',
        { dataset: kind === null ? {} : { kind } },
        h('time', { class: 'timeline-at num', datetime: entry.at ?? '' }, deskDateTime(entry.at)),
        chipOf ? chipOf(entry, kind) : null,
        withUser ? h('span', { class: 'timeline-user' }, entry.user ?? '') : null,
        h(
          'span',
          { class: 'timeline-text' },
          h('span', { class: 'timeline-title' }, titleOf(entry)),
          entry.detail ? h('span', { class: 'timeline-detail' }, entry.detail) : null,
        ),
      );
    }),
  );
}
