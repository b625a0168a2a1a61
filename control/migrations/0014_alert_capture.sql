-- Attack capture (issue 16): an alert's row links to its capture, the API path of the pcap
-- (GET /api/alerts/{id}/pcap, e.g. '/api/alerts/<id>/pcap'); null when the alert has none.
-- The file itself stays on the sensor (<state-dir>/captures/<id>.pcap, size-capped).
alter table public.network_alerts add column if not exists capture text;
