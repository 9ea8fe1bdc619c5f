#include "cli_util.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include <lockstep/core/error.hpp>

namespace po = boost::program_options;

namespace lockstep::sim::app {

int bad_input(const char* cmd, const std::string& what) {
  std::fprintf(stderr, "lockstep-sim %s: error: %s\n", cmd, what.c_str());
  return kExitBadInput;
}

void parse_options(int argc, char** argv, const po::options_description& desc,
                   const po::positional_options_description* pos, po::variables_map& vm) {
  po::command_line_parser parser(argc, argv);
  parser.options(desc);
  if (pos != nullptr) parser.positional(*pos);
  po::store(parser.run(), vm);
  if (vm.count("config") != 0U && vm.count("help") == 0U) {
    const auto& file = vm["config"].as<std::string>();
    std::ifstream in(file);
    if (!in) raise("--config '" + file + "': cannot be read");
    // Values already stored from the command line are kept: the command line wins.
    po::store(po::parse_config_file(in, desc), vm);
  }
}

void check_writable(const std::string& path, const char* option) {
  const std::filesystem::path p{path};
  const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path{"."};
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    raise(std::string{option} + " '" + path + "': directory '" + dir.string() + "' does not exist");
  }
  if (std::filesystem::is_directory(p, ec)) raise(std::string{option} + " '" + path + "' is a directory");
  if (::access(dir.c_str(), W_OK) != 0)
    raise(std::string{option} + " '" + path + "': directory is not writable");
}

Progress::Progress(bool quiet)
    : m_quiet(quiet),
      m_tty(::isatty(STDERR_FILENO) == 1),
      m_start(std::chrono::steady_clock::now()),
      m_last(m_start) {}

void Progress::operator()(std::uint64_t done, std::uint64_t total) {
  if (m_quiet) return;
  const auto now = std::chrono::steady_clock::now();
  if (!m_started) {
    m_started = true;
    m_first_done = done;
    m_start = now;
    m_last = now;
    if (done > 0 && !m_tty) {
      std::fprintf(stderr, "resuming: %llu of %llu trials already stored\n",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    }
    return;
  }
  const double secs = std::chrono::duration<double>(now - m_start).count();
  const double rate = secs > 0.0 ? static_cast<double>(done - m_first_done) / secs : 0.0;
  const double eta = rate > 0.0 ? static_cast<double>(total - done) / rate : 0.0;
  const double frac = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  if (m_tty) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r[%s] %5.1f%% %llu/%llu  %.0f trials/s  ETA %.0f s   ", bar.c_str(), frac * 100.0,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), rate, eta);
    m_drawn = true;
  } else if (now - m_last >= std::chrono::seconds{2} || done == total) {
    m_last = now;
    std::fprintf(stderr, "progress: %llu/%llu trials (%.1f%%), %.0f trials/s, ETA %.0f s\n",
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), frac * 100.0,
                 rate, eta);
  }
}

void Progress::finish() {
  if (m_drawn) std::fprintf(stderr, "\n");
  m_drawn = false;
}

void print_summary(const CampaignSummary& s, std::FILE* to) {
  const CampaignSpec& c = s.spec;
  std::fprintf(
      to, "campaign: kernel=%s executor=%s fault=%s faults-per-trial=%u seed=%llu trials=%llu shard=%u/%u\n",
      c.kernel.c_str(), c.executor.c_str(), c.fault.c_str(), c.faults_per_trial,
      static_cast<unsigned long long>(c.seed), static_cast<unsigned long long>(c.trials), c.shard.index,
      c.shard.count);
  const std::uint64_t total = s.counts.total();
  std::fprintf(to, "stored: %llu of %llu trials%s\n", static_cast<unsigned long long>(total),
               static_cast<unsigned long long>(s.expected_trials),
               total == s.expected_trials ? "" : " (INCOMPLETE: rerun the same campaign command to finish)");
  std::fprintf(to, "%-10s %10s %10s   %-25s\n", "outcome", "count", "rate", "95% CI (Wilson)");
  for (const TrialOutcome o : kAllOutcomes) {
    const Rate r = s.rate(o);
    std::fprintf(to, "%-10s %10llu %10.3e   [%.3e, %.3e]\n", std::string{to_string(o)}.c_str(),
                 static_cast<unsigned long long>(s.counts[o]), r.value, r.ci95.lo, r.ci95.hi);
  }
}

void write_json_summary(const CampaignSummary& s, const std::string& path) {
  nlohmann::ordered_json j;
  j["trials"] = s.counts.total();
  nlohmann::ordered_json outcomes = nlohmann::ordered_json::object();
  nlohmann::ordered_json rates = nlohmann::ordered_json::object();
  for (const TrialOutcome o : kAllOutcomes) {
    const std::string name{to_string(o)};
    outcomes[name] = s.counts[o];
    const Rate r = s.rate(o);
    rates[name] = {{"value", r.value}, {"ci95", {r.ci95.lo, r.ci95.hi}}};
  }
  j["outcomes"] = outcomes;
  j["rates"] = rates;
  std::ofstream out(path);
  if (!out) raise("--json '" + path + "': cannot be written");
  out << j.dump(2) << '\n';
  if (!out) raise("--json '" + path + "': write failed");
}

}  // namespace lockstep::sim::app

#include <charconv>

namespace lockstep::sim::app {
std::uint64_t parse_count(const std::string& text, const char* option, std::uint64_t min, std::uint64_t max) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, v);
  if (text.empty() || r.ec != std::errc{} || r.ptr != end || v < min || v > max) {
    raise(std::string{"--"} + option + " must be a whole number in " + std::to_string(min) + ".." +
          std::to_string(max) + " (got '" + text + "')");
  }
  return v;
}
}  // namespace lockstep::sim::app
