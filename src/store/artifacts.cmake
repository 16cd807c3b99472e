# The artifact (evidence) store: seals, VEX, SBOMs and findings per image
# digest. The interface and the embedded store; PostgreSQL in its own library
# so only what needs libpqxx links it.
zastava_library(NAME store_artifacts
  SOURCES artifact_store.cpp embedded_artifact_store.cpp
  DEPS zastava::store zastava::provcache zastava::digest zastava::json zastava::base
       spdlog::spdlog nlohmann_json::nlohmann_json)
# PostgreSQL: table artifacts.artifacts with its own versioned migrations, on
# the provcache store's connection pool and migration runner.
zastava_library(NAME store_artifacts_postgres
  SOURCES postgres_artifact_store.cpp
  DEPS zastava::store_artifacts zastava::store_postgres PkgConfig::PQXX)
