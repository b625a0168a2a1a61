-- Least privilege: the sensor (securenet-control) connects as `securenet_sensor`, which can
-- do what its writer and its request-time reads need and nothing more:
--   - insert (and upsert where the writer updates in place) its rows: sensors, alerts
--     (insert/update), configs, metrics, packets, audit_log (insert only): no DELETE
--     anywhere, no UPDATE of config history, metrics, packets or the audit log;
--   - become `authenticated` for the API's reads (PostgREST's way: `set local role` plus
--     the caller's claims, so row-level security applies to every read);
--   - check logins and find its owner only through the SECURITY DEFINER functions of 0008
--     (it cannot read auth.users or a password hash);
--   - its own refresh tokens (securenet.refresh_tokens).
-- Created NOLOGIN without a password: `securenet-db sensor-role --password-file FILE`
-- (run once by an administrator) sets the password and LOGIN. No secret is in this file.
-- Migrations themselves run as an administrator (`securenet-db migrate`), never as it.

do $role$
begin
  if not exists (select 1 from pg_roles where rolname = 'securenet_sensor') then
    create role securenet_sensor nologin noinherit;
  end if;
end
$role$;

-- `set local role authenticated` in the request-time reads (membership only: NOINHERIT
-- means the sensor's own statements never carry authenticated's privileges).
do $role$
begin
  execute 'grant authenticated to securenet_sensor';
exception when others then
  raise notice 'securenet: could not grant authenticated to securenet_sensor: % (grant it as the project owner)', sqlerrm;
end
$role$;

grant usage on schema public, securenet to securenet_sensor;
grant usage on schema auth to securenet_sensor;

grant select, insert, update on public.sensors to securenet_sensor;
grant select, insert on public.network_configs to securenet_sensor;
grant select, insert, update on public.network_alerts to securenet_sensor;
-- Insert-only tables: the writer's `on conflict (id) do nothing` needs SELECT on the
-- conflict columns, and only those.
grant insert, select (id) on public.network_metrics to securenet_sensor;
grant insert, select (id, ts) on public.network_packets to securenet_sensor;
grant insert, select (id) on public.audit_log to securenet_sensor;
grant select on public.securenet_schema_migrations to securenet_sensor;
grant select, insert, update on securenet.refresh_tokens to securenet_sensor;

-- Row-level security is on for these tables: the sensor's own policies (its rows belong to
-- its owner, whose id it writes; what it may do is bounded by the grants above).
do $pol$
declare
  t text;
begin
  foreach t in array array['sensors', 'network_configs', 'network_alerts', 'network_metrics',
                           'network_packets', 'audit_log', 'securenet_schema_migrations']
  loop
    if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = t
                      and policyname = t || '_sensor') then
      execute format('create policy %I on public.%I to securenet_sensor using (true) with check (true)',
                     t || '_sensor', t);
    end if;
  end loop;
end
$pol$;

-- Partition upkeep creates and drops tables: it runs with its owner's rights.
alter function securenet.maintain_packet_partitions(integer) security definer;
revoke all on function securenet.maintain_packet_partitions(integer) from public;
grant execute on function securenet.maintain_packet_partitions(integer) to securenet_sensor;

grant execute on function securenet.check_login(text, text) to securenet_sensor;
grant execute on function securenet.session_user_state(uuid) to securenet_sensor;
grant execute on function securenet.find_owner(text) to securenet_sensor;
grant execute on function securenet.user_exists(uuid) to securenet_sensor;
