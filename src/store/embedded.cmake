# The interface and the embedded store (the default: in-process, persisted to a directory).
zastava_library(NAME store
  SOURCES provcache_store.cpp durable_file.cpp record_log.cpp embedded_store.cpp
  DEPS zastava::provcache zastava::base zastava::digest zastava::json spdlog::spdlog
       nlohmann_json::nlohmann_json)
