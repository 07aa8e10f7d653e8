#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns the benchmark JSON into REPORT.md and chart.png.

Usage: make_report.py RESULTS_DIR

Reads RESULTS_DIR/bench.json (Google Benchmark JSON, ideally with
repetitions and aggregates) and RESULTS_DIR/memory.json (written by
adapool_bench --peak_rss_out), writes RESULTS_DIR/REPORT.md and
RESULTS_DIR/chart.png. Only ratios measured in the same run are compared.
"""

import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

# Columns in this order; anything else found in the JSON is appended.
IMPLEMENTATION_ORDER = ["adapool", "adapool_scalar", "adapool_two_calls", "naive", "torch", "torch_max_pool1d",
                        "onednn", "xnnpack", "eigen", "ceiling"]
# The standard workloads (ids W1, W2, ...) fill the main tables; ids with
# another letter get a single-thread section of their own, titled here.
SECTION_TITLES = {"F": "Fused operations", "G": "Power means (GeM and LP)",
                  "N": "Narrow element types (float16, bfloat16, int8)", "B": "Backward passes"}
# Results whose repetitions spread more than this (coefficient of variation) are marked.
NOISY_CV = 0.10


class Result:
    def __init__(self):
        self.time_us = None   # median time per call
        self.cv = None        # spread of the repetitions
        self.input_bytes = None
        self.allocs = None
        self.max_rel_err = None
        self.label = ""
        self.error = None

    @property
    def gbps(self):
        return self.input_bytes / (self.time_us * 1e3) if self.time_us and self.input_bytes else None


def to_microseconds(value, unit):
    return value * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]


def parse_name(run_name):
    """'W1_gap_r50/torch/threads:2/real_time' -> ('W1_gap_r50', 'torch', 2)."""
    parts = [p for p in run_name.split("/") if p != "real_time"]
    threads = 1
    for p in parts[2:]:
        if p.startswith("threads:"):
            threads = int(p.split(":", 1)[1])
    return parts[0], parts[1], threads


def load_benchmarks(path):
    """The context and the results of one Google Benchmark JSON file."""
    with open(path) as f:
        data = json.load(f)
    results = {}
    for b in data["benchmarks"]:
        workload, impl, threads = parse_name(b.get("run_name", b["name"]))
        r = results.setdefault((workload, impl, threads), Result())
        if b.get("error_occurred"):
            r.error = b.get("error_message", "error")
            continue
        # One thread: the CPU time of the thread doing all the work, which a
        # shared machine's preemption does not inflate. More threads: wall time.
        clock = "cpu_time" if threads == 1 else "real_time"
        kind = b.get("aggregate_name") if b.get("run_type") == "aggregate" else "single"
        if kind == "cv":
            r.cv = b[clock]
        if kind in ("median", "single") and (kind == "median" or r.time_us is None):
            r.time_us = to_microseconds(b[clock], b["time_unit"])
            r.input_bytes = b.get("input_bytes")
            r.allocs = b.get("allocs_per_call")
            r.max_rel_err = b.get("max_rel_err")
            r.label = b.get("label", "")
    return data["context"], results


class FlagVariant:
    """One build's run: the main one, or adapool's and the ceiling's cases built with other
    compiler flags (run_report.sh --flags)."""

    def __init__(self, context, results):
        self.context = context
        self.results = results

    @property
    def title(self):
        """'g++ -O2 -march=x86-64-v3': the compiler users know and the flags, as the build reports them."""
        compiler_id = self.context.get("compiler", "").split(" ", 1)[0]
        command = {"GNU": "g++", "Clang": "clang++", "AppleClang": "clang++"}.get(compiler_id, compiler_id)
        # Every build is Release: its -DNDEBUG says nothing about the code generated.
        flags = [f for f in self.context.get("compiler_flags", "").split() if f != "-DNDEBUG"]
        return " ".join([command] + flags)


def load(results_dir):
    context, results = load_benchmarks(os.path.join(results_dir, "bench.json"))
    memory = {}
    memory_path = os.path.join(results_dir, "memory.json")
    if os.path.exists(memory_path):
        with open(memory_path) as f:
            memory = json.load(f)
    # flags-1.json, flags-2.json, ...: the variants in the order they were given.
    numbered = []
    for name in os.listdir(results_dir):
        m = re.fullmatch(r"flags-(\d+)\.json", name)
        if m:
            numbered.append((int(m.group(1)), name))
    variants = [FlagVariant(*load_benchmarks(os.path.join(results_dir, name))) for _, name in sorted(numbered)]
    return context, results, memory, variants


def workload_prefix(name):
    """'F1_concat_r50' -> 'F'."""
    return name.split("_", 1)[0].rstrip("0123456789")


def workload_order(results):
    def key(name):
        head = name.split("_", 1)[0]
        return (int(head[1:]) if head[1:].isdigit() else 999, name)
    return sorted({w for (w, _, _) in results}, key=key)


def implementation_order(results, context):
    found = {i for (_, i, _) in results} | {k.split("/", 1)[1] for k in unsupported(context)}
    return [i for i in IMPLEMENTATION_ORDER if i in found] + sorted(found - set(IMPLEMENTATION_ORDER))


def roles(context):
    pairs = [p.split("=", 1) for p in context.get("implementation_roles", "").split(",") if "=" in p]
    return dict(pairs)


def unsupported(context):
    prefix = "unsupported:"
    return {k[len(prefix):]: v for k, v in context.items() if k.startswith(prefix)}


def fmt_time(us):
    if us is None:
        return ""
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    if us >= 100:
        return f"{us:.0f} µs"
    if us >= 10:
        return f"{us:.1f} µs"
    return f"{us:.2f} µs"


def fmt_ratio(x, digits=2):
    return "" if x is None else f"{x:.{digits}f}"


class Report:
    def __init__(self, context, results, memory, variants=()):
        self.context = context
        self.results = results
        self.memory = memory
        self.variants = list(variants)
        every_workload = workload_order(results)
        self.workloads = [w for w in every_workload if workload_prefix(w) == "W"]
        self.sections = {}
        for w in every_workload:
            if workload_prefix(w) != "W":
                self.sections.setdefault(workload_prefix(w), []).append(w)
        standard = set(self.workloads)
        self.impls = implementation_order({k: r for k, r in results.items() if k[0] in standard}, context)
        self.roles = roles(context)
        self.cannot = unsupported(context)
        self.peers = [i for i in self.impls if self.roles.get(i) == "peer"]
        self.lines = []

    def get(self, workload, impl, threads):
        r = self.results.get((workload, impl, threads))
        return r if r and r.error is None and r.time_us else None

    def ceiling(self, workload):
        return self.get(workload, "ceiling", 1)

    def fastest_peer(self, workload, threads):
        best = None
        for impl in self.peers:
            r = self.get(workload, impl, threads)
            if r and (best is None or r.time_us < best[1].time_us):
                best = (impl, r)
        return best

    def cell(self, workload, impl, threads, value, results=None):
        """A table cell: the value, or why there is none (from results, by default the main run's)."""
        r = (self.results if results is None else results).get((workload, impl, threads))
        if r is not None and r.error is not None:
            return "**check failed**"
        if r is None or not r.time_us:
            if f"{workload}/{impl}" in self.cannot:
                return "cannot"
            return "—"
        text = value(r)
        if r.cv is not None and r.cv > NOISY_CV:
            text += " ~"
        return text

    def add(self, line=""):
        self.lines.append(line)

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |")
        self.add("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for row in rows:
            self.add("| " + " | ".join(row) + " |")
        self.add()

    def header(self):
        c = self.context
        caches = ", ".join(f"L{x['level']} {x['type'].lower()} {x['size'] // 1024} KiB"
                           + (f" ×{c['num_cpus'] // x['num_sharing']}" if x.get("num_sharing") else "")
                           for x in c.get("caches", []))
        versions = [f"{name} {c[key]}" for name, key in
                    [("PyTorch", "torch_version"), ("oneDNN", "onednn_version"), ("XNNPACK", "xnnpack_version"),
                     ("Eigen", "eigen_version")] if key in c]
        missing = [p for p in c.get("peers", "").split(", ") if p and not p.endswith("=built")]
        self.add("# adapool benchmark report")
        self.add()
        self.add("Written by `bench/make_report.py` from `bench.json` in this folder; regenerate everything with "
                 "`bench/run_report.sh`. `bench/README.md` describes the workloads, the ceiling and "
                 "what each implementation calls.")
        self.add()
        rows = [
            ("Date", c.get("date", "")),
            ("CPU", f"{c.get('cpu_model', 'unknown')}, {c.get('num_cpus', '?')} cores at "
                    f"{c.get('mhz_per_cpu', '?')} MHz; {caches}"),
            ("Load average (1, 5, 15 min)", "at start " + ", ".join(f"{x:.2f}" for x in c.get("load_avg", []))
             + ("; at end " + ", ".join(f"{x:.2f}" for x in self.memory["load_avg_at_end"])
                if "load_avg_at_end" in self.memory else "")),
            ("Compiler", c.get("compiler", "")),
            ("Flags (benchmark targets)", f"`{c.get('compiler_flags', '')}`"),
            ("adapool", f"{c.get('adapool_version', '')}"
                        + (f" at commit {c['adapool_commit']}" if "adapool_commit" in c else "")
                        + f", default ISA `{c.get('adapool_isa', '')}`; "
                        "`adapool_scalar` forces `adapool::simd::scalar`"),
            ("Peers", ", ".join(versions) + (f" (not built: {', '.join(missing)})" if missing else "")),
            ("Method", "Google Benchmark" + (" (Debian's build of the library reports itself as debug)"
                                             if c.get("library_build_type") == "debug" else "") +
                       f", `{c.get('benchmark_flags') or 'default flags'}`; the median per call of the CPU time "
                       "of the one working thread (single-thread table; unaffected by preemption on a shared "
                       "machine) or of the wall time (2-thread table); every output checked against "
                       "double-precision reference loops before timing"),
        ]
        if self.memory:
            rows.append(("Peak resident memory",
                         f"{self.memory['peak_rss_kib'] / 1024:.0f} MiB for the whole run "
                         f"({self.memory['rss_before_cases_kib'] / 1024:.0f} MiB before the first case: "
                         "the peers' libraries loaded, no inputs yet)"))
        self.table(["", ""], [[f"**{k}**", v] for k, v in rows])
        # The benchmark itself keeps about one core busy; more than that on
        # every core means other processes competed for them.
        load = self.memory.get("load_avg_at_end", c.get("load_avg", [0]))[0]
        cpus = c.get("num_cpus", 0)
        if cpus and load > cpus + 0.5:
            self.add(f"**Busy machine:** the load average was {load:.1f} on {cpus} cores during this run. "
                     "Other processes shared the cores, so the 2-thread table mostly measures how long a library's "
                     "second thread waited for a core; the single-thread table (CPU time) is less affected, but "
                     "shared caches and memory bandwidth still were. Rerun on a quiet machine for clean numbers.")
            self.add()

    def summary(self, threads):
        header = ["workload", "adapool" + (f" ({threads} threads)" if threads != 1 else ""),
                  "fastest peer" + (f" ({threads} threads)" if threads != 1 else ""), "peer time",
                  "adapool speed-up", "ceiling (1 thread)", "adapool / ceiling", "peer / ceiling"]
        rows = []
        for w in self.workloads:
            a = self.get(w, "adapool", threads)
            best = self.fastest_peer(w, threads)
            ceil = self.ceiling(w)
            row = [f"`{w}`", self.cell(w, "adapool", threads, lambda r: fmt_time(r.time_us))]
            if best:
                row += [best[0], fmt_time(best[1].time_us)]
            elif any(r.error for (ww, i, t), r in self.results.items() if ww == w and t == threads and i in self.peers):
                row += ["check failed", ""]
            else:
                row += ["none can", ""]
            row.append(f"{best[1].time_us / a.time_us:.2f}×" if a and best else "")
            row.append(f"{fmt_time(ceil.time_us)} ({ceil.gbps:.0f} GB/s)" if ceil else "")
            row.append(fmt_ratio(ceil.time_us / a.time_us) if a and ceil else "")
            row.append(fmt_ratio(ceil.time_us / best[1].time_us) if best and ceil else "")
            rows.append(row)
        self.table(header, rows)

    def wide(self, threads, value, impls=None):
        impls = impls or [i for i in self.impls if any((w, i, threads) in self.results for w in self.workloads)
                          or threads == 1]
        rows = [[f"`{w}`"] + [self.cell(w, i, threads, lambda r: value(w, r)) for i in impls]
                for w in self.workloads]
        self.table(["workload"] + impls, rows)

    def strategies(self):
        """The strategy adapool planned for each workload (adapool::planned_strategy, in the case's label)."""
        rows = []
        for w in self.workloads + [w for ws in self.sections.values() for w in ws]:
            r = self.get(w, "adapool", 1)
            if r and "strategy " in r.label:
                isa, _, strategy = r.label.partition("; strategy ")
                rows.append([f"`{w}`", isa, strategy])
        if not rows:
            return
        self.add("### The strategy adapool ran")
        self.add()
        self.add("The loop nest adapool's plan chose for each workload (`adapool::planned_strategy`; "
                 "`include/adapool/detail/plan.hpp` lists them and the rule that picks one).")
        self.add()
        self.table(["workload", "instruction set", "strategy"], rows)

    def section(self, prefix, workloads):
        """One single-thread table for a group of workloads outside the standard set."""
        # Columns: what ran on these workloads, and what could not (shown as "cannot").
        cannot_here = {"unsupported:" + k: v for k, v in self.cannot.items() if k.split("/", 1)[0] in workloads}
        impls = implementation_order({k: r for k, r in self.results.items() if k[0] in workloads and k[2] == 1},
                                     cannot_here)
        others = [i for i in impls if i not in ("adapool", "ceiling")]
        self.add(f"## {SECTION_TITLES.get(prefix, prefix + ' workloads')}")
        self.add()
        self.add("Single thread, median time per call. `x / adapool` is x's time over adapool's (above 1: adapool "
                 "is faster); `adapool / ceiling` is the ceiling's time over adapool's.")
        self.add()
        rows = []
        for w in workloads:
            a, ceil = self.get(w, "adapool", 1), self.ceiling(w)
            row = [f"`{w}`"] + [self.cell(w, i, 1, lambda r: fmt_time(r.time_us)) for i in impls]
            for i in others:
                r = self.get(w, i, 1)
                row.append(f"{r.time_us / a.time_us:.2f}" if a and r else "")
            row.append(fmt_ratio(ceil.time_us / a.time_us) if a and ceil else "")
            rows.append(row)
        self.table(["workload"] + impls + [f"{i} / adapool" for i in others] + ["adapool / ceiling"], rows)

    def backward(self, workloads):
        """The backward passes (B workloads): each implementation's time, adapool's speed-up over
        torch, and each as a fraction of the backward ceiling, a streaming write of grad_in."""
        impls = implementation_order({k: r for k, r in self.results.items() if k[0] in workloads and k[2] == 1},
                                     {})
        contenders = [i for i in impls if i != "ceiling"]
        self.add(f"## {SECTION_TITLES['B']}")
        self.add()
        self.add("Single thread, median time per call of the gradient with respect to the input, grad_in, from "
                 "grad_out (and the forward's indices for the max). A backward pass writes every grad_in element, "
                 "so its ceiling is a streaming write: one core filling a grad_in-sized buffer with vector stores, "
                 "every byte written once; its GB/s are grad_in bytes written. `adapool speed-up over torch` is "
                 "torch's time over adapool's (above 1: adapool is faster); `x / ceiling` is the ceiling's time "
                 "over x's.")
        self.add()
        rows = []
        for w in workloads:
            a, t, ceil = self.get(w, "adapool", 1), self.get(w, "torch", 1), self.ceiling(w)
            row = [f"`{w}`"] + [self.cell(w, i, 1, lambda r: fmt_time(r.time_us)
                                          + (f" ({r.gbps:.0f} GB/s)" if i == "ceiling" and r.gbps else ""))
                                for i in impls]
            row.append(f"{t.time_us / a.time_us:.2f}×" if a and t else "")
            for i in contenders:
                r = self.get(w, i, 1)
                row.append(fmt_ratio(ceil.time_us / r.time_us) if r and ceil else "")
            rows.append(row)
        self.table(["workload"] + impls + ["adapool speed-up over torch"] + [f"{i} / ceiling" for i in contenders],
                   rows)

    def flag_variants(self):
        """adapool built with the flags users compile with, beside the main run's build and the fastest peer."""
        main = FlagVariant(self.context, self.results)
        runs = self.variants + [main]
        titles = [v.title for v in self.variants] + [f"main run: {main.title}"]

        def ceiling_label(run):
            return next((r.label for (w, i, t), r in run.results.items() if i == "ceiling" and r.label), "")

        self.add("## adapool under the flags users compile with")
        self.add()
        self.add("The tables above time adapool compiled with the main run's flags. Users compile it with their "
                 "own: here adapool is built again with other flags (`bench/run_report.sh --user-flags` or "
                 "`--flags`), each build with the ceiling built the same way and timed in the same run. Each cell "
                 "is adapool's median time per call and, in brackets, that build's ceiling time over it (1.00: as "
                 "fast as that build reads the input). The peers are the same libraries, with their own runtime "
                 "dispatch, whatever adapool is compiled with: the fastest one is from the main run, as a fraction "
                 f"of the main run's ceiling. Cells marked ~ had repetitions spreading more than {NOISY_CV:.0%}; "
                 "each build ran at its own time on a shared machine, so compare fractions, and times only roughly.")
        self.add()
        for title, run in zip(titles, runs):
            c = run.context
            self.add(f"- **{title}**: {c.get('compiler', '')}; adapool's default ISA "
                     f"`{c.get('adapool_isa', '')}`; ceiling: {ceiling_label(run) or 'not run'}")
        self.add()

        workloads = [w for w in workload_order({k: None for run in runs for k in run.results})
                     if workload_prefix(w) == "W"]

        def time_and_fraction(run, w):
            ceil = run.results.get((w, "ceiling", 1))
            ceil = ceil if ceil and ceil.error is None and ceil.time_us else None
            return lambda r: fmt_time(r.time_us) + (f" ({ceil.time_us / r.time_us:.2f})" if ceil else "")

        rows = []
        for w in workloads:
            row = [f"`{w}`"] + [self.cell(w, "adapool", 1, time_and_fraction(run, w), run.results) for run in runs]
            best, ceil = self.fastest_peer(w, 1), self.ceiling(w)
            if best:
                row.append(f"{best[0]} {fmt_time(best[1].time_us)}"
                           + (f" ({ceil.time_us / best[1].time_us:.2f})" if ceil else ""))
            elif any(r.error for (ww, i, t), r in self.results.items() if ww == w and t == 1 and i in self.peers):
                row.append("check failed")
            else:
                row.append("none can" if self.peers else "—")
            rows.append(row)
        self.table(["workload"] + titles + ["fastest peer (main run)"], rows)

        self.add("### The ceiling in each build")
        self.add()
        self.add("Median time per call and input GB/s of the streaming sum each fraction above is taken of: "
                 "a build whose ceiling is slower makes adapool's fraction look better than its time does.")
        self.add()
        rows = [[f"`{w}`"] + [self.cell(w, "ceiling", 1, lambda r: fmt_time(r.time_us)
                                        + (f" ({r.gbps:.0f} GB/s)" if r.gbps else ""), run.results)
                              for run in runs] for w in workloads]
        self.table(["workload"] + titles, rows)

        failed = [(title, w, i, r.error) for title, run in zip(titles[:-1], self.variants)
                  for (w, i, t), r in sorted(run.results.items()) if r.error]
        if failed:
            self.add("### Output checks that failed under these flags (not timed)")
            self.add()
            for title, w, i, message in failed:
                self.add(f"- `{w}/{i}` built with `{title}`: {message}")
            self.add()

    def notes_on_gaps(self):
        if self.cannot:
            self.add("### What the peers cannot do")
            self.add()
            position = {w: n for n, w in enumerate(self.workloads)}
            for key in sorted(self.cannot, key=lambda k: (position.get(k.split("/")[0], 999), k)):
                self.add(f"- `{key}`: {self.cannot[key]}")
            self.add()
        failed = [(k, r.error) for k, r in self.results.items() if r.error]
        if failed:
            self.add("### Output checks that failed (not timed)")
            self.add()
            for (w, i, t), message in sorted(failed):
                self.add(f"- `{w}/{i}`" + (f" ({t} threads)" if t != 1 else "") + f": {message}")
            self.add()

    def write(self, path, chart_name):
        self.header()
        if self.workloads:
            self.standard_tables(chart_name)
        self.strategies()
        self.notes_on_gaps()
        if self.variants:
            self.flag_variants()
        # The backward passes last, after the other sections of the forward operations.
        for prefix in sorted(self.sections, key=lambda p: p == "B"):
            if prefix == "B":
                self.backward(self.sections[prefix])
            else:
                self.section(prefix, self.sections[prefix])

        threaded = sorted({t for (w, _, t) in self.results if t != 1 and w in self.workloads})
        for threads in threaded:
            impls = [i for i in self.impls if any((w, i, threads) in self.results for w in self.workloads)]
            self.add(f"## {threads} threads")
            self.add()
            self.add(f"Every implementation that takes a thread count, adapool included, run with {threads}; "
                     "median wall time per call; fractions are of the single-thread ceiling.")
            self.add()
            self.summary(threads)
            self.add("### Median time per call")
            self.add()
            self.wide(threads, lambda w, r: fmt_time(r.time_us), impls)
        with open(path, "w") as f:
            f.write("\n".join(self.lines).rstrip() + "\n")

    def standard_tables(self, chart_name):
        """The single-thread tables of the standard (W) workloads."""
        self.add("## Single thread")
        self.add()
        self.add("Speed-up is the fastest peer's time over adapool's (above 1: adapool is faster). "
                 "The ceiling is one core streaming through the same input bytes once (a plain vector sum); "
                 "`x / ceiling` is ceiling time over x's time, so 1.00 means as fast as reading the input. "
                 f"Cells marked ~ had repetitions spreading more than {NOISY_CV:.0%} (coefficient of variation).")
        self.add()
        self.summary(1)
        self.add(f"![Fraction of the ceiling per workload and implementation]({chart_name})")
        self.add()
        self.add("### Median time per call")
        self.add()
        self.wide(1, lambda w, r: fmt_time(r.time_us))
        self.add("### Fraction of the ceiling (ceiling time / time)")
        self.add()
        self.wide(1, lambda w, r: fmt_ratio(self.ceiling(w).time_us / r.time_us) if self.ceiling(w) else "")
        self.add("### Input GB/s")
        self.add()
        self.wide(1, lambda w, r: f"{r.gbps:.1f}" if r.gbps else "")
        self.add("### Heap allocations per call")
        self.add()
        self.add("Counted by a replaced global `operator new` (allocations through `malloc` directly, "
                 "as PyTorch's tensor storage, are not seen). adapool is called through its non-allocating "
                 "overloads, so anything above 0 there is the library allocating internally.")
        self.add()
        self.wide(1, lambda w, r: "" if r.allocs is None else f"{r.allocs:g}")
        self.add("### Worst relative error of the averages")
        self.add()
        self.add("Against a double-precision reference; the output check allows 1e-4.")
        self.add()
        averages = [w for w in self.workloads if any(
            r.max_rel_err is not None for (ww, _, t), r in self.results.items() if ww == w and t == 1)]
        impls = [i for i in self.impls if i != "ceiling"]
        rows = [[f"`{w}`"] + [self.cell(w, i, 1, lambda r: "" if r.max_rel_err is None else f"{r.max_rel_err:.1e}")
                              for i in impls] for w in averages]
        self.table(["workload"] + impls, rows)

    def chart(self, path):
        """The standard workloads' fractions of the ceiling; False (no chart) when the run had none."""
        if not self.workloads:
            return False
        threaded = sorted({t for (_, _, t) in self.results if t != 1})
        panels = [1] + threaded
        impls = [i for i in self.impls if i != "ceiling"]
        fig, axes = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 0.62 * len(self.workloads) + 2.2),
                                 squeeze=False, sharey=True)
        colors = plt.get_cmap("tab10")
        height = 0.8 / len(impls)
        largest, smallest = 1.0, 1e-2
        for ax, threads in zip(axes[0], panels):
            for k, impl in enumerate(impls):
                ys, xs = [], []
                for j, w in enumerate(self.workloads):
                    r = self.get(w, impl, threads)
                    ceil = self.ceiling(w)
                    if r and ceil:
                        ys.append(j + (k - (len(impls) - 1) / 2) * height)
                        xs.append(ceil.time_us / r.time_us)
                if xs:
                    largest = max(largest, max(xs))
                    smallest = min(smallest, min(xs))
                    ax.barh(ys, xs, height=height, label=impl, color=colors(k % 10),
                            edgecolor="black" if impl == "adapool" else "none", linewidth=0.6)
            ax.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
            ax.set_xscale("log")
            ax.set_yticks(range(len(self.workloads)))
            ax.set_yticklabels(self.workloads)
            ax.grid(axis="x", which="both", alpha=0.3)
            ax.set_xlabel("fraction of the single-thread ceiling (ceiling time / time; higher is better)")
            title = "single thread" if threads == 1 else f"{threads} threads (adapool: 1 thread)"
            ax.set_title(title)
        for ax in axes[0]:
            ax.set_xlim(smallest / 1.5, largest * 1.3)
        axes[0][0].invert_yaxis()  # the axes share y: once inverts them all
        handles, labels = axes[0][0].get_legend_handles_labels()
        if labels:
            fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize="small", frameon=False)
        fig.suptitle(f"adapool vs peers — {self.context.get('cpu_model', '')}, "
                     f"{self.context.get('compiler', '')}, {self.context.get('date', '')[:10]}")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return True


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    results_dir = sys.argv[1]
    context, results, memory, variants = load(results_dir)
    report = Report(context, results, memory, variants)
    chart = os.path.join(results_dir, "chart.png")
    charted = report.chart(chart)
    if not charted and os.path.exists(chart):
        os.remove(chart)  # a run without standard workloads has no chart, and keeps no earlier run's
    report.write(os.path.join(results_dir, "REPORT.md"), "chart.png")
    print(f"wrote {os.path.join(results_dir, 'REPORT.md')}"
          + (" and chart.png" if charted else " (no standard workload, so no chart)"))


if __name__ == "__main__":
    main()
