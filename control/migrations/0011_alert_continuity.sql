-- Alert continuity across restarts (issue 14): the sensor_health condition gets its own
-- column (it was only the description's prefix), a resolved alert says who resolved it
-- (user | auto | restart | superseded), and PostgreSQL enforces one open alert per
-- (sensor, host, kind, condition). Earlier control planes opened a new row on every
-- restart and never closed the old one: those duplicates are closed here first (the newest
-- stays open), so the index can be built.
alter table public.network_alerts add column if not exists condition text;
alter table public.network_alerts add column if not exists resolved_by text;

update public.network_alerts set condition = split_part(description, ':', 1)
  where kind = 'sensor_health' and condition is null and position(':' in description) > 0;

with ranked as (
  select id, row_number() over (
           partition by coalesce(sensor_id, '00000000-0000-0000-0000-000000000000'::uuid),
                        coalesce(host, ''), kind, coalesce(condition, '')
           order by last_seen desc, created_at desc, id) as n
  from public.network_alerts where status = 'open')
update public.network_alerts a
  set status = 'resolved', resolved_at = coalesce(a.last_seen, now()), resolved_by = 'restart',
      updated_at = now()
  from ranked r where a.id = r.id and r.n > 1;

create unique index if not exists network_alerts_one_open_idx on public.network_alerts (
  coalesce(sensor_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(host, ''), kind,
  coalesce(condition, ''))
  where status = 'open';
