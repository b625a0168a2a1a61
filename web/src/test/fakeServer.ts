// Test double for the network layer only: routes fetch calls to handlers by "METHOD /path".
import { ApiClient } from '../api/client';

type Handler = (body: unknown, url: URL) => { status?: number; body: unknown };

export function fakeApi(routes: Record<string, Handler>, signedIn = true, role: 'viewer' | 'operator' | 'admin' | null = 'admin') {
  const calls: { key: string; body: unknown }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://sensor.test');
    const key = `${init?.method ?? 'GET'} ${url.pathname}`;
    // JSON bodies parsed; anything else (a file upload) handed over as it is.
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body ?? undefined;
    calls.push({ key, body });
    const h = routes[key];
    const r = h ? h(body, url) : { status: 404, body: { error: 'not_found', detail: key } };
    return new Response(JSON.stringify(r.body), { status: r.status ?? 200, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  if (signedIn) {
    window.localStorage.setItem('securenet.session', JSON.stringify({
      access_token: 'acc', refresh_token: 'ref', expires_at_ms: Date.now() + 3600_000, user: { id: 'u', email: 'op@example.com', ...(role ? { role } : {}) },
    }));
  }
  return { api: new ApiClient({ fetchFn }), calls };
}

export const baseRoutes: Record<string, Handler> = {
  'GET /api/status': () => ({ body: {
    dataplane: { state: 'up', source: 'pcap', source_name: 'demo.pcap', workers: 1, uptime_s: 5, heartbeat_age_ms: 1 },
    rates: { pps: 1, bps: 1, drops_per_s: 0 },
    totals: { packets: 1, bytes: 1, source_drops: 0, parse_errors: 0, host_table_full: 0 },
    host_table: { hosts: 1, capacity: 65536, occupancy: 0, evicted: 0, full: 0, idle_s: 300, bytes_per_host: 192 },
    database: { state: 'connected', spool_backlog: 0 }, control: { version: '0.1.0', uptime_s: 1, tick_ms: 1000 },
  } }),
  'GET /api/metrics/history': () => ({ body: { points: [] } }),
  'GET /api/metrics': () => ({ body: {
    ts_ms: Date.now(), totals: {}, rates: { pps: 1, bps: 8 }, active_hosts: 1, connections_per_min: 0,
    anomalies: {}, protocols: {}, top_talkers: [],
  } }),
};
