// Pages live in the URL's hash: '#/stock/SKU-1?location=3'. Never a token.

/** '#/stock/SKU-1?location=3' -> { page: 'stock', id: 'SKU-1', params: { location: '3' } } */
export function parseRoute(hash = location.hash) {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page, ...rest] = path.split('/');
  return { page: page || 'overview', id: rest.length ? decodeURIComponent(rest.join('/')) : null, params: Object.fromEntries(new URLSearchParams(query)) };
}

/** The hash of a page: go('stock', 'SKU-1', { location: 3 }). */
export function hrefOf(page, id = null, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  return `#/${page}${id !== null && id !== undefined ? `/${encodeURIComponent(id)}` : ''}${query ? `?${query}` : ''}`;
}

export function go(page, id, params) {
  location.hash = hrefOf(page, id, params);
}
