#include "sources/pcap/linktype.h"

#include <pcap/pcap.h>

namespace securenet {

const char* supported_link_types() {
  return "EN10MB (1), RAW (12, 14, 101), IPV4 (228), IPV6 (229), NULL (0), LOOP (108), LINUX_SLL "
         "(113), "
         "LINUX_SLL2 (276), PPP (9), PPP_HDLC (50), C_HDLC (104)";
}

Result<LinkKind> link_kind_of(int linktype, const std::string& where) {
  switch (linktype) {
    case 1:
      return LinkKind::kEthernet;
    case 12:   // DLT_RAW on most BSDs
    case 14:   // DLT_RAW on OpenBSD
    case 101:  // LINKTYPE_RAW
      return LinkKind::kRawIp;
    case 228:
      return LinkKind::kIpv4;
    case 229:
      return LinkKind::kIpv6;
    case 0:
    case 108:
      return LinkKind::kNull;
    case 113:
      return LinkKind::kSll;
    case 276:
      return LinkKind::kSll2;
    case 9:
    case 50:
      return LinkKind::kPpp;
    case 104:
      return LinkKind::kCiscoHdlc;
    default:
      break;
  }
  const char* name = pcap_datalink_val_to_name(linktype);
  return make_error(where + " has link type " + std::to_string(linktype) + " (" +
                    (name ? name : "unknown") +
                    "), which the parser does not read; supported: " + supported_link_types());
}

}  // namespace securenet
