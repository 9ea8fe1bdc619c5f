// lockstep-sim reliability: the closed-form reliability/MTTF/availability of a redundancy
// scheme next to a Monte Carlo estimate from simulated lifetimes (docs/reliability.md).
//
//   lockstep-sim reliability --model tmr --lambda 1e-3 --time 500 --metric reliability
//                            --trials 100000 --seed 1 --check --json out.json
//
// Exit status: 0 ok; 1 --check given and the 95% interval misses the analytic value;
// 2 bad input (one line on stderr naming the problem).

#include <boost/program_options.hpp>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "lockstep/core/error.hpp"
#include "lockstep/sim/reliability/reliability.hpp"

namespace po = boost::program_options;
namespace rel = lockstep::sim::reliability;

namespace lockstep::sim::app {
namespace {
// Messages from the library start with "reliability: "; the command prints its own prefix.
std::string strip(const std::string& what) {
  const std::string prefix = "reliability: ";
  return what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
}
}  // namespace

int run_reliability(int argc, char** argv) {
  po::options_description desc(
      "lockstep-sim reliability: analytic reliability model vs Monte Carlo over simulated lifetimes\n"
      "Options");
  std::string model_name;
  std::string metric_name;
  std::string json_path;
  std::uint32_t n = 0;
  std::uint32_t threads = 0;
  std::uint64_t trials = 0;
  std::uint64_t seed = 0;
  rel::ModelSpec spec;
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("model", po::value<std::string>()->required(), "simplex | dmr (2-of-2, stops on mismatch) | tmr (2-of-3) | nmr (majority of N)")
    ("n", po::value(&n), "units for --model nmr (1..16); simplex/dmr/tmr imply 1/2/3")
    ("lambda", po::value(&spec.lambda)->required(), "per-unit failure rate (per time unit), > 0")
    ("time", po::value(&spec.time)->default_value(1.0), "mission time (reliability) or window per trial (availability)")
    ("voter-reliability", po::value(&spec.voter_reliability)->default_value(1.0), "P(voter works), in [0,1]")
    ("mu", po::value(&spec.mu)->default_value(0.0), "repair rate of a failed unit (one repair crew); 0 = no repair")
    ("metric", po::value<std::string>()->default_value("reliability"), "reliability | mttf | availability")
    ("trials", po::value(&trials)->default_value(100000), "Monte Carlo trials, > 0")
    ("seed", po::value(&seed)->default_value(1), "Monte Carlo seed")
    ("threads", po::value(&threads)->default_value(0), "worker threads, 0 = every core (result does not depend on it)")
    ("check", "exit 1 if the 95% interval misses the analytic value")
    ("json", po::value<std::string>(), "write {\"analytic\": x, \"simulated\": {\"value\": y, \"ci95\": [lo, hi]}} to FILE");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help") != 0U) {
      std::cout << "usage: lockstep-sim reliability --model M --lambda L [--n N] [--time T] "
                   "[--voter-reliability RV]\n"
                   "                                [--mu M] [--metric reliability|mttf|availability] "
                   "[--trials N]\n"
                   "                                [--seed S] [--check] [--json FILE]\n"
                << desc << '\n';
      return 0;
    }
    po::notify(vm);
    // Strings are read here rather than bound with po::value(&str): GCC 12 -O3 reports a false
    // -Wnull-dereference inside the bound std::string assignment.
    model_name = vm["model"].as<std::string>();
    metric_name = vm["metric"].as<std::string>();
    if (vm.count("json") != 0U) json_path = vm["json"].as<std::string>();
    spec.model = rel::parse_model(model_name);
    spec.metric = rel::parse_metric(metric_name);
    spec.n = vm.count("n") != 0U ? n : rel::units(rel::ModelSpec{.model = spec.model, .n = 3});
    if (trials == 0U) lockstep::raise("reliability: --trials must be > 0");
    rel::validate(spec);
  } catch (const po::error& e) {
    std::cerr << "lockstep-sim reliability: error: " << e.what() << " (try --help)\n";
    return 2;
  } catch (const lockstep::Error& e) {
    std::cerr << "lockstep-sim reliability: error: " << strip(e.what()) << '\n';
    return 2;
  }

  double analytic = 0.0;
  rel::Estimate est;
  try {
    analytic = rel::analytic(spec);
    est = rel::simulate(spec, trials, seed, threads);
  } catch (const lockstep::Error& e) {
    std::cerr << "lockstep-sim reliability: error: " << strip(e.what()) << '\n';
    return 2;
  }

  std::cout << "model " << rel::to_string(spec.model) << " (" << rel::needed(spec) << "-of-"
            << rel::units(spec) << "), metric " << rel::to_string(spec.metric) << ", lambda " << spec.lambda
            << ", mu " << spec.mu << ", voter reliability " << spec.voter_reliability;
  if (spec.metric != rel::Metric::mttf) std::cout << ", time " << spec.time;
  std::cout << '\n' << std::setprecision(8);
  std::cout << "  analytic   " << analytic << '\n';
  std::cout << "  simulated  " << est.value << "   95% CI [" << est.lo << ", " << est.hi << "]   (" << trials
            << " trials, seed " << seed << ")\n";
  const bool inside = est.contains(analytic);

  if (!json_path.empty()) {
    const nlohmann::json j = {{"analytic", analytic},
                              {"simulated", {{"value", est.value}, {"ci95", {est.lo, est.hi}}}}};
    std::ofstream out(json_path);
    out << j.dump(2) << '\n';
    if (!out) {
      std::cerr << "lockstep-sim reliability: error: cannot write --json file '" << json_path << "'\n";
      return 2;
    }
  }
  if (vm.count("check") != 0U) {
    if (!inside) {
      std::cerr << "lockstep-sim reliability: CHECK FAILED: analytic " << analytic
                << " outside the 95% interval [" << est.lo << ", " << est.hi << "] (seed " << seed << ")\n";
      return 1;
    }
    std::cout << "  check      ok: analytic value inside the 95% interval\n";
  }
  return 0;
}

}  // namespace lockstep::sim::app
