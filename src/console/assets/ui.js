// DOM helpers. Everything the API returns goes in as text (textContent), never
// as HTML: a dead letter's value is whatever someone sent.

/** h('a', { href: '#/x', class: 'y' }, 'text', child): an element. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false || child === '') continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const link = (href, ...children) => h('a', { href }, ...children);

/** A readable message for anything thrown while loading a page or a table. */
export function problemBox(error) {
  return h('p', { class: 'problem', role: 'alert' }, error?.message ?? String(error));
}

export const loading = () => h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading…');

const numberFormat = new Intl.NumberFormat('en');
export const num = (value) => (value === undefined || value === null ? '–' : typeof value === 'number' ? numberFormat.format(value) : String(value));

/** An instant as local date and time, with the ISO text as tooltip. */
export function when(value) {
  if (!value) return '–';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return h('time', { datetime: date.toISOString(), title: date.toISOString() }, date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }));
}

const statusWords = { IN_STOCK: 'in stock', LOW_STOCK: 'low', OUT_OF_STOCK: 'out' };
/** Stock status (IN_STOCK, LOW_STOCK, OUT_OF_STOCK) or any other status word as a badge. */
export function badge(status) {
  if (!status) return '–';
  return h(
    'span',
    { class: `badge badge-${String(status).toLowerCase().replace(/_/g, '-')}` },
    statusWords[status] ?? String(status).toLowerCase().replace(/_/g, ' '),
  );
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/**
 * One page at a time of a list endpoint ({ items, nextCursor }): Next follows
 * nextCursor, Previous goes back to a cursor already seen. Never more than
 * one page in the browser. render(items) -> Node.
 */
export function paged({ load, render, empty = 'Nothing to show.', limit = 25 }) {
  const container = h('div', { class: 'paged' });
  const cursors = [null];
  let page = 0;

  async function show() {
    container.replaceChildren(loading());
    let answer;
    try {
      answer = await load({ cursor: cursors[page] ?? undefined, limit });
    } catch (error) {
      container.replaceChildren(problemBox(error));
      return;
    }
    const items = answer?.items ?? [];
    cursors[page + 1] = answer?.nextCursor ?? null;
    const previous = h(
      'button',
      {
        type: 'button',
        disabled: page === 0,
        onclick: () => {
          page -= 1;
          show();
        },
      },
      '← Previous',
    );
    const next = h(
      'button',
      {
        type: 'button',
        disabled: !cursors[page + 1],
        onclick: () => {
          page += 1;
          show();
        },
      },
      'Next →',
    );
    const pager = page > 0 || cursors[page + 1] ? [h('div', { class: 'pager' }, previous, h('span', { class: 'muted' }, `page ${page + 1}`), next)] : [];
    container.replaceChildren(items.length ? render(items) : h('p', { class: 'muted' }, page === 0 ? empty : 'No more rows.'), ...pager);
  }
  show();
  return container;
}

/** paged() as a table. columns: [{ label, value(item) -> node|text, numeric? }]. */
export function pagedTable({ columns, ...options }) {
  return paged({ ...options, render: (items) => simpleTable(items, columns) });
}

/** A small filter form whose values live in the page's hash (so Back works and a view can be shared). */
export function filterForm(fields, values, onSubmit, buttonLabel = 'Filter') {
  const inputs = {};
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    fields.map((field) => {
      const id = `f-${field.name}`;
      const input = field.options
        ? h(
            'select',
            { id },
            field.options.map(([value, label]) => h('option', { value, selected: values[field.name] === value }, label)),
          )
        : h('input', {
            id,
            type: field.type ?? 'text',
            value: values[field.name] ?? '',
            placeholder: field.placeholder ?? '',
            inputmode: field.inputmode,
            autocomplete: 'off',
          });
      inputs[field.name] = input;
      return h('div', { class: 'field' }, h('label', { for: id }, field.label), input);
    }),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, buttonLabel)),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit(Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()])));
  });
  return form;
}

/** Pretty-printed JSON when the text is JSON, else the text itself. */
export function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A table of items already in hand (a detail's lines); lists that can grow use pagedTable. */
export function simpleTable(items, columns, empty = 'None.') {
  if (!items.length) return h('p', { class: 'muted' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((item, i) =>
          h(
            'tr',
            {},
            columns.map((c) => h('td', { 'data-label': c.label, class: c.numeric ? 'num' : null }, c.value(item, i))),
          ),
        ),
      ),
    ),
  );
}
