#!/usr/bin/env python3
"""Derives tests/parser/captures_expected.tsv from tshark's decode of every capture in
tests/data/captures/ (run again after adding a capture or changing a rule):

    python3 tests/parser/derive_expected.py > tests/parser/captures_expected.tsv

tshark (PDML, reassembly off) names each packet's layers in order; the rules below say
which IP layer the dataplane counts with --decap inner, mirroring securenet/parser.h:
  * the first IP layer is counted; an IP layer after it replaces it only when a tunnel
    lies between them (IP directly in IP, GRE, ERSPAN, VXLAN, GENEVE, GTP, Teredo) and
    the layer before is not a fragment (fragments are counted as the outer pair);
  * a tunnel that carries Ethernet (VXLAN, GENEVE, GRE 0x6558, ERSPAN) whose frame holds
    no IP layer makes the packet ARP (if the frame is ARP) or other, with no hosts;
  * layers that ICMP quotes (nested in PDML) are not layers of the packet;
  * the protocol class is that of the counted layer's final protocol (after the IPv6
    extension headers): tcp, udp, icmp (ICMP and ICMPv6), igmp, else other;
  * a packet from a host to itself counts once for it, as sent.
One override, where tshark 4.0 stops short (OVERRIDES below, checked by hand against the
bytes): it does not decode VXLAN in a UDP datagram whose length field is 0 (BIG TCP).
A packet whose counted IP header tshark marks malformed before its addresses (truncated
or IHL < 5) has its family but no hosts and no class, as in the parser.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
CAPS = os.path.join(HERE, "..", "data", "captures")
TUNNELS = {"gre", "erspan", "vxlan", "geneve", "gtp", "teredo"}
L2_TUNNELS = {"vxlan", "geneve", "erspan", "gre"}
CLASS = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmp", 2: "igmp"}
IPV6_NXT = ("ipv6.nxt", "ipv6.hopopts.nxt", "ipv6.dstopts.nxt", "ipv6.routing.nxt", "ipv6.fraghdr.nxt",
            "ah.next_header")


# file -> (family, class, src, dst) for every packet of the file (single-packet files).
OVERRIDES = {
    # Outer IPv4 total length 0 and UDP length 0 (80,060 bytes); the VXLAN frame inside
    # holds IPv6 (payload length 0, BIG TCP, no jumbo option) TCP from fd00::2 to fd00::1.
    "bigtcp-ipv4-vxlan-ipv6-80k.pcap": ("ipv6", "tcp", "fd00::2", "fd00::1"),
}


def fields(proto):
    out = []
    for f in proto.iter("field"):
        out.append((f.get("name"), f.get("show")))
    return out


def ip_layer(proto):
    fl = fields(proto)
    get = lambda n: next((v for k, v in fl if k == n), None)
    if proto.get("name") == "ip":
        src, dst = get("ip.src"), get("ip.dst")
        hlen = get("ip.hdr_len")
        mf = get("ip.flags.mf") == "1" or get("ip.flags.mf") == "True"
        off = int(get("ip.frag_offset") or 0)
        p = get("ip.proto")
        ok = src is not None and hlen is not None and int(hlen) >= 20
        return dict(fam="ipv4", src=src, dst=dst, proto=int(p) if p else None, frag=mf or off != 0, ok=ok)
    src, dst = get("ipv6.src"), get("ipv6.dst")
    nxt = [int(v) for k, v in fl if k in IPV6_NXT and v is not None and v.isdigit()]
    frag = any(k == "ipv6.fraghdr.offset" for k, _ in fl)
    return dict(fam="ipv6", src=src, dst=dst, proto=nxt[-1] if nxt else None, frag=frag, ok=src is not None)


def classify(protos):
    """(family, layer or None) of one packet from its top-level protocol names/elements."""
    chosen, prev, tunnel, l2_inner, arp_inner = None, None, False, False, False
    family_l2 = None
    for p in protos:
        n = p.get("name")
        if n in ("ip", "ipv6"):
            layer = ip_layer(p)
            if chosen is None:
                chosen = layer
            elif not chosen["frag"] and (tunnel or prev in ("ip", "ipv6")):
                chosen, l2_inner = layer, False
            else:
                break
            tunnel = False
        elif n in TUNNELS and chosen is not None and not chosen["frag"]:
            tunnel = True
        elif n == "eth" and tunnel and prev in L2_TUNNELS:
            l2_inner, arp_inner = True, False
        elif n == "arp":
            if chosen is None:
                family_l2 = "arp"
            elif l2_inner:
                arp_inner = True
        prev = n
    if chosen is not None and l2_inner:
        return ("arp" if arp_inner else "other"), None
    if chosen is not None:
        return chosen["fam"], chosen if chosen["ok"] else None
    return family_l2 or "other", None


def derive(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "pdml", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
           "-o", "ip.check_checksum:FALSE"]
    xml = subprocess.run(cmd, capture_output=True, check=True).stdout
    # PDML may quote packet bytes as characters (or character references) that XML 1.0
    # forbids; they are never needed here.
    text = xml.decode("utf-8", errors="replace")
    text = re.sub(r"&#(?:x[0-9a-fA-F]+|[0-9]+);", "?", text)
    text = re.sub("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "?", text)
    xml = text
    fam = {"ipv4": 0, "ipv6": 0, "arp": 0, "other": 0}
    cls = {"tcp": 0, "udp": 0, "icmp": 0, "igmp": 0, "other": 0}
    hosts = {}
    packets = 0
    for pkt in ET.fromstring(xml).iter("packet"):
        packets += 1
        protos = [p for p in pkt.findall("proto") if p.get("name") not in ("geninfo", "frame", "fake-field-wrapper")]
        f, layer = classify(protos)
        fam[f] += 1
        if layer is None:
            continue
        cls[CLASS.get(layer["proto"], "other")] += 1
        s, d = layer["src"], layer["dst"]
        hosts.setdefault(s, [0, 0])[0] += 1
        if d != s:
            hosts.setdefault(d, [0, 0])[1] += 1
    return packets, fam, cls, hosts


def main():
    print("# Generated by tests/parser/derive_expected.py from tshark's decode; do not edit by hand.")
    print("# file\tpackets\tipv4\tipv6\tarp\tother\ttcp\tudp\ticmp\tigmp\tclass_other\thosts")
    print("# host\tfile\taddress\tpackets_sent\tpackets_recv")
    for name in sorted(os.listdir(CAPS)):
        if name.endswith(".md"):
            continue
        packets, fam, cls, hosts = derive(os.path.join(CAPS, name))
        if name in OVERRIDES:
            f, c, s, d = OVERRIDES[name]
            fam = {k: (packets if k == f else 0) for k in fam}
            cls = {k: (packets if k == c else 0) for k in cls}
            hosts = {s: [packets, 0], d: [0, packets]}
        print("\t".join(["file", name, str(packets)] + [str(fam[k]) for k in ("ipv4", "ipv6", "arp", "other")] +
                        [str(cls[k]) for k in ("tcp", "udp", "icmp", "igmp", "other")] + [str(len(hosts))]))
        for ip in sorted(hosts):
            print("\t".join(["host", name, ip, str(hosts[ip][0]), str(hosts[ip][1])]))


if __name__ == "__main__":
    sys.exit(main())
