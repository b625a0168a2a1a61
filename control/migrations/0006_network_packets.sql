-- Sampled packet records, partitioned by day on ts. securenet.maintain_packet_partitions()
-- creates the partitions from (today - retention) to (today + days_ahead) and drops the
-- ones older than the retention (setting 'packet_retention_days', default 7).
create table if not exists public.network_packets (
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  sensor_id uuid references public.sensors (id) on delete cascade,
  ts timestamptz not null,
  src inet,
  dst inet,
  sport integer,
  dport integer,
  protocol text,
  length integer,
  flags smallint,
  created_at timestamptz not null default now(),
  primary key (id, ts)
) partition by range (ts);
create index if not exists network_packets_user_idx on public.network_packets (user_id, ts desc);

alter table public.network_packets enable row level security;
revoke all on public.network_packets from anon, authenticated;
grant select, delete on public.network_packets to authenticated;
grant all on public.network_packets to service_role;

create policy network_packets_select on public.network_packets for select to authenticated
  using (user_id = (select auth.uid()));
create policy network_packets_delete on public.network_packets for delete to authenticated
  using (user_id = (select auth.uid()));

insert into securenet.settings (key, value) values ('packet_retention_days', '7')
  on conflict (key) do nothing;

create or replace function securenet.maintain_packet_partitions(days_ahead integer default 3)
returns table (created integer, dropped integer)
language plpgsql set search_path = pg_catalog, public as $fn$
declare
  retention integer := coalesce(
    (select value::integer from securenet.settings where key = 'packet_retention_days'), 7);
  today date := (now() at time zone 'UTC')::date;
  d date;
  part text;
  r record;
  n_created integer := 0;
  n_dropped integer := 0;
begin
  -- Serialise concurrent maintainers (several sensors may share a database).
  perform pg_advisory_xact_lock(hashtext('securenet.maintain_packet_partitions'));
  for d in select generate_series(today - retention, today + days_ahead, interval '1 day')::date
  loop
    part := 'network_packets_' || to_char(d, 'YYYYMMDD');
    if to_regclass('public.' || part) is null then
      execute format(
        'create table public.%I partition of public.network_packets for values from (%L) to (%L)',
        part, (d::timestamp at time zone 'UTC'), ((d + 1)::timestamp at time zone 'UTC'));
      -- Direct access to a partition bypasses the parent's policies: close it (Supabase's
      -- default privileges would otherwise grant it to anon/authenticated).
      execute format('alter table public.%I enable row level security', part);
      execute format('revoke all on public.%I from anon, authenticated', part);
      n_created := n_created + 1;
    end if;
  end loop;
  for r in
    select c.relname from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
     where p.relname = 'network_packets' and p.relnamespace = 'public'::regnamespace
       and c.relname ~ '^network_packets_[0-9]{8}$'
       and to_date(substr(c.relname, 17), 'YYYYMMDD') < today - retention
  loop
    execute format('drop table public.%I', r.relname);
    n_dropped := n_dropped + 1;
  end loop;
  return query select n_created, n_dropped;
end
$fn$;

select * from securenet.maintain_packet_partitions();
