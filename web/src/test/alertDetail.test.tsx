import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../App';
import type { Alert, BlockList, CaptureView } from '../api/types';
import { baseRoutes, fakeApi } from './fakeServer';

const ID = '33333333-3333-4333-8333-333333333333';
const now = Date.now();
const alert: Alert = {
  id: ID, kind: 'traffic_sent', severity: 'MEDIUM', status: 'open', host: '10.0.0.66',
  description: '10.0.0.66 sends 1500 pkt/s', value: 1500, threshold: 1000, peak: 1600, count: 3,
  first_seen_ms: now - 5000, last_seen_ms: now,
};
const view: CaptureView = {
  summary: { alert_id: ID, host: '10.0.0.66', started_ms: now - 5000, finished_ms: now, samples: 1,
    packets: 2, bytes: 188, truncated: 0, lost: 0, snap_len: 1984 },
  packets: [
    { ts_ns: 1.7e18, src: '10.0.0.66', dst: '10.0.0.9', protocol: 'TCP', sport: 1000, dport: 80, flags: 'SYN', length: 60, captured: 54 },
    { ts_ns: 1.7e18 + 1e6, src: '10.0.0.66', dst: '10.0.0.9', protocol: 'ICMP', sport: 0, dport: 0, flags: '', length: 98, captured: 98 },
    { ts_ns: 1.7e18 + 2e6, src: '10.0.0.9', dst: '10.0.0.66', protocol: 'TCP', sport: 80, dport: 1000, flags: 'SYN,ACK', length: 60, captured: 60 },
  ],
  total: 3, span_s: 0.002,
  sent: { packets: 2, bytes: 158, pps: 1000, bps: 632000 },
  received: { packets: 1, bytes: 60, pps: 500, bps: 240000 },
  timeline: { bin_ms: 100, points: [{ t_ms: 1.7e12, sent: 2, received: 1 }] },
  top_peers: [{ key: '10.0.0.9', packets: 3, bytes: 218 }],
  top_ports: [{ key: 'TCP/80', packets: 2, bytes: 120 }],
};

function at(path: string) { window.history.replaceState(null, '', path); }

function routes(withCapture: boolean) {
  return {
    ...baseRoutes,
    [`GET /api/alerts/${ID}`]: () => ({ body: alert }),
    [`GET /api/alerts/${ID}/capture`]: () => (withCapture ? { body: view }
      : { status: 404, body: { error: 'not_found', detail: 'no capture for this alert' } }),
  };
}

const VID = '44444444-4444-4444-8444-444444444444';
const victim: Alert = {
  id: VID, kind: 'syn_flood', severity: 'HIGH', status: 'open', host: '10.200.0.99',
  direction: 'receiving', role: 'victim', attack_type: 'SYN flood', profile_samples: 40,
  description: '10.200.0.99: receiving 20000 TCP SYNs/s, 0% answered with SYN+ACK, threshold 1000 (SYN flood)',
  value: 20000, threshold: 1000, peak: 20000, count: 3, first_seen_ms: now - 5000, last_seen_ms: now,
  top_sources: [{ ip: '198.18.0.7', packets: 3 }, { ip: '198.18.0.9', packets: 1 }],
  breakdown: [{ protocol: 'tcp_syn', src_port: null, dst_port: 80, packets: 36 },
    { protocol: 'udp', src_port: 53, dst_port: null, packets: 4 }],
};

describe('Alert detail page', () => {
  it('a victim alert shows its role, attack type, top sources and breakdown', async () => {
    const { api } = fakeApi({
      ...baseRoutes,
      [`GET /api/alerts/${VID}`]: () => ({ body: victim }),
      [`GET /api/alerts/${VID}/capture`]: () => ({ status: 404, body: { error: 'not_found', detail: 'none' } }),
    }, true, 'viewer');
    at(`/alerts/${VID}`);
    render(<App api={api} />);
    const sources = await screen.findAllByTestId('top-source-row');
    expect(sources).toHaveLength(2);
    expect(sources[0].textContent).toContain('198.18.0.7');
    expect(sources[0].textContent).toContain('(8%)');
    const rows = screen.getAllByTestId('breakdown-row');
    expect(rows[0].textContent).toContain('tcp_syn to port 80');
    expect(rows[0].textContent).toContain('(90%)');
    expect(rows[1].textContent).toContain('udp from port 53');
    expect(screen.getByTestId('alert-role').textContent).toBe('receiving · victim');
    expect(screen.getByTestId('alert-attack-type').textContent).toBe('SYN flood');
    expect(screen.getByTestId('breakdown').textContent).toContain('SYN flood');
  });

  it('an attacker alert has no victim profile', async () => {
    const { api } = fakeApi(routes(false), true, 'viewer');
    at(`/alerts/${ID}`);
    render(<App api={api} />);
    await screen.findByTestId('alert-detail');
    expect(screen.queryByTestId('victim-profile')).toBeNull();
    expect(screen.getByTestId('alert-role').textContent).toBe('—');
  });

  it('shows the capture: rates, peers, ports, packets; actions none; download for an operator', async () => {
    const { api } = fakeApi(routes(true), true, 'operator');
    at(`/alerts/${ID}`);
    render(<App api={api} />);
    const rows = await screen.findAllByTestId('packet-row');
    expect(rows).toHaveLength(3);
    expect(rows[2].textContent).toContain('SYN,ACK');
    expect(rows[2].textContent).toContain('80 → 1000');
    expect(screen.getByTestId('alert-value').textContent).toBe('1.50 k / 1.00 k (peak 1.60 k)');
    expect(within(screen.getByTestId('top-peers')).getByText('10.0.0.9')).toBeTruthy();
    expect(within(screen.getByTestId('top-ports')).getByText('TCP/80')).toBeTruthy();
    expect(screen.getByTestId('capture-sent').textContent).toContain('1.00 kpps');
    expect(screen.getByTestId('pcap-download')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('alert-actions').textContent).toContain('none'));
  });

  it('a viewer gets no download button; no capture says so', async () => {
    const { api } = fakeApi(routes(false), true, 'viewer');
    at(`/alerts/${ID}`);
    render(<App api={api} />);
    await waitFor(() => expect(screen.getByTestId('capture-card').textContent).toContain('No capture for this alert'));
    expect(screen.queryByTestId('pcap-download')).toBeNull();
  });

  it('lists the notifications sent and the BGP blocks of the alert, oldest first', async () => {
    const { api } = fakeApi({
      ...routes(true),
      [`GET /api/alerts/${ID}/actions`]: () => ({ body: { alert_id: ID, actions: [
        { channel: 'soc', type: 'webhook', event: 'alert.opened', result: 'delivered', attempts: 2,
          time_ms: now - 3000, detail: 'HTTP 204' },
      ] } }),
      'GET /api/blocks': () => ({ body: {
        enabled: true, mode: 'blackhole', max_announcements_per_hour: 20, announcements_last_hour: 1,
        blocks: [{ ip: '10.0.0.66', prefix: '10.0.0.66/32', mode: 'blackhole', reason: 'traffic_sent MEDIUM',
          alert_id: ID, since_ms: now - 4000, expires_ms: null, state: 'active', result: '' },
        { ip: '10.9.9.9', prefix: '10.9.9.9/32', mode: 'blackhole', reason: 'manual',
          alert_id: null, since_ms: now - 1000, expires_ms: null, state: 'active', result: '' }],
        recent: [{ ip: '10.0.0.66', action: 'announce', reason: 'traffic_sent MEDIUM', at_ms: now - 4000, result: 'ok' },
          { ip: '10.9.9.9', action: 'announce', reason: 'manual', at_ms: now - 1000, result: 'ok' }],
      } }),
    }, true, 'viewer');
    at(`/alerts/${ID}`);
    render(<App api={api} />);
    const rows = await screen.findAllByTestId('action-row');
    expect(rows).toHaveLength(3);  // the block, its announce, the webhook; not the other host's
    expect(rows[0].textContent).toContain('block (blackhole)');
    expect(rows[0].textContent).toContain('10.0.0.66/32');
    expect(rows[1].textContent).toContain('announce');
    expect(rows[2].textContent).toContain('webhook alert.opened');
    expect(rows[2].textContent).toContain('delivered (2 attempts)');
    expect(rows[2].textContent).toContain('HTTP 204');
    expect(screen.getByTestId('alert-actions').textContent).not.toContain('10.9.9.9');
  });

  it('lets an admin drop the host inline (mode xdp) and unblock it; shows the drop count', async () => {
    const list: BlockList = { enabled: true, mode: 'xdp', max_announcements_per_hour: 20, announcements_last_hour: 0,
      blocks: [], recent: [] };
    const { api, calls } = fakeApi({
      ...routes(true),
      'GET /api/blocks': () => ({ body: list }),
      'POST /api/blocks': () => {
        list.blocks = [{ ip: '10.0.0.66', prefix: '10.0.0.66/32', mode: 'xdp', reason: 'manual', alert_id: null,
          since_ms: now, expires_ms: null, state: 'active', result: '', drops: 42 }];
        return { body: list };
      },
      'DELETE /api/blocks/10.0.0.66': () => { list.blocks = []; return { body: list }; },
    }, true, 'admin');
    at(`/alerts/${ID}`);
    render(<App api={api} />);
    fireEvent.click(await screen.findByTestId('detail-block'));
    await waitFor(() => expect(screen.getByTestId('alert-actions').textContent).toContain('42 packets dropped'));
    expect(screen.getByTestId('alert-actions').textContent).toContain('block (xdp)');
    expect(calls.find((c) => c.key === 'POST /api/blocks')?.body).toEqual({ ip: '10.0.0.66' });
    fireEvent.click(screen.getByTestId('detail-unblock'));
    await waitFor(() => expect(screen.getByTestId('detail-block')).toBeTruthy());
    expect(calls.some((c) => c.key === 'DELETE /api/blocks/10.0.0.66')).toBe(true);
  });

  it('shows an operator no block button', async () => {
    const { api, calls } = fakeApi({
      ...routes(true),
      'GET /api/blocks': () => ({ body: { enabled: true, mode: 'xdp', max_announcements_per_hour: 20,
        announcements_last_hour: 0, blocks: [], recent: [] } }),
    }, true, 'operator');
    at(`/alerts/${ID}`);
    render(<App api={api} />);
    await screen.findByTestId('alert-actions');
    await waitFor(() => expect(calls.some((c) => c.key === 'GET /api/blocks')).toBe(true));
    expect(screen.queryByTestId('detail-block')).toBeNull();
  });
});
