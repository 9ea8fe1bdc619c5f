// lockstep-sim demo: the closed-loop fault-injection study with its report (docs/demo.md).
//
//   lockstep-sim demo [--out build/report] [--quick] [--threads T] [--seed S]
//
// Exit status: 0 report written (also when gnuplot is missing: the HTML then has tables only);
// 1 the run failed (cannot write the folder); 2 bad input.

// GCC 12 at -O3 reports a false -Wnull-dereference inside Boost.Program_options' std::string
// notify (libstdc++ basic_string::_M_assign); it is not in this file's code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif
#include <boost/program_options.hpp>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "lockstep/core/error.hpp"
#include "lockstep/sim/report/demo.hpp"

namespace po = boost::program_options;

namespace lockstep::sim::app {

int run_demo(int argc, char** argv) {
  po::options_description desc(
      "lockstep-sim demo: closed-loop study + kernel campaigns + reliability, HTML report\nOptions");
  report::DemoOptions o;
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("out", po::value<std::string>()->default_value("build/report"), "report folder (created)")
    ("quick", "short runs and few trials (a few seconds; used by the tests)")
    ("threads", po::value(&o.threads)->default_value(0), "worker threads, 0 = every core")
    ("seed", po::value(&o.seed)->default_value(1), "seed of every fault stream and trial")
    ("gnuplot", po::value<std::string>()->default_value("gnuplot"), "plotting program");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help") != 0U) {
      std::cout << "usage: lockstep-sim demo [--out DIR] [--quick] [--threads T] [--seed S]\n"
                << desc << '\n';
      return 0;
    }
    po::notify(vm);
    o.out_dir = vm["out"].as<std::string>();
    o.gnuplot = vm["gnuplot"].as<std::string>();
    o.quick = vm.count("quick") != 0U;
  } catch (const po::error& e) {
    std::cerr << "lockstep-sim demo: error: " << e.what() << " (try --help)\n";
    return 2;
  }
  report::DemoResult r;
  try {
    r = report::run_demo(o, std::cout);
  } catch (const lockstep::Error& e) {
    std::cerr << "lockstep-sim demo: error: " << e.what() << '\n';
    return 1;
  }

  std::cout << "\nPendulum (" << (r.plant_rows.empty() ? 0U : r.plant_rows.front().mc.runs)
            << " runs per row; the same fault stream per run for every executor)\n";
  std::cout << std::left << std::setw(33) << "faults" << std::setw(11) << "executor" << std::right
            << std::setw(11) << "violations" << std::setw(22) << "P(violation) 95% CI" << std::setw(8)
            << "SDC" << std::setw(10) << "detected" << std::setw(9) << "masked" << std::setw(11)
            << "recovered" << std::setw(10) << "exec/call" << '\n';
  for (const auto& row : r.plant_rows) {
    const auto& c = row.mc.counts;
    std::ostringstream ci;
    ci << std::setprecision(2) << row.mc.p_violation << " [" << row.mc.ci_lo << "," << row.mc.ci_hi << "]";
    std::cout << std::left << std::setw(33) << row.scenario << std::setw(11) << row.executor << std::right
              << std::setw(11) << row.mc.violations << std::setw(22) << ci.str() << std::setw(8) << c.sdc
              << std::setw(10) << c.detected << std::setw(9) << c.masked << std::setw(11) << c.recovered
              << std::setw(10) << std::setprecision(3)
              << (c.calls ? static_cast<double>(c.executions) / static_cast<double>(c.calls) : 0.0) << '\n';
  }
  std::cout << "\nKernel campaigns (bitflip-output, one faulty replica per trial)\n";
  std::cout << std::left << std::setw(8) << "kernel" << std::setw(11) << "executor" << std::right
            << std::setw(9) << "trials" << std::setw(9) << "benign" << std::setw(9) << "masked"
            << std::setw(10) << "detected" << std::setw(11) << "recovered" << std::setw(8) << "SDC"
            << std::setw(12) << "trials/s" << '\n';
  for (const auto& k : r.kernel_rows) {
    std::cout << std::left << std::setw(8) << k.kernel << std::setw(11) << k.executor << std::right;
    if (!k.note.empty()) {
      std::cout << "  not run: " << k.note << '\n';
      continue;
    }
    std::cout << std::setw(9) << k.trials << std::setw(9) << k.benign << std::setw(9) << k.masked
              << std::setw(10) << k.detected << std::setw(11) << k.recovered << std::setw(8) << k.sdc
              << std::setw(12) << static_cast<std::uint64_t>(k.trials_per_second) << '\n';
  }
  std::uint32_t inside = 0;
  for (const auto& p : r.reliability) inside += (p.lo <= p.analytic && p.analytic <= p.hi) ? 1U : 0U;
  std::cout << "\nReliability: " << inside << " of " << r.reliability.size()
            << " simulated R(t) points have the analytic value inside their 95% interval\n";
  if (!r.plot_note.empty()) std::cout << "NOTE: " << r.plot_note << '\n';
  std::cout << "\nReport: " << std::filesystem::absolute(r.index_html).string() << "  ("
            << std::setprecision(3) << r.wall_seconds << " s)\n";
  return 0;
}

}  // namespace lockstep::sim::app
