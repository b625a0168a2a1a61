// The route table: (method, path pattern, handler). Patterns are literal segments and
// {name} captures ("/api/hosts/{ip}"). Each resource group registers its own routes from
// its own file (routes_*.cpp), so a new group never edits another's file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/request.h"

namespace securenet::control {

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  void add(boost::beast::http::verb method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: no route
    bool path_known = false;           // some route has this path (405 vs 404)
    std::vector<std::string> params;
    bool bad_escape = false;           // a capture had a malformed %XX
  };
  Match match(boost::beast::http::verb method, std::string_view path) const;

 private:
  struct Route {
    boost::beast::http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

std::vector<std::string_view> split_path(std::string_view path);

}  // namespace securenet::control
