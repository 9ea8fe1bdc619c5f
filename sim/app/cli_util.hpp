#pragma once
// Shared pieces of the lockstep-sim subcommands: option parsing with --config INI files, the
// exit-code-2 error line, progress display, summary printing and the --json summary.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <boost/program_options.hpp>

#include <lockstep/sim/campaign.hpp>

namespace lockstep::sim::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

/// Prints "lockstep-sim <cmd>: error: <what>" on stderr and returns kExitBadInput.
int bad_input(const char* cmd, const std::string& what);

/// Parses argv with `desc` (and positional `pos`), then, if --config was given, the INI file
/// (same option names; the command line wins). Throws boost::program_options::error or
/// lockstep::Error (unreadable config file).
void parse_options(int argc, char** argv, const boost::program_options::options_description& desc,
                   const boost::program_options::positional_options_description* pos,
                   boost::program_options::variables_map& vm);

/// Refuses an output path that cannot be written (missing directory), without creating it.
void check_writable(const std::string& path, const char* option);

/// Progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds
/// otherwise, nothing when quiet.
class Progress {
 public:
  explicit Progress(bool quiet);
  void operator()(std::uint64_t done, std::uint64_t total);
  void finish();

 private:
  bool m_quiet;
  bool m_tty;
  bool m_drawn{false};
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last;
  std::uint64_t m_first_done{0};
  bool m_started{false};
};

/// Prints the parameters, the outcome table (counts, rates, 95% Wilson intervals) on stdout.
void print_summary(const CampaignSummary& s, std::FILE* to);

/// Writes the --json summary: {"trials":N, "outcomes":{...}, "rates":{"sdc":{"value":..,"ci95":[lo,hi]},
/// ...}}.
void write_json_summary(const CampaignSummary& s, const std::string& path);

}  // namespace lockstep::sim::app

namespace lockstep::sim::app {
/// Strict unsigned parse of an option value ("-5", "1e3", "12abc" and overflow are refused):
/// throws lockstep::Error "--<option> must be a whole number in min..max (got 'text')".
[[nodiscard]] std::uint64_t parse_count(const std::string& text, const char* option, std::uint64_t min,
                                        std::uint64_t max);
}  // namespace lockstep::sim::app
