// SPDX-License-Identifier: MIT
// The main() of a fuzz target built without libFuzzer: every argument is an
// input file or a directory of them, and each input is run once through
// LLVMFuzzerTestOneInput, as `<target> -runs=0 <paths>` does under libFuzzer.
// This lets any compiler replay the committed corpus and regression inputs.
// A failed check aborts the process (fuzz::fail), which is how the test fails;
// a path that cannot be read fails it too, so that a moved corpus is not
// mistaken for a clean replay of nothing.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool read_bytes(const fs::path& path, std::vector<char>& bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return !file.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <input file or directory>...\n", argv[0]);
    return 2;
  }
  std::size_t runs = 0;
  for (int a = 1; a < argc; ++a) {
    std::vector<fs::path> files;
    std::error_code error;
    if (fs::is_directory(argv[a], error)) {
      for (fs::directory_iterator it(argv[a], error), end; !error && it != end; it.increment(error))
        if (it->is_regular_file()) files.push_back(it->path());
      // Directory order differs between file systems; sorted, a failing run
      // replays the inputs in the same order on every machine.
      std::sort(files.begin(), files.end());
    } else {
      files.emplace_back(argv[a]);
    }
    if (error) {
      std::fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], argv[a], error.message().c_str());
      return 1;
    }
    for (const fs::path& path : files) {
      std::vector<char> bytes;
      if (!read_bytes(path, bytes)) {
        std::fprintf(stderr, "%s: cannot read %s\n", argv[0], path.string().c_str());
        return 1;
      }
      // Named before it runs: a failed check aborts without returning here.
      std::fprintf(stderr, "Running: %s\n", path.string().c_str());
      // A block of exactly the input's size, as libFuzzer passes, so that
      // AddressSanitizer sees a read past the end of the input.
      const std::unique_ptr<std::uint8_t[]> data(new std::uint8_t[bytes.size()]);
      std::copy(bytes.begin(), bytes.end(), data.get());
      LLVMFuzzerTestOneInput(data.get(), bytes.size());
      ++runs;
    }
  }
  if (runs == 0) {
    std::fprintf(stderr, "%s: no inputs found\n", argv[0]);
    return 1;
  }
  std::printf("replayed %zu inputs, no check failed\n", runs);
  return 0;
}
