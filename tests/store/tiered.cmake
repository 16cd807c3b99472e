# The tiered provcache (LRU -> Valkey -> PostgreSQL, write-behind) against real
# PostgreSQL and Redis servers, and the two-replica invalidation test, which
# drives two provcache_replica processes over their stdin/stdout.
add_executable(provcache_replica replica_main.cpp)
target_link_libraries(provcache_replica PRIVATE zastava::store_tiered spdlog::spdlog)
zastava_target_defaults(provcache_replica)

zastava_test(NAME store_tiered_tests
  SOURCES write_behind_queue_test.cpp tiered_provcache_test.cpp two_replica_test.cpp
  DEPS zastava::store_tiered zastava::metrics zastava_test_harness)
target_compile_definitions(store_tiered_tests PRIVATE
  ZASTAVA_PROVCACHE_REPLICA="$<TARGET_FILE:provcache_replica>")
add_dependencies(store_tiered_tests provcache_replica)
