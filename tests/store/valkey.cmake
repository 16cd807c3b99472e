# ValkeyStore and the invalidation bus against a real redis-server (the
# harness starts one per suite or per test).
zastava_test(NAME store_valkey_tests
  SOURCES valkey_store_test.cpp invalidation_bus_test.cpp
  DEPS zastava::store_valkey zastava_test_harness)
# entry_samples.hpp (valid entries for every store's tests) lives in tests/provcache.
target_include_directories(store_valkey_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests)
