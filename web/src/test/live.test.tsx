// Live alert feed: bursts of `event: alert` in one tick must all reach the pages, and the
// newest state of each alert must win whatever order the events arrive in.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App } from '../App';
import type { Alert } from '../api/types';
import { baseRoutes, fakeApi } from './fakeServer';
import { alertsSince, pushAlert, type AlertFeed } from '../api/live';

/** Test double for the browser's EventSource (jsdom has none): events are pushed by the test. */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(public url: string) { FakeEventSource.instances.push(this); }
  addEventListener(type: string, fn: (ev: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() { this.closed = true; }
  emit(type: string, data: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const alert = (id: string, status: Alert['status'], last: number, count: number): Alert => ({
  id, kind: 'protocol_blacklist', severity: 'HIGH', status, host: '10.0.0.5', protocol: 'ICMP',
  description: `alert ${id}`, count, first_seen_ms: 1, last_seen_ms: last,
  resolved_at_ms: status === 'resolved' ? last + 1 : null,
});

function at(path: string) { window.history.replaceState(null, '', path); }

async function openStream(): Promise<FakeEventSource> {
  await waitFor(() => expect(FakeEventSource.instances.length).toBeGreaterThan(0));
  const es = FakeEventSource.instances[FakeEventSource.instances.length - 1];
  act(() => es.onopen?.());
  return es;
}

function rows() { return screen.queryAllByTestId('alert-row'); }

describe('alert feed queue', () => {
  it('queues every update, bounded, and hands out those not yet seen', () => {
    let feed: AlertFeed = { seq: 0, updates: [] };
    for (let i = 0; i < 5; i++) feed = pushAlert(feed, alert(`q${i}`, 'open', i, 1), 3);
    expect(feed.seq).toBe(5);
    expect(feed.updates.map((a) => a.id)).toEqual(['q2', 'q3', 'q4']);
    expect(alertsSince(feed, 3).map((a) => a.id)).toEqual(['q3', 'q4']);
    expect(alertsSince(feed, 0).map((a) => a.id)).toEqual(['q2', 'q3', 'q4']);
    expect(alertsSince(feed, 5)).toEqual([]);
  });
});

describe('live alert feed', () => {
  beforeEach(() => { FakeEventSource.instances = []; vi.stubGlobal('EventSource', FakeEventSource); });
  afterEach(() => { vi.unstubAllGlobals(); });
  const routes = { ...baseRoutes, 'GET /api/alerts': () => ({ body: { alerts: [] } }) };

  it('shows every alert of a burst delivered in the same tick', async () => {
    const { api } = fakeApi(routes);
    at('/alerts');
    render(<App api={api} />);
    const es = await openStream();
    await screen.findByText('No alerts match these filters');
    const n = 12;
    act(() => { for (let i = 0; i < n; i++) es.emit('alert', alert(`b${i}`, 'open', 1000 + i, 1)); });
    await waitFor(() => expect(rows()).toHaveLength(n));
    expect(rows().map((r) => r.dataset.id)).toEqual(Array.from({ length: n }, (_, i) => `b${n - 1 - i}`));
  });

  it('ends a burst of updates to one alert at its newest state', async () => {
    const { api } = fakeApi(routes);
    at('/alerts');
    render(<App api={api} />);
    const es = await openStream();
    fireEvent.change(await screen.findByTestId('filter-status'), { target: { value: '' } });
    await screen.findByText('No alerts match these filters');
    // Out of order within the burst: the resolved state, then older open states.
    act(() => {
      es.emit('alert', alert('s1', 'open', 100, 1));
      es.emit('alert', alert('s1', 'resolved', 300, 3));
      es.emit('alert', alert('s1', 'open', 200, 2));
      es.emit('alert', alert('s1', 'open', 300, 3));
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0].dataset.status).toBe('resolved');
    // A late, older update in a later tick does not reopen it either.
    act(() => es.emit('alert', alert('s1', 'open', 250, 2)));
    await new Promise((r) => setTimeout(r, 20));
    expect(rows()).toHaveLength(1);
    expect(rows()[0].dataset.status).toBe('resolved');
  });

  it('keeps every alert of a burst on the overview', async () => {
    const { api } = fakeApi(routes);
    at('/');
    render(<App api={api} />);
    const es = await openStream();
    await screen.findByText('No open alerts');
    act(() => { for (let i = 0; i < 4; i++) es.emit('alert', alert(`o${i}`, 'open', 1000 + i, 1)); });
    await waitFor(() => expect(screen.getByTestId('recent-alerts').querySelectorAll('li')).toHaveLength(4));
  });
});
