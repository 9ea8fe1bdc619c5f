#pragma once
// The lockstep-sim subcommands. Each takes the arguments after the subcommand name
// (argv[0] is the subcommand) and returns the process exit code:
//   0 success, 1 a failure while running (I/O error mid-run, a --check that failed),
//   2 bad input (unknown option/value, out-of-range number, unusable or incompatible DB),
//     reported as one line "lockstep-sim <cmd>: error: ..." on stderr.
// To add a subcommand: declare run_<name> here, define it in cmd_<name>.cpp and add a row to
// kCommands in main.cpp.

namespace lockstep::sim::app {

int run_campaign(int argc, char** argv);
int run_merge(int argc, char** argv);
int run_report(int argc, char** argv);
int run_list(int argc, char** argv);
int run_plant(int argc, char** argv);
int run_reliability(int argc, char** argv);
int run_demo(int argc, char** argv);

}  // namespace lockstep::sim::app
