# The tiered service (in-process LRU -> Valkey -> PostgreSQL, write-behind)
# and open_store(), which every binary uses.
zastava_library(NAME store_tiered
  SOURCES write_behind_queue.cpp tiered_provcache.cpp store_factory.cpp
  DEPS zastava::store zastava::store_postgres zastava::store_valkey zastava::metrics
       spdlog::spdlog)
