# PostgresStore against a real PostgreSQL 15 (the harness starts one per suite).
zastava_test(NAME store_postgres_tests
  SOURCES postgres_store_test.cpp
  DEPS zastava::store_postgres zastava_test_harness PkgConfig::PQXX)
# entry_samples.hpp (valid entries for every store's tests) lives in tests/provcache.
target_include_directories(store_postgres_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests)
