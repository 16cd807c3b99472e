#include "admission/admission_review.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "admission/image_reference.hpp"

namespace zastava::admission {
namespace {

std::string read_data(const std::string& name) {
  const auto path = std::filesystem::path(ZASTAVA_TESTDATA_DIR) / "admission" / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

AdmissionRequest parse_file(const std::string& name) {
  auto request = parse_admission_review(read_data(name));
  if (!request) throw std::runtime_error(name + ": " + request.error().describe());
  return std::move(request).value();
}

std::string label(const StringPairs& pairs, const std::string& key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return "<absent>";
}

// "list/name=image" for each container, for compact comparisons.
std::vector<std::string> describe(const std::vector<Container>& containers) {
  std::vector<std::string> out;
  for (const Container& c : containers) {
    out.push_back(std::string(to_string(c.list)) + "/" + c.name + "=" + c.image +
                  (c.image_changed ? "" : " (unchanged)"));
  }
  return out;
}

const std::string kDigestA =
    "sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac";
const std::string kDigestB =
    "sha256:a5c3d1f1e2b7c9d0e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5";
const std::string kDigestC =
    "sha256:0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e";

TEST(AdmissionReview, PodCreateReadsTheRequestAndEveryContainer) {
  const AdmissionRequest request = parse_file("pod_create.json");
  EXPECT_EQ(request.version, ReviewVersion::kV1);
  EXPECT_EQ(request.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(request.kind, (GroupVersionKind{"", "v1", "Pod"}));
  EXPECT_EQ(request.resource, (GroupVersionResource{"", "v1", "pods"}));
  ASSERT_TRUE(request.request_kind.has_value());
  EXPECT_EQ(*request.request_kind, (GroupVersionKind{"", "v1", "Pod"}));
  EXPECT_EQ(request.sub_resource, "");
  EXPECT_EQ(request.namespace_name, "shop");
  EXPECT_EQ(request.name, "");
  EXPECT_EQ(request.operation, Operation::kCreate);
  EXPECT_EQ(request.user_info.username, "system:serviceaccount:kube-system:replicaset-controller");
  EXPECT_EQ(request.user_info.uid, "6f1c2e4a-93b8-4c55-8d0e-2b7f0a9c1d34");
  EXPECT_EQ(
      request.user_info.groups,
      (std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:kube-system",
                                "system:authenticated"}));
  EXPECT_FALSE(request.dry_run);

  ASSERT_TRUE(request.handled()) << request.not_handled_reason;
  const Workload& pod = *request.workload;
  EXPECT_EQ(pod.kind, WorkloadKind::kPod);
  EXPECT_EQ(pod.namespace_name, "shop");
  EXPECT_EQ(pod.name, "checkout-7c9d8b6f5d-");
  EXPECT_TRUE(pod.name_is_generated);
  EXPECT_EQ(pod.labels.size(), 4u);
  EXPECT_EQ(label(pod.labels, "app.kubernetes.io/name"), "checkout");
  EXPECT_EQ(label(pod.labels, "pod-template-hash"), "7c9d8b6f5d");
  EXPECT_EQ(pod.annotations.size(), 3u);
  EXPECT_EQ(label(pod.annotations, "prometheus.io/port"), "9090");
  EXPECT_EQ(describe(pod.containers),
            (std::vector<std::string>{
                "containers/checkout=registry.example.com/shop/checkout:1.14.2@" + kDigestA,
                "containers/envoy=docker.io/envoyproxy/envoy:v1.29.1",
                "containers/log-shipper=fluent/fluent-bit",
                "initContainers/migrate=registry.example.com/shop/checkout-migrate@" + kDigestB}));
  EXPECT_EQ(pod.containers[0].image_pull_policy, "IfNotPresent");
  EXPECT_EQ(pod.containers[2].image_pull_policy, "Always");
  EXPECT_TRUE(request.needs_image_checks());
  EXPECT_EQ(pod.changed_containers().size(), 4u);
  for (const Container& container : pod.containers) {
    EXPECT_TRUE(parse_image_reference(container.image).ok()) << container.image;
  }
}

struct WorkloadCase {
  std::string file;
  WorkloadKind kind;
  std::string name;
  std::string namespace_name;
  std::vector<std::string> containers;
};

class WorkloadFile : public ::testing::TestWithParam<WorkloadCase> {};

TEST_P(WorkloadFile, FindsThePodTemplate) {
  const WorkloadCase& c = GetParam();
  const AdmissionRequest request = parse_file(c.file);
  ASSERT_TRUE(request.handled()) << request.not_handled_reason;
  EXPECT_EQ(request.workload->kind, c.kind);
  EXPECT_EQ(request.workload->name, c.name);
  EXPECT_FALSE(request.workload->name_is_generated);
  EXPECT_EQ(request.workload->namespace_name, c.namespace_name);
  EXPECT_EQ(describe(request.workload->containers), c.containers);
  EXPECT_TRUE(request.needs_image_checks());
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, WorkloadFile,
    ::testing::Values(WorkloadCase{"deployment_create.json",
                                   WorkloadKind::kDeployment,
                                   "web",
                                   "shop",
                                   {"containers/web=nginx:1.25",
                                    "initContainers/init-perms=busybox@" + kDigestC}},
                      WorkloadCase{"statefulset_create.json",
                                   WorkloadKind::kStatefulSet,
                                   "db",
                                   "shop",
                                   {"containers/db=quay.io/example/db:15.4"}},
                      WorkloadCase{"daemonset_create.json",
                                   WorkloadKind::kDaemonSet,
                                   "node-agent",
                                   "kube-system",
                                   {"containers/agent=localhost:5000/node-agent:2.0"}},
                      WorkloadCase{"job_create.json",
                                   WorkloadKind::kJob,
                                   "nightly-report",
                                   "shop",
                                   {"containers/report=ghcr.io/example/report@" + kDigestA}},
                      WorkloadCase{"cronjob_create.json",
                                   WorkloadKind::kCronJob,
                                   "backup",
                                   "shop",
                                   {"containers/backup=[fd00::1]:5000/backup/runner:3.1"}},
                      WorkloadCase{"cronjob_v1beta1_create.json",
                                   WorkloadKind::kCronJob,
                                   "backup",
                                   "shop",
                                   {"containers/backup=[fd00::1]:5000/backup/runner:3.1"}},
                      WorkloadCase{"pod_v1beta1_create.json",
                                   WorkloadKind::kPod,
                                   "debug-shell",
                                   "default",
                                   {"containers/shell=alpine:3.19"}}));

TEST(AdmissionReview, KeepsTheV1beta1Version) {
  EXPECT_EQ(parse_file("pod_v1beta1_create.json").version, ReviewVersion::kV1beta1);
  EXPECT_EQ(parse_file("deployment_create.json").version, ReviewVersion::kV1);
}

TEST(AdmissionReview, EphemeralContainerUpdateChecksOnlyTheNewContainer) {
  const AdmissionRequest request = parse_file("pod_ephemeral_update.json");
  EXPECT_EQ(request.operation, Operation::kUpdate);
  EXPECT_EQ(request.sub_resource, "ephemeralcontainers");
  ASSERT_TRUE(request.handled()) << request.not_handled_reason;
  EXPECT_EQ(request.workload->name, "checkout-7c9d8b6f5d-x8k2p");
  EXPECT_FALSE(request.workload->name_is_generated);
  ASSERT_TRUE(request.needs_image_checks());
  const auto changed = request.workload->changed_containers();
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0]->list, ContainerList::kEphemeralContainers);
  EXPECT_EQ(changed[0]->name, "debugger-7qz9x");
  EXPECT_EQ(changed[0]->image, "busybox:1.36");
  EXPECT_EQ(request.workload->containers.size(), 5u);
}

TEST(AdmissionReview, UpdateWithoutImageChangeNeedsNoChecks) {
  const AdmissionRequest request = parse_file("deployment_update_no_image_change.json");
  ASSERT_TRUE(request.handled()) << request.not_handled_reason;
  EXPECT_FALSE(request.needs_image_checks());
  EXPECT_TRUE(request.workload->changed_containers().empty());
  EXPECT_EQ(request.workload->containers.size(), 2u);
}

TEST(AdmissionReview, UpdateMarksOnlyTheChangedImage) {
  const AdmissionRequest request = parse_file("deployment_update_image_change.json");
  ASSERT_TRUE(request.handled());
  EXPECT_EQ(
      describe(request.workload->containers),
      (std::vector<std::string>{"containers/web=nginx:1.26",
                                "initContainers/init-perms=busybox@" + kDigestC + " (unchanged)"}));
}

TEST(AdmissionReview, ReadsDryRun) {
  const AdmissionRequest request = parse_file("pod_dry_run.json");
  EXPECT_TRUE(request.dry_run);
  EXPECT_TRUE(request.handled());
}

TEST(AdmissionReview, RequestsThatAdmitNoWorkloadAreNotHandled) {
  const AdmissionRequest config_map = parse_file("configmap_create.json");
  EXPECT_FALSE(config_map.handled());
  EXPECT_FALSE(config_map.needs_image_checks());
  EXPECT_EQ(config_map.not_handled_reason, "kind v1 ConfigMap is not a workload");

  const AdmissionRequest status = parse_file("pod_status_update.json");
  EXPECT_FALSE(status.handled());
  EXPECT_EQ(status.not_handled_reason, "subresource status of Pod admits no new images");

  const AdmissionRequest deletion = parse_file("pod_delete.json");
  EXPECT_FALSE(deletion.handled());
  EXPECT_EQ(deletion.operation, Operation::kDelete);
  EXPECT_EQ(deletion.not_handled_reason, "DELETE requests admit no new images");
}

TEST(AdmissionReview, AKindOfTheSameNameInAnotherGroupIsNotAWorkload) {
  auto request = parse_admission_review(
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
      R"("kind":{"group":"example.com","version":"v1","kind":"Deployment"},"operation":"CREATE",)"
      R"("object":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}}})");
  ASSERT_TRUE(request.ok()) << request.error().describe();
  EXPECT_FALSE(request->handled());
  EXPECT_EQ(request->not_handled_reason, "kind example.com/v1 Deployment is not a workload");
}

TEST(AdmissionReview, ObjectsOfOtherKindsAreNotRead) {
  // A custom resource whose "containers" are not a Pod's is no error.
  auto request = parse_admission_review(
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
      R"("kind":{"group":"argoproj.io","version":"v1alpha1","kind":"Workflow"},)"
      R"("operation":"CREATE","object":{"spec":{"containers":[{"template":"x"}]}}}})");
  ASSERT_TRUE(request.ok()) << request.error().describe();
  EXPECT_FALSE(request->handled());
  EXPECT_EQ(request->not_handled_reason, "kind argoproj.io/v1alpha1 Workflow is not a workload");
}

// Members in any order (kube-apiserver writes them in struct order, other
// clients may not), escaped strings unescaped, unknown members skipped.
TEST(AdmissionReview, ReadsMembersInAnyOrder) {
  auto request = parse_admission_review(
      R"({"request":{"object":{"spec":{"extra":[1,{"containers":"not these"}],)"
      R"("containers":[{"image":"nginx\u003a1.25","ports":[{"containerPort":80}],"name":"web"}]},)"
      R"("metadata":{"labels":{"tier":"fr\u00f8nt"},"namespace":"meta-ns","name":"p"},"kind":"Pod"},)"
      R"("operation":"CREATE","kind":{"kind":"Pod","version":"v1","group":""},"uid":"u-1",)"
      R"("unknown":{"nested":[true,false,null]}},"kind":"AdmissionReview",)"
      R"("apiVersion":"admission.k8s.io/v1"})");
  ASSERT_TRUE(request.ok()) << request.error().describe();
  ASSERT_TRUE(request->handled());
  EXPECT_EQ(request->uid, "u-1");
  EXPECT_EQ(request->workload->namespace_name, "meta-ns");  // request.namespace is absent
  EXPECT_EQ(request->workload->name, "p");
  EXPECT_EQ(label(request->workload->labels, "tier"), "fr\xc3\xb8nt");
  EXPECT_EQ(describe(request->workload->containers),
            (std::vector<std::string>{"containers/web=nginx:1.25"}));
}

TEST(AdmissionReview, AParserIsReusable) {
  ReviewParser parser;
  const std::string pod = read_data("pod_create.json");
  auto first = parser.parse(pod);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(parser.parse(read_data("configmap_create.json")).ok());
  ASSERT_FALSE(parser.parse("{").ok());
  ASSERT_TRUE(parser.parse(read_data("pod_ephemeral_update.json")).ok());  // a larger body
  auto again = parser.parse(pod);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(describe(again->workload->containers), describe(first->workload->containers));
  EXPECT_EQ(again->uid, first->uid);
}

// --- errors ------------------------------------------------------------------

void expect_error(std::string_view body, std::string_view expected) {
  auto request = parse_admission_review(body);
  ASSERT_FALSE(request.ok()) << body;
  EXPECT_EQ(request.error().code, ErrorCode::kParse);
  EXPECT_EQ(request.error().message, expected) << body;
}

void expect_error_containing(std::string_view body, std::string_view part) {
  auto request = parse_admission_review(body);
  ASSERT_FALSE(request.ok()) << body;
  EXPECT_EQ(request.error().code, ErrorCode::kParse);
  EXPECT_NE(request.error().message.find(part), std::string::npos)
      << "expected \"" << part << "\" in: " << request.error().message;
}

TEST(AdmissionReviewErrors, MalformedFiles) {
  expect_error(read_data("malformed_container_without_image.json"),
               "AdmissionReview: request.object.spec.containers[0] (\"shell\") has no image");
  expect_error(read_data("malformed_missing_uid.json"), "AdmissionReview: request.uid is missing");
  expect_error(read_data("malformed_wrong_api_version.json"),
               "AdmissionReview: apiVersion \"admission.k8s.io/v2\" is not admission.k8s.io/v1 "
               "or admission.k8s.io/v1beta1");
  expect_error_containing(read_data("malformed_truncated.json"),
                          "AdmissionReview is not valid JSON");
}

TEST(AdmissionReviewErrors, NotJsonOrNotAnObject) {
  expect_error("", "AdmissionReview: the body is empty");
  expect_error_containing("hello", "AdmissionReview is not valid JSON");
  expect_error_containing("{", "AdmissionReview is not valid JSON");
  expect_error_containing(R"({"kind":"AdmissionReview",)", "AdmissionReview is not valid JSON");
  expect_error_containing("{\"kind\":\"Admission\xff\"}", "AdmissionReview is not valid JSON");
  expect_error("[1,2]", "AdmissionReview must be a JSON object");
  expect_error("\"AdmissionReview\"", "AdmissionReview must be a JSON object");
  expect_error_containing(
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
      R"("kind":{"kind":"Pod"},"operation":"DELETE"}} {})",
      "content after the top-level object");
}

TEST(AdmissionReviewErrors, WrongEnvelope) {
  expect_error(R"({"kind":"AdmissionReview","request":{}})",
               "AdmissionReview: request.uid is missing");
  expect_error(R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u"}})",
               "AdmissionReview: request.kind is missing");
  expect_error(R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod"})",
               "AdmissionReview: kind \"Pod\" is not AdmissionReview");
  expect_error(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})",
               "AdmissionReview: request is missing");
  expect_error(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null})",
               "AdmissionReview: request is null");
  expect_error(R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u","kind":{},)"
               R"("operation":"CREATE"}})",
               "AdmissionReview: kind is missing");
  expect_error(R"({"kind":"AdmissionReview","request":{"uid":"u","kind":{},"operation":"CREATE"}})",
               "AdmissionReview: apiVersion is missing");
  expect_error(R"({"apiVersion":1,"kind":"AdmissionReview"})",
               "AdmissionReview: apiVersion must be a string");
  expect_error(R"({"apiVersion":"admission.k8s.io/v1","apiVersion":"admission.k8s.io/v1"})",
               "AdmissionReview: the document has a duplicate member \"apiVersion\"");
}

std::string review_with_request(const std::string& request_members) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)" +
         request_members + "}}";
}

const std::string kPodKind = R"("kind":{"group":"","version":"v1","kind":"Pod"})";

TEST(AdmissionReviewErrors, WrongRequest) {
  expect_error(review_with_request(R"("uid":"","kind":{},"operation":"CREATE")"),
               "AdmissionReview: request.uid is empty");
  expect_error(review_with_request(R"("uid":7)"), "AdmissionReview: request.uid must be a string");
  expect_error(review_with_request(R"("uid":"a","uid":"b")"),
               "AdmissionReview: request has a duplicate member \"uid\"");
  expect_error(review_with_request(R"("uid":"u",)" + kPodKind),
               "AdmissionReview: request.operation is missing");
  expect_error(review_with_request(R"("uid":"u",)" + kPodKind + R"(,"operation":"PATCH")"),
               "AdmissionReview: request.operation \"PATCH\" is not CREATE, UPDATE, DELETE or "
               "CONNECT");
  expect_error(review_with_request(R"("uid":"u","kind":"Pod")"),
               "AdmissionReview: request.kind must be an object");
  expect_error(review_with_request(R"("uid":"u","kind":{"kind":5})"),
               "AdmissionReview: request.kind.kind must be a string");
  expect_error(review_with_request(R"("uid":"u","dryRun":"yes")"),
               "AdmissionReview: request.dryRun must be a boolean");
  expect_error(review_with_request(R"("uid":"u","userInfo":{"groups":"admins"})"),
               "AdmissionReview: request.userInfo.groups must be an array");
  expect_error(review_with_request(R"("uid":")" + std::string(kMaxStringBytes + 1, 'u') + "\""),
               "AdmissionReview: request.uid is too long (4097 bytes; at most 4096)");
}

std::string pod_review(const std::string& object) {
  return review_with_request(R"("uid":"u",)" + kPodKind + R"(,"operation":"CREATE","object":)" +
                             object);
}

TEST(AdmissionReviewErrors, WrongObject) {
  expect_error(pod_review("null"), "AdmissionReview: request.object is missing");
  expect_error(pod_review("[]"), "AdmissionReview: request.object must be an object");
  expect_error(pod_review(R"({"spec":{}})"),
               "AdmissionReview: request.object.spec has no containers (Pod)");
  expect_error(pod_review(R"({"spec":{"containers":{}}})"),
               "AdmissionReview: request.object.spec.containers must be an array");
  expect_error(pod_review(R"({"spec":{"containers":[{"name":"a","image":"x"}],)"
                          R"("containers":[]}})"),
               "AdmissionReview: request.object.spec has a duplicate member \"containers\"");
  expect_error(pod_review(R"({"spec":{"containers":["nginx"]}})"),
               "AdmissionReview: request.object.spec.containers[0] must be an object");
  expect_error(pod_review(R"({"spec":{"containers":[{"image":"nginx"}]}})"),
               "AdmissionReview: request.object.spec.containers[0] has no name");
  expect_error(pod_review(R"({"spec":{"containers":[{"name":"a","image":"x"}],)"
                          R"("initContainers":[{"name":"b","image":""}]}})"),
               "AdmissionReview: request.object.spec.initContainers[0] (\"b\") has an empty image");
  expect_error(pod_review(R"({"spec":{"containers":[{"name":"a","image":["x"]}]}})"),
               "AdmissionReview: request.object.spec.containers[0].image must be a string");
  expect_error(pod_review(R"({"spec":{"containers":[{"name":"a","image":"x","image":"y"}]}})"),
               "AdmissionReview: request.object.spec.containers[0] has a duplicate member "
               "\"image\"");
  expect_error(pod_review(R"({"spec":{"containers":[{"name":"a","image":")" +
                          std::string(kMaxImageBytes + 1, 'x') + R"("}]}})"),
               "AdmissionReview: request.object.spec.containers[0].image is too long (4097 "
               "bytes; at most 4096)");
  expect_error(pod_review(R"({"metadata":{"labels":["a"]},"spec":{}})"),
               "AdmissionReview: request.object.metadata.labels must be an object");
  expect_error(pod_review(R"({"metadata":{"labels":{"a":1}},"spec":{}})"),
               "AdmissionReview: request.object.metadata.labels[\"a\"] must be a string");
}

TEST(AdmissionReviewErrors, TemplateErrorsNameTheTemplatePath) {
  expect_error(
      review_with_request(
          R"("uid":"u","kind":{"group":"apps","version":"v1","kind":"Deployment"},)"
          R"("operation":"CREATE","object":{"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}})"),
      "AdmissionReview: request.object.spec.template.spec.containers[0] (\"a\") has no image");
  expect_error(
      review_with_request(
          R"("uid":"u","kind":{"group":"apps","version":"v1","kind":"Deployment"},)"
          R"("operation":"CREATE","object":{"spec":{"containers":[{"name":"a","image":"x"}]}})"),
      "AdmissionReview: request.object.spec.template.spec has no containers (Deployment)");
  expect_error(
      review_with_request(
          R"("uid":"u","kind":{"group":"batch","version":"v1","kind":"CronJob"},)"
          R"("operation":"UPDATE","oldObject":{"spec":{"jobTemplate":{"spec":{"template":)"
          R"({"spec":{"containers":[{"name":"a","image":7}]}}}}}})"),
      "AdmissionReview: request.oldObject.spec.jobTemplate.spec.template.spec.containers[0].image "
      "must be a string");
}

TEST(AdmissionReviewErrors, TemplatesOfTheWrongType) {
  expect_error(review_with_request(
                   R"("uid":"u","kind":{"group":"apps","version":"v1","kind":"StatefulSet"},)"
                   R"("operation":"CREATE","object":{"spec":{"template":[]}})"),
               "AdmissionReview: request.object.spec.template must be an object");
  expect_error(
      review_with_request(R"("uid":"u","kind":{"group":"batch","version":"v1","kind":"CronJob"},)"
                          R"("operation":"CREATE","object":{"spec":{"jobTemplate":{"spec":"x"}}})"),
      "AdmissionReview: request.object.spec.jobTemplate.spec must be an object");
}

TEST(AdmissionReviewErrors, Limits) {
  std::string containers;
  for (std::size_t i = 0; i <= kMaxContainersPerObject; ++i) {
    containers +=
        (i ? "," : "") + std::string(R"({"name":"c)") + std::to_string(i) + R"(","image":"x"})";
  }
  expect_error(pod_review(R"({"spec":{"containers":[)" + containers + "]}}"),
               "AdmissionReview: request.object.spec has more than 512 containers");
  expect_error(std::string(kMaxReviewBytes + 1, ' '),
               "AdmissionReview is too large (3145729 bytes; at most 3145728)");
}

}  // namespace
}  // namespace zastava::admission
