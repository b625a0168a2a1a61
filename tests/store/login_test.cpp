// Login against auth.users through pgcrypto, $2b$/$2y$ hashes, single-use refresh tokens.
#include <gtest/gtest.h>

#include "auth_store.h"
#include "db_helpers.h"
#include "pg_cluster.h"

using namespace securenet::testing;
namespace st = securenet::store;

TEST(Login, RightPasswordWorksWrongOnesAreRefused) {
  SN_MIGRATED_DB_OR_SKIP(url, "login");
  st::Session s(st::db_config_from(url));
  auto u = st::create_user(s, "Admin@Example.com", "correct horse battery");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->email, "admin@example.com");
  EXPECT_EQ(scalar(url, "select left(encrypted_password, 7) from auth.users"), "$2a$10$");

  auto ok = st::check_password(s, "admin@example.com", "correct horse battery");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ((*ok)->id, u->id);
  auto case_insensitive = st::check_password(s, "ADMIN@example.com", "correct horse battery");
  ASSERT_TRUE(case_insensitive);
  EXPECT_TRUE(case_insensitive->has_value());

  for (const char* bad : {"correct horse battery ", "wrong", "", "Correct horse battery"}) {
    auto r = st::check_password(s, "admin@example.com", bad);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value()) << "accepted '" << bad << "'";
  }
  auto unknown = st::check_password(s, "nobody@example.com", "correct horse battery");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());

  auto found = st::find_user(s, "ADMIN@example.com");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, u->id);
  auto missing = st::find_user(s, "nobody@example.com");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());

  EXPECT_FALSE(st::create_user(s, "admin@example.com", "another password"));  // duplicate
  EXPECT_FALSE(st::create_user(s, "short@example.com", "short"));
}

TEST(Login, BcryptPrefixes2bAnd2yAreAccepted) {
  SN_MIGRATED_DB_OR_SKIP(url, "login2b");
  st::Session s(st::db_config_from(url));
  auto u = st::create_user(s, "b@example.com", "password-2b-test");
  ASSERT_TRUE(u);
  // What other bcrypt libraries (e.g. Go's, Python's) write: same hash, other prefix.
  for (const char* prefix : {"$2b$", "$2y$"}) {
    SCOPED_TRACE(prefix);
    scalar(url, std::string("update auth.users set encrypted_password = '") + prefix +
                    "' || substr(encrypted_password, 5) returning 1");
    EXPECT_EQ(scalar(url, "select left(encrypted_password, 4) from auth.users"), prefix);
    auto ok = st::check_password(s, "b@example.com", "password-2b-test");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_TRUE(ok->has_value());
    auto bad = st::check_password(s, "b@example.com", "password-2b-tesT");
    ASSERT_TRUE(bad);
    EXPECT_FALSE(bad->has_value());
    scalar(url,
           "update auth.users set encrypted_password = '$2a$' || "
           "substr(encrypted_password, 5) returning 1");
  }
  // A user without a password (e.g. OAuth-only in Supabase) cannot log in with one.
  scalar(url, "update auth.users set encrypted_password = null returning 1");
  auto none = st::check_password(s, "b@example.com", "");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(Login, RefreshTokensAreSingleUse) {
  SN_MIGRATED_DB_OR_SKIP(url, "refresh");
  st::Session s(st::db_config_from(url));
  auto u = st::create_user(s, "r@example.com", "refresh-password");
  ASSERT_TRUE(u);
  auto t1 = st::issue_refresh_token(s, u->id);
  ASSERT_TRUE(t1) << t1.error().message;
  EXPECT_EQ(t1->token.size(), 64u);
  // Only the hash is stored.
  EXPECT_EQ(count(url, "select count(*) from securenet.refresh_tokens where token_hash = '" +
                           t1->token + "'"),
            0);

  auto r1 = st::rotate_refresh_token(s, t1->token);
  ASSERT_TRUE(r1) << r1.error().message;
  ASSERT_TRUE(r1->has_value());
  EXPECT_EQ((*r1)->user.id, u->id);
  EXPECT_EQ((*r1)->user.email, "r@example.com");
  const std::string t2 = (*r1)->next.token;
  EXPECT_NE(t2, t1->token);

  // Second use of t1 fails, and (reuse = theft) revokes its successor too.
  auto again = st::rotate_refresh_token(s, t1->token);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());
  auto r2 = st::rotate_refresh_token(s, t2);
  ASSERT_TRUE(r2);
  EXPECT_FALSE(r2->has_value());

  auto unknown = st::rotate_refresh_token(s, std::string(64, 'a'));
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());

  auto expired = st::issue_refresh_token(s, u->id, -1);
  ASSERT_TRUE(expired);
  auto r3 = st::rotate_refresh_token(s, expired->token);
  ASSERT_TRUE(r3);
  EXPECT_FALSE(r3->has_value());

  // A fresh, valid token still works after all that.
  auto t4 = st::issue_refresh_token(s, u->id);
  ASSERT_TRUE(t4);
  auto r4 = st::rotate_refresh_token(s, t4->token);
  ASSERT_TRUE(r4);
  EXPECT_TRUE(r4->has_value());
}

TEST(Login, DeletingAUserDeletesTheirRowsAndTokens) {
  SN_MIGRATED_DB_OR_SKIP(url, "cascade");
  st::Session s(st::db_config_from(url));
  auto u = st::create_user(s, "gone@example.com", "gone-password");
  ASSERT_TRUE(u);
  ASSERT_TRUE(st::issue_refresh_token(s, u->id));
  scalar(url, "insert into network_metrics (user_id) values ('" + u->id + "') returning 1");
  scalar(url, "delete from auth.users returning 1");
  EXPECT_EQ(count(url, "select count(*) from securenet.refresh_tokens"), 0);
  EXPECT_EQ(count(url, "select count(*) from network_metrics"), 0);
}
