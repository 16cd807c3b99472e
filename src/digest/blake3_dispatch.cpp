// Choosing a BLAKE3 kernel at run time: the widest the CPU supports.
// ZASTAVA_BLAKE3_X86 is set by src/digest/CMakeLists.txt on x86-64, where the
// AVX2 and AVX-512 kernels are compiled in.
#include <stdexcept>
#include <string>

#include "digest/blake3_detail.hpp"

namespace zastava::digest::detail {

std::string_view blake3_backend_name(Blake3Backend backend) noexcept {
  switch (backend) {
    case Blake3Backend::kPortable:
      return "portable";
    case Blake3Backend::kAvx2:
      return "avx2";
    case Blake3Backend::kAvx512:
      return "avx512";
  }
  return "unknown";
}

bool blake3_backend_supported(Blake3Backend backend) noexcept {
  switch (backend) {
    case Blake3Backend::kPortable:
      return true;
#if defined(ZASTAVA_BLAKE3_X86)
    // libgcc's CPU model also checks (XGETBV) that the OS saves the wide
    // registers, so a supported feature is a usable one.
    case Blake3Backend::kAvx2:
      return __builtin_cpu_supports("avx2");
    case Blake3Backend::kAvx512:
      // Its kernel hands remainders to the AVX2 one.
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx2");
#else
    case Blake3Backend::kAvx2:
    case Blake3Backend::kAvx512:
      return false;
#endif
  }
  return false;
}

Blake3Backend blake3_best_backend() noexcept {
  // Computed once: the CPU does not change under a running process.
  static const Blake3Backend best = [] {
    if (blake3_backend_supported(Blake3Backend::kAvx512)) return Blake3Backend::kAvx512;
    if (blake3_backend_supported(Blake3Backend::kAvx2)) return Blake3Backend::kAvx2;
    return Blake3Backend::kPortable;
  }();
  return best;
}

void blake3_hash_many(Blake3Backend backend, const HashManyRequest& request) {
  switch (backend) {
#if defined(ZASTAVA_BLAKE3_X86)
    case Blake3Backend::kAvx512:
      blake3_hash_many_avx512(request);
      return;
    case Blake3Backend::kAvx2:
      blake3_hash_many_avx2(request);
      return;
#else
    case Blake3Backend::kAvx512:
    case Blake3Backend::kAvx2:
#endif
    case Blake3Backend::kPortable:
      blake3_hash_many_portable(request);
      return;
  }
}

Blake3Hasher Blake3HasherAccess::with_backend(Blake3Hasher hasher, Blake3Backend backend) {
  if (!blake3_backend_supported(backend)) {
    throw std::invalid_argument("blake3: backend '" + std::string(blake3_backend_name(backend)) +
                                "' is not supported on this machine");
  }
  hasher.backend_ = backend;
  return hasher;
}

}  // namespace zastava::digest::detail
