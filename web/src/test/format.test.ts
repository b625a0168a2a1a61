import { describe, expect, it } from 'vitest';
import { formatAgo, formatSeen, formatTimestamp, formatBps, formatBytes, formatCount, formatDuration, formatPps, formatSI, shares } from '../lib/format';
import { appendPoint, trimHistory } from '../api/live';
import type { Metrics } from '../api/types';

describe('format', () => {
  it('scales with SI prefixes', () => {
    expect(formatSI(0)).toBe('0');
    expect(formatSI(999)).toBe('999');
    expect(formatSI(1234)).toBe('1.23 k');
    expect(formatSI(12345)).toBe('12.3 k');
    expect(formatSI(123456789)).toBe('123 M');
    expect(formatSI(0.5)).toBe('0.50');
    expect(formatSI(-2500)).toBe('-2.50 k');
    expect(formatSI(NaN)).toBe('—');
    expect(formatSI(undefined)).toBe('—');
    expect(formatPps(16200)).toBe('16.2 kpps');
    expect(formatBps(987654)).toBe('988 kbit/s');
    expect(formatBps(1.5e10)).toBe('15.0 Gbit/s');
    expect(formatBytes(0)).toBe('0 B');
  });
  it('formats counts, durations and ages', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('—');
    expect(formatDuration(12.5)).toBe('12s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(7620)).toBe('2h 07m');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3d 04h');
    const now = 1_700_000_000_000;
    expect(formatAgo(now - 500, now)).toBe('just now');
    expect(formatAgo(now - 12_000, now)).toBe('12s ago');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5m ago');
    expect(formatAgo(0, now)).toBe('—');
    expect(formatSeen(now - 30_000, now)).toBe('30s ago');
    expect(formatSeen(now - 3 * 86_400_000, now)).toBe(formatTimestamp(now - 3 * 86_400_000));
  });
  it('computes protocol shares, largest first', () => {
    expect(shares({ tcp: 75, udp: 25, icmp: 0 })).toEqual([
      { key: 'tcp', count: 75, pct: 75 }, { key: 'udp', count: 25, pct: 25 },
    ]);
    expect(shares({ tcp: 0 })).toEqual([]);
  });
});

describe('live history', () => {
  const m = (ts: number, pps: number) => ({ ts_ms: ts, rates: { pps, bps: pps * 8 }, active_hosts: 1, connections_per_min: 0 }) as unknown as Metrics;
  it('appends newer ticks only and drops points older than the window', () => {
    let h = appendPoint([], m(1000, 1));
    h = appendPoint(h, m(2000, 2));
    expect(appendPoint(h, m(2000, 9))).toBe(h); // duplicate tick ignored
    expect(h.map((p) => p.pps)).toEqual([1, 2]);
    expect(trimHistory(h, 2000 + 600_000 - 500).map((p) => p.ts_ms)).toEqual([2000]);
  });
});

import { healthWarnings } from '../pages/Overview';
import type { Status } from '../api/types';

describe('health warnings', () => {
  const ok: Status = {
    dataplane: { state: 'up', heartbeat_age_ms: 3 }, rates: { pps: 1, bps: 1, drops_per_s: 0 },
    totals: { packets: 1, bytes: 1, source_drops: 0, parse_errors: 0, host_table_full: 0 },
    host_table: { hosts: 1, capacity: 65536, occupancy: 0, evicted: 0, full: 0, idle_s: 300, bytes_per_host: 192 },
    database: { state: 'connected', spool_backlog: 0 }, control: { version: '0', uptime_s: 1, tick_ms: 1000 },
  };
  it('is quiet when all is well, and names each problem otherwise', () => {
    expect(healthWarnings(ok)).toEqual([]);
    expect(healthWarnings(null)).toEqual([]);
    const bad = healthWarnings({
      ...ok, dataplane: { state: 'stale', heartbeat_age_ms: 5000 }, rates: { pps: 0, bps: 0, drops_per_s: 1200 },
      database: { state: 'disconnected', spool_backlog: 42 },
    });
    expect(bad).toHaveLength(3);
    expect(bad[0]).toMatch(/not responding \(heartbeat 5 s old\)/);
    expect(bad[1]).toMatch(/dropping 1\.20 k/);
    expect(bad[2]).toMatch(/42 records/);
    expect(healthWarnings({ ...ok, dataplane: { state: 'down' } })[0]).toMatch(/down/);
  });
});
