import { describe, expect, it } from 'vitest';
import { countBySeverity, filterAlerts, mergeAlert, sortAlerts } from '../lib/alerts';
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
  it('counts by severity', () => {
    expect(countBySeverity(list)).toEqual({ CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 1 });
  });
});
