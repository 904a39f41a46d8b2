// The console: sign-in, a hash router and the pages. Each page is a function
// (route) -> Node that loads what it shows through the API.
import { api, session, whenUnauthorized } from './api.js';
import { h, problemBox } from './ui.js';
import { parseRoute } from './router.js';
import { overviewPage } from './pages/overview.js';
import { stockPage } from './pages/stock.js';
import { orderPage } from './pages/orders.js';
import { purchaseOrdersPage } from './pages/purchase-orders.js';
import { deadLettersPage } from './pages/dead-letters.js';

const pages = {
  overview: overviewPage,
  stock: stockPage,
  orders: orderPage,
  'purchase-orders': purchaseOrdersPage,
  'dead-letters': deadLettersPage,
};

const $ = (id) => document.getElementById(id);

function showSignIn(message) {
  $('nav').hidden = true;
  $('who').hidden = true;
  $('sign-out').hidden = true;
  $('page').replaceChildren();
  $('sign-in').hidden = false;
  const problem = $('sign-in-problem');
  problem.hidden = !message;
  problem.textContent = message ?? '';
  $('token').focus();
  document.title = 'Sign in · Inventory console';
}

function showSignedIn() {
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  const who = $('who');
  who.hidden = false;
  who.textContent = `${session.identity.name} (${session.identity.scope})`;
}

let rendering = 0;
async function render() {
  if (!session.token) return showSignIn();
  if (!session.identity) {
    try {
      session.identity = await api.identify(session.token);
    } catch (error) {
      session.forget();
      return showSignIn(error.message);
    }
  }
  showSignedIn();
  const route = parseRoute();
  const page = pages[route.page];
  for (const a of document.querySelectorAll('#nav a')) a.toggleAttribute('aria-current', a.dataset.page === route.page);
  const target = $('page');
  const mine = ++rendering;
  let content;
  try {
    content = page ? await page(route) : h('p', { class: 'problem' }, `There is no page "${route.page}".`);
  } catch (error) {
    content = problemBox(error);
  }
  if (mine !== rendering) return; // a newer navigation won
  target.replaceChildren(content);
  document.title = `${target.querySelector('h1')?.textContent ?? 'Inventory console'} · Inventory console`;
}

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  if (!token) return;
  try {
    session.identity = await api.identify(token);
  } catch (error) {
    return showSignIn(error.status === 401 ? 'That token was refused. Check it and try again.' : error.message);
  }
  input.value = '';
  session.token = token;
  if (!location.hash || location.hash === '#') location.hash = '#/overview';
  else render();
});

$('sign-out').addEventListener('click', () => {
  session.forget();
  location.hash = '';
  showSignIn();
});

whenUnauthorized(() => {
  session.forget();
  showSignIn('The service no longer accepts this token; sign in again.');
});

window.addEventListener('hashchange', () => {
  render();
  $('main').focus({ preventScroll: true });
});
render();
