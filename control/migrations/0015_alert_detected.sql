-- Sub-second detection (issue 17): when the sensor knew of the alert, next to first_seen (the
-- first packet over the limit). Null for rows written before; readers use first_seen then.
alter table public.network_alerts add column if not exists detected_at timestamptz;
