# The ingestion API handlers with real seals and in-toto envelopes signed by
# keys made in the test, over the embedded artifact store; and end to end over
# TLS beside the provcache API.
zastava_test(NAME ingestion_api_tests
  SOURCES ingestion_api_test.cpp
  DEPS zastava::ingestion_api zastava::store_artifacts zastava::store zastava::policy
       zastava::facet zastava::dsse zastava::crypto zastava::http zastava::metrics
       zastava_http_test_support nlohmann_json::nlohmann_json)
