// lockstep-sim list: the kernels, executors and fault models a campaign accepts.
//   lockstep-sim list [--json]
#include <cstdio>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <lockstep/sim/catalog.hpp>
#include <lockstep/sim/fault.hpp>

#include "cli_util.hpp"
#include "commands.hpp"

namespace po = boost::program_options;

namespace lockstep::sim::app {

int run_list(int argc, char** argv) {
  constexpr const char* kCmd = "list";
  po::options_description desc("lockstep-sim list [--json]: kernels, executors and fault models.\nOptions");
  desc.add_options()("help,h", "show this help")("json", "print JSON on stdout");
  po::variables_map vm;
  try {
    parse_options(argc, argv, desc, nullptr, vm);
  } catch (const std::exception& e) { return bad_input(kCmd, e.what()); }
  if (vm.count("help") != 0U) {
    std::cout << desc << '\n';
    return kExitOk;
  }
  if (vm.count("json") != 0U) {
    nlohmann::ordered_json j;
    j["kernels"] = nlohmann::ordered_json::array();
    for (const KernelInfo& k : kernels()) {
      j["kernels"].push_back(
          {{"name", k.name}, {"exact", k.exact}, {"versions", k.versions}, {"output_bits", k.output_bits}});
    }
    j["executors"] = nlohmann::ordered_json::array();
    for (const ExecutorInfo& e : executors()) j["executors"].push_back({{"name", e.name}});
    j["faults"] = nlohmann::ordered_json::array();
    for (const FaultModelInfo& f : kFaultModels) j["faults"].push_back({{"name", f.name}});
    std::cout << j.dump() << '\n';
    return kExitOk;
  }
  std::printf("kernels:\n");
  for (const KernelInfo& k : kernels()) {
    std::printf("  %-16.*s %s, %u versions, %u output bits: %.*s\n", static_cast<int>(k.name.size()),
                k.name.data(), k.exact ? "exact" : "tolerance", k.versions, k.output_bits,
                static_cast<int>(k.description.size()), k.description.data());
  }
  std::printf("executors:\n");
  for (const ExecutorInfo& e : executors()) {
    std::printf("  %-16.*s %.*s\n", static_cast<int>(e.name.size()), e.name.data(),
                static_cast<int>(e.description.size()), e.description.data());
  }
  std::printf("faults:\n");
  for (const FaultModelInfo& f : kFaultModels) {
    std::printf("  %-16.*s %.*s\n", static_cast<int>(f.name.size()), f.name.data(),
                static_cast<int>(f.description.size()), f.description.data());
  }
  return kExitOk;
}

}  // namespace lockstep::sim::app
