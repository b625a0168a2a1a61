#include "sources/pcap/capture_file.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "sources/pcap/linktype.h"

namespace securenet {
namespace {

constexpr uint32_t kPcapngShb = 0x0A0D0D0A, kBom = 0x1A2B3C4D;
constexpr uint32_t kIdb = 1, kPb = 2, kSpb = 3, kEpb = 6;
constexpr uint32_t kMaxBlock = 64u << 20;  // refuse blocks larger than 64 MiB
constexpr uint32_t kMaxCaplen = 262144;    // libpcap's largest snapshot length

struct PcapCloser {
  void operator()(pcap_t* p) const noexcept {
    if (p) pcap_close(p);
  }
};

class LibpcapFile final : public CaptureFile {
 public:
  LibpcapFile(pcap_t* p, LinkKind k) : pcap_(p), link_(k) {}
  int next(CaptureRecord& r) noexcept override {
    pcap_pkthdr* h = nullptr;
    const u_char* d = nullptr;
    const int rc = pcap_next_ex(pcap_.get(), &h, &d);
    if (rc == PCAP_ERROR_BREAK) return 0;
    if (rc != 1) {
      err_ = pcap_geterr(pcap_.get());
      return -1;
    }
    // Opened with nanosecond precision: tv_usec holds nanoseconds.
    r = CaptureRecord{d, h->caplen, h->len,
                      static_cast<uint64_t>(h->ts.tv_sec) * 1'000'000'000ULL +
                          static_cast<uint64_t>(h->ts.tv_usec),
                      link_};
    return 1;
  }
  const std::string& error() const noexcept override { return err_; }

 private:
  std::unique_ptr<pcap_t, PcapCloser> pcap_;
  LinkKind link_;
  std::string err_;
};

struct Interface {
  bool supported = false;
  LinkKind link = LinkKind::kEthernet;
  std::string unsupported;  // the error for a packet on this interface
  uint32_t snaplen = 0;
  bool pow2 = false;  // if_tsresol: 2^-exp (else 10^-exp)
  uint8_t exp = 6;
};

class PcapngFile final : public CaptureFile {
 public:
  PcapngFile(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  ~PcapngFile() override { std::fclose(f_); }

  int next(CaptureRecord& r) noexcept override {
    for (;;) {
      uint32_t type = 0;
      const int rc = read_block(type);
      if (rc <= 0) return rc;
      if (type == kIdb) {
        if (!add_interface()) return -1;
      } else if (type == kEpb || type == kPb || type == kSpb) {
        const int p = packet(type, r);
        if (p != 0) return p;
      }
    }
  }
  const std::string& error() const noexcept override { return err_; }

 private:
  uint32_t u32(const uint8_t* p) const noexcept {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return swap_ ? __builtin_bswap32(v) : v;
  }
  uint16_t u16(const uint8_t* p) const noexcept {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return swap_ ? __builtin_bswap16(v) : v;
  }
  int bad(const std::string& what) {
    err_ = "pcapng " + path_ + ": " + what;
    return -1;
  }

  // Reads the next block's body into body_ (without type, lengths). 0 at a clean end.
  int read_block(uint32_t& type) {
    uint8_t hdr[8];
    const size_t got = std::fread(hdr, 1, 8, f_);
    if (got == 0 && std::feof(f_)) return 0;
    if (got != 8) return bad("truncated block header");
    std::memcpy(&type, hdr, 4);
    if (type == kPcapngShb) {  // the byte order comes with each section
      uint8_t bom[4];
      if (std::fread(bom, 1, 4, f_) != 4) return bad("truncated section header");
      uint32_t b;
      std::memcpy(&b, bom, 4);
      if (b != kBom && b != __builtin_bswap32(kBom)) return bad("bad byte-order magic");
      swap_ = b != kBom;
      ifaces_.clear();
      const uint32_t total = u32(hdr + 4);
      if (total < 28 || total > kMaxBlock || total % 4) return bad("bad section header length");
      body_.resize(total - 16);
      if (std::fread(body_.data(), 1, body_.size(), f_) != body_.size())
        return bad("truncated section header");
      uint8_t trailer[4];
      if (std::fread(trailer, 1, 4, f_) != 4) return bad("truncated section header");
      return 1;
    }
    if (swap_) type = __builtin_bswap32(type);
    const uint32_t total = u32(hdr + 4);
    if (total < 12 || total > kMaxBlock || total % 4)
      return bad("bad block length " + std::to_string(total));
    body_.resize(total - 12);
    uint8_t trailer[4];
    if (std::fread(body_.data(), 1, body_.size(), f_) != body_.size() ||
        std::fread(trailer, 1, 4, f_) != 4) {
      return bad("truncated block");
    }
    return 1;
  }

  bool add_interface() {
    if (body_.size() < 8) return bad("short interface description block") == 0;
    Interface i;
    const int lt = u16(body_.data());
    i.snaplen = u32(body_.data() + 4);
    auto k = link_kind_of(lt, "pcapng " + path_ + " interface " + std::to_string(ifaces_.size()));
    if (k) {
      i.supported = true;
      i.link = *k;
    } else {
      i.unsupported = k.error().message;
    }
    for (size_t o = 8; o + 4 <= body_.size();) {  // options: if_tsresol (9)
      const uint16_t code = u16(body_.data() + o), len = u16(body_.data() + o + 2);
      if (code == 0) break;
      if (code == 9 && len >= 1 && o + 5 <= body_.size()) {
        const uint8_t v = body_[o + 4];
        i.pow2 = v & 0x80;
        i.exp = v & 0x7F;
      }
      o += 4 + ((len + 3u) & ~3u);
    }
    ifaces_.push_back(std::move(i));
    return true;
  }

  uint64_t to_ns(const Interface& i, uint64_t t) const noexcept {
    if (i.pow2) {  // split so that t * 1e9 cannot overflow
      const uint64_t whole = i.exp < 64 ? t >> i.exp : 0,
                     frac = i.exp < 64 ? t - (whole << i.exp) : t;
      return whole * 1'000'000'000ULL + (i.exp < 34 ? (frac * 1'000'000'000ULL) >> i.exp : 0);
    }
    uint64_t ns = t;
    for (int e = i.exp; e < 9; ++e) ns *= 10;
    for (int e = 9; e < i.exp; ++e) ns /= 10;
    return ns;
  }

  // 1 with a record, 0 to skip, -1 on error.
  int packet(uint32_t type, CaptureRecord& r) {
    const uint8_t* b = body_.data();
    uint32_t iface = 0, cap = 0, len = 0, off = 0;
    uint64_t ts = 0;
    if (type == kEpb) {
      if (body_.size() < 20) return bad("short enhanced packet block");
      iface = u32(b);
      ts = (static_cast<uint64_t>(u32(b + 4)) << 32) | u32(b + 8);
      cap = u32(b + 12);
      len = u32(b + 16);
      off = 20;
    } else if (type == kPb) {
      if (body_.size() < 20) return bad("short packet block");
      iface = u16(b);
      ts = (static_cast<uint64_t>(u32(b + 4)) << 32) | u32(b + 8);
      cap = u32(b + 12);
      len = u32(b + 16);
      off = 20;
    } else {
      if (body_.size() < 4) return bad("short simple packet block");
      len = u32(b);
      off = 4;
      cap = static_cast<uint32_t>(body_.size() - 4);
      if (len < cap) cap = len;
      if (!ifaces_.empty() && ifaces_[0].snaplen && ifaces_[0].snaplen < cap)
        cap = ifaces_[0].snaplen;
    }
    if (iface >= ifaces_.size())
      return bad("packet on undeclared interface " + std::to_string(iface));
    if (cap > body_.size() - off || cap > kMaxCaplen) return bad("packet longer than its block");
    const Interface& i = ifaces_[iface];
    if (!i.supported) {
      err_ = i.unsupported;
      return -1;
    }
    r = CaptureRecord{b + off, cap, len < cap ? cap : len, type == kSpb ? 0 : to_ns(i, ts), i.link};
    return 1;
  }

  std::FILE* f_;
  std::string path_;
  bool swap_ = false;
  std::vector<Interface> ifaces_;
  std::vector<uint8_t> body_;
  std::string err_;
};

}  // namespace

Result<std::unique_ptr<CaptureFile>> open_pcapng(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error("cannot read capture " + path + ": " + std::strerror(errno), errno);
  return std::unique_ptr<CaptureFile>(std::make_unique<PcapngFile>(f, path));
}

Result<std::unique_ptr<CaptureFile>> CaptureFile::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return make_error("cannot read capture " + path + ": " + std::strerror(errno), errno);
  uint32_t magic = 0;
  const size_t got = std::fread(&magic, 1, 4, f);
  std::fclose(f);
  if (got == 4 && magic == kPcapngShb) return open_pcapng(path);
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (!p) return make_error("cannot read capture " + path + ": " + err);
  auto k = link_kind_of(pcap_datalink(p), "capture " + path);
  if (!k) {
    pcap_close(p);
    return k.error();
  }
  return std::unique_ptr<CaptureFile>(std::make_unique<LibpcapFile>(p, *k));
}

}  // namespace securenet
