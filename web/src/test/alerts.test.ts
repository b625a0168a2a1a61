import { describe, expect, it } from 'vitest';
import { countBySeverity, filterAlerts, mergeAlert, mergeAlerts, newerAlert, refreshAlerts, sortAlerts } from '../lib/alerts';
import type { Alert } from '../api/types';

const a = (id: string, severity: Alert['severity'], status: Alert['status'], last: number): Alert => ({
  id, kind: 'protocol_blacklist', severity, status, host: '10.0.0.1', protocol: 'ICMP',
  description: id, first_seen_ms: 0, last_seen_ms: last,
});

describe('alerts', () => {
  const list = [a('1', 'LOW', 'open', 10), a('2', 'HIGH', 'resolved', 30), a('3', 'CRITICAL', 'open', 20), a('4', 'HIGH', 'open', 30)];
  it('sorts newest first, then by severity', () => {
    expect(sortAlerts(list).map((x) => x.id)).toEqual(['2', '4', '3', '1']);
  });
  it('filters by severity and status', () => {
    expect(filterAlerts(list, { severity: 'HIGH', status: '' }).map((x) => x.id)).toEqual(['2', '4']);
    expect(filterAlerts(list, { severity: '', status: 'open' }).map((x) => x.id)).toEqual(['1', '3', '4']);
    expect(filterAlerts(list, { severity: 'HIGH', status: 'open' }).map((x) => x.id)).toEqual(['4']);
    expect(filterAlerts(list, { severity: '', status: '' })).toHaveLength(4);
  });
  it('merges a live update in place of the old version', () => {
    const merged = mergeAlert(list, { ...list[0], status: 'resolved', last_seen_ms: 40 });
    expect(merged).toHaveLength(4);
    expect(merged[0]).toMatchObject({ id: '1', status: 'resolved' });
    expect(mergeAlert(list, a('5', 'MEDIUM', 'open', 50))[0].id).toBe('5');
  });
  it('keeps the newest state of an alert when live updates arrive out of order', () => {
    const open1 = { ...a('9', 'HIGH', 'open', 100), count: 1 };
    const open2 = { ...a('9', 'HIGH', 'open', 200), count: 2 };
    const resolved = { ...a('9', 'HIGH', 'resolved', 200), count: 2, resolved_at_ms: 250 };
    // An older 'open' arriving after 'resolved' (same last_seen, or older) does not reopen it.
    expect(mergeAlert([resolved], open2)).toEqual([resolved]);
    expect(mergeAlert([resolved], open1)).toEqual([resolved]);
    // ... while 'resolved' replaces 'open' of the same last_seen, in either order.
    expect(mergeAlert([open2], resolved)).toEqual([resolved]);
    // A lower last_seen_ms loses; a lower count with the same last_seen_ms loses.
    expect(mergeAlert([open2], open1)).toEqual([open2]);
    const open2more = { ...open2, count: 5 };
    expect(mergeAlert([open2more], open2)).toEqual([open2more]);
    expect(mergeAlert([open2], open2more)).toEqual([open2more]);
    // Newer states still replace older ones.
    expect(mergeAlert([open1], open2)).toEqual([open2]);
    expect(newerAlert(open1, open2)).toBe(open2);
    expect(newerAlert(resolved, open2)).toBe(resolved);
  });
  it('merges a batch of updates, newest state per id, bounded', () => {
    const burst = [
      { ...a('x', 'LOW', 'open', 10), count: 1 },
      { ...a('x', 'LOW', 'resolved', 35), count: 3, resolved_at_ms: 40 },
      { ...a('x', 'LOW', 'open', 20), count: 2 },
      a('y', 'LOW', 'open', 5), a('z', 'LOW', 'open', 6),
    ];
    const merged = mergeAlerts(list, burst);
    expect(merged.map((x) => x.id)).toEqual(['x', '2', '4', '3', '1', 'z', 'y']);
    expect(merged[0]).toMatchObject({ status: 'resolved', count: 3 });
    expect(mergeAlerts(list, burst, 3).map((x) => x.id)).toEqual(['x', '2', '4']);
  });
  it('takes a REST snapshot without losing a newer live state', () => {
    const live = { ...a('1', 'LOW', 'resolved', 50), resolved_at_ms: 60 };
    const snap = [a('1', 'LOW', 'open', 10), a('3', 'CRITICAL', 'open', 20)];
    const out = refreshAlerts(snap, [live, a('gone', 'LOW', 'open', 99)]);
    expect(out.map((x) => [x.id, x.status])).toEqual([['1', 'resolved'], ['3', 'open']]);
    expect(refreshAlerts(snap, null).map((x) => x.id)).toEqual(['3', '1']);
  });
  it('counts by severity', () => {
    expect(countBySeverity(list)).toEqual({ CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 1 });
  });
});
