// docker-archive tarballs (`docker save`, `skopeo copy ... docker-archive:`):
// manifest.json names the config and the layer members; the config's
// rootfs.diff_ids are the digests of the uncompressed layer tars, which is
// what is verified here.
//
// Image digest: a docker-archive carries no registry manifest, so there is no
// manifest digest to report. The honest identity is the config digest, the
// "image ID" docker itself shows; image_digest and config_digest are both set
// to it.
//
// The outer tarball is read with libarchive and never unpacked: one pass
// finds manifest.json, one reads the config, and each layer is streamed
// straight out of its member (members before it are skipped by seeking).

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "image/formats.hpp"
#include "image/json_doc.hpp"
#include "image/layer_stream.hpp"
#include "image/layered_read.hpp"

namespace zastava::image::detail {
namespace {

constexpr std::uint64_t kMaxDocumentBytes = 16u << 20;
constexpr std::size_t kOuterBlockSize = 1u << 20;
constexpr int kMaxSymlinkHops = 8;

struct ArchiveFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

std::string member_name_of(archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  const auto normalized = normalize_path(raw != nullptr ? raw : "");
  return normalized ? normalized->substr(1) : std::string();
}

// The tarball, opened for one pass over its members.
class OuterTar {
 public:
  explicit OuterTar(const std::string& path) : path_(path), archive_(archive_read_new()) {
    if (!archive_) throw ImageError(ErrorCode::kInternal, "libarchive: out of memory");
    archive_read_support_filter_all(archive_.get());
    archive_read_support_format_tar(archive_.get());
    if (archive_read_open_filename(archive_.get(), path.c_str(), kOuterBlockSize) != ARCHIVE_OK) {
      throw ImageError(
          archive_errno(archive_.get()) == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
          "cannot open docker-archive " + path + ": " + error_text());
    }
  }

  // The next member, or nullptr at the end.
  archive_entry* next() {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(archive_.get(), &entry);
    if (status == ARCHIVE_EOF) return nullptr;
    if (status < ARCHIVE_WARN) {
      // Reaching the next header reads past the previous member's data: a
      // cut there is that member's (a layer's, when the cut is in a layer).
      const std::string where =
          last_member_.empty() ? "" : " (in or right after member " + last_member_ + ")";
      throw ImageError(ErrorCode::kParse, "docker-archive " + path_ + " is truncated or corrupt" +
                                              where + ": " + error_text());
    }
    last_member_ = member_name_of(entry);
    return entry;
  }

  // The current member's data, block by block; empty at its end.
  ByteView read_block(const std::string& member) {
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int status = archive_read_data_block(archive_.get(), &block, &size, &offset);
    if (status == ARCHIVE_EOF) return {};
    if (status < ARCHIVE_WARN) {
      throw ImageError(ErrorCode::kParse, "docker-archive " + path_ + ": member " + member +
                                              " is truncated or corrupt: " + error_text());
    }
    return ByteView(static_cast<const std::uint8_t*>(block), size);
  }

  std::string read_all(const std::string& member) {
    std::string content;
    for (ByteView block = read_block(member); !block.empty(); block = read_block(member)) {
      content.append(as_string(block));
      if (content.size() > kMaxDocumentBytes) {
        throw ImageError(ErrorCode::kParse,
                         "docker-archive " + path_ + ": " + member + " is too large");
      }
    }
    return content;
  }

 private:
  std::string error_text() const {
    const char* text = archive_error_string(archive_.get());
    return text != nullptr ? text : "unknown error";
  }

  std::string path_;
  ArchivePtr archive_;
  std::string last_member_;  // the member whose header was read last
};

// A layer streamed out of its member of the tarball.
class MemberSource final : public ByteSource {
 public:
  MemberSource(const std::string& path, std::string member,
               std::function<void(std::size_t)> on_bytes)
      : tar_(path), member_(std::move(member)), on_bytes_(std::move(on_bytes)) {
    while (archive_entry* entry = tar_.next()) {
      if (member_name_of(entry) == member_) return;
    }
    throw ImageError(ErrorCode::kNotFound, "docker-archive " + path + " has no member " + member_);
  }

  ByteView read() override {
    const ByteView block = tar_.read_block(member_);
    if (on_bytes_ && !block.empty()) on_bytes_(block.size());
    return block;
  }

 private:
  OuterTar tar_;
  std::string member_;
  std::function<void(std::size_t)> on_bytes_;
};

struct MemberIndex {
  std::map<std::string, std::string> symlinks;  // member -> normalized target member
  std::map<std::string, std::uint64_t> sizes;   // regular members
  std::string manifest;                         // manifest.json content
};

class DockerArchive {
 public:
  DockerArchive(std::string path, const ReadOptions& options)
      : path_(std::move(path)), options_(options) {}

  ImageContents read() {
    const MemberIndex index = scan_members();
    const std::string manifest_name = "docker-archive " + path_ + ": manifest.json";
    if (index.manifest.empty()) throw ImageError(ErrorCode::kParse, manifest_name + " is missing");
    const nlohmann::json image = choose_image(index.manifest, manifest_name);

    const std::string config_member = resolve(index, string_field(image, "Config", manifest_name));
    const std::string config_text = read_member(config_member);
    const auto config_digest = digest::sha256(as_bytes(config_text));
    check_config_name(config_member, config_digest);
    const std::string config_name = "config " + format_sha256_digest(config_digest);
    const auto config = parse_json_document(config_text, config_name);
    const auto diff_ids = parse_diff_ids(config, config_name);

    const auto layers = image.find("Layers");
    if (layers == image.end() || !layers->is_array()) {
      throw ImageError(ErrorCode::kParse,
                       manifest_name + ": \"Layers\" is missing or not an array");
    }
    if (layers->size() != diff_ids.size()) {
      throw ImageError(ErrorCode::kParse,
                       manifest_name + " lists " + std::to_string(layers->size()) +
                           " layers, the config " + std::to_string(diff_ids.size()) + " diff_ids");
    }
    std::vector<LayerJob> jobs;
    for (std::size_t i = 0; i < layers->size(); ++i) {
      if (!(*layers)[i].is_string()) {
        throw ImageError(ErrorCode::kParse,
                         manifest_name + ": Layers[" + std::to_string(i) + "] is not a string");
      }
      jobs.push_back(
          layer_job(index, resolve(index, (*layers)[i].get<std::string>()), diff_ids[i]));
    }

    ImageContents contents;
    contents.config_digest = format_sha256_digest(config_digest);
    contents.image_digest = contents.config_digest;
    read_layers(jobs, options_, contents);
    return contents;
  }

 private:
  MemberIndex scan_members() const {
    MemberIndex index;
    OuterTar tar(path_);
    while (archive_entry* entry = tar.next()) {
      const std::string name = member_name_of(entry);
      if (archive_entry_filetype(entry) == AE_IFLNK) {
        const char* target = archive_entry_symlink(entry);
        const std::string directory = name.substr(0, name.rfind('/') + 1);
        const auto resolved = normalize_path(directory + (target != nullptr ? target : ""));
        if (resolved) index.symlinks[name] = resolved->substr(1);
      } else if (archive_entry_filetype(entry) == AE_IFREG) {
        index.sizes[name] = static_cast<std::uint64_t>(archive_entry_size(entry));
        if (name == "manifest.json") index.manifest = tar.read_all(name);
      }
    }
    return index;
  }

  nlohmann::json choose_image(const std::string& text, const std::string& what) const {
    nlohmann::json manifest;
    try {
      manifest = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
      throw ImageError(ErrorCode::kParse, what + " is not valid JSON: " + error.what());
    }
    if (!manifest.is_array() || manifest.empty() || !manifest[0].is_object()) {
      throw ImageError(ErrorCode::kParse, what + " is not a non-empty array of images");
    }
    if (manifest.size() > 1) {
      throw ImageError(ErrorCode::kUnsupported, what + " holds " + std::to_string(manifest.size()) +
                                                    " images; only single-image archives are read");
    }
    return manifest[0];
  }

  std::string resolve(const MemberIndex& index, const std::string& raw) const {
    const auto normalized = normalize_path(raw);
    std::string name = normalized ? normalized->substr(1) : raw;
    for (int hop = 0; hop < kMaxSymlinkHops; ++hop) {
      const auto link = index.symlinks.find(name);
      if (link == index.symlinks.end()) break;
      name = link->second;
    }
    if (!index.sizes.contains(name)) {
      throw ImageError(ErrorCode::kNotFound, "docker-archive " + path_ + " has no member " + raw);
    }
    return name;
  }

  std::string read_member(const std::string& member) const {
    OuterTar tar(path_);
    while (archive_entry* entry = tar.next()) {
      if (member_name_of(entry) == member) return tar.read_all(member);
    }
    throw ImageError(ErrorCode::kNotFound, "docker-archive " + path_ + " has no member " + member);
  }

  // Configs are stored under their digest ("<hex>.json" or
  // "blobs/sha256/<hex>"); when the name says so, it must match.
  void check_config_name(const std::string& member, const digest::Sha256Digest& actual) const {
    std::string stem = member.substr(member.rfind('/') + 1);
    if (stem.ends_with(".json")) stem.resize(stem.size() - 5);
    if (stem.size() != 64 || !encoding_is_hex(stem)) return;
    const std::string actual_text = format_sha256_digest(actual);
    if (actual_text.substr(7) != stem) {
      throw ImageError(ErrorCode::kVerification, "docker-archive " + path_ + ": config " + member +
                                                     ": digest mismatch (the member is " +
                                                     actual_text + ")");
    }
  }

  static bool encoding_is_hex(std::string_view text) {
    return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  }

  static std::vector<digest::Sha256Digest> parse_diff_ids(const nlohmann::json& config,
                                                          const std::string& what) {
    const auto rootfs = config.find("rootfs");
    if (rootfs == config.end() || !rootfs->is_object() || !rootfs->contains("diff_ids") ||
        !(*rootfs)["diff_ids"].is_array()) {
      throw ImageError(ErrorCode::kParse, what + ": rootfs.diff_ids is missing or not an array");
    }
    std::vector<digest::Sha256Digest> diff_ids;
    for (const auto& diff_id : (*rootfs)["diff_ids"]) {
      if (!diff_id.is_string())
        throw ImageError(ErrorCode::kParse, what + ": a diff_id is not a string");
      diff_ids.push_back(parse_sha256_digest(diff_id.get<std::string>(), what + " diff_id"));
    }
    return diff_ids;
  }

  LayerJob layer_job(const MemberIndex& index, const std::string& member,
                     const digest::Sha256Digest& diff_id) const {
    LayerJob job;
    job.spec.name = "layer " + format_sha256_digest(diff_id) + " (" + member + ")";
    job.spec.digest = diff_id;
    job.spec.digest_of = DigestOf::kUncompressedTar;
    job.spec.compression = Compression::kDetect;
    job.stored_size = index.sizes.at(member);
    job.open = [path = path_,
                member](std::function<void(std::size_t)> on_bytes) -> std::unique_ptr<ByteSource> {
      return std::make_unique<MemberSource>(path, member, std::move(on_bytes));
    };
    return job;
  }

  std::string path_;
  const ReadOptions& options_;
};

}  // namespace

ImageContents read_docker_archive(const ImageSource& source, const ReadOptions& options) {
  return DockerArchive(source.path.string(), options).read();
}

}  // namespace zastava::image::detail
