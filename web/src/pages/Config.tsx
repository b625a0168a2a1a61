import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import { useLive } from '../api/live';
import type { Config as ConfigT } from '../api/types';
import { Card, Empty, ErrorBanner } from '../components/ui';
import { formatTimestamp } from '../lib/format';
import { useRole } from '../lib/roles';
import {
  emptySubnetRow, errorField, formToUpdate, toForm, NUMBER_FIELDS, SUBNET_BOXES, type ConfigForm, type FieldName,
} from './configForm';

type Errors = Partial<Record<FieldName, string>>;

function Field(props: { name: FieldName; label: string; hint?: string; errors: Errors; children: ReactNode }) {
  const err = props.errors[props.name];
  return (
    <div className={`field ${err ? 'has-error' : ''}`} data-testid={`field-${props.name}`}>
      <label htmlFor={`cfg-${props.name}`}>{props.label}</label>
      {props.children}
      {err ? <div className="field-error" role="alert" data-testid={`field-error-${props.name}`}>{err}</div>
        : props.hint && <div className="field-hint">{props.hint}</div>}
    </div>
  );
}

export function Config() {
  const editable = useRole().can('config');
  const api = useApi();
  const { lastConfig } = useLive();
  const [server, setServer] = useState<ConfigT | null>(null);
  const [form, setForm] = useState<ConfigForm | null>(null);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [unchanged, setUnchanged] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.config().then((c) => { setServer(c); setForm(toForm(c)); }).catch((e: Error) => setGeneral(e.message));
  }, [api]);

  // Another session changed the config: follow it unless we are editing.
  useEffect(() => {
    if (lastConfig && !dirty) { setServer(lastConfig); setForm(toForm(lastConfig)); }
  }, [lastConfig, dirty]);

  if (!form || !server) return <div className="page"><ErrorBanner error={general} />{!general && <Empty>Loading…</Empty>}</div>;

  const set = <K extends keyof ConfigForm>(k: K, v: ConfigForm[K]) => {
    setForm({ ...form, [k]: v }); setDirty(true); setSaved(null); setUnchanged(false);
    setErrors((e) => ({ ...e, [k]: undefined }));
  };
  const num = (name: (typeof NUMBER_FIELDS)[number], step = 'any') => (
    <input id={`cfg-${name}`} type="text" inputMode="decimal" data-step={step} value={form[name]}
      onChange={(e) => set(name, e.target.value)} data-testid={`input-${name}`} />
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setGeneral(null); setSaved(null);
    const { update, errors: local } = formToUpdate(form, server);
    setErrors(local);
    if (Object.keys(local).length) return;
    setUnchanged(false);
    if (!Object.keys(update).length) { setUnchanged(true); return; }
    setBusy(true);
    try {
      const c = await api.saveConfig(update);
      setServer(c); setForm(toForm(c)); setDirty(false);
      setSaved(`Saved at ${formatTimestamp(c.updated_at_ms || Date.now())} — applied live.`);
    } catch (err) {
      if (err instanceof ApiError) {
        const f = errorField(err.field, err.detail);
        if (f) setErrors({ [f]: err.detail || err.code });
        else setGeneral(err.detail || err.code);
      } else setGeneral(String(err));
    } finally {
      setBusy(false);
    }
  };

  const reset = () => { setForm(toForm(server)); setDirty(false); setErrors({}); setGeneral(null); setSaved(null); };

  return (
    <form className="page config" onSubmit={submit} data-testid="config-form" noValidate>
      {!editable && <p className="muted" data-testid="config-readonly">Read only: changing the configuration needs the admin role.</p>}
      <ErrorBanner error={general} />
      <fieldset className="plain" disabled={!editable}>
      <div className="grid-2">
        <Card title="Detection thresholds">
          <div className="row-2">
            <Field name="traffic_sent_pps" label="Traffic sent (packets/s per host)" errors={errors}
              hint="A host sending more than this raises a traffic_sent alert (default 1000).">{num('traffic_sent_pps', '1')}</Field>
            <Field name="traffic_sent_mbps" label="Traffic sent (Mbit/s)" errors={errors}
              hint="0 = off (default).">{num('traffic_sent_mbps')}</Field>
          </div>
          <div className="row-2">
            <Field name="traffic_received_pps" label="Traffic received (packets/s per host)" errors={errors}
              hint="A host receiving more than this is a victim: traffic_received alert (default 10000).">{num('traffic_received_pps', '1')}</Field>
            <Field name="traffic_received_mbps" label="Traffic received (Mbit/s)" errors={errors}
              hint="0 = off (default).">{num('traffic_received_mbps')}</Field>
          </div>
          <Field name="traffic_received_external" label="Victim rules for external hosts" errors={errors}
            hint="Off (default): traffic_received and reflection watch home-network hosts only.">
            <input id="cfg-traffic_received_external" type="checkbox" checked={form.traffic_received_external === 'true'}
              onChange={(e) => set('traffic_received_external', e.target.checked ? 'true' : 'false')}
              data-testid="input-traffic_received_external" />
          </Field>
          <Field name="reflection_pps" label="Reflection (packets/s from reflector ports)" errors={errors}
            hint="UDP from DNS/NTP/SSDP/memcached/... source ports received by one host (default 1000).">{num('reflection_pps', '1')}</Field>
          <div className="row-2">
            <Field name="syn_flood_per_s" label="SYN flood (SYNs/s received, unanswered)" errors={errors}
              hint="TCP SYNs per second received by one host that answers too few of them (default 1000).">{num('syn_flood_per_s', '1')}</Field>
            <Field name="syn_flood_answered_ratio" label="SYN flood: answered below" errors={errors}
              hint="The share of SYNs answered by a SYN+ACK under which it is a flood (default 0.1 = 10%).">{num('syn_flood_answered_ratio')}</Field>
          </div>
          <Field name="fan_in_sources" label="Fan-in (distinct sources / 30 s)" errors={errors}
            hint="A host receiving from more distinct sources than this: fan_in alert (default 10000, at most 20000; estimated).">{num('fan_in_sources', '1')}</Field>
          <div className="row-2">
            <Field name="port_scan_ports" label="Port scan (distinct ports / 60 s)" errors={errors}
              hint="Default 100, at most 500.">{num('port_scan_ports', '1')}</Field>
            <Field name="host_scan_hosts" label="Host scan (distinct hosts / 60 s)" errors={errors}
              hint="Default 50, at most 500.">{num('host_scan_hosts', '1')}</Field>
          </div>
          <Field name="connection_rate_per_min" label="Connection rate (new connections/min per host)" errors={errors}
            hint="SYNs per minute above this raise a connection-rate alert.">{num('connection_rate_per_min', '1')}</Field>
          <Field name="escalation_factor" label="Escalation factor" errors={errors}
            hint="Severity rises when the value exceeds threshold × this factor.">{num('escalation_factor')}</Field>
          <div className="row-2">
            <Field name="clear_ratio" label="Clear ratio" errors={errors} hint="Below threshold × ratio…">{num('clear_ratio')}</Field>
            <Field name="clear_hold_s" label="Clear hold (s)" errors={errors} hint="…for this long resolves.">{num('clear_hold_s')}</Field>
          </div>
          <Field name="sample_one_in" label="Sample one packet in" errors={errors}
            hint="Sampling rate for packet samples kept for alerts.">{num('sample_one_in', '1')}</Field>
          <Field name="baseline_enabled" label="Baseline deviation alerts" errors={errors}
            hint="On (default): the link's packets/s, Mbit/s, new connections/min and active hosts far above what is usual for this hour of the week raise baseline_deviation. Learning goes on either way.">
            <input id="cfg-baseline_enabled" type="checkbox" checked={form.baseline_enabled === 'true'}
              onChange={(e) => set('baseline_enabled', e.target.checked ? 'true' : 'false')}
              data-testid="input-baseline_enabled" />
          </Field>
          <div className="row-2">
            <Field name="baseline_low_sigma" label="Baseline LOW (deviations)" errors={errors}
              hint="Default 4.">{num('baseline_low_sigma')}</Field>
            <Field name="baseline_medium_sigma" label="Baseline MEDIUM (deviations)" errors={errors}
              hint="Default 6, at least the LOW level.">{num('baseline_medium_sigma')}</Field>
          </div>
          <Field name="baseline_warmup_s" label="Baseline warm-up (s of learning)" errors={errors}
            hint="Samples before a statistic is used (default 3600; each hour of the week learns on its own).">{num('baseline_warmup_s', '1')}</Field>
        </Card>
        <Card title="Protocols and networks">
          <Field name="protocol_blacklist" label="Protocol blacklist" errors={errors}
            hint="Comma-separated: IP protocols (ICMP, IGMP, GRE, 47), services (SSH, TELNET) or tcp/PORT, udp/PORT. Any packet of these raises an alert.">
            <input id="cfg-protocol_blacklist" type="text" value={form.protocol_blacklist}
              onChange={(e) => set('protocol_blacklist', e.target.value)} data-testid="input-protocol_blacklist" />
          </Field>
          <Field name="home_networks" label="Home networks" errors={errors} hint="One CIDR per line; these hosts are internal.">
            <textarea id="cfg-home_networks" rows={4} value={form.home_networks}
              onChange={(e) => set('home_networks', e.target.value)} data-testid="input-home_networks" />
          </Field>
          <Field name="whitelist" label="Whitelist" errors={errors} hint="One IP or CIDR per line; never alerted on.">
            <textarea id="cfg-whitelist" rows={3} value={form.whitelist}
              onChange={(e) => set('whitelist', e.target.value)} data-testid="input-whitelist" />
          </Field>
          <Field name="subnet_thresholds" label="Per-subnet thresholds" errors={errors}
            hint="Any of the thresholds per subnet: packets/s sent and received, new connections/min, Mbit/s sent and received (0 = off here), reflection packets/s, SYN flood (SYNs/s and the answered share), fan-in sources. An empty box inherits from a wider subnet or the global value.">
            <div className="subnets">
              {form.subnet_thresholds.map((r, i) => (
                <div className="subnet-row" key={i}>
                  <input type="text" className="subnet-cidr" placeholder="10.1.0.0/16" value={r.cidr} data-testid={`subnet-cidr-${i}`}
                    aria-label={`row ${i + 1} CIDR`}
                    onChange={(e) => set('subnet_thresholds', form.subnet_thresholds.map((x, j) => (j === i ? { ...x, cidr: e.target.value } : x)))} />
                  {SUBNET_BOXES.map(([box, key, label]) => (
                    <input key={box} type="text" inputMode="decimal" placeholder={label} title={`${label} (${key})`}
                      aria-label={`row ${i + 1} ${label}`} value={r[box] ?? ''} data-testid={`subnet-${box}-${i}`}
                      onChange={(e) => set('subnet_thresholds', form.subnet_thresholds.map((x, j) => (j === i ? { ...x, [box]: e.target.value } : x)))} />
                  ))}
                  <button type="button" className="btn btn-ghost btn-small" title="Remove"
                    onClick={() => set('subnet_thresholds', form.subnet_thresholds.filter((_, j) => j !== i))}>✕</button>
                </div>
              ))}
              <button type="button" className="btn btn-ghost btn-small" data-testid="subnet-add"
                onClick={() => set('subnet_thresholds', [...form.subnet_thresholds, emptySubnetRow()])}>+ Add subnet</button>
            </div>
          </Field>
        </Card>
      </div>
      </fieldset>
      {editable && <div className="savebar">
        <span className="muted">Last change: {formatTimestamp(server.updated_at_ms)}</span>
        {saved && <span className="text-ok" data-testid="config-saved">{saved}</span>}
        {unchanged && <span className="muted" data-testid="config-unchanged">No changes to save.</span>}
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" onClick={reset} disabled={!dirty || busy}>Discard</button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="config-save">{busy ? 'Saving…' : 'Save changes'}</button>
      </div>}
    </form>
  );
}
