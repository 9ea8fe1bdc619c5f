// lockstep-sim campaign: run (or resume) a fault-injection campaign on a kernel.
//   lockstep-sim campaign --kernel crc32 --executor tmr --fault bitflip-output --trials 100000
//                         --seed 1 [--faults-per-trial K] [--threads T] [--shard I/N]
//                         [--db FILE] [--json FILE] [--quiet] [--config FILE]
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>

#include <boost/program_options.hpp>

#include <lockstep/core/error.hpp>
#include <lockstep/sim/campaign.hpp>

#include "cli_util.hpp"
#include "commands.hpp"

namespace po = boost::program_options;

namespace lockstep::sim::app {

int run_campaign(int argc, char** argv) {
  constexpr const char* kCmd = "campaign";
  po::options_description desc(
      "lockstep-sim campaign: N trials, each a golden and a faulty call of KERNEL under EXECUTOR with\n"
      "FAULT injected, classified benign/masked/detected/recovered/sdc/timeout.\n"
      "Rerunning the same command with the same --db resumes an interrupted campaign.\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("config", po::value<std::string>(), "read options from an INI file (name = value); the command line wins")
    ("kernel", po::value<std::string>(), "kernel (lockstep-sim list)")
    ("executor", po::value<std::string>(), "executor (lockstep-sim list)")
    ("fault", po::value<std::string>(), "fault model (lockstep-sim list)")
    ("trials", po::value<std::string>(), "number of trials of the whole campaign, >= 1")
    ("seed", po::value<std::string>(), "campaign seed (any 64-bit unsigned number)")
    ("faults-per-trial", po::value<std::string>()->default_value("1"), "faulty replicas per call (distinct), 1..replicas")
    ("threads", po::value<std::string>()->default_value("0"), "worker threads, 0 = every core (never changes results)")
    ("shard", po::value<std::string>()->default_value("1/1"), "run slice I of N (1 <= I <= N), e.g. $SLURM_ARRAY_TASK_ID/8")
    ("db", po::value<std::string>(), "SQLite results database: created, or resumed when it holds this campaign")
    ("json", po::value<std::string>(), "write the summary as JSON to this file")
    ("quiet,q", po::bool_switch(), "no progress output");
  // clang-format on
  po::variables_map vm;
  CampaignSpec spec;
  std::string json_path;
  try {
    parse_options(argc, argv, desc, nullptr, vm);
    if (vm.count("help") != 0U) {
      std::cout << desc << '\n';
      return kExitOk;
    }
    for (const char* required : {"kernel", "executor", "fault", "trials", "seed"}) {
      if (vm.count(required) == 0U) return bad_input(kCmd, std::string{"--"} + required + " is required");
    }
    spec.kernel = vm["kernel"].as<std::string>();
    spec.executor = vm["executor"].as<std::string>();
    spec.fault = vm["fault"].as<std::string>();
    spec.trials = parse_count(vm["trials"].as<std::string>(), "trials", 1, std::uint64_t{1} << 40U);
    spec.seed =
        parse_count(vm["seed"].as<std::string>(), "seed", 0, std::numeric_limits<std::uint64_t>::max());
    spec.faults_per_trial = static_cast<std::uint32_t>(
        parse_count(vm["faults-per-trial"].as<std::string>(), "faults-per-trial", 1, 16));
    spec.threads =
        static_cast<std::uint32_t>(parse_count(vm["threads"].as<std::string>(), "threads", 0, 1024));
    spec.shard = parse_shard(vm["shard"].as<std::string>());
    if (vm.count("db") != 0U) spec.db_path = vm["db"].as<std::string>();
    if (vm.count("json") != 0U) {
      json_path = vm["json"].as<std::string>();
      check_writable(json_path, "--json");
    }
    validate(spec);
    // Pre-flight: an unusable or foreign DB, or one of another campaign, is refused untouched.
    if (!spec.db_path.empty()) {
      check_writable(spec.db_path, "--db");
      ResultsStore::check_compatible(spec.db_path, store_params(spec));
    }
  } catch (const po::error& e) { return bad_input(kCmd, e.what()); } catch (const lockstep::Error& e) {
    return bad_input(kCmd, e.what());
  }

  try {
    Progress progress(vm["quiet"].as<bool>());
    const CampaignSummary s =
        sim::run_campaign(spec, [&](std::uint64_t done, std::uint64_t total) { progress(done, total); });
    progress.finish();
    print_summary(s, stdout);
    std::printf(
        "throughput: %.0f trials/s (%llu trials run now in %.3f s on %u thread%s, store included; %llu "
        "resumed)\n",
        s.trials_per_second, static_cast<unsigned long long>(s.run_now), s.wall_seconds, s.threads,
        s.threads == 1U ? "" : "s", static_cast<unsigned long long>(s.resumed));
    if (!json_path.empty()) write_json_summary(s, json_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lockstep-sim %s: failed: %s\n", kCmd, e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace lockstep::sim::app
