// lockstep-bench-sim: campaign throughput for the bit-exact kernel (crc32, one output bit flip
// per trial), with and without the results store, on 1 and 2 threads, and the raw store insert
// rate. Rows (items_per_second = trials/s):
//   BM_Campaign/exec:E/threads:T        engine only (no --db); E: 0 simplex, 1 dmr, 2 tmr, 3 nversion
//   BM_CampaignStore/exec:E/threads:T   engine + SQLite store (what the CLI reports)
//   BM_StoreAppend                      16,384-row transactions into a fresh store
// After the table it prints the 2-thread/1-thread ratio of every engine and engine+store row
// (medians when run with --benchmark_repetitions=N), e.g.
//   lockstep-bench-sim --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <lockstep/sim/campaign.hpp>
#include <lockstep/sim/results_store.hpp>

namespace ls = lockstep::sim;

namespace {
// Enough trials for a dozen store batches (16,384 trials each): the writer thread's overlap
// with the engine shows, and the per-campaign set-up (runners, DB creation) is amortised.
constexpr std::uint64_t kTrials = 200000;
const char* const kExecutors[] = {"simplex", "dmr", "tmr", "nversion"};

std::string temp_db(const char* name) {
  const auto p = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(p);
  std::filesystem::remove(p.string() + "-wal");
  std::filesystem::remove(p.string() + "-shm");
  return p.string();
}

void run(benchmark::State& state, bool store) {
  ls::CampaignSpec spec;
  spec.kernel = "crc32";
  spec.executor = kExecutors[state.range(0)];
  spec.fault = "bitflip-output";
  spec.trials = kTrials;
  spec.threads = static_cast<std::uint32_t>(state.range(1));
  state.SetLabel(spec.executor);
  for (auto _ : state) {
    spec.db_path = store ? temp_db("lockstep-bench-sim.db") : std::string{};
    const ls::CampaignSummary s = ls::run_campaign(spec);
    benchmark::DoNotOptimize(s.counts);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kTrials));
  if (store) (void)temp_db("lockstep-bench-sim.db");
}

void BM_Campaign(benchmark::State& state) { run(state, false); }
void BM_CampaignStore(benchmark::State& state) { run(state, true); }

void BM_StoreAppend(benchmark::State& state) {
  std::vector<ls::TrialRow> rows(16384);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].seed = i * 0x9E3779B97F4A7C15ULL;
  const std::string path = temp_db("lockstep-bench-store.db");
  auto store = ls::ResultsStore::open_for_writing(path, ls::StoreParams{{"kind", "bench"}});
  std::uint64_t next = 0;
  for (auto _ : state) {
    for (auto& r : rows) r.trial = next++;
    store.append_trials(rows);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(next));
  (void)temp_db("lockstep-bench-store.db");
}

// Console output as usual, plus the trials/s of each row (the median when repeated) kept for
// the 2-thread/1-thread ratios printed at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    benchmark::ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
      const auto it = r.counters.find("items_per_second");
      if (it == r.counters.end()) continue;
      // "BM_Campaign/exec:2/threads:1" -> key "BM_Campaign/exec:2", threads 1.
      const std::string name = r.run_name.str();
      const auto at = name.find("/threads:");
      if (at == std::string::npos) continue;
      const int threads = std::stoi(name.substr(at + 9));
      m_rates[name.substr(0, at) + " (" + r.report_label + ")"][threads] = it->second.value;
    }
  }
  void print_ratios() const {
    std::printf("\n2-thread / 1-thread throughput (trials/s%s):\n", m_rates.empty() ? ", none measured" : "");
    for (const auto& [row, by_threads] : m_rates) {
      const auto one = by_threads.find(1);
      const auto two = by_threads.find(2);
      if (one == by_threads.end() || two == by_threads.end() || one->second <= 0.0) continue;
      std::printf("  %-32s %10.0f -> %10.0f  x%.2f\n", row.c_str(), one->second, two->second,
                  two->second / one->second);
    }
  }

 private:
  std::map<std::string, std::map<int, double>> m_rates;
};

}  // namespace

BENCHMARK(BM_Campaign)
    ->ArgNames({"exec", "threads"})
    ->ArgsProduct({{0, 1, 2, 3}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CampaignStore)
    ->ArgNames({"exec", "threads"})
    ->ArgsProduct({{2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_StoreAppend)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
