// The admission hot path on a realistic ~6.7 KB Pod CREATE AdmissionReview
// (tests/data/admission/pod_create.json: four containers, env, volumes,
// probes, managedFields), as kube-apiserver sends it:
//   - ReviewParser::parse (simdjson On-Demand, request fields and every
//     container extracted), with a reused parser and with a fresh one;
//   - the same plus parsing each container's image reference;
//   - the alternative design on the same bytes: simdjson's DOM parser, parse
//     only and parse + the same extraction;
//   - the baseline: nlohmann::json::parse of the same bytes (parse only);
//   - writing the AdmissionReview response (allow; deny with warnings and
//     audit annotations), and nlohmann building and dumping the same denial.
// Bytes/s are of the request body.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "admission/admission_response.hpp"
#include "admission/admission_review.hpp"
#include "admission/image_reference.hpp"

namespace {

namespace admission = zastava::admission;

const std::string& pod_review() {
  static const std::string text = [] {
    const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" /
                      "data" / "admission" / "pod_create.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::ostringstream body;
    body << in.rdbuf();
    return body.str();
  }();
  return text;
}

void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(pod_review().size()));
}

void BM_AdmissionParse_Reused(benchmark::State& state) {
  admission::ReviewParser parser;
  for (auto _ : state) {
    auto request = parser.parse(pod_review());
    if (!request || request->workload->containers.size() != 4) state.SkipWithError("parse");
    benchmark::DoNotOptimize(request);
  }
  set_bytes(state);
}
BENCHMARK(BM_AdmissionParse_Reused);

void BM_AdmissionParse_FreshParser(benchmark::State& state) {
  for (auto _ : state) {
    auto request = admission::parse_admission_review(pod_review());
    if (!request) state.SkipWithError("parse");
    benchmark::DoNotOptimize(request);
  }
  set_bytes(state);
}
BENCHMARK(BM_AdmissionParse_FreshParser);

void BM_AdmissionParse_WithImageReferences(benchmark::State& state) {
  admission::ReviewParser parser;
  for (auto _ : state) {
    auto request = parser.parse(pod_review());
    if (!request) state.SkipWithError("parse");
    for (const admission::Container* container : request->workload->changed_containers()) {
      auto reference = admission::parse_image_reference(container->image);
      if (!reference) state.SkipWithError("reference");
      benchmark::DoNotOptimize(reference);
    }
  }
  set_bytes(state);
}
BENCHMARK(BM_AdmissionParse_WithImageReferences);

// Baseline: simdjson's DOM parser building its tape for the whole document
// (what a DOM-based extraction would pay before reading a single field).
void BM_AdmissionParse_SimdjsonDomOnly(benchmark::State& state) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(pod_review());
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(padded).get(root)) state.SkipWithError("parse");
    benchmark::DoNotOptimize(root);
  }
  set_bytes(state);
}
BENCHMARK(BM_AdmissionParse_SimdjsonDomOnly);

// The alternative design, measured to choose between them: simdjson's DOM
// parser (whole document validated and put on a tape) and then the same
// fields looked up by key and copied into the same AdmissionRequest. Errors
// are not reported in detail here; it is a measurement, not a second parser.
admission::Container dom_container(simdjson::dom::object container, admission::ContainerList list) {
  admission::Container out;
  out.list = list;
  std::string_view text;
  if (!container["name"].get(text)) out.name = text;
  if (!container["image"].get(text)) out.image = text;
  if (!container["imagePullPolicy"].get(text)) out.image_pull_policy = text;
  return out;
}

void dom_pairs(simdjson::dom::element element, admission::StringPairs& out) {
  simdjson::dom::object object;
  if (element.get(object)) return;
  for (auto [key, value] : object) {
    std::string_view text;
    if (!value.get(text)) out.emplace_back(std::string(key), std::string(text));
  }
}

bool dom_extract(simdjson::dom::element root, admission::AdmissionRequest& out) {
  simdjson::dom::object request;
  if (root["request"].get(request)) return false;
  std::string_view text;
  if (root["apiVersion"].get(text) || root["kind"].get(text)) return false;
  if (request["uid"].get(text)) return false;
  out.uid = text;
  simdjson::dom::object kind;
  if (request["kind"].get(kind)) return false;
  if (!kind["group"].get(text)) out.kind.group = text;
  if (!kind["version"].get(text)) out.kind.version = text;
  if (!kind["kind"].get(text)) out.kind.kind = text;
  if (!request["namespace"].get(text)) out.namespace_name = text;
  if (request["operation"].get(text)) return false;
  simdjson::dom::object user;
  if (!request["userInfo"].get(user)) {
    if (!user["username"].get(text)) out.user_info.username = text;
    simdjson::dom::array groups;
    if (!user["groups"].get(groups)) {
      for (auto group : groups) {
        if (!group.get(text)) out.user_info.groups.emplace_back(text);
      }
    }
  }
  simdjson::dom::object object;
  if (request["object"].get(object)) return false;
  admission::Workload workload;
  simdjson::dom::object metadata;
  if (!object["metadata"].get(metadata)) {
    if (!metadata["generateName"].get(text)) workload.name = text;
    dom_pairs(metadata["labels"], workload.labels);
    dom_pairs(metadata["annotations"], workload.annotations);
  }
  simdjson::dom::object spec;
  if (object["spec"].get(spec)) return false;
  const std::pair<const char*, admission::ContainerList> lists[] = {
      {"containers", admission::ContainerList::kContainers},
      {"initContainers", admission::ContainerList::kInitContainers},
      {"ephemeralContainers", admission::ContainerList::kEphemeralContainers}};
  for (const auto& [name, list] : lists) {
    simdjson::dom::array containers;
    if (spec[name].get(containers)) continue;
    for (auto container : containers) {
      simdjson::dom::object fields;
      if (container.get(fields)) return false;
      workload.containers.push_back(dom_container(fields, list));
    }
  }
  out.workload = std::move(workload);
  return true;
}

void BM_AdmissionParse_SimdjsonDomExtract(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) {
    // Padded per parse, as the webhook's body would have to be.
    const simdjson::padded_string padded(pod_review());
    simdjson::dom::element root;
    admission::AdmissionRequest request;
    if (parser.parse(padded).get(root) || !dom_extract(root, request) ||
        request.workload->containers.size() != 4) {
      state.SkipWithError("parse");
    }
    benchmark::DoNotOptimize(request);
  }
  set_bytes(state);
}
BENCHMARK(BM_AdmissionParse_SimdjsonDomExtract);

// Baseline: nlohmann parsing the same bytes into a tree, nothing extracted.
void BM_AdmissionParse_NlohmannOnly(benchmark::State& state) {
  for (auto _ : state) {
    auto json = nlohmann::json::parse(pod_review());
    benchmark::DoNotOptimize(json);
  }
  set_bytes(state);
}
BENCHMARK(BM_AdmissionParse_NlohmannOnly);

void BM_ImageReference_Parse(benchmark::State& state) {
  const std::string image =
      "registry.example.com/shop/checkout:1.14.2@sha256:"
      "4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac";
  for (auto _ : state) {
    auto reference = admission::parse_image_reference(image);
    benchmark::DoNotOptimize(reference);
  }
}
BENCHMARK(BM_ImageReference_Parse);

admission::AdmissionResponse denial() {
  admission::AdmissionResponse response = admission::AdmissionResponse::deny(
      "705ab4f5-6393-11e8-b7cc-42010a800002",
      "container checkout: image registry.example.com/shop/checkout:1.14.2: facet os: "
      "maxAddedFiles 10, actual 42\ncontainer envoy: image docker.io/envoyproxy/envoy:v1.29.1 "
      "has no digest (DigestRequired)");
  response.warnings = {"container log-shipper: facet lang/python drifted 3 files (quota warn)",
                       "container migrate: provcache miss, evaluated"};
  response.audit_annotations = {
      {"verikey", "sha256:9f2c4e1a7b3d5f6e8a0c2b4d6f8e0a1c3b5d7f9e1a3c5b7d9f1e3a5c7b9d1f3e"},
      {"decision", "deny"},
      {"trust-score", "42"},
      {"seal-ids", "sha256:1111111111111111111111111111111111111111111111111111111111111111"}};
  return response;
}

void BM_AdmissionResponse_Allow(benchmark::State& state) {
  const auto response = admission::AdmissionResponse::allow("705ab4f5-6393-11e8-b7cc-42010a800002");
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!admission::append_admission_review(out, admission::ReviewVersion::kV1, response).ok()) {
      state.SkipWithError("write");
    }
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_AdmissionResponse_Allow);

void BM_AdmissionResponse_Deny(benchmark::State& state) {
  const auto response = denial();
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!admission::append_admission_review(out, admission::ReviewVersion::kV1, response).ok()) {
      state.SkipWithError("write");
    }
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_AdmissionResponse_Deny);

// Baseline: the same denial built as an nlohmann tree and dumped.
void BM_AdmissionResponse_DenyNlohmann(benchmark::State& state) {
  const auto response = denial();
  for (auto _ : state) {
    nlohmann::json annotations = nlohmann::json::object();
    for (const auto& [key, value] : response.audit_annotations) annotations[key] = value;
    const nlohmann::json review = {
        {"apiVersion", "admission.k8s.io/v1"},
        {"kind", "AdmissionReview"},
        {"response",
         {{"uid", response.uid},
          {"allowed", false},
          {"status",
           {{"code", 403}, {"reason", "Forbidden"}, {"message", response.status_message}}},
          {"warnings", response.warnings},
          {"auditAnnotations", annotations}}}};
    std::string out = review.dump();
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_AdmissionResponse_DenyNlohmann);

}  // namespace
