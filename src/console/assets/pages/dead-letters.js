// Dead letters: what the service refused, why, and the original message; a
// write token can send one back to its topic once (redrive). The contract's
// list carries everything (reason, value, headers), so each letter opens in
// place rather than on a page of its own.
import { api, seg, session } from '../api.js';
import { filterForm, h, link, paged, prettyJson, when } from '../ui.js';
import { go, hrefOf } from '../router.js';

const TOPICS = ['orders', 'goods-receipts', 'purchase-order-updates', 'inventory-operations'];

export async function deadLettersPage(route) {
  const filters = { code: route.params.code ?? '', topic: route.params.topic ?? '' };
  return h(
    'div',
    {},
    h('h1', {}, 'Dead letters'),
    filterForm(
      [
        { name: 'code', label: 'Code', placeholder: 'e.g. INVALID_PAYLOAD' },
        { name: 'topic', label: 'Topic', options: [['', 'any'], ...TOPICS.map((t) => [t, t])] },
      ],
      filters,
      (values) => go('dead-letters', null, values),
    ),
    paged({
      load: (page) => api.get('/v1/dead-letters', { ...filters, ...page }),
      empty: filters.code || filters.topic ? 'No dead letter matches.' : 'No dead letters: everything sent was processed.',
      limit: 20,
      render: (letters) => h('ol', { class: 'letters' }, letters.map(deadLetterCard)),
    }),
  );
}

function deadLetterCard(letter) {
  const value = typeof letter.value === 'string' ? prettyJson(letter.value) : `(not UTF-8, base64) ${letter.valueBase64 ?? ''}`;
  return h(
    'li',
    { class: 'card letter', id: `dead-letter-${letter.id}`, 'data-id': letter.id },
    h(
      'div',
      { class: 'letter-head' },
      h('strong', {}, `#${letter.id}`),
      h('code', { class: 'code' }, letter.code),
      h('span', { class: 'muted' }, `${letter.topic} [${letter.partition}] @${letter.offset}`),
      letter.key ? h('span', { class: 'muted' }, 'key ', keyLink(letter)) : null,
      h('span', { class: 'muted' }, when(letter.deadLetteredAt)),
    ),
    h('p', { class: 'reason' }, letter.reason),
    h(
      'details',
      {},
      h('summary', {}, 'Original message and headers'),
      h('p', { class: 'muted pre-label' }, letter.eventType ? `Value (${letter.eventType})` : 'Value'),
      h('pre', { class: 'message', tabindex: 0 }, value),
      h('p', { class: 'muted pre-label' }, 'Headers'),
      h('pre', { class: 'message headers', tabindex: 0 }, JSON.stringify(letter.headers ?? {}, null, 2)),
    ),
    redriveControl(letter),
  );
}

/** An orders key is an orderId: link to the order. */
function keyLink(letter) {
  return letter.topic === 'orders' ? link(hrefOf('orders', letter.key), letter.key) : letter.key;
}

/** The redrive button: write tokens only, asks first, disabled once redriven. */
function redriveControl(letter) {
  const redriven = Boolean(letter.redrivenAt);
  if (session.identity?.scope !== 'write') {
    return h('p', { class: 'muted small' }, redriven ? ['Redriven ', when(letter.redrivenAt)] : 'Redriving needs a token with scope write.');
  }
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, redriven ? ['Redriven ', when(letter.redrivenAt), '.'] : null);
  const button = h('button', { type: 'button', class: 'danger redrive-button', disabled: redriven }, redriven ? 'Redriven' : 'Redrive…');
  const yes = h('button', { type: 'button', class: 'danger confirm-redrive' }, 'Yes, redrive');
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const question = h(
    'div',
    { class: 'confirm', role: 'group', 'aria-label': `Confirm redrive of dead letter ${letter.id}`, hidden: true },
    h(
      'p',
      {},
      `Send message #${letter.id} again to ${letter.topic}? The service judges it once more, as if new; if it is refused again it becomes a new dead letter. A dead letter is redriven at most once.`,
    ),
    yes,
    cancel,
  );
  button.addEventListener('click', () => {
    question.hidden = false;
    yes.focus();
  });
  cancel.addEventListener('click', () => {
    question.hidden = true;
    button.focus();
  });
  yes.addEventListener('click', async () => {
    question.hidden = true;
    button.disabled = true;
    status.classList.remove('problem');
    status.textContent = 'Redriving…';
    try {
      const answer = await api.post(`/v1/dead-letters/${seg(letter.id)}/redrive`);
      button.textContent = 'Redriven';
      status.replaceChildren('Sent again ', when(answer.redrivenAt), '.');
    } catch (error) {
      if (error.status === 409) button.textContent = 'Redriven';
      else button.disabled = false;
      status.classList.add('problem');
      status.textContent = error.message;
    }
  });
  return h('div', { class: 'redrive' }, button, question, status);
}
