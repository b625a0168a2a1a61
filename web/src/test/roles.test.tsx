import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App } from '../App';
import type { Alert, AuditEntry, Config } from '../api/types';
import { can, roleFromToken, roleOf } from '../lib/roles';
import { describe as describeEntry } from '../pages/Audit';
import { baseRoutes, fakeApi } from './fakeServer';

const config: Config = {
  traffic_sent_pps: 1000, traffic_sent_mbps: 0, traffic_received_pps: 10000, traffic_received_mbps: 0,
  traffic_received_external: false, connection_rate_per_min: 100, port_scan_ports: 100, host_scan_hosts: 50, reflection_pps: 1000, syn_flood_per_s: 1000, syn_flood_answered_ratio: 0.1, fan_in_sources: 10000, protocol_blacklist: ['ICMP', 'IGMP'],
  home_networks: [], whitelist: [], subnet_thresholds: [],
  escalation_factor: 10, clear_ratio: 0.8, clear_hold_s: 10, sample_one_in: 1000, baseline_enabled: true, baseline_low_sigma: 4,
  baseline_medium_sigma: 6, baseline_warmup_s: 3600, updated_at_ms: 0,
};
const alert: Alert = {
  id: '11111111-1111-4111-8111-111111111111', kind: 'traffic_threshold', severity: 'MEDIUM', status: 'open',
  host: '10.0.0.5', protocol: null, description: 'traffic over threshold', value: 2000, threshold: 1000,
  peak: 2500, count: 3, first_seen_ms: Date.now() - 5000, last_seen_ms: Date.now(), resolved_at_ms: null,
} as unknown as Alert;

function at(path: string) { window.history.replaceState(null, '', path); }
function jwt(payload: object) {
  const b64 = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${b64('{"alg":"HS256"}')}.${b64(JSON.stringify(payload))}.sig`;
}
const routes = {
  ...baseRoutes,
  'GET /api/config': () => ({ body: config }),
  'GET /api/alerts': () => ({ body: { alerts: [alert] } }),
};

describe('role model', () => {
  it('orders viewer < operator < admin', () => {
    expect(can('viewer', 'resolve')).toBe(false);
    expect(can('operator', 'resolve')).toBe(true);
    expect(can('operator', 'config')).toBe(false);
    expect(can('operator', 'audit')).toBe(false);
    expect(can('admin', 'config')).toBe(true);
    expect(can('admin', 'reset')).toBe(true);
    expect(can('admin', 'audit')).toBe(true);
  });
  it('reads the role from the login answer, else the token, else viewer', () => {
    const s = { access_token: 'x', refresh_token: 'r', expires_at_ms: 0, user: { id: 'u', email: 'e' } };
    expect(roleOf({ ...s, user: { ...s.user, role: 'operator' } })).toBe('operator');
    expect(roleOf({ ...s, access_token: jwt({ app_metadata: { securenet_role: 'admin' } }) })).toBe('admin');
    expect(roleOf({ ...s, access_token: jwt({ app_metadata: { securenet_role: 'root' } }) })).toBe('viewer');
    expect(roleOf(s)).toBe('viewer');
    expect(roleFromToken('garbage')).toBeNull();
    expect(roleOf(null)).toBe('viewer');
  });
});

describe('what each role sees', () => {
  it('viewer: role shown; no resolve, read-only config, no reset, no audit link', async () => {
    const { api } = fakeApi(routes, true, 'viewer');
    at('/alerts');
    render(<App api={api} />);
    expect((await screen.findByTestId('user-role')).textContent).toBe('viewer');
    await screen.findByText('traffic over threshold');
    expect(screen.queryByTestId('resolve-button')).toBeNull();
    expect(screen.queryByTestId('nav-audit')).toBeNull();
    fireEvent.click(screen.getByTestId('nav-config'));
    await screen.findByTestId('config-readonly');
    expect(screen.queryByTestId('config-save')).toBeNull();
    expect((screen.getByTestId('input-traffic_sent_pps') as HTMLInputElement).closest('fieldset')?.disabled).toBe(true);
    fireEvent.click(screen.getByTestId('nav-overview'));
    await screen.findByTestId('stat-pps');
    expect(screen.queryByTestId('reset-metrics')).toBeNull();
  });

  it('operator: resolve yes, config and audit no', async () => {
    const { api } = fakeApi(routes, true, 'operator');
    at('/alerts');
    render(<App api={api} />);
    expect((await screen.findByTestId('user-role')).textContent).toBe('operator');
    await screen.findByTestId('resolve-button');
    expect(screen.queryByTestId('nav-audit')).toBeNull();
    fireEvent.click(screen.getByTestId('nav-config'));
    await screen.findByTestId('config-readonly');
  });

  it('admin: audit page, reset button and config save', async () => {
    const entries: AuditEntry[] = [
      { id: 'a1', at_ms: Date.now(), sensor_id: null, actor_id: 'u', actor_email: 'admin@example.com',
        source_addr: '127.0.0.1', action: 'config_change',
        details: { before: { traffic_sent_pps: 1000 }, after: { traffic_sent_pps: 4321 } } },
      { id: 'a2', at_ms: Date.now() - 1000, sensor_id: null, actor_id: null, actor_email: 'x@example.com',
        source_addr: '192.0.2.1', action: 'login_failure', details: { reason: 'bad_password' } },
    ];
    const { api, calls } = fakeApi({
      ...routes,
      'GET /api/audit': (_b, url) => ({ body: url.searchParams.get('before')
        ? { entries: [{ ...entries[1], id: 'a3' }], next_before: null }
        : { entries, next_before: '123_a2' } }),
      'POST /api/metrics/reset': () => ({ body: { status: 'reset' } }),
    }, true, 'admin');
    at('/');
    render(<App api={api} />);
    expect((await screen.findByTestId('user-role')).textContent).toBe('admin');
    window.confirm = () => true;
    fireEvent.click(await screen.findByTestId('reset-metrics'));
    await waitFor(() => expect(calls.some((c) => c.key === 'POST /api/metrics/reset')).toBe(true));
    fireEvent.click(screen.getByTestId('nav-audit'));
    const rows = await screen.findAllByTestId('audit-row');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('traffic_sent_pps: 1000 → 4321');
    expect(rows[1].textContent).toContain('reason: bad_password');
    fireEvent.click(screen.getByTestId('audit-older'));
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(3));
    expect(calls.filter((c) => c.key === 'GET /api/audit').length).toBe(2);
    fireEvent.click(screen.getByTestId('nav-config'));
    await screen.findByTestId('config-save');
    expect(screen.queryByTestId('config-readonly')).toBeNull();
  });

  it('the audit page is refused to a non-admin who types its address', async () => {
    const { api, calls } = fakeApi(routes, true, 'operator');
    at('/audit');
    render(<App api={api} />);
    await screen.findByText('The audit log needs the admin role.');
    expect(calls.some((c) => c.key === 'GET /api/audit')).toBe(false);
  });

  it('logout revokes the session on the server', async () => {
    const { api, calls } = fakeApi({ ...routes, 'POST /api/auth/logout': () => ({ body: { status: 'logged_out' } }) });
    at('/');
    render(<App api={api} />);
    fireEvent.click(await screen.findByTestId('logout'));
    await waitFor(() => expect(api.session()).toBeNull());
    expect(calls.some((c) => c.key === 'POST /api/auth/logout')).toBe(true);
  });

  it('describes audit entries', () => {
    expect(describeEntry({ id: 'x', at_ms: 0, sensor_id: null, actor_id: null, actor_email: null, source_addr: null,
      action: 'logout', details: { refresh_tokens_revoked: 1 } })).toBe('1 refresh token(s) revoked');
    expect(describeEntry({ id: 'y', at_ms: 0, sensor_id: null, actor_id: null, actor_email: null, source_addr: null,
      action: 'block_refused', details: { ip: '10.0.0.1', mode: 'xdp', reason: 'protected prefix', alert_id: 'a1' } }))
      .toBe('10.0.0.1 by xdp: protected prefix (alert a1)');
  });
});
