#include "image_input.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "facet/drift.hpp"
#include "progress.hpp"

namespace zastava::cli {
namespace {

// Index and manifest documents are small; a larger one is not one.
constexpr std::size_t kMaxIndexBytes = 4u << 20;

struct ArchiveReadDeleter {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReadDeleter>;

// manifest.json of a docker-archive, or "" when the archive has none. Stops
// at the first match, so only the tar headers before it are read.
Result<std::string> read_docker_manifest(const std::filesystem::path& tarball) {
  const ArchiveReader reader(archive_read_new());
  if (!reader) return make_error(ErrorCode::kInternal, "libarchive: out of memory");
  archive_read_support_format_tar(reader.get());
  archive_read_support_filter_all(reader.get());
  if (archive_read_open_filename(reader.get(), tarball.c_str(), 1 << 16) != ARCHIVE_OK) {
    return make_error(ErrorCode::kIo, "cannot open '" + tarball.string() +
                                          "': " + archive_error_string(reader.get()));
  }
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    const std::string_view path = archive_entry_pathname(entry);
    if (path != "manifest.json" && path != "./manifest.json") continue;
    if (archive_entry_size(entry) > static_cast<la_int64_t>(kMaxIndexBytes)) {
      return make_error(ErrorCode::kParse, tarball.string() + ": manifest.json is too large");
    }
    std::string content(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
    const la_ssize_t read = archive_read_data(reader.get(), content.data(), content.size());
    if (read < 0 || static_cast<std::size_t>(read) != content.size()) {
      return make_error(ErrorCode::kParse, tarball.string() + ": cannot read manifest.json");
    }
    return content;
  }
  return std::string();
}

Result<std::string> docker_archive_name(const std::filesystem::path& tarball) {
  auto manifest_text = read_docker_manifest(tarball);
  if (!manifest_text) return manifest_text.error();
  const auto manifest = nlohmann::json::parse(*manifest_text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_array()) return std::string();
  for (const auto& image : manifest) {
    const auto tags = image.find("RepoTags");
    if (tags == image.end() || !tags->is_array()) continue;
    for (const auto& tag : *tags) {
      if (tag.is_string() && !tag.get<std::string>().empty()) return tag.get<std::string>();
    }
  }
  return std::string();
}

std::string annotation(const nlohmann::json& descriptor, const char* key) {
  const auto annotations = descriptor.find("annotations");
  if (annotations == descriptor.end() || !annotations->is_object()) return "";
  const auto value = annotations->find(key);
  return value != annotations->end() && value->is_string() ? value->get<std::string>() : "";
}

Result<std::string> oci_layout_name(const image::ImageSource& source) {
  std::ifstream file(source.path / "index.json", std::ios::binary);
  if (!file) return std::string();  // read_image reports the missing index
  const auto index = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
    return std::string();
  }
  for (const auto& descriptor : index["manifests"]) {
    const std::string ref_name = annotation(descriptor, "org.opencontainers.image.ref.name");
    if (!source.tag.empty() && ref_name != source.tag) continue;
    if (std::string full = annotation(descriptor, "io.containerd.image.name"); !full.empty()) {
      return full;
    }
    // A bare tag ("v1") names no repository, so it cannot name the image.
    if (ref_name.find_first_of("/:") != std::string::npos) return ref_name;
  }
  return std::string();
}

}  // namespace

Result<std::string> image_name_of(const image::ImageSource& source) {
  switch (source.kind) {
    case image::ImageSource::Kind::kDockerArchive:
      return docker_archive_name(source.path);
    case image::ImageSource::Kind::kOciLayout:
      return oci_layout_name(source);
    case image::ImageSource::Kind::kRootfsDir:
      return std::string();
  }
  return std::string();
}

Result<ImageInput> read_image_input(std::string_view spec, const ImageReadRequest& request) {
  const std::string spec_text(spec);
  auto source = image::parse_image_spec(spec);
  if (!source) return source.error().with_context(spec_text);

  ProgressBar progress("reading " + spec_text);
  image::ReadOptions options;
  if (request.capture_inventory) options.capture = facet::is_inventory_file;
  if (request.show_progress && progress.enabled()) {
    options.progress = [&progress](const image::Progress& done) { progress.update(done); };
  }
  auto contents = image::read_image(*source, options);
  progress.finish();
  if (!contents) return contents.error().with_context(spec_text);

  auto name = image_name_of(*source);
  if (!name) return name.error().with_context(spec_text);
  return ImageInput{spec_text, *source, std::move(contents).value(), std::move(name).value()};
}

}  // namespace zastava::cli
