#include "image/reader.hpp"

#include "image/formats.hpp"
#include "image/layer_stream.hpp"

namespace zastava::image {
namespace {

constexpr std::string_view kSpecForms = "expected oci:DIR[:TAG], docker-archive:FILE or dir:ROOTFS";

Result<ImageSource> parse_oci_spec(std::string_view rest, std::string_view spec) {
  ImageSource source;
  source.kind = ImageSource::Kind::kOciLayout;
  // The tag is what follows the last ':' unless that part is a path.
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    source.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (source.tag.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "image \"" + std::string(spec) + "\" has an empty tag");
    }
  }
  if (rest.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "image \"" + std::string(spec) + "\" names no directory");
  }
  source.path = std::string(rest);
  return source;
}

}  // namespace

Result<ImageSource> parse_image_spec(std::string_view spec) {
  const auto colon = spec.find(':');
  const std::string_view scheme = spec.substr(0, colon == std::string_view::npos ? 0 : colon);
  const std::string_view rest = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  if (scheme == "oci") return parse_oci_spec(rest, spec);
  ImageSource source;
  if (scheme == "docker-archive") {
    source.kind = ImageSource::Kind::kDockerArchive;
  } else if (scheme == "dir") {
    source.kind = ImageSource::Kind::kRootfsDir;
  } else {
    return make_error(
        ErrorCode::kInvalidArgument,
        "image \"" + std::string(spec) + "\" is not understood: " + std::string(kSpecForms));
  }
  if (rest.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "image \"" + std::string(spec) + "\" names no path");
  }
  source.path = std::string(rest);
  return source;
}

Result<ImageContents> read_image(const ImageSource& source, const ReadOptions& options) {
  try {
    switch (source.kind) {
      case ImageSource::Kind::kOciLayout:
        return detail::read_oci_layout(source, options);
      case ImageSource::Kind::kDockerArchive:
        return detail::read_docker_archive(source, options);
      case ImageSource::Kind::kRootfsDir:
        return detail::read_rootfs_dir(source, options);
    }
    return make_error(ErrorCode::kInternal, "unknown image source kind");
  } catch (const detail::ImageError& error) {
    return error.error();
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kInternal, "out of memory reading " + source.path.string());
  } catch (const std::exception& error) {
    return make_error(ErrorCode::kInternal,
                      "reading " + source.path.string() + ": " + error.what());
  }
}

}  // namespace zastava::image
