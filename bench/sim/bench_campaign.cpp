// lockstep-bench-sim: campaign throughput for the bit-exact kernel, with and without the
// results store, and the raw store insert rate. Rows (items_per_second = trials/s):
//   BM_Campaign/<executor>/<threads>        engine only (no --db)
//   BM_CampaignStore/<executor>/<threads>   engine + SQLite store (what the CLI reports)
//   BM_StoreAppend                          16,384-row transactions into a fresh store
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include <lockstep/sim/campaign.hpp>
#include <lockstep/sim/results_store.hpp>

namespace ls = lockstep::sim;

namespace {
constexpr std::uint64_t kTrials = 50000;
const char* const kExecutors[] = {"simplex", "dmr", "tmr", "nversion"};

std::string temp_db(const char* name) {
  const auto p = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(p);
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
  if (store) std::filesystem::remove(spec.db_path);
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
  std::filesystem::remove(path);
}

}  // namespace

BENCHMARK(BM_Campaign)->ArgsProduct({{0, 1, 2, 3}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CampaignStore)->ArgsProduct({{2}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StoreAppend)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
