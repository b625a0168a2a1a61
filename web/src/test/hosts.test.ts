import { describe, expect, it } from 'vitest';
import { sortHosts } from '../pages/Hosts';
import type { Host } from '../api/types';

const h = (ip: string, pps: number, bytes: number): Host => ({
  ip, direction: 'internal', packets_sent: 0, bytes_sent: bytes, packets_recv: 0, bytes_recv: 0,
  pps, bps: pps * 8000, syn_sent: 0, syn_per_min: 0, blacklisted_packets: 0, blacklisted_sent: 0, reflection_recv: 0, protocols: {}, first_seen_ms: 0, last_seen_ms: 0,
});

describe('top talkers sorting', () => {
  const hosts = [h('10.0.0.10', 5, 100), h('10.0.0.9', 50, 10), h('10.0.0.100', 1, 1000)];
  it('sorts numbers by value, either way', () => {
    expect(sortHosts(hosts, 'pps', true).map((x) => x.ip)).toEqual(['10.0.0.9', '10.0.0.10', '10.0.0.100']);
    expect(sortHosts(hosts, 'total_bytes', true).map((x) => x.ip)).toEqual(['10.0.0.100', '10.0.0.10', '10.0.0.9']);
    expect(sortHosts(hosts, 'pps', false)[0].ip).toBe('10.0.0.100');
  });
  it('sorts IPs naturally, not as plain text', () => {
    expect(sortHosts(hosts, 'ip', false).map((x) => x.ip)).toEqual(['10.0.0.9', '10.0.0.10', '10.0.0.100']);
  });
});
