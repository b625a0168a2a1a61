// Migrations against a real PostgreSQL 15: empty server, re-run no-op, edited migration.
#include "migrate.h"

#include <gtest/gtest.h>

#include "db_helpers.h"
#include "pg_cluster.h"

using namespace securenet::testing;
namespace st = securenet::store;

TEST(Migrate, AppliesToEmptyServerThenIsNoOp) {
  std::string why;
  auto* cluster = PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("empty");
  const auto& all = st::embedded_migrations();
  ASSERT_GE(all.size(), 7u);
  {
    pqxx::connection c(url);
    auto first = st::migrate(c, all);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->applied.size(), all.size());
    EXPECT_EQ(first->already_applied, 0);
    auto again = st::migrate(c, all);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again->applied.empty());
    EXPECT_EQ(again->already_applied, static_cast<int>(all.size()));
  }
  EXPECT_EQ(count(url, "select count(*) from public.securenet_schema_migrations"),
            static_cast<long>(all.size()));
  // The Supabase shim: schema, functions, roles, and RLS on every data table.
  EXPECT_EQ(scalar(url, "select to_regprocedure('auth.uid()') is not null"), "t");
  EXPECT_EQ(scalar(url, "select rolbypassrls from pg_roles where rolname = 'service_role'"), "t");
  EXPECT_EQ(count(url,
                  "select count(*) from pg_class where relrowsecurity and relname in "
                  "('sensors','network_configs','network_alerts','network_metrics',"
                  "'network_packets')"),
            5);
  EXPECT_GE(count(url,
                  "select count(*) from pg_inherits where inhparent = "
                  "'public.network_packets'::regclass"),
            8);
}

TEST(Migrate, LeavesAnExistingAuthSchemaAlone) {
  std::string why;
  auto* cluster = PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("supabaselike");
  // A pre-existing (Supabase-like) auth schema with its own uid() and an extra column.
  scalar(url,
         "create schema auth; create table auth.users (id uuid primary key, email text, "
         "encrypted_password text, instance_id uuid, created_at timestamptz default now());"
         "create function auth.uid() returns uuid language sql stable as "
         "$$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;"
         "comment on function auth.uid() is 'theirs'; select 1");
  ASSERT_EQ(migrate_url(url), "");
  EXPECT_EQ(scalar(url, "select obj_description('auth.uid()'::regprocedure)"), "theirs");
  EXPECT_EQ(count(url,
                  "select count(*) from information_schema.columns where "
                  "table_schema = 'auth' and table_name = 'users' and "
                  "column_name = 'instance_id'"),
            1);
  EXPECT_EQ(scalar(url, "select to_regprocedure('auth.jwt()') is not null"), "t");
}

TEST(Migrate, RefusesAnEditedAppliedMigration) {
  std::string why;
  auto* cluster = PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("edited");
  auto all = st::embedded_migrations();
  pqxx::connection c(url);
  ASSERT_TRUE(st::migrate(c, all));
  all[1].sql += "\n-- edited after it was applied\n";
  auto r = st::migrate(c, all);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos) << r.error().message;
}

TEST(Migrate, FailingMigrationRollsBackAndNamesItself) {
  std::string why;
  auto* cluster = PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("broken");
  std::vector<st::Migration> ms = {
      {1, "0001_ok.sql", "create table a (x int);"},
      {2, "0002_bad.sql", "create table b (x int); select no_such_function();"}};
  pqxx::connection c(url);
  auto r = st::migrate(c, ms);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("0002_bad.sql"), std::string::npos);
  EXPECT_EQ(scalar(url, "select to_regclass('public.a') is not null"), "t");
  EXPECT_EQ(scalar(url, "select to_regclass('public.b') is null"), "t");
  EXPECT_EQ(count(url, "select count(*) from public.securenet_schema_migrations"), 1);
}
