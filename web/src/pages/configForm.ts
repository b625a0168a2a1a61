// Config form model: text fields <-> Config, diffing, mapping server errors to fields.
import type { Config, ConfigUpdate, SubnetThreshold } from '../api/types';

export const NUMBER_FIELDS = [
  'traffic_sent_pps', 'traffic_sent_mbps', 'traffic_received_pps', 'traffic_received_mbps',
  'connection_rate_per_min', 'port_scan_ports', 'host_scan_hosts', 'reflection_pps',
  'syn_flood_per_s', 'syn_flood_answered_ratio', 'fan_in_sources', 'escalation_factor',
  'clear_ratio', 'clear_hold_s', 'sample_one_in', 'baseline_low_sigma', 'baseline_medium_sigma',
  'baseline_warmup_s',
] as const;
export const LIST_FIELDS = ['protocol_blacklist', 'home_networks', 'whitelist'] as const;
/** Check boxes, kept in the form as 'true' / 'false'. */
export const BOOL_FIELDS = ['traffic_received_external', 'baseline_enabled'] as const;
export const FIELDS = [...NUMBER_FIELDS, ...LIST_FIELDS, ...BOOL_FIELDS, 'subnet_thresholds'] as const;
export type FieldName = (typeof FIELDS)[number];

/** One subnet row; an empty `pps` (sent), `recv` or `conn` means "not set here" (inherit). */
export interface SubnetRow { cidr: string; pps: string; conn: string; recv?: string }
export type ConfigForm = Record<(typeof NUMBER_FIELDS)[number] | (typeof LIST_FIELDS)[number] | (typeof BOOL_FIELDS)[number], string> & {
  subnet_thresholds: SubnetRow[];
};

export function toForm(c: Config): ConfigForm {
  return {
    traffic_sent_pps: String(c.traffic_sent_pps),
    traffic_sent_mbps: String(c.traffic_sent_mbps ?? 0),
    traffic_received_pps: String(c.traffic_received_pps ?? 10000),
    traffic_received_mbps: String(c.traffic_received_mbps ?? 0),
    traffic_received_external: String(c.traffic_received_external ?? false),
    connection_rate_per_min: String(c.connection_rate_per_min),
    port_scan_ports: String(c.port_scan_ports ?? 100),
    host_scan_hosts: String(c.host_scan_hosts ?? 50),
    reflection_pps: String(c.reflection_pps ?? 1000),
    syn_flood_per_s: String(c.syn_flood_per_s ?? 1000),
    syn_flood_answered_ratio: String(c.syn_flood_answered_ratio ?? 0.1),
    fan_in_sources: String(c.fan_in_sources ?? 10000),
    escalation_factor: String(c.escalation_factor),
    clear_ratio: String(c.clear_ratio),
    clear_hold_s: String(c.clear_hold_s),
    sample_one_in: String(c.sample_one_in),
    baseline_enabled: String(c.baseline_enabled ?? true),
    baseline_low_sigma: String(c.baseline_low_sigma ?? 4),
    baseline_medium_sigma: String(c.baseline_medium_sigma ?? 6),
    baseline_warmup_s: String(c.baseline_warmup_s ?? 3600),
    protocol_blacklist: (c.protocol_blacklist ?? []).join(', '),
    home_networks: (c.home_networks ?? []).join('\n'),
    whitelist: (c.whitelist ?? []).join('\n'),
    subnet_thresholds: (c.subnet_thresholds ?? []).map((s) => ({
      cidr: s.cidr, pps: optText(s.traffic_sent_pps), conn: optText(s.connection_rate_per_min),
      recv: optText(s.traffic_received_pps),
    })),
  };
}

const optText = (n: number | undefined | null) => (n == null ? '' : String(n));

const splitList = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

/** Parses the form; returns either the changed fields or client-side errors by field. */
export function formToUpdate(form: ConfigForm, base: Config):
  { update: ConfigUpdate; errors: Partial<Record<FieldName, string>> } {
  const errors: Partial<Record<FieldName, string>> = {};
  const full: Record<string, unknown> = {};
  for (const f of NUMBER_FIELDS) {
    const v = form[f].trim();
    const n = Number(v);
    if (v === '' || !Number.isFinite(n)) errors[f] = 'must be a number';
    else full[f] = n;
  }
  for (const f of LIST_FIELDS) full[f] = splitList(form[f]);
  for (const f of BOOL_FIELDS) full[f] = form[f] === 'true';
  full.protocol_blacklist = (full.protocol_blacklist as string[]).map((p) => p.toUpperCase());
  const subnets: SubnetThreshold[] = [];
  form.subnet_thresholds.forEach((r, i) => {
    const parsed = subnetRow(r, i);
    if (parsed === null) return;
    if (typeof parsed === 'string') errors.subnet_thresholds ??= parsed;
    else subnets.push(parsed);
  });
  full.subnet_thresholds = subnets;

  const update: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(full)) {
    if (JSON.stringify(v) !== JSON.stringify((base as unknown as Record<string, unknown>)[k])) update[k] = v;
  }
  return { update: update as ConfigUpdate, errors };
}

/** One subnet row: null when blank, an error text, or the entry with only the fields set. */
function subnetRow(r: SubnetRow, i: number): SubnetThreshold | string | null {
  const cidr = r.cidr.trim(), pps = r.pps.trim(), conn = r.conn.trim(), recv = (r.recv ?? '').trim();
  if (!cidr && !pps && !conn && !recv) return null;
  if (!pps && !conn && !recv) {
    return `row ${i + 1}: give a sent threshold (pps), a received threshold (recv pps) or a connection rate (conn/min)`;
  }
  const s: SubnetThreshold = { cidr };
  for (const [text, key, what] of [[pps, 'traffic_sent_pps', 'sent threshold'],
    [recv, 'traffic_received_pps', 'received threshold'],
    [conn, 'connection_rate_per_min', 'connection rate']] as const) {
    if (!text) continue;
    const n = Number(text);
    if (!Number.isFinite(n)) return `row ${i + 1}: ${what} must be a number`;
    s[key] = n;
  }
  return s;
}

/** The form field a server error names: `field`, else a known prefix of `detail`. */
export function errorField(field: string | undefined, detail: string): FieldName | null {
  const candidates = [field ?? '', detail];
  for (const c of candidates) {
    const m = /^([a-z_]+)/.exec(c);
    if (m && (FIELDS as readonly string[]).includes(m[1])) return m[1] as FieldName;
  }
  return null;
}
