// Per-subnet overrides of the traffic and connection-rate thresholds: the form model round
// trip (only the fields a row sets are sent) and the page's third "conn/min" input.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App } from '../App';
import type { Config } from '../api/types';
import { baseRoutes, fakeApi } from './fakeServer';
import { formToUpdate, toForm } from '../pages/configForm';

const config: Config = {
  traffic_sent_pps: 1000, traffic_sent_mbps: 0, traffic_received_pps: 10000, traffic_received_mbps: 0,
  traffic_received_external: false, connection_rate_per_min: 100, port_scan_ports: 100, host_scan_hosts: 50, reflection_pps: 1000, syn_flood_per_s: 1000, syn_flood_answered_ratio: 0.1, fan_in_sources: 10000, protocol_blacklist: ['ICMP', 'IGMP'],
  home_networks: ['10.0.0.0/8'], whitelist: [],
  subnet_thresholds: [
    { cidr: '10.1.0.0/16', traffic_sent_pps: 50000 },
    { cidr: '10.1.53.0/24', connection_rate_per_min: 5000 },
    { cidr: 'fd00:1::/32', traffic_sent_pps: 9, connection_rate_per_min: 3 },
  ],
  escalation_factor: 10, clear_ratio: 0.8, clear_hold_s: 10, sample_one_in: 1000, baseline_enabled: true, baseline_low_sigma: 4,
  baseline_medium_sigma: 6, baseline_warmup_s: 3600, updated_at_ms: 0,
};

function at(path: string) { window.history.replaceState(null, '', path); }

describe('subnet thresholds form model', () => {
  it('shows an unset number as an empty box', () => {
    const blank = { recv: '', smbps: '', rmbps: '', refl: '', syn: '', synratio: '', fanin: '' };
    expect(toForm(config).subnet_thresholds).toEqual([
      { ...blank, cidr: '10.1.0.0/16', pps: '50000', conn: '' },
      { ...blank, cidr: '10.1.53.0/24', pps: '', conn: '5000' },
      { ...blank, cidr: 'fd00:1::/32', pps: '9', conn: '3' },
    ]);
  });

  it('round-trips unchanged: nothing to send', () => {
    expect(formToUpdate(toForm(config), config)).toEqual({ update: {}, errors: {} });
  });

  it('sends each row with only the fields it sets', () => {
    const f = toForm(config);
    f.subnet_thresholds = [
      { cidr: ' 10.1.0.0/16 ', pps: '50000', conn: ' 400 ' },
      { cidr: '10.1.53.0/24', pps: '', conn: '5000' },
      { cidr: '10.2.0.0/16', pps: '20', conn: '' },
      { cidr: '', pps: '', conn: '' },  // a blank row is ignored
    ];
    const { update, errors } = formToUpdate(f, config);
    expect(errors).toEqual({});
    expect(update).toEqual({
      subnet_thresholds: [
        { cidr: '10.1.0.0/16', traffic_sent_pps: 50000, connection_rate_per_min: 400 },
        { cidr: '10.1.53.0/24', connection_rate_per_min: 5000 },
        { cidr: '10.2.0.0/16', traffic_sent_pps: 20 },
      ],
    });
    expect(Object.keys(update.subnet_thresholds![1])).toEqual(['cidr', 'connection_rate_per_min']);
  });

  it('a row with a CIDR but neither number is an error', () => {
    const f = toForm(config);
    f.subnet_thresholds = [...f.subnet_thresholds, { cidr: '10.9.0.0/16', pps: ' ', conn: '' }];
    expect(formToUpdate(f, config).errors.subnet_thresholds).toBe(
      'row 4: give at least one threshold (pps, recv pps, conn/min, Mbit/s, reflection, SYN or fan-in)');
  });

  it('a connection rate that is not a number is an error', () => {
    const f = toForm(config);
    f.subnet_thresholds[1] = { ...f.subnet_thresholds[1], conn: 'lots' };
    expect(formToUpdate(f, config).errors.subnet_thresholds).toBe('row 2: conn/min must be a number');
  });
});

describe('Configuration page subnet rows', () => {
  it('shows three inputs per row, edits conn/min and posts only the set fields', async () => {
    let saved: Config = config;
    const { api, calls } = fakeApi({
      ...baseRoutes,
      'GET /api/config': () => ({ body: saved }),
      'POST /api/config': (b) => { saved = { ...saved, ...(b as object), updated_at_ms: Date.now() }; return { body: saved }; },
    });
    at('/config');
    render(<App api={api} />);
    const conn0 = await screen.findByTestId('subnet-conn-0') as HTMLInputElement;
    expect(conn0.value).toBe('');
    expect((screen.getByTestId('subnet-pps-1') as HTMLInputElement).value).toBe('');
    expect((screen.getByTestId('subnet-conn-1') as HTMLInputElement).value).toBe('5000');
    expect((screen.getByTestId('subnet-conn-2') as HTMLInputElement).value).toBe('3');
    fireEvent.change(conn0, { target: { value: '250' } });
    fireEvent.change(screen.getByTestId('subnet-pps-1'), { target: { value: '777' } });
    fireEvent.change(screen.getByTestId('subnet-conn-2'), { target: { value: '' } });
    fireEvent.click(screen.getByTestId('config-save'));
    await screen.findByTestId('config-saved');
    expect(calls.find((c) => c.key === 'POST /api/config')?.body).toEqual({
      subnet_thresholds: [
        { cidr: '10.1.0.0/16', traffic_sent_pps: 50000, connection_rate_per_min: 250 },
        { cidr: '10.1.53.0/24', traffic_sent_pps: 777, connection_rate_per_min: 5000 },
        { cidr: 'fd00:1::/32', traffic_sent_pps: 9 },
      ],
    });
    // The reloaded form shows what the server returned.
    await waitFor(() => expect((screen.getByTestId('subnet-conn-0') as HTMLInputElement).value).toBe('250'));
  });

  it('a new row with both numbers empty is a form error and nothing is posted', async () => {
    const { api, calls } = fakeApi({ ...baseRoutes, 'GET /api/config': () => ({ body: config }) });
    at('/config');
    render(<App api={api} />);
    fireEvent.click(await screen.findByTestId('subnet-add'));
    fireEvent.change(screen.getByTestId('subnet-cidr-3'), { target: { value: '10.9.0.0/16' } });
    expect((screen.getByTestId('subnet-conn-3') as HTMLInputElement).value).toBe('');
    fireEvent.click(screen.getByTestId('config-save'));
    const err = await screen.findByTestId('field-error-subnet_thresholds');
    expect(err.textContent).toContain('row 4: give at least one threshold');
    expect(calls.some((c) => c.key === 'POST /api/config')).toBe(false);
  });
});

// Issue 13: the victim and Mbit/s rules' overrides (syn_flood, fan_in, reflection, Mbit/s).
const victimConfig: Config = {
  ...config,
  subnet_thresholds: [
    { cidr: '10.1.0.0/16', syn_flood_per_s: 300, fan_in_sources: 2000 },
    { cidr: '10.2.0.0/16', traffic_received_mbps: 0, reflection_pps: 50, syn_flood_answered_ratio: 0.5 },  // the server's order
  ],
};

describe('subnet overrides of the victim rules', () => {
  it('shows each set field in its box and round-trips unchanged', () => {
    const rows = toForm(victimConfig).subnet_thresholds;
    expect(rows[0]).toMatchObject({ cidr: '10.1.0.0/16', syn: '300', fanin: '2000', refl: '', rmbps: '' });
    expect(rows[1]).toMatchObject({ rmbps: '0', synratio: '0.5', refl: '50', syn: '', pps: '' });
    expect(formToUpdate(toForm(victimConfig), victimConfig)).toEqual({ update: {}, errors: {} });
  });

  it('sends only the boxes a row sets, 0 Mbit/s included', () => {
    const f = toForm(victimConfig);
    f.subnet_thresholds[0] = { ...f.subnet_thresholds[0], syn: ' 250 ', smbps: '40' };
    f.subnet_thresholds[1] = { ...f.subnet_thresholds[1], refl: '', fanin: '20000' };
    const { update, errors } = formToUpdate(f, victimConfig);
    expect(errors).toEqual({});
    expect(update.subnet_thresholds).toEqual([
      { cidr: '10.1.0.0/16', traffic_sent_mbps: 40, syn_flood_per_s: 250, fan_in_sources: 2000 },
      { cidr: '10.2.0.0/16', traffic_received_mbps: 0, syn_flood_answered_ratio: 0.5, fan_in_sources: 20000 },
    ]);
  });

  it('a box that is not a number names its row and rule; a row with only the ratio is valid', () => {
    const f = toForm(victimConfig);
    f.subnet_thresholds[1] = { ...f.subnet_thresholds[1], fanin: '1e400x' };
    expect(formToUpdate(f, victimConfig).errors.subnet_thresholds).toBe('row 2: fan-in sources must be a number');
    const g = toForm(victimConfig);
    g.subnet_thresholds = [{ cidr: '10.9.0.0/16', pps: '', conn: '', synratio: '0.25' }];
    expect(formToUpdate(g, victimConfig).update.subnet_thresholds).toEqual([
      { cidr: '10.9.0.0/16', syn_flood_answered_ratio: 0.25 },
    ]);
  });

  it('the page edits the SYN flood and fan-in boxes and posts them; a server error shows on the field', async () => {
    let saved: Config = victimConfig;
    let fail = false;
    const { api, calls } = fakeApi({
      ...baseRoutes,
      'GET /api/config': () => ({ body: saved }),
      'POST /api/config': (b) => {
        if (fail) {
          return { status: 400, body: { error: 'invalid_config', field: 'subnet_thresholds',
            detail: 'subnet_thresholds[0].fan_in_sources: 30000.000000 is out of range (> 0.000000 and <= 20000.000000)' } };
        }
        saved = { ...saved, ...(b as object), updated_at_ms: Date.now() };
        return { body: saved };
      },
    });
    at('/config');
    render(<App api={api} />);
    const syn0 = await screen.findByTestId('subnet-syn-0') as HTMLInputElement;
    expect(syn0.value).toBe('300');
    expect((screen.getByTestId('subnet-synratio-1') as HTMLInputElement).value).toBe('0.5');
    expect((screen.getByTestId('subnet-rmbps-1') as HTMLInputElement).value).toBe('0');
    fireEvent.change(syn0, { target: { value: '120' } });
    fireEvent.change(screen.getByTestId('subnet-fanin-1'), { target: { value: '700' } });
    fireEvent.change(screen.getByTestId('subnet-refl-1'), { target: { value: '' } });
    fireEvent.click(screen.getByTestId('config-save'));
    await screen.findByTestId('config-saved');
    expect(calls.find((c) => c.key === 'POST /api/config')?.body).toEqual({
      subnet_thresholds: [
        { cidr: '10.1.0.0/16', syn_flood_per_s: 120, fan_in_sources: 2000 },
        { cidr: '10.2.0.0/16', traffic_received_mbps: 0, syn_flood_answered_ratio: 0.5, fan_in_sources: 700 },
      ],
    });
    await waitFor(() => expect((screen.getByTestId('subnet-fanin-1') as HTMLInputElement).value).toBe('700'));
    // A new row gets every box empty; the server's refusal lands on the subnet field.
    fireEvent.click(screen.getByTestId('subnet-add'));
    expect((screen.getByTestId('subnet-fanin-2') as HTMLInputElement).value).toBe('');
    fireEvent.change(screen.getByTestId('subnet-cidr-2'), { target: { value: '10.3.0.0/16' } });
    fireEvent.change(screen.getByTestId('subnet-fanin-2'), { target: { value: '30000' } });
    fail = true;
    fireEvent.click(screen.getByTestId('config-save'));
    const err = await screen.findByTestId('field-error-subnet_thresholds');
    expect(err.textContent).toContain('fan_in_sources');
  });
});
