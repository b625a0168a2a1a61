#include "config/config_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "securenet/common/fd.h"

namespace securenet::control {

Result<SecurityConfig> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return SecurityConfig::defaults();
    return make_error("cannot read config file " + path + ": " + std::strerror(errno), errno);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = apply_config_json(SecurityConfig::defaults(), ss.str());
  if (!r.ok) return make_error("config file " + path + ": " + r.error.detail);
  return r.config;
}

Status save_config_file(const std::string& path, std::string_view config_json) {
  std::string tmp = path + ".tmp";
  {
    const Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return make_error("cannot write " + tmp + ": " + std::strerror(errno), errno);
    const std::string body = std::string(config_json) + "\n";
    size_t off = 0;
    while (off < body.size()) {
      const ssize_t n = ::write(fd.get(), body.data() + off, body.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error("cannot write " + tmp + ": " + std::strerror(errno), errno);
      off += static_cast<size_t>(n);
    }
    ::fsync(fd.get());
  }  // closed before the rename
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return make_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno), errno);
  }
  return Ok{};
}

}  // namespace securenet::control
