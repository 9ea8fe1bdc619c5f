// lockstep-sim: fault-injection campaigns, results databases, plants, reliability models.
//   lockstep-sim <command> [options]      lockstep-sim <command> --help
#include <array>
#include <cstdio>
#include <string_view>

#include "commands.hpp"

namespace {

struct Command {
  std::string_view name;
  int (*run)(int, char**);
  std::string_view summary;
};

constexpr std::array kCommands{
    Command{"campaign", &lockstep::sim::app::run_campaign,
            "run (or resume) a fault-injection campaign on a kernel"},
    Command{"merge", &lockstep::sim::app::run_merge, "merge shard databases of one campaign into one"},
    Command{"report", &lockstep::sim::app::run_report, "print the counts and rates stored in a database"},
    Command{"list", &lockstep::sim::app::run_list, "list kernels, executors and fault models"},
    Command{"plant", &lockstep::sim::app::run_plant,
            "closed-loop fault injection: a plant under an executor"},
    Command{"reliability", &lockstep::sim::app::run_reliability,
            "reliability/MTTF/availability: analytic model vs Monte Carlo"},
    Command{"demo", &lockstep::sim::app::run_demo,
            "the closed-loop study with its HTML report (scripts/demo)"},
};

void usage(std::FILE* to) {
  std::fprintf(to, "usage: lockstep-sim <command> [options]   (lockstep-sim <command> --help)\ncommands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(to, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string_view cmd{argv[1]};
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("lockstep-sim %s\n", LOCKSTEP_VERSION);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (c.name == cmd) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "lockstep-sim: error: unknown command '%s' (try lockstep-sim --help)\n", argv[1]);
  return 2;
}
