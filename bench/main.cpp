// SPDX-License-Identifier: MIT
// Registers every (workload, implementation, thread count) case, checks each
// implementation's output once against the reference loops, times it, and
// records what the report needs beside the timings: the machine, the build,
// which peer cannot do which workload and why, and the process's peak memory.
//
// Extra flag: --peak_rss_out=FILE writes the memory figures (and the load
// average at the end) as JSON. Exits with
// status 2 when any case failed its output check (the other cases still run).

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <new>
#include <set>
#include <sstream>
#include <string>

#include "build_info.hpp"
#include "common.hpp"

// Counts heap allocations so each case can report how many it makes per call:
// adapool's non-allocating overloads must make none. Every library in the
// process allocates through these while the benchmark runs.
namespace {
std::atomic<std::uint64_t> allocation_count{0};

void* counted_allocation(std::size_t size, std::size_t alignment) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return counted_allocation(size, alignof(std::max_align_t)); }
void* operator new[](std::size_t size) { return counted_allocation(size, alignof(std::max_align_t)); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return counted_allocation(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return counted_allocation(size, static_cast<std::size_t>(alignment));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace adapool_bench {
namespace {

struct prepared_case {
  bool attempted = false;
  std::unique_ptr<pool_case> runner;
  std::string error;
  double max_relative_error = 0;
};

// The case being run, prepared and checked on its first run and reused by its
// repetitions. Only one is kept: a finished case's thread pools and buffers
// go before the next starts. (With --benchmark_enable_random_interleaving a
// case is simply prepared and checked again.)
std::map<std::string, prepared_case>& prepared_cases() {
  static std::map<std::string, prepared_case> cases;
  return cases;
}

// Names of the cases whose check failed, for the exit status.
std::set<std::string>& failed_cases() {
  static std::set<std::string> names;
  return names;
}

prepared_case& prepare_and_check(const std::string& name, const workload& w, const implementation& impl, int threads) {
  auto& cases = prepared_cases();
  if (cases.count(name) == 0) cases.clear();
  prepared_case& entry = cases[name];
  if (entry.attempted) return entry;
  entry.attempted = true;
  try {
    entry.runner = impl.prepare(w, threads);
    entry.runner->activate();
    entry.runner->run();
    const pooled got = entry.runner->result();
    if (impl.kind == role::ceiling) {
      entry.error = w.is_backward() ? check_fill(w, got.values) : check_total(w, got.total);
    } else {
      entry.error = check_against_reference(w, got, &entry.max_relative_error);
    }
    if (!entry.error.empty()) entry.error = "output check failed: " + entry.error;
  } catch (const std::exception& e) {
    entry.error = std::string("could not run: ") + e.what();
  }
  if (!entry.error.empty()) {
    failed_cases().insert(name);
    entry.runner.reset();
  }
  return entry;
}

void run_case(benchmark::State& state, const std::string& name, const workload& w, const implementation& impl,
              int threads) {
  prepared_case& entry = prepare_and_check(name, w, impl, threads);
  if (!entry.error.empty()) {
    state.SkipWithError(entry.error.c_str());
    return;
  }
  pool_case& runner = *entry.runner;
  runner.activate();
  const std::uint64_t allocations_before = allocation_count.load(std::memory_order_relaxed);
  for (auto _ : state) {
    runner.run();
    benchmark::ClobberMemory();
  }
  const std::uint64_t allocations = allocation_count.load(std::memory_order_relaxed) - allocations_before;
  const auto iterations = static_cast<std::int64_t>(state.iterations());
  // Input bytes read; for a backward pass, grad_in bytes written (its workload's "input" is grad_in).
  state.SetBytesProcessed(iterations * w.input_bytes());
  state.counters["input_bytes"] = static_cast<double>(w.input_bytes());
  state.counters["allocs_per_call"] =
      static_cast<double>(allocations) / static_cast<double>(iterations > 0 ? iterations : 1);
  if (w.has_average() && impl.kind != role::ceiling) state.counters["max_rel_err"] = entry.max_relative_error;
  state.SetLabel(runner.label());
}

const char* role_name(role r) {
  switch (r) {
    case role::library:
      return "library";
    case role::baseline:
      return "baseline";
    case role::ceiling:
      return "ceiling";
    case role::peer:
      return "peer";
  }
  return "?";
}

std::vector<implementation> all_implementations() {
  std::vector<implementation> all;
  auto add = [&all](std::vector<implementation> more) {
    for (auto& impl : more) all.push_back(std::move(impl));
  };
  add(adapool_implementations());
  add(baseline_implementations());
#if ADAPOOL_BENCH_HAVE_TORCH
  add(torch_implementations());
#endif
#if ADAPOOL_BENCH_HAVE_ONEDNN
  add(onednn_implementations());
#endif
#if ADAPOOL_BENCH_HAVE_XNNPACK
  add(xnnpack_implementations());
#endif
#if ADAPOOL_BENCH_HAVE_EIGEN
  add(eigen_implementations());
#endif
  return all;
}

void add_context(const std::vector<std::pair<std::string, std::string>>& entries) {
  for (const auto& [key, value] : entries) benchmark::AddCustomContext(key, value);
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

// Resident memory in KiB from /proc/self/status ("VmHWM" is the peak), or
// getrusage's peak where /proc is missing.
long memory_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Registers every case: single-thread first, the 2-thread table second, so
// the OpenMP workers the threaded peers start stay out of the first table.
void register_cases(const std::vector<implementation>& implementations) {
  std::ostringstream roles;
  for (const implementation& impl : implementations) roles << impl.name << '=' << role_name(impl.kind) << ',';
  benchmark::AddCustomContext("implementation_roles", roles.str());

  for (int threads : {1, 2}) {
    for (const workload& w : standard_workloads()) {
      for (const implementation& impl : implementations) {
        if (threads != 1 && !impl.threads) continue;
        if (!w.implementations.empty() &&
            std::find(w.implementations.begin(), w.implementations.end(), impl.name) == w.implementations.end()) {
          continue;
        }
        if (impl.applies && !impl.applies(w)) continue;
        const std::string why_not = impl.unsupported(w);
        if (!why_not.empty()) {
          if (threads == 1) benchmark::AddCustomContext("unsupported:" + w.name + "/" + impl.name, why_not);
          continue;
        }
        std::string name = w.name + "/" + impl.name;
        if (threads != 1) name += "/threads:" + std::to_string(threads);
        auto* bench = benchmark::RegisterBenchmark(name.c_str(), [name, &w, &impl, threads](benchmark::State& state) {
          run_case(state, name, w, impl, threads);
        });
        bench->Unit(benchmark::kMicrosecond);
        // With workers, the calling thread's CPU time says nothing: time the
        // wall clock (the name gains "/real_time").
        if (threads != 1) bench->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace adapool_bench

int main(int argc, char** argv) {
  using namespace adapool_bench;
  std::string peak_rss_out;
  std::string flags;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const char* flag = "--peak_rss_out=";
    if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0) {
      peak_rss_out = argv[i] + std::strlen(flag);
      continue;
    }
    const bool recorded_elsewhere =
        std::strncmp(argv[i], "--benchmark_out", 15) == 0 || std::strncmp(argv[i], "--benchmark_context", 19) == 0;
    if (!recorded_elsewhere) flags += std::string(flags.empty() ? "" : " ") + argv[i];
    argv[kept++] = argv[i];
  }
  argc = kept;

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const long rss_at_start = memory_kib("VmRSS");
  benchmark::AddCustomContext("benchmark_flags", flags);
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("compiler", ADAPOOL_BENCH_COMPILER);
  benchmark::AddCustomContext("compiler_flags", ADAPOOL_BENCH_FLAGS);
  benchmark::AddCustomContext("build_type", ADAPOOL_BENCH_BUILD_TYPE);
  benchmark::AddCustomContext("peers", ADAPOOL_BENCH_PEERS);
  add_context(adapool_context());
#if ADAPOOL_BENCH_HAVE_TORCH
  add_context(torch_context());
#endif
#if ADAPOOL_BENCH_HAVE_ONEDNN
  add_context(onednn_context());
#endif
#if ADAPOOL_BENCH_HAVE_XNNPACK
  add_context(xnnpack_context());
#endif
#if ADAPOOL_BENCH_HAVE_EIGEN
  add_context(eigen_context());
#endif

  // Registered cases refer to these for the whole run.
  static const std::vector<implementation> implementations = all_implementations();
  register_cases(implementations);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  prepared_cases().clear();  // while the peers' runtimes are still alive
  const auto failed = failed_cases().size();

  const long peak = memory_kib("VmHWM");
  std::fprintf(stderr, "adapool_bench: peak resident memory %ld KiB (%ld KiB before the first case)\n", peak,
               rss_at_start);
  if (!peak_rss_out.empty()) {
    std::ofstream out(peak_rss_out);
    // The load at the end says how busy the machine was during the run; the
    // one Google Benchmark records at the start includes the build before it.
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) != 3) load[0] = load[1] = load[2] = -1;
    out << "{\n  \"peak_rss_kib\": " << peak << ",\n  \"rss_before_cases_kib\": " << rss_at_start
        << ",\n  \"load_avg_at_end\": [" << load[0] << ", " << load[1] << ", " << load[2] << "]\n}\n";
    if (!out) {
      std::fprintf(stderr, "adapool_bench: cannot write %s\n", peak_rss_out.c_str());
      return 1;
    }
  }
  // A wrong result must fail CI's smoke run, not just print an error line.
  if (failed) {
    std::fprintf(stderr, "adapool_bench: %zu case(s) failed: output check or setup\n", failed);
    return 2;
  }
  return 0;
}
