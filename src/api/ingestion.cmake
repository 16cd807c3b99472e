# The ingestion API (webhook issue): seals, VEX, SBOMs and findings verified
# against the policy's trusted keys, then stored in the artifact store.
zastava_library(NAME ingestion_api
  SOURCES ingestion_api.cpp
  DEPS zastava::api zastava::store_artifacts zastava::policy zastava::facet zastava::dsse
       zastava::admission zastava::provcache zastava::http zastava::metrics zastava::digest
       zastava::json zastava::base nlohmann_json::nlohmann_json spdlog::spdlog)
