#The artifact stores : the embedded one(roundtrip, restart, approval,
#baselines, idempotency, the directory lock).
zastava_test(NAME store_artifacts_tests SOURCES embedded_artifact_store_test.cpp DEPS
                 zastava::store_artifacts zastava::digest)
#PostgresArtifactStore against a real PostgreSQL 15(tests / harness).
    zastava_test(NAME store_artifacts_postgres_tests SOURCES postgres_artifact_store_test.cpp DEPS
                     zastava::store_artifacts_postgres zastava_test_harness PkgConfig::PQXX)
