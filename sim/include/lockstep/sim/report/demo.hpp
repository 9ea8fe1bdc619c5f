#pragma once
// The headline study behind `scripts/demo` / `lockstep-sim demo`: the inverted pendulum under
// simplex, DMR-with-retry, TMR and N-version with the same fault stream; kernel campaigns
// through the campaign engine; reliability curves R(t) (analytic vs simulated); a comparison
// table; and a report folder (index.html + PNG plots drawn by gnuplot + summary.json).
//
//   lockstep::sim::report::DemoOptions o{.out_dir = "build/report", .quick = true};
//   auto r = lockstep::sim::report::run_demo(o, std::cout);   // r.index_html, r.plots
//
// Thread safety: run_demo uses every core internally; call it from one thread.
// On failure: raises lockstep::Error when the output folder cannot be written; a missing
// gnuplot is reported (DemoResult::plot_note) and the HTML is still written with its tables.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "lockstep/sim/plant/closed_loop.hpp"

namespace lockstep::sim::report {

struct DemoOptions {
  std::string out_dir = "build/report";
  bool quick = false;         ///< a few seconds instead of about a minute (tests)
  std::uint32_t threads = 0;  ///< 0 = every core
  std::uint64_t seed = 1;
  std::string gnuplot = "gnuplot";  ///< the plotting program (tests point it elsewhere)
};

/// One executor under one plant fault scenario.
struct PlantRow {
  std::string scenario;  ///< e.g. "stuck-at 5e-3/call/replica"
  std::string executor;
  plant::MonteCarloResult mc{};
};

/// One kernel campaign (through lockstep::sim::run_campaign).
struct KernelRow {
  std::string kernel;
  std::string executor;
  std::uint64_t trials = 0;
  std::uint64_t benign = 0, masked = 0, detected = 0, recovered = 0, sdc = 0, timeout = 0;
  double trials_per_second = 0.0;
  std::string note;  ///< why a combination did not run, if it did not
};

/// One simulated reliability point with its interval.
struct ReliabilityPoint {
  std::string model;  ///< simplex, tmr, 5mr
  double t = 0.0;     ///< in units of 1/lambda
  double analytic = 0.0;
  double value = 0.0, lo = 0.0, hi = 0.0;
};

struct DemoResult {
  std::vector<PlantRow> plant_rows;
  std::vector<KernelRow> kernel_rows;
  std::vector<ReliabilityPoint> reliability;
  std::uint64_t trace_run = 0;     ///< Monte Carlo run index whose fault stream the angle plot shows
  std::string index_html;          ///< path of the report page
  std::vector<std::string> plots;  ///< PNG files written
  std::string plot_note;           ///< empty when the plots were drawn, else why not
  double wall_seconds = 0.0;
};

[[nodiscard]] DemoResult run_demo(const DemoOptions& options, std::ostream& log);

}  // namespace lockstep::sim::report
