// The client's block/unblock (API.md "Blocks"): a prefix is {"prefix"} and its DELETE path keeps
// the slash as a separator (the server refuses %2F); text that is not an address or prefix never
// becomes a request.
import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../api/client';
import { blockPath, isIPv6, parseBlockTarget } from '../lib/blockTarget';

const list = { enabled: true, mode: 'xdp', max_announcements_per_hour: 20, announcements_last_hour: 0, blocks: [], recent: [] };

function client() {
  const calls: { url: string; method: string; body: unknown }[] = [];
  const fetchFn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return new Response(JSON.stringify(list), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  const storage = window.localStorage;
  storage.setItem('securenet.session', JSON.stringify({
    access_token: 'acc', refresh_token: 'ref', expires_at_ms: Date.now() + 3600_000, user: { id: 'u', email: 'a@b.c', role: 'admin' },
  }));
  return { api: new ApiClient({ fetchFn: fetchFn as unknown as typeof fetch, storage }), calls };
}

const HOSTILE = [
  '', ' ', '203.0.113.7 ', ' 203.0.113.7', '203.0.113.7\n', '203.0.113.0 /24', '203.0.113.0/ 24',
  '../x', '..', '.', '/', '//', '203.0.113.0/24/../../api/config', '203.0.113.0/../../api/config',
  '10.0.0.0/24/', '10.0.0.0//24', '/10.0.0.0/24', '10.0.0.0/24?x=1', '10.0.0.0/24#x', '10.0.0.0%2F24',
  '10.0.0.0%2f24', '10.0.0.1%00', '10.0.0.0/024', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/1e1', '10.0.0.0/0x10',
  '2001:db8::/129', '2001:db8::1%eth0', 'fe80::1%25eth0', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4',
  '1::2::3', ':::', '1:2:3:4:5:6:7:8:9', '1.2.3.4::', 'g::1', 'localhost', 'api', 'config',
  '1'.repeat(60), `2001:db8::/${'1'.repeat(60)}`, '1.1.1.1/' + '2'.repeat(40), 'a'.repeat(10_000),
  '\u0661.2.3.4', '１.2.3.4', '203.0.113.7/32\u2215', '<script>', 'javascript:alert(1)',
];

describe('block targets', () => {
  it('parses addresses and prefixes of both families', () => {
    expect(parseBlockTarget('203.0.113.7')).toEqual({ addr: '203.0.113.7', len: null, family: 4 });
    expect(parseBlockTarget('203.0.113.0/24')).toEqual({ addr: '203.0.113.0', len: 24, family: 4 });
    expect(parseBlockTarget('2001:db8:5::/48')).toEqual({ addr: '2001:db8:5::', len: 48, family: 6 });
    expect(parseBlockTarget('::ffff:203.0.113.0/120')?.family).toBe(6);
    for (const ok of ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:1.2.3.4', 'FE80::A']) {
      expect(isIPv6(ok), ok).toBe(true);
    }
  });

  it('refuses hostile and malformed text', () => {
    for (const h of HOSTILE) {
      expect(parseBlockTarget(h), JSON.stringify(h)).toBeNull();
      expect(blockPath(h), JSON.stringify(h)).toBeNull();
    }
  });
});

describe('ApiClient blocks', () => {
  it('blocks an address with {"ip"} and a prefix with {"prefix"}, with mode and ban_s', async () => {
    const { api, calls } = client();
    await api.block('203.0.113.7');
    await api.block('203.0.113.0/24', { mode: 'xdp', ban_s: 600 });
    await api.block('2001:db8:5::/48', { mode: 'blackhole', ban_s: 0 });
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ['POST', '/api/blocks'], ['POST', '/api/blocks'], ['POST', '/api/blocks'],
    ]);
    expect(calls[0].body).toEqual({ ip: '203.0.113.7' });
    expect(calls[1].body).toEqual({ prefix: '203.0.113.0/24', mode: 'xdp', ban_s: 600 });
    expect(calls[2].body).toEqual({ prefix: '2001:db8:5::/48', mode: 'blackhole', ban_s: 0 });
  });

  it('unblocks hosts and prefixes of both families on their own paths', async () => {
    const { api, calls } = client();
    await api.unblock('203.0.113.7');
    await api.unblock('2001:db8::7');
    await api.unblock('203.0.113.0/24');
    await api.unblock('2001:db8:5::/48');
    await api.unblock('::ffff:203.0.113.0/120');
    expect(calls.every((c) => c.method === 'DELETE')).toBe(true);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/blocks/203.0.113.7',
      '/api/blocks/2001%3Adb8%3A%3A7',
      '/api/blocks/203.0.113.0/24',
      '/api/blocks/2001%3Adb8%3A5%3A%3A/48',
      '/api/blocks/%3A%3Affff%3A203.0.113.0/120',
    ]);
    // What the server's router sees: the address decoded in one segment, the length in the next.
    const segs = new URL(calls[3].url, 'http://sensor.test').pathname.split('/');
    expect(segs.map(decodeURIComponent)).toEqual(['', 'api', 'blocks', '2001:db8:5::', '48']);
  });

  it('refuses hostile names before any request', async () => {
    const { api, calls } = client();
    for (const h of HOSTILE) {
      await expect(api.unblock(h), JSON.stringify(h)).rejects.toMatchObject({ status: 400, code: 'invalid_parameter' });
      await expect(api.block(h), JSON.stringify(h)).rejects.toBeInstanceOf(ApiError);
    }
    expect(calls).toEqual([]);
  });

  it('keeps the error message short for very long input', async () => {
    const { api } = client();
    const err = await api.unblock('x'.repeat(5000)).catch((e: ApiError) => e);
    expect((err as ApiError).message.length).toBeLessThan(200);
  });
});
