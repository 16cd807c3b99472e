# PostgreSQL through libpqxx: the durable layer, with versioned migrations
# and a small connection pool. libpq itself for PQconninfoParse (the server's
# host:port for error messages, without connecting).
find_package(PostgreSQL REQUIRED)
zastava_library(NAME store_postgres
  SOURCES postgres_store.cpp postgres_migrations.cpp postgres_pool.cpp postgres_conninfo.cpp
          postgres_migration_runner.cpp
  DEPS zastava::store PkgConfig::PQXX PostgreSQL::PostgreSQL nlohmann_json::nlohmann_json)
