// The App's side of the inline XDP drop list (issue 16 item 4b): the table goes into the
// segment's ControlBlock::drop_list; the dataplane's counts come back through the Header.
#include <cstring>
#include <memory>

#include "app/app.h"
#include "securenet/common/json_writer.h"

namespace securenet::control {

void App::publish_drop_list() {
  ShmReader* r = watch_.reader();
  if (!r || !r->control()) return;  // published when the dataplane comes (App::publish)
  auto copy = std::make_unique<shm::DropListCopy>();
  drop_list_.to_copy(*copy);
  shm::write_drop_list(r->control()->drop_list, *copy);
}

std::optional<uint64_t> App::drop_count(const Cidr& prefix) const {
  const ShmReader* r = const_cast<SegmentWatch&>(watch_).reader();
  auto slot = drop_list_.slot_of(prefix);
  if (!r || !slot) return std::nullopt;
  return read_drop_count(r->header(), slot->first, slot->second);
}

App::InlineTotals App::inline_totals() const {
  const ShmReader* r = const_cast<SegmentWatch&>(watch_).reader();
  InlineTotals t;
  t.entries = drop_list_.size();
  if (!r) return t;
  t.forwarded = shm::read(r->header().inline_forwarded);
  t.tx_errors = shm::read(r->header().inline_tx_errors);
  for (size_t i = 0; i < drop_list_.slots().size(); ++i) {
    const auto& e = drop_list_.slots()[i];
    if (e.id) t.dropped += read_drop_count(r->header(), i, e.id).value_or(0);
  }
  return t;
}

void App::write_inline_status(JsonWriter& w) const {
  const ShmReader* r = const_cast<SegmentWatch&>(watch_).reader();
  w.begin_object();
  const bool filter = r && r->header().drop_filter != 0;
  w.field("drop_filter", filter ? "xdp" : "none");
  w.key("out_if");
  if (r && r->header().inline_out_if[0]) {
    const auto& h = r->header();
    w.value(std::string(h.inline_out_if, strnlen(h.inline_out_if, sizeof(h.inline_out_if))));
  } else {
    w.null();
  }
  if (r) {
    const auto& h = r->header();
    w.field("forwarded", shm::read(h.inline_forwarded))
        .field("tx_errors", shm::read(h.inline_tx_errors))
        .field("refused_entries", shm::read(h.drop_list_errors));
    // The list is in force once the dataplane applied what was published last.
    const shm::ControlBlock* cb = const_cast<ShmReader*>(r)->control();
    if (cb)
      w.field("applied", shm::read(h.drop_list_generation) == shm::read(cb->drop_list.generation));
  }
  w.key("drop_list").begin_array();
  for (size_t i = 0; i < drop_list_.slots().size(); ++i) {
    const auto& e = drop_list_.slots()[i];
    if (e.id == 0) continue;
    w.begin_object().field("prefix", e.prefix.text());
    auto n = r ? read_drop_count(r->header(), i, e.id) : std::nullopt;
    w.key("drops");
    n ? w.value(*n) : w.null();
    w.end_object();
  }
  w.end_array().end_object();
}

}  // namespace securenet::control
