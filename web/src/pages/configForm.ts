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

/** One subnet row; an empty box means "not set here" (inherit from a wider subnet or the global). */
export interface SubnetRow {
  cidr: string; pps: string; conn: string; recv?: string;
  smbps?: string; rmbps?: string; refl?: string; syn?: string; synratio?: string; fanin?: string;
}

type SubnetKey = Exclude<keyof SubnetThreshold, 'cidr'>;
type SubnetBox = Exclude<keyof SubnetRow, 'cidr'>;
/** Every threshold box of a subnet row: its form key, its API field, its label (placeholder). */
export const SUBNET_BOXES: readonly (readonly [SubnetBox, SubnetKey, string])[] = [
  ['pps', 'traffic_sent_pps', 'pps'],
  ['recv', 'traffic_received_pps', 'recv pps'],
  ['conn', 'connection_rate_per_min', 'conn/min'],
  ['smbps', 'traffic_sent_mbps', 'sent Mbit/s'],
  ['rmbps', 'traffic_received_mbps', 'recv Mbit/s'],
  ['refl', 'reflection_pps', 'reflection pps'],
  ['syn', 'syn_flood_per_s', 'SYN/s'],
  ['synratio', 'syn_flood_answered_ratio', 'SYN answered'],
  ['fanin', 'fan_in_sources', 'fan-in sources'],
];

/** A blank subnet row (every box empty). */
export function emptySubnetRow(): SubnetRow {
  const r: SubnetRow = { cidr: '', pps: '', conn: '' };
  for (const [box] of SUBNET_BOXES) r[box] = '';
  return r;
}
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
    subnet_thresholds: (c.subnet_thresholds ?? []).map((s) => {
      const r = emptySubnetRow();
      r.cidr = s.cidr;
      for (const [box, key] of SUBNET_BOXES) r[box] = optText(s[key]);
      return r;
    }),
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
  const cidr = r.cidr.trim();
  const boxes = SUBNET_BOXES.map(([box, key, label]) => [(r[box] ?? '').trim(), key, label] as const);
  const anySet = boxes.some(([text]) => text !== '');
  if (!cidr && !anySet) return null;
  if (!anySet) return `row ${i + 1}: give at least one threshold (pps, recv pps, conn/min, Mbit/s, reflection, SYN or fan-in)`;
  const s: SubnetThreshold = { cidr };
  for (const [text, key, label] of boxes) {
    if (!text) continue;
    const n = Number(text);
    if (!Number.isFinite(n)) return `row ${i + 1}: ${label} must be a number`;
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
