#!/usr/bin/python3
"""Regenerates scapy_sample.txt: frames built by Scapy (Debian python3-scapy), written as a
text2pcap hex dump. The parser test turns it into a pcap with text2pcap and checks the
parser against tshark's decode. Run: /usr/bin/python3 make_scapy_sample.py > scapy_sample.txt
"""
from scapy.all import (ARP, GRE, ICMP, IP, IPOption_RR, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, TCP,
                       UDP, DNS, DNSQR, Dot1Q, Dot1AD, Ether, ICMPv6EchoRequest,
                       ICMPv6ND_NS, Raw, fragment)
from scapy.contrib.igmp import IGMP

E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
V4 = dict(src="192.0.2.10", dst="198.51.100.20")
V6 = dict(src="2001:db8::10", dst="2001:db8:1::20")

frames = [
    E / IP(**V4) / TCP(sport=40000, dport=443, flags="S"),
    E / IP(**V4) / TCP(sport=443, dport=40000, flags="SA",
                       options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]),
    E / IP(**V4) / TCP(sport=40000, dport=80, flags="PA") / Raw(b"GET / HTTP/1.1\r\n\r\n"),
    E / IP(**V4, options=[IPOption_RR()]) / TCP(sport=1, dport=2, flags="F"),
    E / IP(**V4) / UDP(sport=5353, dport=53) / DNS(rd=1, qd=DNSQR(qname="example.org")),
    E / IP(**V4) / ICMP(type=8, id=7, seq=1) / Raw(b"ping"),
    E / IP(**V4) / ICMP(type=3, code=3) / IP(**V4) / UDP(sport=9, dport=9),
    E / IP(src="192.0.2.10", dst="224.0.0.22") / IGMP(type=0x16, gaddr="239.1.2.3"),
    E / IP(**V4) / GRE() / Raw(b"x" * 8),
    E / Dot1Q(vlan=100) / IP(**V4) / UDP(sport=1000, dport=2000) / Raw(b"vlan"),
    E / Dot1AD(vlan=200) / Dot1Q(vlan=300) / IP(**V4) / TCP(sport=22, dport=50000, flags="A"),
    Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") /
        ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="192.0.2.10", pdst="192.0.2.1"),
    E / IPv6(**V6) / TCP(sport=50001, dport=443, flags="S"),
    E / IPv6(**V6) / UDP(sport=546, dport=547) / Raw(b"dhcpv6"),
    E / IPv6(**V6) / ICMPv6EchoRequest(id=1, seq=2),
    E / IPv6(src="fe80::1", dst="ff02::1:ff00:20") / ICMPv6ND_NS(tgt="2001:db8:1::20"),
    E / IPv6(**V6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / UDP(sport=7, dport=7),
    E / IPv6(**V6) / IPv6ExtHdrRouting(addresses=["2001:db8::99"]) / TCP(sport=3, dport=4),
    E / Dot1Q(vlan=5) / IPv6(**V6) / UDP(sport=123, dport=123) / Raw(b"ntp"),
]
# IPv4 fragments (first and later) and IPv6 fragments (first and later).
frames += [E / f for f in fragment(IP(**V4) / UDP(sport=4000, dport=4001) / Raw(b"A" * 64),
                                   fragsize=32)]
v6frag = IPv6(**V6) / IPv6ExtHdrFragment(id=9, m=1, offset=0) / UDP(sport=6000, dport=6001) / Raw(b"B" * 16)
frames.append(E / v6frag)
frames.append(E / IPv6(**V6) / IPv6ExtHdrFragment(id=9, m=0, offset=3, nh=17) / Raw(b"C" * 16))
# Short frames padded to the Ethernet minimum (padding beyond the IP total length).
frames.append(bytes(E / IP(**V4) / UDP(sport=1, dport=2)) + b"\x00" * 18)

print("# Scapy-built frames for the parser's tshark cross-check (see make_scapy_sample.py).")
for f in frames:
    data = bytes(f)
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        print("%06x  %s" % (off, " ".join("%02x" % b for b in chunk)))
    print()
