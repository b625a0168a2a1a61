-- Victim details (issue 13 item 2) kept with the alert: the attack type its samples name,
-- how many samples, the top sources [{"ip","packets"}] and the protocol/port breakdown
-- [{"protocol","src_port","dst_port","packets"}] (API.md "Victim alerts"). Null for the
-- other alerts and for rows written before. The sensor writes at most 10 entries of each;
-- the limits below bound what any writer (an authenticated user may update its own rows)
-- can store. Row-level security is the table's (migration 0004): no new grant.
alter table public.network_alerts add column if not exists attack_type text;
alter table public.network_alerts add column if not exists profile_samples bigint;
alter table public.network_alerts add column if not exists top_sources jsonb;
alter table public.network_alerts add column if not exists breakdown jsonb;

alter table public.network_alerts drop constraint if exists network_alerts_attack_type_check;
alter table public.network_alerts add constraint network_alerts_attack_type_check
  check (attack_type is null or char_length(attack_type) <= 64);
alter table public.network_alerts drop constraint if exists network_alerts_profile_samples_check;
alter table public.network_alerts add constraint network_alerts_profile_samples_check
  check (profile_samples is null or profile_samples >= 0);
alter table public.network_alerts drop constraint if exists network_alerts_top_sources_check;
alter table public.network_alerts add constraint network_alerts_top_sources_check
  check (top_sources is null or (jsonb_typeof(top_sources) = 'array'
         and jsonb_array_length(top_sources) <= 32 and octet_length(top_sources::text) <= 16384));
alter table public.network_alerts drop constraint if exists network_alerts_breakdown_check;
alter table public.network_alerts add constraint network_alerts_breakdown_check
  check (breakdown is null or (jsonb_typeof(breakdown) = 'array'
         and jsonb_array_length(breakdown) <= 32 and octet_length(breakdown::text) <= 16384));
