// CIDR matching (IPv4 and IPv6), the JSON writer, URL decoding, UUIDs, static path safety.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstring>

#include "http/static_files.h"
#include "securenet/common/json_writer.h"
#include "securenet/common/uuid.h"
#include "util/cidr.h"
#include "util/url.h"

using namespace securenet::control;
using securenet::ip_text;
using securenet::parse_ip_text;

TEST(Cidr, Ipv4) {
  auto c = parse_cidr("10.1.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(*parse_ip_text("10.1.255.7")));
  EXPECT_FALSE(c->contains(*parse_ip_text("10.2.0.1")));
  EXPECT_FALSE(c->contains(*parse_ip_text("::a01:1")));  // not the mapped form
  EXPECT_EQ(c->text(), "10.1.0.0/16");
  auto host_bits = parse_cidr("192.168.7.9/24");
  ASSERT_TRUE(host_bits);
  EXPECT_EQ(host_bits->text(), "192.168.7.0/24");
  auto all = parse_cidr("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(*parse_ip_text("1.2.3.4")));
  EXPECT_FALSE(all->contains(*parse_ip_text("2001:db8::1")));
  auto odd = parse_cidr("172.16.0.0/12");
  EXPECT_TRUE(odd->contains(*parse_ip_text("172.31.255.255")));
  EXPECT_FALSE(odd->contains(*parse_ip_text("172.32.0.0")));
  auto one = parse_cidr("10.0.0.5");
  EXPECT_EQ(one->text(), "10.0.0.5/32");
}

TEST(Cidr, Ipv6) {
  auto c = parse_cidr("fd00::/8");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(*parse_ip_text("fd12:3456::1")));
  EXPECT_FALSE(c->contains(*parse_ip_text("fc00::1")));
  EXPECT_FALSE(c->contains(*parse_ip_text("10.0.0.1")));
  auto d = parse_cidr("2001:db8:abcd:12::/63");
  EXPECT_TRUE(d->contains(*parse_ip_text("2001:db8:abcd:13::ff")));
  EXPECT_FALSE(d->contains(*parse_ip_text("2001:db8:abcd:14::")));
  EXPECT_EQ(parse_cidr("2001:db8::1/128")->text(), "2001:db8::1/128");
  EXPECT_FALSE(parse_cidr("2001:db8::/129"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/-1"));
  EXPECT_FALSE(parse_cidr("hello/8"));
}

// An IPv4-mapped prefix has one spelling, and text() always parses back to the same prefix
// (found by fuzz_config: "::ffff:10.0.0.0/120" printed as "10.0.0.0/120", which is refused).
TEST(Cidr, MappedPrefixesRoundTrip) {
  auto m = parse_cidr("::ffff:10.0.0.0/120");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text(), "10.0.0.0/24");
  EXPECT_TRUE(m->contains(*parse_ip_text("10.0.0.77")));
  EXPECT_FALSE(m->contains(*parse_ip_text("10.0.1.1")));
  for (const char* t :
       {"::ffff:10.0.0.0/120", "::ffff:0:0/96", "::ffff:0:0/95", "::ffff:1.2.3.4/128",
        "::ffff:0:0/80", "::/0", "0.0.0.0/0", "10.1.2.3/32"}) {
    auto c = parse_cidr(t);
    ASSERT_TRUE(c) << t;
    auto back = parse_cidr(c->text());
    ASSERT_TRUE(back) << t << " -> " << c->text();
    EXPECT_EQ(back->text(), c->text()) << t;
    EXPECT_EQ(back->bits, c->bits) << t;
    EXPECT_EQ(0, std::memcmp(back->net.bytes, c->net.bytes, 16)) << t;
  }
  EXPECT_EQ(parse_cidr("::ffff:0:0/96")->text(), "0.0.0.0/0");
  EXPECT_EQ(parse_cidr("::ffff:0:0/95")->text(), "::fffe:0:0/95");
}

TEST(Cidr, LongestMatch) {
  std::vector<Cidr> l = {*parse_cidr("10.0.0.0/8"), *parse_cidr("10.1.0.0/16"),
                         *parse_cidr("10.1.2.0/24")};
  EXPECT_EQ(longest_match(l, *parse_ip_text("10.1.2.3")), 2);
  EXPECT_EQ(longest_match(l, *parse_ip_text("10.1.3.3")), 1);
  EXPECT_EQ(longest_match(l, *parse_ip_text("10.9.3.3")), 0);
  EXPECT_EQ(longest_match(l, *parse_ip_text("11.0.0.1")), -1);
}

TEST(IpText, RoundTrip) {
  for (const char* s : {"10.0.0.1", "255.255.255.255", "2001:db8::1", "::1", "fe80::1:2"}) {
    EXPECT_EQ(ip_text(*parse_ip_text(s)), s);
  }
  EXPECT_FALSE(parse_ip_text("10.0.0.256"));
  EXPECT_FALSE(parse_ip_text(""));
  EXPECT_FALSE(parse_ip_text("1.2.3.4\n"));
}

TEST(JsonWriter, EscapesAndParsesBack) {
  securenet::JsonWriter w;
  std::string nasty = std::string("q\"b\\s\n\t\x01\x1f") + "\xff" + "é";
  w.begin_object().field("s", nasty).field("n", -5).field("u", uint64_t{18446744073709551615ULL});
  w.field("d", 0.25)
      .field("inf", 1.0 / 0.0)
      .field("b", true)
      .key("a")
      .begin_array()
      .value(1)
      .null()
      .end_array();
  w.key("o").begin_object().end_object().end_object();
  simdjson::dom::parser p;
  auto doc = p.parse(w.str());
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << w.str();
  std::string_view s;
  ASSERT_EQ(doc["s"].get_string().get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, std::string("q\"b\\s\n\t\x01\x1f") + "\xef\xbf\xbd" + "é");
  EXPECT_TRUE(doc["inf"].is_null());
  EXPECT_EQ(doc["u"].get_uint64().value(), 18446744073709551615ULL);
  EXPECT_EQ(doc["d"].get_double().value(), 0.25);
}

TEST(Url, DecodeAndSplit) {
  EXPECT_EQ(*percent_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(*percent_decode("a+b", false), "a+b");
  EXPECT_FALSE(percent_decode("%2", false));
  EXPECT_FALSE(percent_decode("%zz", false));
  std::map<std::string, std::string, std::less<>> q;
  ASSERT_TRUE(parse_query("limit=5&&severity=HIGH&x=%41&limit=6&flag", q));
  EXPECT_EQ(q.at("limit"), "6");  // last value wins
  EXPECT_EQ(q.at("severity"), "HIGH");
  EXPECT_EQ(q.at("x"), "A");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.size(), 4u);
  EXPECT_FALSE(parse_query("b=%g1", q));
  EXPECT_FALSE(parse_query("%2=1", q));
}

TEST(Uuid, Version4) {
  const std::string a = securenet::new_uuid(), b = securenet::new_uuid();
  EXPECT_NE(a, b);
  EXPECT_TRUE(securenet::is_uuid(a));
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  EXPECT_FALSE(securenet::is_uuid("not-a-uuid"));
}

TEST(StaticPaths, RefusesEscapes) {
  EXPECT_EQ(*safe_relative_path("/assets/app.js"), "assets/app.js");
  EXPECT_EQ(*safe_relative_path("/"), "");
  for (const char* bad : {"/../etc/passwd", "/a/../../x", "/%2e%2e/x", "/%2E%2E/%2e%2e/etc",
                          "/a/%00b", "/..%2fetc", "/a\\..\\b", "/.", "/%2e"}) {
    EXPECT_FALSE(safe_relative_path(bad)) << bad;
  }
  EXPECT_STREQ(content_type_for("x/index.html"), "text/html; charset=utf-8");
  EXPECT_STREQ(content_type_for("a.js"), "text/javascript; charset=utf-8");
  EXPECT_STREQ(content_type_for("a.woff2"), "font/woff2");
}

// inet_pton reads a C string: an address with an embedded NUL (a JSON "\u0000" or a
// query's %00) must not parse as the part before it.
TEST(IpText, EmbeddedNulIsNotAnAddress) {
  using namespace std::string_view_literals;
  EXPECT_TRUE(parse_ip_text("10.0.0.1"sv));
  for (auto t : {"10.0.0.1\0"sv, "10.0.0.1\0junk"sv, "::1\0"sv, "\0"sv}) {
    EXPECT_FALSE(parse_ip_text(t)) << t.size();
    EXPECT_FALSE(parse_cidr(t));
  }
  EXPECT_FALSE(parse_cidr("10.0.0.0\0/8"sv));
}
