# The embedded store: behaviour, restart, crash safety (torn logs, a SIGKILLed
# writer, corruption), compaction and the directory lock.
zastava_test(NAME store_embedded_tests
  SOURCES embedded_store_test.cpp
  DEPS zastava::store zastava::provcache nlohmann_json::nlohmann_json)
