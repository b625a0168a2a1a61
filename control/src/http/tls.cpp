#include "http/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace securenet::control {

namespace ssl = boost::asio::ssl;

namespace {
constexpr const char* kCiphers =  // TLS 1.2; TLS 1.3 keeps OpenSSL's (all AEAD) suites
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const std::string& cert_file,
                                                       const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use | ssl::context::no_compression,
                   ec);
  SSL_CTX* h = ctx->native_handle();
  SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION);
  SSL_CTX_set_options(h, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(h, kCiphers) != 1)
    return make_error("TLS: cannot set the cipher list");
  if (!ec) ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return make_error("--tls-cert " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return make_error("--tls-key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(h) != 1) {
    return make_error("--tls-key " + key_file + " does not match the certificate in " + cert_file);
  }
  return ctx;
}

}  // namespace securenet::control
