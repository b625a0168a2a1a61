// The Blocks page (/blocks, API.md "Blocks"): everyone sees the blocks, the recent actions and
// the cap; only admins see the form and the Unblock buttons.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../App';
import type { Block, BlockList } from '../api/types';
import { baseRoutes, fakeApi } from './fakeServer';

function block(ip: string, more: Partial<Block> = {}): Block {
  return {
    ip, prefix: ip.includes('/') ? ip : `${ip}/32`, mode: 'blackhole', reason: 'manual', by: 'admin@example.com',
    alert_id: null, since_ms: 1_700_000_000_000, expires_ms: null, state: 'active', result: '', ...more,
  };
}

function sample(enabled = true): BlockList {
  return {
    enabled, mode: 'xdp', max_announcements_per_hour: 20, announcements_last_hour: 3,
    blocks: enabled ? [
      block('203.0.113.0/24', { mode: 'xdp', drops: 1500, expires_ms: 1_700_000_600_000 }),
      block('2001:db8::7', { prefix: '2001:db8::7/128', mode: 'xdp', drops: null, reason: 'traffic_sent HIGH', by: 'sensor' }),
      block('198.51.100.9', { state: 'failed', result: 'gobgp: connection refused' }),
    ] : [],
    recent: enabled ? [
      { ip: '192.0.2.1', action: 'refused', reason: 'protected', by: 'admin@example.com', at_ms: 1_700_000_001_000, result: 'protected prefix 192.0.2.0/24' },
      { ip: '203.0.113.0/24', action: 'announce', reason: 'manual', at_ms: 1_700_000_000_000, result: 'ok' },
    ] : [],
  };
}

/** A fake sensor: GET answers `list`, POST adds, the DELETE paths of its blocks remove. */
function sensor(list: BlockList, post?: (b: unknown) => { status?: number; body: unknown }) {
  const del = (name: string) => () => {
    list.blocks = list.blocks.filter((b) => b.ip !== name);
    return { body: list };
  };
  return {
    ...baseRoutes,
    'GET /api/alerts': () => ({ body: { alerts: [] } }),
    'GET /api/blocks': () => ({ body: list }),
    'POST /api/blocks': post ?? ((b: unknown) => {
      const r = b as { ip?: string; prefix?: string; mode?: Block['mode'] };
      list.blocks = [...list.blocks, block(r.prefix ?? r.ip ?? '?', { mode: r.mode ?? 'xdp' })];
      return { body: list };
    }),
    'DELETE /api/blocks/203.0.113.0/24': del('203.0.113.0/24'),
    'DELETE /api/blocks/2001%3Adb8%3A%3A7': del('2001:db8::7'),
    'DELETE /api/blocks/198.51.100.9': del('198.51.100.9'),
  };
}

function open(list: BlockList, role: 'viewer' | 'operator' | 'admin', post?: Parameters<typeof sensor>[1]) {
  const fake = fakeApi(sensor(list, post), true, role);
  window.history.replaceState(null, '', '/blocks');
  render(<App api={fake.api} />);
  return fake;
}

const realConfirm = window.confirm;
afterEach(() => { window.confirm = realConfirm; });

const rowOf = (name: string) => screen.getAllByTestId('block-row')
  .find((r) => within(r).getByTestId('block-name').textContent?.startsWith(name))!;

describe('Blocks page', () => {
  it('shows a viewer the blocks, the recent actions and the cap, without any control', async () => {
    open(sample(), 'viewer');
    await waitFor(() => expect(screen.getAllByTestId('block-row')).toHaveLength(3));
    expect(screen.getByTestId('nav-blocks')).toBeTruthy();
    expect(screen.getByTestId('blocks-enabled').textContent).toBe('enabled');
    expect(screen.getByTestId('blocks-mode').textContent).toBe('xdp');
    expect(screen.getByTestId('blocks-cap').textContent).toBe('3 / 20');
    expect(within(rowOf('203.0.113.0/24')).getByTestId('block-drops').textContent).toBe('1,500');
    expect(within(rowOf('2001:db8::7')).getByTestId('block-drops').textContent).toBe('not applied yet');
    expect(within(rowOf('2001:db8::7')).getByText('traffic_sent HIGH')).toBeTruthy();
    expect(within(rowOf('198.51.100.9')).getByTestId('block-drops').textContent).toBe('—');
    expect(within(rowOf('198.51.100.9')).getByTestId('block-result').textContent).toBe('gobgp: connection refused');
    expect(within(rowOf('203.0.113.0/24')).queryByTestId('block-result')).toBeNull();
    const recent = screen.getAllByTestId('recent-row');
    expect(recent.map((r) => within(r).getByTestId('recent-action').textContent)).toEqual(['refused', 'announce']);
    expect(within(recent[0]).getByTestId('recent-result').textContent).toBe('protected prefix 192.0.2.0/24');
    expect(screen.queryByTestId('block-form')).toBeNull();
    expect(screen.queryByTestId('block-unblock')).toBeNull();
    expect(screen.queryByTestId('blocks-disabled')).toBeNull();
  });

  it('gives an operator no controls either (blocking is the admin role)', async () => {
    open(sample(), 'operator');
    await waitFor(() => expect(screen.getAllByTestId('block-row')).toHaveLength(3));
    expect(screen.queryByTestId('block-form')).toBeNull();
    expect(screen.queryByTestId('block-unblock')).toBeNull();
  });

  it('says plainly when blocking is disabled, and offers no form', async () => {
    open(sample(false), 'admin');
    const banner = await screen.findByTestId('blocks-disabled');
    expect(banner.textContent).toContain('--block-config');
    expect(banner.textContent).toContain('Responding to attacks');
    expect(screen.getByTestId('blocks-enabled').textContent).toBe('disabled');
    expect(screen.queryByTestId('block-form')).toBeNull();
  });

  it('lets an admin block a prefix in mode xdp with a ban time', async () => {
    const { calls } = open(sample(), 'admin');
    fireEvent.change(await screen.findByTestId('block-target'), { target: { value: ' 2001:db8:5::/48 ' } });
    fireEvent.change(screen.getByTestId('block-mode'), { target: { value: 'xdp' } });
    fireEvent.change(screen.getByTestId('block-ban'), { target: { value: '600' } });
    fireEvent.click(screen.getByTestId('block-submit'));
    await waitFor(() => expect(screen.getAllByTestId('block-row')).toHaveLength(4));
    expect(calls.filter((c) => c.key === 'POST /api/blocks').map((c) => c.body))
      .toEqual([{ prefix: '2001:db8:5::/48', mode: 'xdp', ban_s: 600 }]);
    expect((screen.getByTestId('block-target') as HTMLInputElement).value).toBe('');
  });

  it('refuses what is not an address or prefix without a request', async () => {
    const { calls } = open(sample(), 'admin');
    const input = await screen.findByTestId('block-target');
    for (const bad of ['../x', '10.0.0.0/24/../../api/config', '10.0.0.1 10.0.0.2', '9'.repeat(80), '203.0.113.0/24']) {
      fireEvent.change(input, { target: { value: bad } });
      if (bad === '203.0.113.0/24') fireEvent.change(screen.getByTestId('block-mode'), { target: { value: 'flowspec' } });
      fireEvent.click(screen.getByTestId('block-submit'));
      expect(screen.getByTestId('block-invalid').textContent, bad).toMatch(/Not an address or prefix|not flowspec/);
    }
    fireEvent.change(screen.getByTestId('block-mode'), { target: { value: '' } });
    fireEvent.change(input, { target: { value: '203.0.113.9' } });
    fireEvent.change(screen.getByTestId('block-ban'), { target: { value: '604801' } });
    fireEvent.click(screen.getByTestId('block-submit'));
    expect(screen.getByTestId('block-invalid').textContent).toContain('Ban time');
    expect(calls.some((c) => c.key.startsWith('POST') || c.key.startsWith('DELETE'))).toBe(false);
  });

  it("shows the sensor's 409 refusal as it is", async () => {
    const detail = 'the prefix overlaps protected_prefixes (192.0.2.0/24)';
    open(sample(), 'admin', () => ({ status: 409, body: { error: 'protected', detail } }));
    fireEvent.change(await screen.findByTestId('block-target'), { target: { value: '192.0.2.0/25' } });
    fireEvent.click(screen.getByTestId('block-submit'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(detail));
    expect(screen.getAllByTestId('block-row')).toHaveLength(3);
  });

  it('unblocks a v4 prefix and a v6 host on their paths, after a confirmation', async () => {
    const { calls } = open(sample(), 'admin');
    await waitFor(() => expect(screen.getAllByTestId('block-unblock')).toHaveLength(3));
    window.confirm = () => false;
    fireEvent.click(within(rowOf('203.0.113.0/24')).getByTestId('block-unblock'));
    expect(calls.some((c) => c.key.startsWith('DELETE'))).toBe(false);
    let asked = '';
    window.confirm = (m?: string) => { asked = m ?? ''; return true; };
    fireEvent.click(within(rowOf('203.0.113.0/24')).getByTestId('block-unblock'));
    await waitFor(() => expect(screen.getAllByTestId('block-row')).toHaveLength(2));
    expect(asked).toContain('203.0.113.0/24');
    fireEvent.click(within(rowOf('2001:db8::7')).getByTestId('block-unblock'));
    await waitFor(() => expect(screen.getAllByTestId('block-row')).toHaveLength(1));
    expect(calls.filter((c) => c.key.startsWith('DELETE')).map((c) => c.key)).toEqual([
      'DELETE /api/blocks/203.0.113.0/24', 'DELETE /api/blocks/2001%3Adb8%3A%3A7',
    ]);
  });
});
