// JWKS over https: certificate and host name verification are on. Serves with the
// `openssl s_server -WWW` tool (Debian package openssl) on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "child_process.h"
#include "http_get.h"
#include "test_keys.h"

namespace securenet::auth {
namespace {

namespace fs = std::filesystem;

uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A self-signed certificate for `san`, and an `openssl s_server -WWW` serving `dir`.
class TlsServer {
 public:
  TlsServer(const fs::path& dir, const std::string& san) : dir_(dir) {
    std::string cmd = "cd '" + dir.string() +
                      "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                      " -keyout key.pem -out cert.pem -days 1 -subj /CN=securenet-test"
                      " -addext subjectAltName=" +
                      san + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return;
    port_ = free_loopback_port();
    server_.emplace(
        test::SpawnOptions{{"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port_),
                            "-cert", "cert.pem", "-key", "key.pem", "-WWW"},
                           (dir / "s_server.log").string(),
                           {},
                           dir.string()});
    ready_ = server_->wait_for([&] { return server_->log().find("ACCEPT") != std::string::npos; },
                               std::chrono::seconds(30));
  }
  bool ready() const { return ready_; }
  std::string url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port_) + "/jwks.json";
  }
  std::string ca() const { return (dir_ / "cert.pem").string(); }

 private:
  fs::path dir_;
  uint16_t port_ = 0;
  std::optional<test::ChildProcess> server_;
  bool ready_ = false;
};

TEST(HttpsGet, VerifiesCertificateAndHostName) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "openssl command-line tool not installed (apt-get install -y openssl)";
  }
  fs::path dir = fs::path(testing::write_temp_file("jwks.json", R"({"keys":[]})")).parent_path();
  TlsServer server(dir, "IP:127.0.0.1,DNS:localhost");
  ASSERT_TRUE(server.ready()) << "openssl s_server did not start";

  HttpGetOptions trusted;
  trusted.ca_file = server.ca();
  auto ok = http_get(server.url("127.0.0.1"), trusted);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, R"({"keys":[]})");

  // Unknown CA: refused.
  auto untrusted = http_get(server.url("127.0.0.1"));
  EXPECT_FALSE(untrusted.ok());
}

TEST(HttpsGet, RefusesCertificateForAnotherHost) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "openssl command-line tool not installed (apt-get install -y openssl)";
  }
  fs::path dir = fs::path(testing::write_temp_file("jwks.json", R"({"keys":[]})")).parent_path();
  TlsServer server(dir, "DNS:jwks.example.org");
  ASSERT_TRUE(server.ready()) << "openssl s_server did not start";
  HttpGetOptions trusted;
  trusted.ca_file = server.ca();
  auto r = http_get(server.url("127.0.0.1"), trusted);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("handshake"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace securenet::auth
