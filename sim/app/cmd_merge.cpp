// lockstep-sim merge: combine shard databases of one campaign, or of one closed-loop plant
// Monte Carlo run (`lockstep-sim plant --shard I/N --db FILE`).
//   lockstep-sim merge --db merged.db shard-1.db shard-2.db ...
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <boost/program_options.hpp>

#include <lockstep/core/error.hpp>
#include <lockstep/sim/campaign.hpp>

#include "cli_util.hpp"
#include "commands.hpp"

namespace po = boost::program_options;

namespace lockstep::sim::app {
namespace {

// Summary of a merged sampled run (plant): samples stored of the expected runs, per outcome.
void print_sample_summary(const ResultsStore& store, const std::string& kind, bool quiet,
                          const std::string& json_path) {
  const std::vector<Sample> samples = store.read_samples(kind);
  std::map<std::string, std::uint64_t> outcomes;
  for (const Sample& x : samples) ++outcomes[x.outcome];
  const auto runs = store.params().find("runs");
  const std::string expected = runs == store.params().end() ? std::string{"?"} : runs->second;
  if (!quiet) {
    std::printf("merged %s run: %s\n", kind.c_str(), describe(store.params()).c_str());
    std::printf("samples: %zu of %s runs\n", samples.size(), expected.c_str());
    for (const auto& [name, n] : outcomes)
      std::printf("  %-10s %llu\n", name.c_str(), static_cast<unsigned long long>(n));
  }
  if (!json_path.empty()) {
    nlohmann::json j{{"kind", kind}, {"samples", samples.size()}, {"outcomes", outcomes}};
    if (runs != store.params().end()) j["runs"] = std::stoull(runs->second);
    std::ofstream f(json_path);
    f << j.dump(2) << '\n';
    if (!f) lockstep::raise("cannot write --json file '" + json_path + "'");
  }
}

}  // namespace

int run_merge(int argc, char** argv) {
  constexpr const char* kCmd = "merge";
  po::options_description desc(
      "lockstep-sim merge --db OUT IN1 IN2 ...: merge shard databases of one campaign (or of one "
      "plant Monte Carlo run) into OUT (a new file).\n"
      "Merged results equal those of the unsharded run with the same seed.\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("config", po::value<std::string>(), "read options from an INI file; the command line wins")
    ("db", po::value<std::string>(), "output database (must not exist)")
    ("input", po::value<std::vector<std::string>>(), "input databases (positional)")
    ("json", po::value<std::string>(), "write the merged summary as JSON to this file")
    ("quiet,q", po::bool_switch(), "print nothing but errors");
  // clang-format on
  po::positional_options_description pos;
  pos.add("input", -1);
  po::variables_map vm;
  std::string out;
  std::vector<std::string> inputs;
  std::string json_path;
  try {
    parse_options(argc, argv, desc, &pos, vm);
    if (vm.count("help") != 0U) {
      std::cout << desc << '\n';
      return kExitOk;
    }
    if (vm.count("db") == 0U) return bad_input(kCmd, "--db OUT is required");
    if (vm.count("input") == 0U) return bad_input(kCmd, "no input databases given");
    out = vm["db"].as<std::string>();
    inputs = vm["input"].as<std::vector<std::string>>();
    check_writable(out, "--db");
    if (vm.count("json") != 0U) {
      json_path = vm["json"].as<std::string>();
      check_writable(json_path, "--json");
    }
    merge_stores(out, inputs);
  } catch (const po::error& e) { return bad_input(kCmd, e.what()); } catch (const lockstep::Error& e) {
    return bad_input(kCmd, e.what());
  }
  try {
    const ResultsStore store = ResultsStore::open_read_only(out);
    const auto kind = store.params().find("kind");
    if (kind != store.params().end() && kind->second != "kernel-campaign") {
      print_sample_summary(store, kind->second, vm["quiet"].as<bool>(), json_path);
      return kExitOk;
    }
    const CampaignSummary s = summarize_store(store);
    if (!vm["quiet"].as<bool>()) print_summary(s, stdout);
    if (!json_path.empty()) write_json_summary(s, json_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lockstep-sim %s: failed: %s\n", kCmd, e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace lockstep::sim::app
