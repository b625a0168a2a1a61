import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../App';
import type { Alert, Config } from '../api/types';
import { baseRoutes, fakeApi } from './fakeServer';
import { errorField, formToUpdate, toForm } from '../pages/configForm';

const config: Config = {
  traffic_sent_pps: 1000, traffic_sent_mbps: 0, traffic_received_pps: 10000, traffic_received_mbps: 0,
  traffic_received_external: false, connection_rate_per_min: 100, port_scan_ports: 100, host_scan_hosts: 50, reflection_pps: 1000, syn_flood_per_s: 1000, syn_flood_answered_ratio: 0.1, fan_in_sources: 10000, protocol_blacklist: ['ICMP', 'IGMP'],
  home_networks: ['10.0.0.0/8'], whitelist: [], subnet_thresholds: [{ cidr: '10.1.0.0/16', traffic_sent_pps: 50000 }],
  escalation_factor: 10, clear_ratio: 0.8, clear_hold_s: 10, sample_one_in: 1000, baseline_enabled: true, baseline_low_sigma: 4,
  baseline_medium_sigma: 6, baseline_warmup_s: 3600, updated_at_ms: 0,
};

function at(path: string) { window.history.replaceState(null, '', path); }

describe('config form model', () => {
  it('sends only the changed fields, parsed', () => {
    const f = { ...toForm(config), traffic_sent_pps: ' 2500 ', protocol_blacklist: 'icmp, igmp,tcp' };
    expect(formToUpdate(f, config)).toEqual({
      update: { traffic_sent_pps: 2500, protocol_blacklist: ['ICMP', 'IGMP', 'TCP'] }, errors: {},
    });
  });
  it('flags non-numbers before sending', () => {
    const f = { ...toForm(config), clear_ratio: 'abc' };
    expect(formToUpdate(f, config).errors).toEqual({ clear_ratio: 'must be a number' });
  });
  it('maps server errors to a field', () => {
    expect(errorField('protocol_blacklist', 'x')).toBe('protocol_blacklist');
    expect(errorField(undefined, 'subnet_thresholds[0].cidr: bad CIDR')).toBe('subnet_thresholds');
    expect(errorField('nonsense', 'body: malformed JSON')).toBeNull();
  });
});

describe('Configuration page', () => {
  it('shows the server validation error beside the field it names', async () => {
    const { api, calls } = fakeApi({
      ...baseRoutes,
      'GET /api/config': () => ({ body: config }),
      'POST /api/config': () => ({ status: 400, body: {
        error: 'invalid_config', detail: "protocol_blacklist[2]: unknown protocol 'FOO'", field: 'protocol_blacklist',
      } }),
    });
    at('/config');
    render(<App api={api} />);
    const input = await screen.findByTestId('input-protocol_blacklist');
    expect((input as HTMLInputElement).value).toBe('ICMP, IGMP');
    fireEvent.change(input, { target: { value: 'ICMP, IGMP, FOO' } });
    fireEvent.click(screen.getByTestId('config-save'));
    const err = await screen.findByTestId('field-error-protocol_blacklist');
    expect(err.textContent).toContain("unknown protocol 'FOO'");
    // beside the field: inside the same field block
    expect(within(screen.getByTestId('field-protocol_blacklist')).getByRole('alert')).toBe(err);
    expect(screen.queryByTestId('field-error-traffic_sent_pps')).toBeNull();
    expect(calls.find((c) => c.key === 'POST /api/config')?.body).toEqual({ protocol_blacklist: ['ICMP', 'IGMP', 'FOO'] });
  });

  it('saves a threshold and shows the saved state', async () => {
    let saved: Config = config;
    const { api } = fakeApi({
      ...baseRoutes,
      'GET /api/config': () => ({ body: saved }),
      'POST /api/config': (b) => { saved = { ...saved, ...(b as object), updated_at_ms: Date.now() }; return { body: saved }; },
    });
    at('/config');
    render(<App api={api} />);
    fireEvent.change(await screen.findByTestId('input-traffic_sent_pps'), { target: { value: '4321' } });
    fireEvent.click(screen.getByTestId('config-save'));
    await screen.findByTestId('config-saved');
    expect(saved.traffic_sent_pps).toBe(4321);
  });
});

describe('Alerts page', () => {
  const alerts: Alert[] = [
    { id: 'a1', kind: 'protocol_blacklist', severity: 'HIGH', status: 'open', host: '10.0.0.5', protocol: 'ICMP', description: 'ICMP from 10.0.0.5', first_seen_ms: 1, last_seen_ms: 100 },
    { id: 'a2', kind: 'traffic_received', severity: 'CRITICAL', status: 'open', host: '10.0.0.6', protocol: null, direction: 'receiving', role: 'victim', description: 'flood', first_seen_ms: 1, last_seen_ms: 200 },
    { id: 'a3', kind: 'connection_rate', severity: 'LOW', status: 'resolved', host: '10.0.0.7', protocol: null, description: 'scan', first_seen_ms: 1, last_seen_ms: 300, resolved_at_ms: 301 },
  ];
  const routes = () => {
    const store = alerts.map((a) => ({ ...a }));
    return {
      ...baseRoutes,
      'GET /api/alerts': (_b: unknown, url: URL) => {
        const sev = url.searchParams.get('severity'), st = url.searchParams.get('status');
        return { body: { alerts: store.filter((a) => (!sev || a.severity === sev) && (!st || a.status === st)) } };
      },
      'POST /api/alerts/a1/resolve': () => {
        const a = store.find((x) => x.id === 'a1')!;
        Object.assign(a, { status: 'resolved', resolved_at_ms: 500 });
        return { body: a };
      },
    };
  };

  it('shows the host\'s role and direction (victim of a flood)', async () => {
    const { api } = fakeApi(routes());
    at('/alerts');
    render(<App api={api} />);
    await waitFor(() => expect(screen.getAllByTestId('alert-row')).toHaveLength(2));
    const roles = screen.getAllByTestId('alert-role');
    expect(roles).toHaveLength(1);  // the blacklist fixture predates the field: none shown
    expect(roles[0].textContent).toContain('victim (receiving)');
  });

  it('lists open alerts newest first, coloured by severity, and filters', async () => {
    const { api, calls } = fakeApi(routes());
    at('/alerts');
    render(<App api={api} />);
    await waitFor(() => expect(screen.getAllByTestId('alert-row')).toHaveLength(2));
    const rows = screen.getAllByTestId('alert-row');
    expect(rows.map((r) => r.dataset.id)).toEqual(['a2', 'a1']);
    expect(rows[0].className).toContain('sev-critical');
    fireEvent.change(screen.getByTestId('filter-severity'), { target: { value: 'HIGH' } });
    await waitFor(() => expect(screen.getAllByTestId('alert-row').map((r) => r.dataset.id)).toEqual(['a1']));
    expect(calls.some((c) => c.key === 'GET /api/alerts')).toBe(true);
    fireEvent.change(screen.getByTestId('filter-severity'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('filter-status'), { target: { value: '' } });
    await waitFor(() => expect(screen.getAllByTestId('alert-row').map((r) => r.dataset.id)).toEqual(['a3', 'a2', 'a1']));
  });

  it('resolves an alert', async () => {
    const { api } = fakeApi(routes());
    at('/alerts');
    render(<App api={api} />);
    fireEvent.change(await screen.findByTestId('filter-status'), { target: { value: '' } });
    await waitFor(() => expect(screen.getAllByTestId('alert-row')).toHaveLength(3));
    const row = screen.getAllByTestId('alert-row').find((r) => r.dataset.id === 'a1')!;
    fireEvent.click(within(row).getByTestId('resolve-button'));
    await waitFor(() => {
      const r = screen.getAllByTestId('alert-row').find((x) => x.dataset.id === 'a1')!;
      expect(within(r).getByTestId('alert-status').textContent).toBe('resolved');
      expect(within(r).queryByTestId('resolve-button')).toBeNull();
    });
  });
});

describe('Login page', () => {
  it('refuses a wrong password with a visible message, then signs in', async () => {
    const { api } = fakeApi({
      ...baseRoutes,
      'POST /api/auth/login': (b) => ((b as { password: string }).password === 'right'
        ? { body: { access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 3600, user: { id: 'u', email: 'op@example.com' } } }
        : { status: 401, body: { error: 'invalid_credentials', detail: 'bad credentials' } }),
    }, false);
    at('/');
    render(<App api={api} />);
    fireEvent.change(await screen.findByTestId('login-email'), { target: { value: 'op@example.com' } });
    fireEvent.change(screen.getByTestId('login-password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect((await screen.findByTestId('login-error')).textContent).toMatch(/wrong email or password/i);
    expect(window.location.pathname).toBe('/login');
    fireEvent.change(screen.getByTestId('login-password'), { target: { value: 'right' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect((await screen.findByTestId('user-email')).textContent).toBe('op@example.com');
    expect(window.localStorage.getItem('securenet.session')).toContain('"access_token":"a"');
  });
});

import { Interfaces } from '../pages/Overview';
import type { Status } from '../api/types';

describe('interfaces in the sensor health card', () => {
  const base: Status = {
    dataplane: { state: 'up', source: 'afpacket', source_name: 'eth1,eth2', workers: 3 },
    rates: { pps: 1, bps: 1, drops_per_s: 0 },
    totals: { packets: 1, bytes: 1, source_drops: 0, parse_errors: 0, host_table_full: 0 },
    host_table: { hosts: 1, capacity: 65536, occupancy: 0, evicted: 0, full: 0, idle_s: 300, bytes_per_host: 192 },
    database: { state: 'connected', spool_backlog: 0 }, control: { version: '0', uptime_s: 1, tick_ms: 1000 },
  };
  it('lists every interface with its own drops and duplicates', () => {
    const status: Status = { ...base, dataplane: { ...base.dataplane, interfaces: [
      { name: 'eth1', workers: 2, packets: 1500, bytes: 9000, source_drops: 0, source_errors: 0, duplicates: 3 },
      { name: 'eth2', workers: 1, packets: 20, bytes: 1200, source_drops: 7, source_errors: 0, duplicates: 0 },
    ] } };
    render(<Interfaces status={status} />);
    const eth1 = within(screen.getByTestId('interface-eth1'));
    expect(eth1.getByText('1,500')).toBeTruthy();
    expect(eth1.getByText('3')).toBeTruthy();
    expect(screen.getByTestId('interface-drops-eth1').textContent).toBe('0');
    expect(screen.getByTestId('interface-drops-eth2').textContent).toBe('7');
    expect(screen.getByTestId('interface-drops-eth2').className).toContain('text-bad');
  });
  it('shows nothing for a single interface', () => {
    const status: Status = { ...base, dataplane: { ...base.dataplane, interfaces: [
      { name: 'eth1', workers: 1, packets: 1, bytes: 1, source_drops: 0, source_errors: 0 },
    ] } };
    render(<Interfaces status={status} />);
    expect(screen.queryByTestId('health-interfaces')).toBeNull();
  });
});
