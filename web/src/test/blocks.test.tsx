// The alerts page's BGP block/unblock buttons (API.md "Blocks"): admins only, and only when
// the sensor has blocking enabled; a blocked host is tagged for everyone.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../App';
import type { Alert, Block, BlockList } from '../api/types';
import { baseRoutes, fakeApi } from './fakeServer';

const alerts: Alert[] = [
  { id: 'v1', kind: 'traffic_received', severity: 'CRITICAL', status: 'open', host: '203.0.113.7', protocol: null, direction: 'receiving', role: 'victim', description: 'flood', first_seen_ms: 1, last_seen_ms: 200 },
];

function routes(enabled = true) {
  const list: BlockList = { enabled, mode: 'blackhole', max_announcements_per_hour: 20, announcements_last_hour: 0, blocks: [], recent: [] };
  const block = (ip: string): Block => ({
    ip, prefix: `${ip}/32`, mode: 'blackhole', reason: 'manual', by: 'op@example.com', alert_id: null,
    since_ms: 1, expires_ms: null, state: 'active', result: '',
  });
  return {
    ...baseRoutes,
    'GET /api/alerts': () => ({ body: { alerts } }),
    'GET /api/blocks': () => ({ body: list }),
    'POST /api/blocks': (b: unknown) => { list.blocks = [block((b as { ip: string }).ip)]; return { body: list }; },
    'DELETE /api/blocks/203.0.113.7': () => { list.blocks = []; return { body: list }; },
  };
}

function at(path: string) { window.history.replaceState(null, '', path); }

describe('Alerts page blocking', () => {
  it('lets an admin block and unblock the host of an alert', async () => {
    const { api, calls } = fakeApi(routes());
    at('/alerts');
    render(<App api={api} />);
    const row = await screen.findByTestId('alert-row');
    fireEvent.click(await within(row).findByTestId('block-button'));
    await waitFor(() => expect(within(screen.getByTestId('alert-row')).getByTestId('alert-blocked')).toBeTruthy());
    expect(calls.find((c) => c.key === 'POST /api/blocks')?.body).toEqual({ ip: '203.0.113.7' });
    fireEvent.click(within(screen.getByTestId('alert-row')).getByTestId('unblock-button'));
    await waitFor(() => expect(within(screen.getByTestId('alert-row')).queryByTestId('alert-blocked')).toBeNull());
    expect(calls.some((c) => c.key === 'DELETE /api/blocks/203.0.113.7')).toBe(true);
  });

  it('shows no buttons to an operator, nor when blocking is off', async () => {
    for (const [role, enabled] of [['operator', true], ['admin', false]] as const) {
      const { api, calls } = fakeApi(routes(enabled), true, role);
      at('/alerts');
      const { unmount } = render(<App api={api} />);
      await screen.findByTestId('alert-row');
      await waitFor(() => expect(calls.some((c) => c.key === 'GET /api/blocks')).toBe(true));
      expect(screen.queryByTestId('block-button')).toBeNull();
      unmount();
    }
  });

  it('shows the inline drop count of an xdp block on the alerts page', async () => {
    const list: BlockList = { enabled: true, mode: 'xdp', max_announcements_per_hour: 20, announcements_last_hour: 1,
      blocks: [{ ip: '203.0.113.7', prefix: '203.0.113.7/32', mode: 'xdp', reason: 'manual', alert_id: null,
        since_ms: 1, expires_ms: null, state: 'active', result: '', drops: 7 }], recent: [] };
    const { api } = fakeApi({ ...routes(), 'GET /api/blocks': () => ({ body: list }) }, true, 'viewer');
    at('/alerts');
    render(<App api={api} />);
    await waitFor(() => expect(screen.getByTestId('alert-drops').textContent).toContain('7 packets dropped inline'));
  });
});
