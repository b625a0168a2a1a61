// The tables of the contract: ONE list per shared concept, from which the segment layout
// (shm_layout.h), the reader and its merges (shm_reader.h), the sampler's views, the JSON of
// the API and of the dataplane report, and the Prometheus names are all generated. Each
// list is an X-macro: a consumer defines X(...) and expands the list.
//
// Adding a per-host counter: one line at the end of SECURENET_HOST_FIELDS_LINE_3 (it has two
// spare words) or of SECURENET_HOST_FIELDS_VICTIM (keeps the other offsets) and the code in the
// dataplane that increments it. Nothing else is written by hand: the reader loads it, the merges
// add it up, /api/hosts and the report show it.
#pragma once

// Protocol classes counted per host and per worker: X(enumerator, name).
#define SECURENET_PROTO_CLASSES(X)       \
  X(kTcp, "tcp")                         \
  X(kUdp, "udp")                         \
  X(kIcmp, "icmp") /* ICMP and ICMPv6 */ \
  X(kIgmp, "igmp")                       \
  X(kOther, "other")

// Parse-error reasons, one counter each: X(enumerator, name). Names are stable API text.
#define SECURENET_PARSE_ERRORS(X)                                                            \
  X(kNone, "none")                                                                           \
  X(kTruncatedEthernet, "truncated_ethernet")         /* shorter than an Ethernet header */  \
  X(kTruncatedVlan, "truncated_vlan")                 /* 802.1Q/QinQ tag cut short */        \
  X(kTooManyVlanTags, "too_many_vlan_tags")           /* more than kMaxVlanTags tags */      \
  X(kTruncatedArp, "truncated_arp")                   /* ARP shorter than its fixed part */  \
  X(kTruncatedIpv4, "truncated_ipv4")                 /* < 20 bytes of IPv4 header */        \
  X(kBadIpv4Version, "bad_ipv4_version")              /* version != 4 under 0x0800 */        \
  X(kBadIpv4Ihl, "bad_ipv4_ihl")                      /* IHL < 5 or past the capture */      \
  X(kBadIpv4TotalLength, "bad_ipv4_total_length")     /* < IHL*4 or > bytes on the wire */   \
  X(kTruncatedIpv6, "truncated_ipv6")                 /* < 40 bytes of IPv6 header */        \
  X(kBadIpv6Version, "bad_ipv6_version")              /* version != 6 under 0x86DD */        \
  X(kBadIpv6PayloadLength, "bad_ipv6_payload_length") /* beyond bytes on the wire */         \
  X(kTruncatedIpv6ExtHeader, "truncated_ipv6_ext_header")                                    \
  X(kTooManyIpv6ExtHeaders, "too_many_ipv6_ext_headers")                                     \
  X(kTruncatedTcp, "truncated_tcp")                                                          \
  X(kBadTcpDataOffset, "bad_tcp_data_offset") /* < 5 or beyond the packet */                 \
  X(kTruncatedUdp, "truncated_udp")                                                          \
  X(kBadUdpLength, "bad_udp_length") /* < 8 or beyond the IP payload */                      \
  X(kTruncatedIcmp, "truncated_icmp")                                                        \
  X(kTruncatedIcmpv6, "truncated_icmpv6")                                                    \
  X(kTruncatedIgmp, "truncated_igmp")                                                        \
  /* decapsulation and link types (issue 12) */                                              \
  X(kTruncatedMpls, "truncated_mpls")           /* label stack cut short or no payload */    \
  X(kTooManyMplsLabels, "too_many_mpls_labels") /* > kMaxMplsLabels, no bottom */            \
  X(kTruncatedPppoe, "truncated_pppoe")         /* PPPoE session + PPP protocol cut short */ \
  X(kTruncatedGre, "truncated_gre")             /* GRE header with its options cut short */  \
  X(kTruncatedTunnelHeader, "truncated_tunnel_header") /* ERSPAN/VXLAN/GENEVE/GTP-U */       \
  X(kTooDeepEncapsulation, "too_deep_encapsulation")   /* > kMaxEncapDepth layers */         \
  X(kTruncatedLinkHeader, "truncated_link_header")     /* SLL/SLL2/null/PPP/C-HDLC short */  \
  X(kBadLinkPayload, "bad_link_payload")               /* raw IP, first nibble neither 4 nor 6 */

// Encapsulations the parser looks through (issue 12): X(enumerator, name). One packet
// counter each (WorkerCounters::encap_packets), bumped once per packet and kind crossed;
// ERSPAN packets also count as GRE; ipip is IPv4/IPv6 in IPv4/IPv6.
#define SECURENET_ENCAPSULATIONS(X) \
  X(kMpls, "mpls")                  \
  X(kPppoe, "pppoe")                \
  X(kGre, "gre")                    \
  X(kErspan, "erspan")              \
  X(kVxlan, "vxlan")                \
  X(kGeneve, "geneve")              \
  X(kGtpu, "gtpu")                  \
  X(kIpip, "ipip")                  \
  X(kTeredo, "teredo")

// Packet source kinds (Header::source_kind): X(enumerator, name).
#define SECURENET_SOURCE_KINDS(X) \
  X(kNone, "none")                \
  X(kPcap, "pcap")                \
  X(kAfPacket, "afpacket")        \
  X(kAfXdp, "afxdp")              \
  X(kDpdk, "dpdk")

// A worker's scalar counters, in segment order: X(field, type, api_metrics, api_status, help)
//   type        counter (monotonic; reported since the last metrics reset by the API) or
//               gauge (a level; always absolute)
//   api_metrics its key in GET /api/metrics "totals", or nullptr
//   api_status  1 when GET /api/status "totals" shows it
// Every entry is summed over workers by the reader, printed by the dataplane report and
// exported to Prometheus as securenet_<field>_total (counter) or securenet_<field> (gauge).
#define SECURENET_WORKER_COUNTERS(X)                                                              \
  X(packets, counter, "packets", 1, "Packets seen by the dataplane.")                             \
  X(bytes, counter, "bytes", 1, "Bytes seen by the dataplane.")                                   \
  X(ipv4_packets, counter, "ipv4", 0, "IPv4 packets.")                                            \
  X(ipv6_packets, counter, "ipv6", 0, "IPv6 packets.")                                            \
  X(arp_packets, counter, "arp", 0, "ARP packets.")                                               \
  X(other_l2_packets, counter, nullptr, 0, "Packets of other ethertypes (not IP, not ARP).")      \
  X(vlan_packets, counter, nullptr, 0, "Packets with at least one 802.1Q/802.1ad tag.")           \
  X(fragments, counter, "fragments", 0, "IPv4/IPv6 fragments (first and later).")                 \
  X(tcp_syn, counter, "tcp_syn", 0, "TCP SYNs without ACK (connection attempts).")                \
  X(blacklisted_packets, counter, "blacklisted", 0, "Packets of blacklisted protocols or ports.") \
  X(source_drops, counter, "source_drops", 1, "Packets the packet source lost.")                  \
  X(source_errors, counter, nullptr, 0, "NIC/socket receive errors.")                             \
  X(hosts_in_table, gauge, nullptr, 1, "Occupied host-table entries (summed over workers).")      \
  X(host_table_full, counter, nullptr, 1, "Host updates that found no table slot.")               \
  X(sampled_packets, counter, nullptr, 0, "Packet records written to the sample rings.")          \
  X(duplicates, counter, "duplicates", 1, "Frames dropped as duplicates (--dedupe-us).")          \
  X(hosts_evicted, counter, nullptr, 1,                                                           \
    "Host-table entries that aged out (idle longer than --host-idle-s).")

// A worker's counter arrays: X(field, length). Their layout (with padding) is in
// WorkerCounters; the reader sums them element-wise.
#define SECURENET_WORKER_ARRAYS(X)                           \
  X(proto_class_packets, ::securenet::shm::kProtoClassCount) \
  X(parse_errors, ::securenet::shm::kParseErrorCount)        \
  X(encap_packets, ::securenet::shm::kEncapCount)            \
  X(ip_proto_packets, 256)

// The worker arrays indexed by a name table, as the API, the report and Prometheus show
// them: X(field, names, first, api_key, api_status, prom, label, help)
//   names       the name table of the index (shm_layout.h); entries before `first` are not shown
//   api_key     the object's key in GET /api/metrics (and in /api/status when api_status is 1)
//   prom/label  exported as securenet_<prom>_total{<label>="<name>"}
#define SECURENET_NAMED_ARRAYS(X)                                                                 \
  X(proto_class_packets, ::securenet::shm::kProtoClassNames, 0, "protocols", 0,                   \
    "protocol_packets", "class", "Packets by protocol class.")                                    \
  X(parse_errors, ::securenet::shm::kParseErrorNames, 1, "parse_errors", 0, "parse_errors",       \
    "reason", "Packets the parser rejected, by reason.")                                          \
  X(encap_packets, ::securenet::shm::kEncapNames, 0, "encapsulations", 1, "encapsulated_packets", \
    "encap",                                                                                      \
    "Packets that crossed an encapsulation (MPLS, PPPoE, GRE, ERSPAN, VXLAN, GENEVE, GTP-U, "     \
    "IP-in-IP, Teredo).")

// Per-host fields after the key and state, in segment order: X(field, width, kind, api_name)
//   width    1 for one counter, N for an array indexed like its name table
//   kind     counter (summed over workers, reported since the last metrics reset),
//            first_seen (earliest non-zero over workers), last_seen (latest),
//            window (latest), sketch (bitmap: OR over workers, never reset by the API)
//   api_name its key in /api/hosts (times: *_ns in the segment, *_ms in the API)
// Layout 7 (issue 13's time budget): what every packet touches sits in the entry's first two
// cache lines, for both hosts; HostEntry::rate_window ends the second.
#define SECURENET_HOST_FIELDS_LINES_1_2(X)                                                   \
  X(packets_sent, 1, counter, "packets_sent")                                                \
  X(bytes_sent, 1, counter, "bytes_sent")                                                    \
  X(packets_recv, 1, counter, "packets_recv")                                                \
  X(bytes_recv, 1, counter, "bytes_recv")                                                    \
  X(last_seen_ns, 1, last_seen, "last_seen_ms") /* packet time, UNIX epoch ns */             \
  X(proto_class_packets, ::securenet::shm::kProtoClassCount, counter, "protocols")           \
  X(scan_port_bits, 1, sketch, "scan_port_bits") /* hashed dst ports of probes (issue 13) */ \
  X(scan_host_bits, 1, sketch, "scan_host_bits") /* hashed dst hosts of probes */

// The third line: fields of rarer packets (a host's first, SYNs, blacklisted, reflected)
// and the sketches' window, written when it changes (packet_counter.cpp). Two words spare.
#define SECURENET_HOST_FIELDS_LINE_3(X)                                                        \
  X(first_seen_ns, 1, first_seen, "first_seen_ms") /* packet time, UNIX epoch ns */            \
  X(syn_sent, 1, counter, "syn_sent")              /* TCP SYN without ACK sent by this host */ \
  X(blacklisted_packets, 1, counter, "blacklisted_packets") /* sent + received */              \
  X(blacklisted_sent, 1, counter, "blacklisted_sent")       /* sent, no ICMP answers */        \
  X(reflection_recv, 1, counter, "reflection_recv")         /* UDP from reflector ports */     \
  X(scan_window, 1, window, "scan_window") /* packet-time window of the scan sketches */

// Issue 13 item 2 (victims): the entry's fourth cache line. Adding a per-host counter: at the
// end of this list. Touched by SYN and SYN+ACK packets and by 1 in 16 sources (fan-in), only.
#define SECURENET_HOST_FIELDS_VICTIM(X)                                                      \
  X(syn_recv, 1, counter, "syn_recv")        /* TCP SYN without ACK received by this host */ \
  X(synack_sent, 1, counter, "synack_sent")  /* TCP SYN+ACK sent by this host */             \
  X(fanin_window, 1, window, "fanin_window") /* packet-time window of fanin_bits */          \
  X(fanin_bits, 4, sketch, "fanin_bits")     /* hashed sources, 1 in 16 (shm_layout.h) */

// Every per-host field, in segment order (HostEntry places rate_window and the spare words).
#define SECURENET_HOST_FIELDS(X) \
  SECURENET_HOST_FIELDS_LINES_1_2(X) SECURENET_HOST_FIELDS_LINE_3(X) SECURENET_HOST_FIELDS_VICTIM(X)
