import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../App';
import type { Alert, FleetSensor } from '../api/types';
import { openAlertsText, worstSeverity } from '../pages/Sensors';
import { baseRoutes, fakeApi } from './fakeServer';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const now = Date.now();
const sensor = (id: string, name: string, extra: Partial<FleetSensor> = {}): FleetSensor => ({
  id, name, interface: 'eth1', version: '0.1.0', last_seen_ms: now - 3000, status: 'up',
  metrics_ts_ms: now - 3000, pps: 1500, bps: 12_000_000,
  open_alerts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 }, open_alerts_total: 0, ...extra,
});
const fleet: FleetSensor[] = [
  sensor(A, 'edge-a', { open_alerts: { CRITICAL: 0, HIGH: 2, MEDIUM: 0, LOW: 1 }, open_alerts_total: 3 }),
  sensor(B, 'edge-b', { status: 'stale', last_seen_ms: now - 600_000, pps: 0, bps: 0 }),
];
const stored = (id: string, sensorId: string, description: string): Alert => ({
  id, kind: 'sensor_health', severity: 'HIGH', status: 'open', host: null, description,
  first_seen_ms: now - 5000, last_seen_ms: now, sensor_id: sensorId,
});

function at(path: string) { window.history.replaceState(null, '', path); }

function routes(seen: string[] = []) {
  return {
    ...baseRoutes,
    'GET /api/sensors': () => ({ body: { sensors: fleet, stale_after_s: 60 } }),
    'GET /api/alerts/history': (_b: unknown, url: URL) => {
      seen.push(`alerts${url.search}`);
      const s = url.searchParams.get('sensor');
      const all = [stored('x1', A, 'a: dataplane down'), stored('x2', B, 'b: dataplane down')];
      return { body: { alerts: s ? all.filter((a) => a.sensor_id === s) : all } };
    },
    'GET /api/metrics/history': (_b: unknown, url: URL) => {
      seen.push(`metrics${url.search}`);
      return { body: { points: [] } };
    },
  };
}

describe('Sensors page', () => {
  it('summarises open alerts by severity', () => {
    expect(openAlertsText(fleet[0])).toBe('2 HIGH · 1 LOW');
    expect(openAlertsText(fleet[1])).toBe('none');
    expect(worstSeverity(fleet[0])).toBe('HIGH');
    expect(worstSeverity(fleet[1])).toBeNull();
  });

  it('lists each sensor with its health, rates and open alerts (nav entry)', async () => {
    const { api } = fakeApi(routes(), true, 'viewer');
    at('/');
    render(<App api={api} />);
    fireEvent.click(await screen.findByTestId('nav-sensors'));
    const rows = await screen.findAllByTestId('sensor-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTestId('sensor-name').textContent).toBe('edge-a');
    expect(within(rows[0]).getByTestId('sensor-status').textContent).toBe('up');
    expect(within(rows[0]).getByTestId('sensor-alerts').textContent).toContain('2 HIGH · 1 LOW');
    expect(rows[0].textContent).toContain('eth1');
    expect(within(rows[1]).getByTestId('sensor-status').textContent).toContain('stale');
    expect(rows[1].textContent).toContain('10m ago');
    expect(screen.getByTestId('sensors-summary').textContent).toBe('1 of 2 up');
  });

  it('the sensor picker scopes the stored history to one sensor', async () => {
    const seen: string[] = [];
    const { api } = fakeApi(routes(seen), true, 'viewer');
    at('/sensors');
    render(<App api={api} />);
    await waitFor(() => expect(screen.getAllByTestId('stored-alert-row')).toHaveLength(2));
    const picker = screen.getByTestId('sensor-picker') as HTMLSelectElement;
    expect(Array.from(picker.options).map((o) => o.textContent)).toEqual(['All sensors', 'edge-a', 'edge-b']);
    fireEvent.change(picker, { target: { value: B } });
    await waitFor(() => expect(screen.getAllByTestId('stored-alert-row')).toHaveLength(1));
    expect(screen.getByTestId('stored-alert-sensor').textContent).toBe('edge-b');
    expect(seen).toContain(`alerts?limit=100&sensor=${B}`);
    expect(seen).toContain(`metrics?source=db&seconds=3600&sensor=${B}`);
    expect(seen.some((u) => u.startsWith('metrics') && !u.includes('sensor='))).toBe(true);
  });

  it('shows the server error when the database is unavailable', async () => {
    const { api } = fakeApi({
      ...routes(),
      'GET /api/sensors': () => ({ status: 503, body: { error: 'database_unavailable', detail: 'the database cannot be reached' } }),
    }, true, 'viewer');
    at('/sensors');
    render(<App api={api} />);
    expect((await screen.findByRole('alert')).textContent).toContain('the database cannot be reached');
    expect(screen.queryByTestId('sensors-table')).toBeNull();
  });
});
