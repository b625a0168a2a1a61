// Built when AF_XDP/libbpf support is off: live frames are not available.
#include "tools/gen/sender.h"

namespace securenet::gen {
bool live_supported() { return false; }
Result<SendResult> send_live(const SendPlan&) {
  return make_error(
      "gen: live frames need a build with AF_XDP support (SECURENET_WITH_AFXDP "
      "and libbpf); use --mode packet");
}
}  // namespace securenet::gen
