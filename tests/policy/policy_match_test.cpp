#include "policy/policy_match.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <new>

#include "policy_test_support.hpp"

// Counts heap allocations in this test binary, so the hot path can be shown
// to allocate nothing. Test-only; every other test is unaffected (the counter
// is only read around the measured loop).
namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace zastava::policy {
namespace {

const std::string kPolicy = R"(
defaults: {requireSeal: false}
scopes:
  - name: payments-api
    namespaces: {names: [payments]}
    images: [registry.example.com/payments/api]
  - name: payments
    namespaces: {names: [payments, billing]}
  - name: prod-registry
    namespaces:
      selector:
        matchLabels: {env: prod}
        matchExpressions: [{key: zastava.stellaops.io/exempt, operator: DoesNotExist}]
    images: [registry.example.com/**, ghcr.io/acme/*]
)";

TEST(SelectScope, TheFirstMatchingScopeWinsElseTheDefaults) {
  const CompiledPolicy policy = testing::compile_ok(kPolicy);
  const Labels none;
  const Labels prod{{"env", "prod"}};
  const Labels exempt{{"env", "prod"}, {"zastava.stellaops.io/exempt", "true"}};
  struct Row {
    const char* ns;
    const Labels* labels;
    const char* image;
    const char* scope;
  };
  const Row rows[] = {
      {"payments", &none, "registry.example.com/payments/api:1.2", "payments-api"},
      {"payments", &prod, "registry.example.com/payments/api:1.2", "payments-api"},  // order
      {"payments", &none, "registry.example.com/payments/worker:1", "payments"},
      {"billing", &none, "registry.example.com/payments/api:1.2", "payments"},
      {"billing", &prod, "docker.io/library/nginx:latest", "payments"},
      {"web", &prod, "registry.example.com/web/app:3", "prod-registry"},
      {"web", &prod, "ghcr.io/acme/tool:1", "prod-registry"},
      {"web", &prod, "ghcr.io/acme/sub/tool:1", "defaults"},  // '*' is one level
      {"web", &exempt, "registry.example.com/web/app:3", "defaults"},
      {"web", &none, "registry.example.com/web/app:3", "defaults"},
      {"web", &prod, "docker.io/library/nginx:latest", "defaults"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(select_scope(policy, row.ns, *row.labels, row.image).name, row.scope)
        << row.ns << " " << row.image;
  }
}

TEST(SelectScope, AnEmptyPolicyAlwaysGivesTheDefaults) {
  const CompiledPolicy policy = testing::compile_ok("");
  EXPECT_EQ(&select_scope(policy, "any", Labels{}, "docker.io/library/x:1"), &policy.defaults);
}

// The hot path allocates nothing, whatever scope it ends on. The time is
// printed for information only (this machine is shared: no bound on it).
TEST(SelectScope, AllocatesNothing) {
  std::string body = "defaults: {requireSeal: false}\nscopes:\n";
  for (int i = 0; i < 50; ++i) {
    body += "  - name: s" + std::to_string(i) +
            "\n    namespaces: {selector: {matchLabels: {team: t" + std::to_string(i) +
            "}}}\n    images: [registry.example.com/team" + std::to_string(i) +
            "/**, \"*.example.org/x/*:v[0-9]*\"]\n";
  }
  const CompiledPolicy policy = testing::compile_ok(body);
  const Labels labels{{"team", "t49"}, {"env", "prod"}};
  const std::string image =
      "registry.example.com/team49/app:1.0@sha256:"
      "c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2";
  const std::string unmatched = "docker.io/library/nginx:latest";
  constexpr int kIterations = 20000;
  std::size_t found = 0;
  const std::size_t before = g_allocations.load();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) {
    if (select_scope(policy, "ns", labels, image).name == "s49") ++found;
    if (&select_scope(policy, "ns", labels, unmatched) == &policy.defaults) ++found;
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(found, static_cast<std::size_t>(2 * kIterations));
  std::cout << "select_scope over 50 scopes: "
            << std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count() /
                   (2 * kIterations)
            << " ns/call\n";
}

}  // namespace
}  // namespace zastava::policy
