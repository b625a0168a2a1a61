-- Every numeric column holds every value the API accepts: the config thresholds are
-- doubles up to 1e12 (API.md "Config"), which `integer` refused above 2^31 (the config
-- history row was lost); the host count of a metric snapshot can pass 2^31 on a big
-- host table. Widening is lossless for existing rows.
alter table public.network_configs
  alter column traffic_threshold type double precision,
  alter column connection_rate type double precision;
alter table public.network_metrics
  alter column active_hosts type bigint;
