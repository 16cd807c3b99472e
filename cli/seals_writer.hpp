#pragma once
// Writes a seals file (facet/seal.hpp's SealsFile) one seal at a time, so a
// large image's seals never sit in memory all at once: facet by facet, each
// envelope is serialized, appended to a temporary file and dropped; commit()
// renames the file into place. The bytes are those serialize_seals_file
// would give (canonical JSON): the file's frame comes from it, with the
// seals array left empty, and each envelope's canonical form is spliced in.

#include <cstdio>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "dsse/envelope.hpp"

namespace zastava::cli {

class SealsFileWriter {
 public:
  static Result<SealsFileWriter> open(const std::string& path, const std::string& image_ref,
                                      const std::string& image_digest);

  SealsFileWriter(SealsFileWriter&&) noexcept = default;
  SealsFileWriter& operator=(SealsFileWriter&&) = delete;
  ~SealsFileWriter();  // removes the temporary file unless committed

  Status add(const dsse::Envelope& envelope);
  Status commit();

 private:
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  SealsFileWriter(std::string path, std::string temporary, std::string tail,
                  std::unique_ptr<std::FILE, FileCloser> file);
  Status write(std::string_view text);

  std::string path_;
  std::string temporary_;
  std::string tail_;  // what follows the seals: "],\"sealsVersion\":\"v1\"}"
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::size_t count_ = 0;
};

}  // namespace zastava::cli
