// OCI image layout directories (image-spec image-layout.md): index.json ->
// (image index ->) image manifest -> config and layers, every blob under
// blobs/sha256/<hex> and verified against its descriptor's digest and size.
// Docker v2 schema 2 manifests and manifest lists are read the same way.

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "image/formats.hpp"
#include "image/json_doc.hpp"
#include "image/layer_stream.hpp"
#include "image/layered_read.hpp"

namespace zastava::image::detail {
namespace {

constexpr std::uint64_t kMaxDocumentBytes = 16u << 20;  // index, manifest, config
constexpr int kMaxIndexDepth = 4;
constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

bool is_index_type(std::string_view media_type) {
  return media_type == "application/vnd.oci.image.index.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

bool is_manifest_type(std::string_view media_type) {
  return media_type == "application/vnd.oci.image.manifest.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.v2+json";
}

std::optional<Compression> layer_compression(std::string_view media_type) {
  static const std::pair<std::string_view, Compression> kTypes[] = {
      {"application/vnd.oci.image.layer.v1.tar", Compression::kNone},
      {"application/vnd.oci.image.layer.v1.tar+gzip", Compression::kGzip},
      {"application/vnd.oci.image.layer.v1.tar+zstd", Compression::kZstd},
      {"application/vnd.oci.image.layer.nondistributable.v1.tar", Compression::kNone},
      {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", Compression::kGzip},
      {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", Compression::kZstd},
      {"application/vnd.docker.image.rootfs.diff.tar.gzip", Compression::kGzip},
      {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", Compression::kGzip},
  };
  for (const auto& [type, compression] : kTypes) {
    if (type == media_type) return compression;
  }
  return std::nullopt;
}

struct Descriptor {
  std::string media_type;
  std::string digest_text;  // "sha256:..."
  digest::Sha256Digest digest{};
  std::uint64_t size = 0;
  nlohmann::json platform;  // null when absent
  std::string ref_name;     // the tag annotation, "" when absent
};

Descriptor parse_descriptor(const nlohmann::json& json, const std::string& what) {
  if (!json.is_object()) throw ImageError(ErrorCode::kParse, what + " is not a JSON object");
  Descriptor descriptor;
  descriptor.media_type = optional_string_field(json, "mediaType", what);
  descriptor.digest_text = string_field(json, "digest", what);
  descriptor.digest = parse_sha256_digest(descriptor.digest_text, what);
  const auto size = json.find("size");
  if (size == json.end() || !size->is_number_unsigned()) {
    throw ImageError(ErrorCode::kParse,
                     what + ": \"size\" is missing or not a non-negative integer");
  }
  descriptor.size = size->get<std::uint64_t>();
  if (const auto platform = json.find("platform"); platform != json.end()) {
    descriptor.platform = *platform;
  }
  if (const auto annotations = json.find("annotations");
      annotations != json.end() && annotations->is_object()) {
    descriptor.ref_name = optional_string_field(*annotations, kRefNameAnnotation, what);
  }
  return descriptor;
}

std::vector<Descriptor> parse_descriptors(const nlohmann::json& document, std::string_view key,
                                          const std::string& what) {
  const auto list = document.find(key);
  if (list == document.end() || !list->is_array()) {
    throw ImageError(ErrorCode::kParse,
                     what + ": \"" + std::string(key) + "\" is missing or not an array");
  }
  std::vector<Descriptor> descriptors;
  for (std::size_t i = 0; i < list->size(); ++i) {
    descriptors.push_back(parse_descriptor(
        (*list)[i], what + " " + std::string(key) + "[" + std::to_string(i) + "]"));
  }
  return descriptors;
}

struct Platform {
  std::string os, architecture, variant;

  static Platform parse(std::string_view text) {
    Platform platform;
    std::vector<std::string> parts;
    std::istringstream stream{std::string(text)};
    for (std::string part; std::getline(stream, part, '/');) parts.push_back(part);
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
      throw ImageError(ErrorCode::kInvalidArgument,
                       "platform \"" + std::string(text) + "\" is not os/arch[/variant]");
    }
    platform.os = parts[0];
    platform.architecture = parts[1];
    if (parts.size() == 3) platform.variant = parts[2];
    return platform;
  }

  static Platform of(const nlohmann::json& json) {
    Platform platform;
    if (!json.is_object()) return platform;
    const auto text = [&](const char* key) {
      const auto found = json.find(key);
      return found != json.end() && found->is_string() ? found->get<std::string>() : std::string();
    };
    platform.os = text("os");
    platform.architecture = text("architecture");
    platform.variant = text("variant");
    return platform;
  }

  // `wanted` without a variant accepts any variant.
  [[nodiscard]] bool satisfies(const Platform& wanted) const {
    return os == wanted.os && architecture == wanted.architecture &&
           (wanted.variant.empty() || variant == wanted.variant);
  }

  [[nodiscard]] std::string text() const {
    return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
  }
};

std::string read_small_file(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageError(ErrorCode::kNotFound, what + " not found: " + path.string());
  std::string content;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > kMaxDocumentBytes) {
      throw ImageError(ErrorCode::kParse,
                       what + " is larger than " + std::to_string(kMaxDocumentBytes) + " bytes");
    }
  }
  if (in.bad()) throw ImageError(ErrorCode::kIo, "cannot read " + what + ": " + path.string());
  return content;
}

class OciLayout {
 public:
  OciLayout(std::filesystem::path root, const ReadOptions& options)
      : root_(std::move(root)), options_(options) {}

  ImageContents read(const std::string& tag) {
    check_layout_marker();
    const std::string index_name = "index.json of " + root_.string();
    const auto index =
        parse_json_document(read_small_file(root_ / "index.json", index_name), index_name);
    const Descriptor tagged = select_by_tag(parse_descriptors(index, "manifests", index_name), tag);
    const auto [manifest_descriptor, manifest] = resolve_manifest(tagged, 0);

    ImageContents contents;
    contents.image_digest = manifest_descriptor.digest_text;
    const std::string manifest_name = "manifest " + manifest_descriptor.digest_text;
    const Descriptor config =
        parse_descriptor(manifest.contains("config") ? manifest["config"] : nlohmann::json(),
                         manifest_name + " config");
    parse_json_document(read_blob(config, "config"), "config " + config.digest_text);
    contents.config_digest = config.digest_text;

    read_layers(layer_jobs(parse_descriptors(manifest, "layers", manifest_name)), options_,
                contents);
    return contents;
  }

 private:
  void check_layout_marker() const {
    std::error_code error;
    if (!std::filesystem::is_directory(root_, error)) {
      throw ImageError(ErrorCode::kNotFound, "OCI layout directory not found: " + root_.string());
    }
    const auto marker_path = root_ / "oci-layout";
    if (!std::filesystem::exists(marker_path, error)) return;  // optional in practice
    const std::string what = "oci-layout of " + root_.string();
    const auto marker = parse_json_document(read_small_file(marker_path, what), what);
    const std::string version = optional_string_field(marker, "imageLayoutVersion", what);
    if (!version.starts_with("1.")) {
      throw ImageError(ErrorCode::kUnsupported,
                       what + ": imageLayoutVersion \"" + version + "\" is not supported");
    }
  }

  std::filesystem::path blob_path(const Descriptor& descriptor) const {
    return root_ / "blobs" / "sha256" / descriptor.digest_text.substr(7);
  }

  static std::string tag_list(const std::vector<Descriptor>& manifests) {
    std::string tags;
    for (const auto& manifest : manifests) {
      if (manifest.ref_name.empty()) continue;
      tags += (tags.empty() ? "" : ", ") + manifest.ref_name;
    }
    return tags.empty() ? "none" : tags;
  }

  Descriptor select_by_tag(const std::vector<Descriptor>& manifests, const std::string& tag) const {
    if (tag.empty()) {
      if (manifests.size() == 1) return manifests.front();
      throw ImageError(ErrorCode::kInvalidArgument,
                       root_.string() + " holds " + std::to_string(manifests.size()) +
                           " manifests; name one with oci:" + root_.string() +
                           ":TAG (tags: " + tag_list(manifests) + ")");
    }
    for (const auto& manifest : manifests) {
      if (manifest.ref_name == tag) return manifest;
    }
    throw ImageError(ErrorCode::kNotFound, "no manifest tagged \"" + tag + "\" in " +
                                               root_.string() + " (tags: " + tag_list(manifests) +
                                               ")");
  }

  // A small blob (manifest, index, config), checked against its descriptor.
  std::string read_blob(const Descriptor& descriptor, const std::string& kind) const {
    const std::string what = kind + " " + descriptor.digest_text;
    if (descriptor.size > kMaxDocumentBytes) {
      throw ImageError(ErrorCode::kParse,
                       what + " is larger than " + std::to_string(kMaxDocumentBytes) + " bytes");
    }
    const auto path = blob_path(descriptor);
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
      throw ImageError(ErrorCode::kNotFound, what + " is missing from " + root_.string());
    }
    std::string content = read_small_file(path, what);
    if (content.size() != descriptor.size) {
      throw ImageError(ErrorCode::kVerification, what + " has " + std::to_string(content.size()) +
                                                     " bytes, its descriptor says " +
                                                     std::to_string(descriptor.size));
    }
    const auto actual = digest::sha256(as_bytes(content));
    if (actual != descriptor.digest) {
      throw ImageError(ErrorCode::kVerification, what + ": digest mismatch (the blob is " +
                                                     format_sha256_digest(actual) + ")");
    }
    return content;
  }

  std::pair<Descriptor, nlohmann::json> resolve_manifest(const Descriptor& descriptor,
                                                         int depth) const {
    const std::string what = "manifest " + descriptor.digest_text;
    auto document = parse_json_document(read_blob(descriptor, "manifest"), what);
    std::string media_type = descriptor.media_type;
    if (media_type.empty()) media_type = optional_string_field(document, "mediaType", what);
    if (media_type.empty()) {
      // Older writers leave the type out; the shape tells.
      media_type = document.contains("manifests") ? "application/vnd.oci.image.index.v1+json"
                                                  : "application/vnd.oci.image.manifest.v1+json";
    }
    if (is_manifest_type(media_type)) return {descriptor, std::move(document)};
    if (!is_index_type(media_type)) {
      throw ImageError(ErrorCode::kUnsupported,
                       what + ": media type \"" + media_type + "\" is not supported");
    }
    if (depth >= kMaxIndexDepth) {
      throw ImageError(ErrorCode::kParse, what + ": image indexes nested too deep");
    }
    const std::string index_name = "image index " + descriptor.digest_text;
    return resolve_manifest(
        select_platform(parse_descriptors(document, "manifests", index_name), index_name),
        depth + 1);
  }

  Descriptor select_platform(const std::vector<Descriptor>& manifests,
                             const std::string& index_name) const {
    const Platform wanted = Platform::parse(options_.platform);
    std::string available;
    for (const auto& manifest : manifests) {
      const Platform platform = Platform::of(manifest.platform);
      if (platform.satisfies(wanted)) return manifest;
      available += (available.empty() ? "" : ", ") + platform.text();
    }
    throw ImageError(ErrorCode::kNotFound, index_name + " has no manifest for platform " +
                                               wanted.text() + " (it has: " + available + ")");
  }

  std::vector<LayerJob> layer_jobs(const std::vector<Descriptor>& layers) const {
    std::vector<LayerJob> jobs;
    for (const auto& layer : layers) {
      LayerJob job;
      job.spec.name = "layer " + layer.digest_text;
      job.spec.digest = layer.digest;
      job.spec.digest_of = DigestOf::kStoredBlob;
      const auto compression = layer_compression(layer.media_type);
      if (!compression) {
        throw ImageError(ErrorCode::kUnsupported, job.spec.name + ": media type \"" +
                                                      layer.media_type + "\" is not supported");
      }
      job.spec.compression = *compression;
      job.stored_size = layer.size;
      const std::string path = blob_path(layer).string();
      check_blob_size(path, layer, job.spec.name);
      job.open = [path](std::function<void(std::size_t)> on_bytes) {
        return open_file_source(path, std::move(on_bytes));
      };
      jobs.push_back(std::move(job));
    }
    return jobs;
  }

  // Fails fast, before any decompression, on a missing or cut blob.
  void check_blob_size(const std::string& path, const Descriptor& layer,
                       const std::string& name) const {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
      throw ImageError(ErrorCode::kNotFound, name + " is missing from " + root_.string());
    }
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (size < layer.size) {
      throw ImageError(ErrorCode::kParse, name + " is truncated: " + std::to_string(size) + " of " +
                                              std::to_string(layer.size) + " bytes");
    }
    if (size > layer.size) {
      throw ImageError(ErrorCode::kVerification, name + " has " + std::to_string(size) +
                                                     " bytes, its descriptor says " +
                                                     std::to_string(layer.size));
    }
  }

  std::filesystem::path root_;
  const ReadOptions& options_;
};

}  // namespace

ImageContents read_oci_layout(const ImageSource& source, const ReadOptions& options) {
  return OciLayout(source.path, options).read(source.tag);
}

}  // namespace zastava::image::detail
