// SPDX-License-Identifier: MIT
// Runs a test suite only on a CPU that can execute it.
//
//   run_if_cpu_supports <arch> <program> [arguments...]
//
// A suite built with -mavx512f may use AVX-512 instructions anywhere, even in
// the static initialisers that run before its main() could check the CPU, so
// the check lives in this separate program, built without any -m flags. Exit
// code 77 tells ctest the suite was skipped.
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include <adapool/simd/arch.hpp>

namespace {

bool supported(const char* arch) {
  using namespace adapool::simd;
  if (std::strcmp(arch, "scalar") == 0) return cpu_supports<scalar>();
  if (std::strcmp(arch, "sse2") == 0) return cpu_supports<sse2>();
  if (std::strcmp(arch, "avx2") == 0) return cpu_supports<avx2>();
  if (std::strcmp(arch, "avx512f") == 0) return cpu_supports<avx512f>();
  if (std::strcmp(arch, "neon") == 0) return cpu_supports<neon>();
  std::fprintf(stderr, "run_if_cpu_supports: unknown instruction set '%s'\n", arch);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: run_if_cpu_supports <arch> <program> [arguments...]\n");
    return 2;
  }
  if (!supported(argv[1])) {
    std::printf("skipped: this CPU cannot run %s code\n", argv[1]);
    return 77;
  }
  std::fflush(stdout);
  execv(argv[2], argv + 2);
  std::perror("run_if_cpu_supports: cannot start the test program");
  return 1;
}
