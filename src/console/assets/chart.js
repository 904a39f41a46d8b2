// On-hand over time as a small inline SVG step line, from ledger rows.
import { h } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, ...children) => {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
};

/** Ledger types that move on hand (RESERVE and RELEASE move reserved only; docs/DEVELOPING.md, ledger sign convention). */
const MOVES_ON_HAND = new Set(['RECEIVE', 'SHIP', 'ADJUST', 'TRANSFER']);

/**
 * Walks back from today's on hand through the ledger (newest first): before
 * each movement, on hand was the figure after it minus its quantity. Returns
 * points oldest first: [{ at: Date, onHand }], ending with now.
 */
export function onHandSeries(currentOnHand, rowsNewestFirst, now = new Date()) {
  const points = [{ at: now, onHand: currentOnHand }];
  let onHand = currentOnHand;
  for (const row of rowsNewestFirst) {
    if (!MOVES_ON_HAND.has(row.type)) continue;
    points.push({ at: new Date(row.createdAt), onHand });
    onHand -= row.quantity;
    points.push({ at: new Date(row.createdAt), onHand, before: true });
  }
  return points.reverse();
}

/** The chart, or null when there is nothing to draw. */
export function onHandChart(points, { width = 640, height = 160, label = 'On hand over time' } = {}) {
  if (points.length < 2) return null;
  const pad = { left: 44, right: 12, top: 10, bottom: 24 };
  const t0 = points[0].at.getTime();
  const t1 = Math.max(points[points.length - 1].at.getTime(), t0 + 1);
  const max = Math.max(1, ...points.map((p) => p.onHand));
  const min = Math.min(0, ...points.map((p) => p.onHand));
  const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v) => pad.top + (1 - (v - min) / (max - min)) * (height - pad.top - pad.bottom);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.at.getTime()).toFixed(1)},${y(p.onHand).toFixed(1)}`).join(' ');
  const area = `${path} L${x(t1).toFixed(1)},${y(min).toFixed(1)} L${x(t0).toFixed(1)},${y(min).toFixed(1)} Z`;
  const fmt = (d) => d.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const last = points[points.length - 1];
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${label}: from ${points[0].onHand} to ${last.onHand}`, class: 'chart' },
    svg('title', {}, label),
    svg('line', { x1: pad.left, x2: width - pad.right, y1: y(min), y2: y(min), class: 'axis' }),
    svg('line', { x1: pad.left, x2: width - pad.right, y1: y(max), y2: y(max), class: 'grid' }),
    svg('text', { x: pad.left - 6, y: y(max) + 4, 'text-anchor': 'end' }, String(max)),
    svg('text', { x: pad.left - 6, y: y(min) + 4, 'text-anchor': 'end' }, String(min)),
    svg('text', { x: pad.left, y: height - 6 }, fmt(points[0].at)),
    svg('text', { x: width - pad.right, y: height - 6, 'text-anchor': 'end' }, 'now'),
    svg('path', { d: area, class: 'area' }),
    svg('path', { d: path, class: 'line' }),
    svg('circle', { cx: x(t1), cy: y(last.onHand), r: 3.5, class: 'dot' }),
  );
  return h('figure', { class: 'chart-figure' }, chart, h('figcaption', { class: 'muted' }, label));
}
