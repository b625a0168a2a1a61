import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, errorFromResponse } from '../api/client';

type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

/** A scripted fetch: answers calls in order and records them. */
function scripted(responses: Response[]) {
  const calls: Call[] = [];
  const fetchFn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body as string });
    const r = responses.shift();
    if (!r) throw new Error('unexpected call ' + String(url));
    return r;
  });
  return { calls, fetchFn: fetchFn as unknown as typeof fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const tokens = (n: number) => ({
  access_token: `acc${n}`, refresh_token: `ref${n}`, token_type: 'bearer', expires_in: 3600,
  user: { id: 'u1', email: 'a@b.c' },
});

describe('ApiClient', () => {
  it('logs in, stores the session and sends the bearer token', async () => {
    const { calls, fetchFn } = scripted([json(200, tokens(1)), json(200, { status: 'ok' })]);
    const api = new ApiClient({ fetchFn, now: () => 1000 });
    const s = await api.login('a@b.c', 'pw');
    expect(s.expires_at_ms).toBe(1000 + 3600 * 1000);
    expect(JSON.parse(calls[0].body!)).toEqual({ email: 'a@b.c', password: 'pw' });
    expect(calls[0].headers.Authorization).toBeUndefined();
    expect(new ApiClient({ fetchFn }).session()?.access_token).toBe('acc1'); // survives a "reload"
    await api.request('GET', '/api/status');
    expect(calls[1].headers.Authorization).toBe('Bearer acc1');
  });

  it('refreshes once on 401 and retries with the new token', async () => {
    const { calls, fetchFn } = scripted([
      json(200, tokens(1)),
      json(401, { error: 'unauthorized', detail: 'missing or invalid token' }),
      json(200, tokens(2)),
      json(200, { hosts: [], total: 0 }),
    ]);
    const api = new ApiClient({ fetchFn });
    await api.login('a@b.c', 'pw');
    const r = await api.hosts();
    expect(r.total).toBe(0);
    expect(calls[2].url).toBe('/api/auth/refresh');
    expect(JSON.parse(calls[2].body!)).toEqual({ refresh_token: 'ref1' });
    expect(calls[3].headers.Authorization).toBe('Bearer acc2');
    expect(api.session()?.refresh_token).toBe('ref2');
  });

  it('ends the session when the refresh is refused', async () => {
    const { calls, fetchFn } = scripted([
      json(200, tokens(1)),
      json(401, { error: 'unauthorized', detail: 'missing or invalid token' }),
      json(401, { error: 'unauthorized', detail: 'refresh token used' }),
    ]);
    const api = new ApiClient({ fetchFn });
    await api.login('a@b.c', 'pw');
    const reasons: string[] = [];
    api.onSessionChange((_s, why) => reasons.push(why));
    await expect(api.status()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(calls).toHaveLength(3); // no second refresh, no retry loop
    expect(api.session()).toBeNull();
    expect(reasons).toEqual(['expired']);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const { calls, fetchFn } = scripted([
      json(200, tokens(1)),
      json(401, { error: 'unauthorized', detail: 'x' }),
      json(401, { error: 'unauthorized', detail: 'x' }),
      json(200, tokens(2)),
      json(200, { points: [] }),
      json(200, { points: [] }),
    ]);
    const api = new ApiClient({ fetchFn });
    await api.login('a@b.c', 'pw');
    await Promise.all([api.history(), api.history()]);
    expect(calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(1);
  });

  it('turns error bodies into ApiError with detail and field', async () => {
    const e = await errorFromResponse(json(400, {
      error: 'invalid_config', detail: "protocol_blacklist[2]: unknown protocol 'FOO'", field: 'protocol_blacklist',
    }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_config');
    expect(e.field).toBe('protocol_blacklist');
    expect(e.message).toMatch(/FOO/);
  });

  it('copes with non-JSON error bodies and network failures', async () => {
    const e = await errorFromResponse(new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' }));
    expect(e.code).toBe('http_502');
    expect(e.detail).toBe('Bad Gateway');
    const api = new ApiClient({ fetchFn: (async () => { throw new TypeError('Failed to fetch'); }) as unknown as typeof fetch });
    await expect(api.login('a', 'b')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('rejects a wrong password without storing anything', async () => {
    const { fetchFn } = scripted([json(401, { error: 'invalid_credentials', detail: 'wrong email or password' })]);
    const api = new ApiClient({ fetchFn });
    await expect(api.login('a@b.c', 'nope')).rejects.toMatchObject({ status: 401 });
    expect(api.session()).toBeNull();
  });

  it('builds query strings and the event-stream URL', async () => {
    const { calls, fetchFn } = scripted([json(200, tokens(1)), json(200, { alerts: [] }),
      json(200, { status: 'logged_out' })]);
    const api = new ApiClient({ fetchFn });
    await api.login('a@b.c', 'pw');
    await api.alerts({ severity: 'HIGH', status: 'open', limit: 10 });
    expect(calls[1].url).toBe('/api/alerts?limit=10&severity=HIGH&status=open');
    expect(api.eventsUrl()).toBe('/api/events?access_token=acc1');
    await api.logout();  // revoked on the server with the access token, then forgotten here
    expect(calls[2].url).toBe('/api/auth/logout');
    expect(api.session()).toBeNull();
  });
});
