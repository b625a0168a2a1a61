#include "capture/capture_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "securenet/common/uuid.h"

namespace fs = std::filesystem;

namespace securenet::control {
namespace {

std::optional<std::string> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_file(const fs::path& p, const std::string& data) {
  const fs::path tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out.write(data.data(), static_cast<std::streamsize>(data.size()))) return false;
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  return !ec;
}

}  // namespace

bool CaptureStore::put(const std::string& id, const std::string& pcap, const std::string& summary) {
  if (!enabled() || !is_uuid(id)) return false;
  const uint64_t need = pcap.size() + summary.size();
  if (need > cap_) return false;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  evict_for(need);
  const fs::path base = fs::path(dir_) / id;
  return write_file(base.string() + ".pcap", pcap) && write_file(base.string() + ".json", summary);
}

std::optional<std::string> CaptureStore::pcap(const std::string& id) const {
  if (!enabled() || !is_uuid(id)) return std::nullopt;
  return slurp(fs::path(dir_) / (id + ".pcap"));
}

std::optional<std::string> CaptureStore::summary(const std::string& id) const {
  if (!enabled() || !is_uuid(id)) return std::nullopt;
  return slurp(fs::path(dir_) / (id + ".json"));
}

bool CaptureStore::has(const std::string& id) const {
  std::error_code ec;
  return enabled() && is_uuid(id) && fs::exists(fs::path(dir_) / (id + ".pcap"), ec);
}

uint64_t CaptureStore::bytes_used() const {
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  }
  return n;
}

// Removes whole captures (both files), oldest .pcap first, until `need` more bytes fit.
void CaptureStore::evict_for(uint64_t need) {
  struct Item {
    fs::file_time_type t;
    std::string stem;
  };
  std::vector<Item> items;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() == ".pcap") items.push_back({e.last_write_time(ec), e.path().stem()});
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.t != b.t ? a.t < b.t : a.stem < b.stem; });
  uint64_t used = bytes_used();
  for (const auto& it : items) {
    if (used + need <= cap_) break;
    for (const char* ext : {".pcap", ".json"}) {
      const fs::path p = fs::path(dir_) / (it.stem + ext);
      const uint64_t sz = fs::file_size(p, ec);
      if (fs::remove(p, ec) && !ec) used -= std::min(used, sz);
    }
  }
}

}  // namespace securenet::control
