# Valkey/Redis through hiredis: the shared read-through cache and the
# invalidation bus (pub/sub) between replicas.
zastava_library(NAME store_valkey
  SOURCES valkey_connection.cpp valkey_store.cpp invalidation_bus.cpp
  DEPS zastava::store PkgConfig::HIREDIS)
