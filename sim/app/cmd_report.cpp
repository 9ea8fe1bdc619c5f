// lockstep-sim report: counts, rates and 95% intervals stored in a campaign database.
//   lockstep-sim report --db campaign.db [--json summary.json]
#include <cstdio>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include <lockstep/core/error.hpp>
#include <lockstep/sim/campaign.hpp>

#include "cli_util.hpp"
#include "commands.hpp"

namespace po = boost::program_options;

namespace lockstep::sim::app {

int run_report(int argc, char** argv) {
  constexpr const char* kCmd = "report";
  po::options_description desc(
      "lockstep-sim report --db FILE [--json FILE]: print a stored campaign's results.\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("config", po::value<std::string>(), "read options from an INI file; the command line wins")
    ("db", po::value<std::string>(), "campaign database (opened read-only)")
    ("json", po::value<std::string>(), "write the summary as JSON to this file");
  // clang-format on
  po::variables_map vm;
  std::string json_path;
  CampaignSummary s;
  try {
    parse_options(argc, argv, desc, nullptr, vm);
    if (vm.count("help") != 0U) {
      std::cout << desc << '\n';
      return kExitOk;
    }
    if (vm.count("db") == 0U) return bad_input(kCmd, "--db FILE is required");
    if (vm.count("json") != 0U) {
      json_path = vm["json"].as<std::string>();
      check_writable(json_path, "--json");
    }
    const ResultsStore store = ResultsStore::open_read_only(vm["db"].as<std::string>());
    s = summarize_store(store);
  } catch (const po::error& e) { return bad_input(kCmd, e.what()); } catch (const lockstep::Error& e) {
    return bad_input(kCmd, e.what());
  }
  try {
    print_summary(s, stdout);
    if (!json_path.empty()) write_json_summary(s, json_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lockstep-sim %s: failed: %s\n", kCmd, e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace lockstep::sim::app
