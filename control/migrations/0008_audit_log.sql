-- Who may log in, with which role, and the audit trail of what they did.
--
-- 1. auth.users columns that Supabase has and the local shim lacked (added only where
--    missing: on Supabase the table belongs to GoTrue and is left alone).
-- 2. The login checks as SECURITY DEFINER functions: the sensor's own database role (0009)
--    may call them but never reads auth.users (or a password hash) itself.
-- 3. public.audit_log: one row per config change, alert resolve, metrics reset, login
--    success/failure and logout; the sensor's owner reads its sensors' rows (RLS).

do $cols$
declare
  c record;
begin
  for c in select * from (values
      ('instance_id', 'uuid'),
      ('banned_until', 'timestamptz'),
      ('deleted_at', 'timestamptz'),
      ('raw_app_meta_data', 'jsonb'),
      ('email_confirmed_at', 'timestamptz')) as t(name, type)
  loop
    if not exists (select 1 from information_schema.columns
                    where table_schema = 'auth' and table_name = 'users'
                      and column_name = c.name) then
      execute format('alter table auth.users add column %I %s', c.name, c.type);
    end if;
  end loop;
end
$cols$;

-- The role a user has on the sensor: app_metadata.securenet_role (set by an admin, never by
-- the user: Supabase users can only write raw_user_meta_data), viewer when absent or unknown.
create or replace function securenet.app_role(meta jsonb) returns text
language sql immutable set search_path = pg_catalog as $fn$
  select case when jsonb_typeof(meta) = 'object'
                   and meta ->> 'securenet_role' in ('viewer', 'operator', 'admin')
              then meta ->> 'securenet_role' else 'viewer' end
$fn$;

-- Whether the user may hold a session now: 'ok', 'unknown', 'deleted', 'banned' or
-- 'unconfirmed' (Supabase's rules: deleted_at set, banned_until in the future, no
-- email_confirmed_at).
create or replace function securenet.user_state(p_deleted timestamptz, p_banned timestamptz,
                                                p_confirmed timestamptz) returns text
language sql stable set search_path = pg_catalog as $fn$
  select case when p_deleted is not null then 'deleted'
              when p_banned is not null and p_banned > now() then 'banned'
              when p_confirmed is null then 'unconfirmed'
              else 'ok' end
$fn$;

-- Checks an email and password. Every path runs one bcrypt of the same cost (an unknown
-- email, an empty or malformed hash compare against a dummy hash), so the answer's timing
-- does not say which check failed. status: ok | unknown | no_password | malformed_hash |
-- bad_password | deleted | banned | unconfirmed; user_id/email/app_role are set only for ok
-- (user_id also for malformed_hash, for the log line). The comparison is between SHA-256
-- digests of the two hashes, so its timing tells nothing about the stored hash.
create or replace function securenet.check_login(p_email text, p_password text)
returns table (user_id uuid, user_email text, app_role text, status text)
language plpgsql volatile security definer
set search_path = extensions, public, pg_catalog as $fn$
declare
  dummy constant text := '$2a$10$/rzFfgv3j.sNPeLCdmsk8uI69NuOXC8gp5mhi213h5Ao7uFPgPPFS';
  v_id uuid;
  v_email text;
  v_hash text;
  v_meta jsonb;
  v_deleted timestamptz;
  v_banned timestamptz;
  v_confirmed timestamptz;
  v_state text;
  matched boolean := false;
begin
  select u.id, u.email::text, u.encrypted_password::text, u.raw_app_meta_data, u.deleted_at,
         u.banned_until, u.email_confirmed_at
    into v_id, v_email, v_hash, v_meta, v_deleted, v_banned, v_confirmed
    from auth.users u where lower(u.email) = lower(p_email)
   order by u.created_at limit 1;
  v_hash := regexp_replace(coalesce(v_hash, ''), '^\$2[by]\$', '$2a$');
  if v_id is null then
    perform crypt(p_password, dummy);
    return query select null::uuid, null::text, null::text, 'unknown'::text;
    return;
  end if;
  if v_hash = '' then
    perform crypt(p_password, dummy);
    return query select null::uuid, null::text, null::text, 'no_password'::text;
    return;
  end if;
  -- bcrypt, cost 4..14 (a cost of 31 would make every login attempt a denial of service).
  if v_hash !~ '^\$2a\$(0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}$' then
    perform crypt(p_password, dummy);
    return query select v_id, null::text, null::text, 'malformed_hash'::text;
    return;
  end if;
  begin
    matched := digest(crypt(p_password, v_hash), 'sha256') = digest(v_hash, 'sha256');
  exception when others then
    perform crypt(p_password, dummy);
    return query select v_id, null::text, null::text, 'malformed_hash'::text;
    return;
  end;
  if not matched then
    return query select null::uuid, null::text, null::text, 'bad_password'::text;
    return;
  end if;
  v_state := securenet.user_state(v_deleted, v_banned, v_confirmed);
  if v_state <> 'ok' then
    return query select null::uuid, null::text, null::text, v_state;
    return;
  end if;
  return query select v_id, v_email, securenet.app_role(v_meta), 'ok'::text;
end
$fn$;

-- A user's session state by id (refresh-token rotation): the same rules as check_login.
create or replace function securenet.session_user_state(p_id uuid)
returns table (user_id uuid, user_email text, app_role text, status text)
language sql stable security definer set search_path = pg_catalog, public as $fn$
  select u.id, u.email::text, securenet.app_role(u.raw_app_meta_data),
         securenet.user_state(u.deleted_at, u.banned_until, u.email_confirmed_at)
    from auth.users u where u.id = p_id
$fn$;

-- The sensor's owner: by email, or the oldest user (id and email only).
create or replace function securenet.find_owner(p_email text)
returns table (user_id uuid, user_email text)
language sql stable security definer set search_path = pg_catalog, public as $fn$
  select u.id, u.email::text from auth.users u
   where (p_email is null or p_email = '' or lower(u.email) = lower(p_email))
     and u.deleted_at is null
   order by u.created_at, u.id limit 1
$fn$;

create or replace function securenet.user_exists(p_id uuid) returns boolean
language sql stable security definer set search_path = pg_catalog, public as $fn$
  select exists (select 1 from auth.users where id = p_id)
$fn$;

revoke all on function securenet.check_login(text, text) from public;
revoke all on function securenet.session_user_state(uuid) from public;
revoke all on function securenet.find_owner(text) from public;
revoke all on function securenet.user_exists(uuid) from public;

create table if not exists public.audit_log (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  sensor_id uuid references public.sensors (id) on delete cascade,
  at timestamptz not null default now(),
  actor_id uuid,          -- the user who acted (null: failed login of an unknown account)
  actor_email text,       -- the email they used
  source_addr text,       -- the client's address
  action text not null check (action in ('config_change', 'alert_resolve', 'metrics_reset',
                                          'login_success', 'login_failure', 'logout')),
  details jsonb not null default '{}'::jsonb
);
create index if not exists audit_log_user_idx on public.audit_log (user_id, at desc, id desc);
create index if not exists audit_log_sensor_idx on public.audit_log (sensor_id, at desc);

alter table public.audit_log enable row level security;
revoke all on public.audit_log from anon, authenticated;
grant select on public.audit_log to authenticated;
grant all on public.audit_log to service_role;

-- The owner reads its sensors' entries; nobody edits them through the API roles.
create policy audit_log_select on public.audit_log for select to authenticated
  using (user_id = (select auth.uid()));

-- `securenet-db user add`: a user as GoTrue would create it, on Supabase's auth.users (no
-- column defaults there: id, instance_id, aud, role and the times are given; GoTrue reads
-- its token columns as strings, so they are '' rather than null where they exist) and on
-- the local shim. An existing email is an error.
create or replace function securenet.add_user(p_email text, p_password text, p_role text)
returns uuid
language plpgsql volatile security definer
set search_path = extensions, public, pg_catalog as $fn$
declare
  v_id uuid := gen_random_uuid();
  extra_cols text := '';
  extra_vals text := '';
  c text;
begin
  if p_role not in ('viewer', 'operator', 'admin') then
    raise exception 'role must be viewer, operator or admin' using errcode = '22023';
  end if;
  if exists (select 1 from auth.users where lower(email) = lower(p_email)) then
    raise exception 'a user with email % exists', lower(p_email) using errcode = '23505';
  end if;
  for c in select column_name from information_schema.columns
            where table_schema = 'auth' and table_name = 'users'
              and column_name in ('confirmation_token', 'recovery_token',
                                  'email_change_token_new', 'email_change')
  loop
    extra_cols := extra_cols || ', ' || quote_ident(c);
    extra_vals := extra_vals || ', ''''';
  end loop;
  execute format(
    'insert into auth.users (id, instance_id, aud, role, email, encrypted_password,'
    ' email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at%s)'
    ' values ($1, ''00000000-0000-0000-0000-000000000000''::uuid, ''authenticated'','
    ' ''authenticated'', lower($2), securenet.hash_password($3), now(),'
    ' jsonb_build_object(''provider'', ''email'', ''providers'', jsonb_build_array(''email''),'
    ' ''securenet_role'', $4::text), ''{}''::jsonb, now(), now()%s)', extra_cols, extra_vals)
    using v_id, p_email, p_password, p_role;
  return v_id;
end
$fn$;
revoke all on function securenet.add_user(text, text, text) from public;

-- `securenet-db user role`: sets app_metadata.securenet_role (other keys kept).
create or replace function securenet.set_user_role(p_email text, p_role text) returns uuid
language plpgsql volatile security definer set search_path = pg_catalog, public as $fn$
declare
  v_id uuid;
begin
  if p_role not in ('viewer', 'operator', 'admin') then
    raise exception 'role must be viewer, operator or admin' using errcode = '22023';
  end if;
  update auth.users set raw_app_meta_data = case when jsonb_typeof(raw_app_meta_data) = 'object'
           then raw_app_meta_data else '{}'::jsonb end || jsonb_build_object('securenet_role', p_role),
         updated_at = now()
   where lower(email) = lower(p_email) returning id into v_id;
  if v_id is null then
    raise exception 'no user with email %', lower(p_email) using errcode = 'P0002';
  end if;
  return v_id;
end
$fn$;
revoke all on function securenet.set_user_role(text, text) from public;

-- One login's chain of refresh tokens (the access tokens' session_id): logout revokes it.
-- A logged-out token is revoked (revoked_at), not "used": presenting it later is refused
-- without being taken for the replay of a stolen token.
alter table securenet.refresh_tokens add column if not exists session_id uuid;
alter table securenet.refresh_tokens add column if not exists revoked_at timestamptz;
create index if not exists refresh_tokens_session_idx on securenet.refresh_tokens (session_id);
