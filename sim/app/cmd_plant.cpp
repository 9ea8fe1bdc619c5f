// lockstep-sim plant: closed-loop fault-injection runs of a plant under an executor, single
// or Monte Carlo over fault seeds (docs/plants.md).
//
//   lockstep-sim plant --plant pendulum --executor tmr --fault bitflip-output --fault-rate 1e-3
//                      --duration 10 --runs 200 --seed 1 --json out.json --trace run0.csv
//
// Exit status: 0 ok (an envelope violation is a result, not an error); 2 bad input.

#include <boost/program_options.hpp>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "lockstep/core/error.hpp"
#include "lockstep/sim/plant/closed_loop.hpp"
#include "lockstep/sim/seed.hpp"
#include "lockstep/sim/statistics.hpp"

namespace po = boost::program_options;
namespace pl = lockstep::sim::plant;

namespace {

// "T[:R[:BIT]],T[:R[:BIT]],...": seconds, replica (default 0), bit (default drawn).
std::vector<pl::ScriptedFault> parse_fault_at(const std::string& text) {
  std::vector<pl::ScriptedFault> out;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    pl::ScriptedFault f;
    std::stringstream parts(item);
    std::string part;
    int field = 0;
    while (std::getline(parts, part, ':')) {
      try {
        std::size_t used = 0;
        if (field == 0) f.time = std::stod(part, &used);
        if (field == 1) f.replica = static_cast<std::uint32_t>(std::stoul(part, &used));
        if (field == 2) f.bit = std::stoi(part, &used);
        if (used != part.size() || field > 2) throw std::invalid_argument(part);
      } catch (const std::exception&) {
        lockstep::raise("plant: --fault-at item '" + item + "' is not TIME[:REPLICA[:BIT]]");
      }
      ++field;
    }
    if (field == 0) lockstep::raise("plant: --fault-at has an empty item");
    out.push_back(f);
  }
  return out;
}

}  // namespace

namespace lockstep::sim::app {
namespace {
// Messages from the library start with "plant: "; the command prints its own prefix.
std::string strip(const std::string& what) {
  const std::string prefix = "plant: ";
  return what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
}
}  // namespace

int run_plant(int argc, char** argv) {
  po::options_description desc(
      "lockstep-sim plant: closed-loop fault injection (plant + controller under an executor)\nOptions");
  pl::LoopSpec spec;
  std::uint64_t runs = 1;
  std::uint32_t threads = 0;
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("plant", po::value<std::string>()->default_value("pendulum"), "pendulum | motor | attitude")
    ("executor", po::value<std::string>()->default_value("tmr"), "simplex | dmr-retry | tmr | nversion")
    ("fault", po::value<std::string>()->default_value("bitflip-output"),
     "bitflip-output | bitflip-input | bitflip-state (motor) | exception | delay | stuck-at")
    ("stuck-calls", po::value(&spec.stuck_calls)->default_value(50), "length of a stuck-at fault in control calls")
    ("fault-rate", po::value(&spec.fault_rate)->default_value(1e-3), "fault probability per control call per replica, [0,1]")
    ("fault-at", po::value<std::string>(), "scripted faults: TIME[:REPLICA[:BIT]],... (seconds; single runs)")
    ("duration", po::value(&spec.duration)->default_value(10.0), "simulated seconds per run")
    ("sensor-noise", po::value(&spec.sensor_noise),
     "sensor noise as a multiple of the plant's nominal noise, [0,100] (default: 1 for the pendulum, 0 otherwise)")
    ("runs", po::value(&runs)->default_value(1), "Monte Carlo runs over fault seeds (> 0)")
    ("seed", po::value(&spec.seed)->default_value(1), "seed of the fault streams (run i uses trial_seed(seed, i))")
    ("threads", po::value(&threads)->default_value(0), "worker threads, 0 = every core (never changes results)")
    ("db", po::value<std::string>(), "results store (SQLite, resumable): one row per run")
    ("shard", po::value<std::string>(), "run slice I of N of the runs (I/N)")
    ("json", po::value<std::string>(), "write a JSON summary to FILE")
    ("trace", po::value<std::string>(), "write run 0's trajectory as CSV to FILE")
    ("quiet", "print nothing but errors");
  // clang-format on
  po::variables_map vm;
  pl::MonteCarloOptions mco;
  std::string json_path;
  std::string trace_path;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help") != 0U) {
      std::cout << "usage: lockstep-sim plant --plant pendulum|motor|attitude --executor E --fault F "
                   "--fault-rate P\n"
                   "                          --duration SECONDS --runs N --seed S [--json FILE] [--trace "
                   "FILE.csv]\n"
                << desc << '\n';
      return 0;
    }
    po::notify(vm);
    if (vm.count("sensor-noise") != 0U && !(spec.sensor_noise >= 0.0))
      lockstep::raise("plant: --sensor-noise must be in [0, 100] (a multiple of the nominal sensor noise)");
    spec.plant = pl::parse_plant(vm["plant"].as<std::string>());
    spec.executor = pl::parse_loop_executor(vm["executor"].as<std::string>());
    spec.fault = pl::parse_loop_fault(vm["fault"].as<std::string>());
    if (vm.count("fault-at") != 0U) spec.scripted = parse_fault_at(vm["fault-at"].as<std::string>());
    if (vm.count("json") != 0U) json_path = vm["json"].as<std::string>();
    if (vm.count("trace") != 0U) trace_path = vm["trace"].as<std::string>();
    if (vm.count("db") != 0U) mco.db_path = vm["db"].as<std::string>();
    if (vm.count("shard") != 0U) {
      const std::string s = vm["shard"].as<std::string>();
      const auto slash = s.find('/');
      try {
        if (slash == std::string::npos) throw std::invalid_argument(s);
        std::size_t u1 = 0;
        std::size_t u2 = 0;
        const std::string a = s.substr(0, slash);
        const std::string b = s.substr(slash + 1);
        mco.shard_index = static_cast<std::uint32_t>(std::stoul(a, &u1));
        mco.shard_count = static_cast<std::uint32_t>(std::stoul(b, &u2));
        if (u1 != a.size() || u2 != b.size()) throw std::invalid_argument(s);
      } catch (const std::exception&) { lockstep::raise("plant: --shard '" + s + "' is not I/N"); }
      if (mco.shard_count == 0U || mco.shard_index < 1U || mco.shard_index > mco.shard_count)
        lockstep::raise("plant: --shard " + s + ": I must be in 1..N");
    }
    if (runs == 0U) lockstep::raise("plant: --runs must be > 0");
    if (runs > 1U && !spec.scripted.empty())
      lockstep::raise("plant: --fault-at is for single runs (--runs 1)");
    if (runs == 1U && (mco.shard_count != 1U || !mco.db_path.empty()) && !spec.scripted.empty())
      lockstep::raise("plant: --fault-at runs are not stored (drop --db/--shard)");
    mco.threads = threads;
    pl::validate(spec);
  } catch (const po::error& e) {
    std::cerr << "lockstep-sim plant: error: " << e.what() << " (try --help)\n";
    return 2;
  } catch (const lockstep::Error& e) {
    std::cerr << "lockstep-sim plant: error: " << strip(e.what()) << '\n';
    return 2;
  }
  const bool quiet = vm.count("quiet") != 0U;

  try {
    // Run 0 (traced when asked): the same fault stream as run 0 of the Monte Carlo.
    pl::LoopSpec first = spec;
    first.seed = lockstep::sim::trial_seed(spec.seed, 0);
    first.record_trace = !trace_path.empty();
    const bool single = runs == 1U && mco.db_path.empty() && mco.shard_count == 1U;
    pl::LoopResult run0;
    if (single || !trace_path.empty()) run0 = pl::run_loop(first);
    if (!trace_path.empty()) pl::write_trace_csv(trace_path, spec, run0);

    pl::MonteCarloResult mc;
    if (single) {
      mc.runs = 1;
      mc.violations = run0.envelope_held ? 0U : 1U;
      mc.p_violation = static_cast<double>(mc.violations);
      const lockstep::sim::Interval ci =
          lockstep::sim::wilson_interval(mc.violations, 1U, lockstep::sim::normal_quantile_two_sided(0.95));
      mc.ci_lo = ci.lo;
      mc.ci_hi = ci.hi;
      mc.mean_ise = run0.ise;
      mc.mean_safe_time = run0.safe_time;
      mc.wall_ns_per_call = run0.wall_ns_per_call;
      mc.counts = run0.counts;
    } else {
      spec.scripted.clear();
      mc = pl::run_monte_carlo(spec, runs, mco);
    }
    const auto& c = mc.counts;
    const double per_call =
        c.calls > 0U ? static_cast<double>(c.executions) / static_cast<double>(c.calls) : 0.0;
    if (!quiet) {
      std::cout << "plant " << pl::to_string(spec.plant) << " under " << pl::to_string(spec.executor)
                << ", fault " << pl::to_string(spec.fault) << " at " << spec.fault_rate << "/call/replica";
      if (!spec.scripted.empty()) std::cout << " + " << spec.scripted.size() << " scripted";
      std::cout << ", " << spec.duration << " s, seed " << spec.seed << '\n';
      std::cout << std::setprecision(4);
      if (single) {
        std::cout << "  envelope      " << (run0.envelope_held ? "held" : "VIOLATED");
        if (!run0.envelope_held) std::cout << " at t = " << run0.violation_time << " s";
        std::cout << '\n';
      } else {
        std::cout << "  runs          " << mc.runs
                  << (mc.resumed > 0U ? " (" + std::to_string(mc.resumed) + " resumed)" : "") << '\n';
        std::cout << "  violations    " << mc.violations << "   P = " << mc.p_violation << "  95% CI ["
                  << mc.ci_lo << ", " << mc.ci_hi << "]\n";
      }
      std::cout << "  calls         " << c.calls << "  faults " << c.faults_injected << "  masked "
                << c.masked << "  recovered " << c.recovered << "  detected " << c.detected << "  sdc "
                << c.sdc << '\n';
      std::cout << "  deadline misses " << c.deadline_misses << "  safe-state time " << mc.mean_safe_time
                << " s/run  ISE " << mc.mean_ise << " /run\n";
      std::cout << "  overhead      " << per_call << " executions/call, " << mc.wall_ns_per_call
                << " ns/call\n";
    }
    if (!json_path.empty()) {
      nlohmann::json j = {
          {"plant", pl::to_string(spec.plant)},
          {"executor", pl::to_string(spec.executor)},
          {"fault", pl::to_string(spec.fault)},
          {"fault_rate", spec.fault_rate},
          {"duration", spec.duration},
          {"sensor_noise", spec.sensor_noise >= 0.0 ? spec.sensor_noise
                                                    : (spec.plant == pl::PlantKind::pendulum ? 1.0 : 0.0)},
          {"runs", mc.runs},
          {"seed", spec.seed},
          {"violations", mc.violations},
          {"p_violation", {{"value", mc.p_violation}, {"ci95", {mc.ci_lo, mc.ci_hi}}}},
          {"counts",
           {{"calls", c.calls},
            {"faults", c.faults_injected},
            {"faulty_calls", c.faulty_calls},
            {"masked", c.masked},
            {"recovered", c.recovered},
            {"detected", c.detected},
            {"sdc", c.sdc},
            {"deadline_misses", c.deadline_misses},
            {"executions", c.executions}}},
          {"mean_ise", mc.mean_ise},
          {"mean_safe_time", mc.mean_safe_time},
          {"overhead", {{"executions_per_call", per_call}, {"wall_ns_per_call", mc.wall_ns_per_call}}}};
      if (single) {
        j["envelope_held"] = run0.envelope_held;
        j["violation_time"] = run0.violation_time;
        j["fault_times"] = run0.fault_times;
      }
      std::ofstream out(json_path);
      out << j.dump(2) << '\n';
      if (!out) lockstep::raise("plant: cannot write --json file '" + json_path + "'");
    }
  } catch (const lockstep::Error& e) {
    std::cerr << "lockstep-sim plant: error: " << strip(e.what()) << '\n';
    return 2;
  }
  return 0;
}

}  // namespace lockstep::sim::app
