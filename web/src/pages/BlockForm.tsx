// The admin's manual block (POST /api/blocks): one address or prefix, an optional mode and ban
// time. The browser checks the shape only; the sensor's refusal (its 4xx detail) is shown as
// it is.
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/context';
import { BLOCK_MODES, type BlockList, type BlockMode } from '../api/types';
import { MAX_TARGET_TEXT, parseBlockTarget } from '../lib/blockTarget';

const MAX_BAN_S = 604800;

/** The form's fields checked: the request to make, or the message to show. */
export function checkBlockForm(target: string, mode: string, ban: string):
  { target: string; mode?: BlockMode; ban_s?: number } | { error: string } {
  const t = parseBlockTarget(target);
  if (!t) return { error: 'Not an address or prefix: use a.b.c.d, a.b.c.d/n, x:y::z or x:y::/n.' };
  if (t.len !== null && mode === 'flowspec') return { error: 'A prefix is blocked in mode blackhole or xdp, not flowspec.' };
  let ban_s: number | undefined;
  if (ban.trim() !== '') {
    if (!/^\d{1,6}$/.test(ban.trim()) || Number(ban) > MAX_BAN_S) {
      return { error: `Ban time: whole seconds, 0 (until unblocked) to ${MAX_BAN_S}.` };
    }
    ban_s = Number(ban);
  }
  const m = BLOCK_MODES.find((x) => x === mode);
  return { target, ...(m ? { mode: m } : {}), ...(ban_s !== undefined ? { ban_s } : {}) };
}

export function BlockForm({ onDone, onError }: { onDone: (b: BlockList) => void; onError: (e: string | null) => void }) {
  const api = useApi();
  const [target, setTarget] = useState('');
  const [mode, setMode] = useState('');
  const [ban, setBan] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const req = checkBlockForm(target.trim(), mode, ban);
    if ('error' in req) { setInvalid(req.error); return; }
    setInvalid(null);
    setBusy(true);
    api.block(req.target, { mode: req.mode, ban_s: req.ban_s })
      .then((b) => { onDone(b); onError(null); setTarget(''); })
      .catch((err: Error) => onError(err.message))
      .finally(() => setBusy(false));
  };

  return (
    <form className="block-form" onSubmit={submit} noValidate data-testid="block-form">
      <div className={`field ${invalid ? 'has-error' : ''}`}>
        <label htmlFor="block-target">Address or prefix</label>
        <input id="block-target" type="text" value={target} maxLength={MAX_TARGET_TEXT + 8} autoComplete="off"
          placeholder="203.0.113.7, 203.0.113.0/24, 2001:db8:5::/48" data-testid="block-target"
          onChange={(e) => setTarget(e.target.value)} />
        {invalid && <span className="field-error" data-testid="block-invalid">{invalid}</span>}
      </div>
      <div className="row-2">
        <div className="field">
          <label htmlFor="block-mode">Mode</label>
          <select id="block-mode" value={mode} onChange={(e) => setMode(e.target.value)} data-testid="block-mode">
            <option value="">the sensor's mode</option>
            {BLOCK_MODES.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="block-ban">Ban time (s)</label>
          <input id="block-ban" type="text" inputMode="numeric" value={ban} placeholder="the sensor's ban_time_s"
            onChange={(e) => setBan(e.target.value)} data-testid="block-ban" />
          <span className="field-hint">0 = until unblocked; at most {MAX_BAN_S} (7 days).</span>
        </div>
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="block-submit">
        {busy ? 'Blocking…' : 'Block'}
      </button>
    </form>
  );
}
