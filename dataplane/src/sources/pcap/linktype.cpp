#include "sources/pcap/linktype.h"

#include <pcap/pcap.h>

namespace securenet {

const char* supported_link_types() {
  return "EN10MB (1), RAW (12, 14, 101), IPV4 (228), IPV6 (229), NULL (0), LOOP (108), LINUX_SLL "
         "(113), "
         "LINUX_SLL2 (276), PPP (9), PPP_HDLC (50), C_HDLC (104)";
}

Result<LinkKind> link_kind_of(int linktype, const std::string& where) {
  LinkKind k;
  if (linktype >= 0 && link_kind_of_linktype(static_cast<uint32_t>(linktype), k)) return k;
  const char* name = pcap_datalink_val_to_name(linktype);
  return make_error(where + " has link type " + std::to_string(linktype) + " (" +
                    (name ? name : "unknown") +
                    "), which the parser does not read; supported: " + supported_link_types());
}

}  // namespace securenet
