#!/usr/bin/env python3
"""securenet-analyze end to end: pcapgen scenarios with known attackers, analysed in packet
time; the alerts (kind, host, first_seen) must be those of the scenario, the same on every
run, and hostile input must end with a clear error and exit code.

Usage: analyze_test.py ANALYZE_BIN PCAPGEN_BIN
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

ANALYZE, PCAPGEN = sys.argv[1], sys.argv[2]
START_S = 1700000000  # pcapgen's default --start: the first packet's time


def gen(d, name, args):
    path = os.path.join(d, name)
    subprocess.run([PCAPGEN, "--out", path] + args, check=True)
    return path


def analyze(*args):
    p = subprocess.run([ANALYZE, "--json"] + list(args), capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    events = [l for l in lines if l["event"] != "summary"]
    summary = [l for l in lines if l["event"] == "summary"]
    assert len(summary) == 1 and lines[-1]["event"] == "summary", p.stdout
    return events, summary[0]


def opened(events):
    return {(e["alert"]["kind"], e["alert"]["host"]): e["alert"] for e in events if e["event"] == "open"}


class Analyze(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        # 10.9.9.9 sends 2,000 ICMP echo/s for 10 s amid 50 benign hosts.
        cls.flood = gen(d, "flood.pcap", ["--scenario", "icmp-flood", "--src", "10.9.9.9", "--pps", "2000",
                                          "--packets", "40000", "--hosts", "50"])
        # 10.7.7.7: 500 SYNs/s to distinct ports for 8 s.
        cls.scan = gen(d, "scan.pcap", ["--scenario", "port-scan", "--src", "10.7.7.7", "--pps", "500",
                                        "--packets", "8000", "--hosts", "50"])
        # Benign only: 800 packets/s in total over 200 hosts for 30 s.
        cls.benign = gen(d, "benign.pcap", ["--scenario", "benign", "--pps", "800", "--packets", "24000",
                                            "--hosts", "200"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_flood_alerts_name_the_attacker_from_its_first_second(self):
        events, summary = analyze(self.flood)
        self.assertEqual(summary["packets"], 40000)
        alerts = opened(events)
        black = alerts.get(("protocol_blacklist", "10.9.9.9"))
        self.assertIsNotNone(black, alerts.keys())
        self.assertIn("ICMP", black["protocol"])
        traffic = [a for (k, h), a in alerts.items() if h == "10.9.9.9" and k.startswith("traffic")]
        self.assertEqual(len(traffic), 1, alerts.keys())
        # The first tick after the first second of packet time, as a live 1x replay's tick
        # within a second of it: first_seen in packet time, never wall-clock time.
        for a in (black, traffic[0]):
            self.assertGreaterEqual(a["first_seen_ms"], START_S * 1000)
            self.assertLessEqual(a["first_seen_ms"], START_S * 1000 + 2000)
        self.assertAlmostEqual(traffic[0]["value"], 2000, delta=50)
        # The flood lasts 10 s: every host alert resolves after it, by itself.
        resolved = {e["alert"]["id"] for e in events if e["event"] == "resolve"}
        self.assertIn(black["id"], resolved)
        self.assertIn(traffic[0]["id"], resolved)
        last = max(e["alert"]["last_seen_ms"] for e in events if e["alert"]["host"] == "10.9.9.9")
        self.assertLessEqual(last, START_S * 1000 + 11000)
        self.assertGreaterEqual(last, START_S * 1000 + 9000)

    def test_scan_raises_the_connection_rate_of_the_scanner(self):
        events, _ = analyze(self.scan)
        alerts = opened(events)
        scan = [a for (k, h), a in alerts.items() if h == "10.7.7.7" and k in ("connection_rate", "port_scan")]
        self.assertTrue(scan, alerts.keys())
        self.assertLessEqual(scan[0]["first_seen_ms"], START_S * 1000 + 2000)

    def test_benign_traffic_raises_no_host_alert(self):
        events, summary = analyze(self.benign)
        self.assertEqual(summary["packets"], 24000)
        # (The network-wide connection rate, 100/min by default, is another matter: 200
        # hosts opening a few connections a minute each exceed it, as they would live.)
        self.assertEqual([e for e in events if e["alert"]["host"]], [])
        # 30 s of packet time: one tick per second (plus the baseline and the end).
        self.assertGreaterEqual(summary["ticks"], 30)

    def test_same_alerts_on_every_run_and_files_read_as_one_stream(self):
        key = lambda evs: sorted((e["event"], e["alert"]["kind"], e["alert"]["host"] or "", e["alert"]["first_seen_ms"])
                                 for e in evs)
        a, _ = analyze(self.flood)
        b, _ = analyze(self.flood)
        self.assertEqual(key(a), key(b))
        both, summary = analyze(self.benign, self.flood)  # the flood's times are earlier: counted in order
        self.assertEqual(summary["packets"], 64000)
        self.assertIn(("protocol_blacklist", "10.9.9.9"), opened(both))

    def test_a_years_long_gap_is_skipped_after_the_alerts_resolve(self):
        later = gen(self.tmp.name, "later.pcap", ["--scenario", "benign", "--pps", "800", "--packets", "800",
                                                  "--hosts", "50", "--start", str(START_S + 3 * 365 * 86400)])
        events, summary = analyze(self.flood, later)
        self.assertEqual(summary["packets"], 40800)
        # 10 s of flood, its alerts' clear hold, 120 idle ticks at most, 1 s of traffic, the end.
        self.assertLess(summary["ticks"], 400)
        resolved = [e["alert"] for e in events if e["event"] == "resolve" and e["alert"]["host"] == "10.9.9.9"]
        self.assertEqual(len(resolved), 2)
        for a in resolved:  # resolved in the flood's own time, not years later
            self.assertLess(a["resolved_at_ms"], START_S * 1000 + 60000)

    def test_updates_every_tick_only_when_asked(self):
        quiet, _ = analyze(self.flood)
        loud, _ = analyze("--updates", self.flood)
        updates = lambda evs: [e for e in evs if e["event"] == "update"]
        self.assertEqual(updates(quiet), [])  # no severity change in this flood
        # Four host alerts seen for 10 s: an update each second after the first.
        self.assertGreaterEqual(len(updates(loud)), 4 * 8)
        same = lambda evs: [(e["event"], e["alert"]["kind"], e["alert"]["host"], e["alert"]["first_seen_ms"])
                            for e in evs if e["event"] != "update"]
        self.assertEqual(same(quiet), same(loud))

    def test_config_thresholds_apply(self):
        cfg = os.path.join(self.tmp.name, "config.json")
        with open(cfg, "w") as f:
            json.dump({"traffic_threshold_pps": 5000, "protocol_blacklist": []}, f)
        events, _ = analyze("--config", cfg, self.flood)
        hosts = {(k, h) for (k, h) in opened(events)}
        self.assertFalse([k for k in hosts if k[1] == "10.9.9.9"], hosts)

    def test_summary_table_lists_the_alerts(self):
        p = subprocess.run([ANALYZE, "--summary", self.flood], capture_output=True, text=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("40000 packets", p.stdout)
        self.assertIn("10.9.9.9", p.stdout)
        self.assertNotIn('"event"', p.stdout)

    def test_hostile_input_is_refused_clearly(self):
        d = self.tmp.name
        trunc = os.path.join(d, "trunc.pcap")
        with open(self.flood, "rb") as f, open(trunc, "wb") as g:
            g.write(f.read()[:10000])
        bad_cfg = os.path.join(d, "bad.json")
        with open(bad_cfg, "w") as f:
            f.write('{"traffic_threshold_pps": -1}')
        big_cfg = os.path.join(d, "big.json")
        with open(big_cfg, "w") as f:
            f.write(" " * (2 << 20) + "{}")
        cases = [
            ([], 2, "no capture file"),
            (["--bogus", self.flood], 2, "unknown option"),
            (["--json", "--summary", self.flood], 2, "exclude"),
            (["--host-capacity", "0", self.flood], 2, "host-capacity"),
            (["--host-capacity", "1e9", self.flood], 2, "host-capacity"),
            (["--decap", "sideways", self.flood], 2, "decap"),
            ([os.path.join(d, "missing.pcap")], 1, "missing.pcap"),
            (["/dev/null"], 1, ""),
            ([trunc], 1, "trunc.pcap"),
            (["--config", bad_cfg, self.flood], 1, "traffic_threshold_pps"),
            (["--config", big_cfg, self.flood], 1, "1 MiB"),
            (["--config", os.path.join(d, "nope.json"), self.flood], 1, "nope.json"),
        ]
        for args, code, text in cases:
            p = subprocess.run([ANALYZE] + args, capture_output=True, text=True, timeout=600)
            self.assertEqual(p.returncode, code, (args, p.stderr))
            self.assertIn(text, p.stderr, args)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)
