// The TLS server context for --tls-cert/--tls-key (README "TLS"): TLS 1.2 and 1.3 only,
// forward-secret AEAD ciphers (Mozilla "intermediate"), no compression, no renegotiation,
// server cipher preference. Loaded at start and again on SIGHUP (HttpServer::set_tls):
// connections accepted after a reload use the new certificate.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "securenet/result.h"

namespace securenet::control {

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                                    const std::string& key_file);

}  // namespace securenet::control
