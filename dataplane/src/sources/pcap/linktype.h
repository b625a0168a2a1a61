// Capture link types (pcap DLT / LINKTYPE numbers) the parser reads, mapped to its
// LinkKind. An unknown link type is an error naming it, never a silent skip.
#pragma once

#include <string>

#include "securenet/parser.h"
#include "securenet/result.h"

namespace securenet {

// The parser's kind for pcap link type `linktype`; an Error names the link type and lists
// the supported ones. `where` prefixes the message (e.g. the file and interface).
Result<LinkKind> link_kind_of(int linktype, const std::string& where);

// One line listing the supported link types, for errors and --help.
const char* supported_link_types();

}  // namespace securenet
