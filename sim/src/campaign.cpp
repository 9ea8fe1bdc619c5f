#include <lockstep/sim/campaign.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include <lockstep/core/error.hpp>
#include <lockstep/sim/catalog.hpp>
#include <lockstep/sim/fault.hpp>
#include <nlohmann/json.hpp>

#include "trial_runner.hpp"

#if defined(LOCKSTEP_SIM_WITH_TBB)
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#endif

namespace lockstep::sim {
namespace {

// Trials per store transaction: large enough that the commit cost (an fsync-free WAL append)
// is negligible, small enough that a kill loses little work and progress stays lively.
constexpr std::uint64_t kBatch = 16384;

// Commits batches of trial rows on its own thread while the engine runs the next batch, so the
// (single-threaded) SQLite inserts overlap with the trials instead of adding to them. A queue of
// capacity one: submit() first waits until the previous batch is committed. The caller keeps
// two row buffers and hands one over while it fills the other; a batch counts as done only once
// wait() (or the next submit()) has seen it committed, so a kill at any moment loses at most the
// batch being committed and the one being computed, and a rerun recomputes exactly those.
// Thread safety: submit/wait from one (the driver) thread; the store is used only by the writer
// thread between construction and destruction.
// On failure: a store error is rethrown by the next submit() or wait(); nothing after it is
// written. The destructor joins the thread (after letting an in-progress commit finish).
class BatchWriter {
 public:
  explicit BatchWriter(ResultsStore& store) : m_store(store), m_thread([this] { loop(); }) {}
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;
  ~BatchWriter() {
    {
      const std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
  }

  /// Waits for the previous batch, then queues `rows` (which must stay unchanged until the next
  /// submit() or wait() returns). Returns the size of the previous batch now committed.
  std::size_t submit(std::span<const TrialRow> rows) {
    const std::size_t done = wait();
    {
      const std::lock_guard lock(m_mutex);
      m_pending = rows;
      m_busy = true;
    }
    m_cv.notify_all();
    return done;
  }

  /// Waits until the queued batch (if any) is committed and returns its size (0 when none).
  std::size_t wait() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [this] { return !m_busy; });
    if (m_error) std::rethrow_exception(m_error);
    const std::size_t done = m_pending.size();
    m_pending = {};
    return done;
  }

 private:
  void loop() noexcept {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_cv.wait(lock, [this] { return m_stop || (m_busy && !m_error); });
      if (!m_busy || m_error) return;  // stopping with nothing (more) to write
      const std::span<const TrialRow> rows = m_pending;
      lock.unlock();
      std::exception_ptr error;
      try {
        m_store.append_trials(rows);
      } catch (...) { error = std::current_exception(); }
      lock.lock();
      m_error = error;
      m_busy = false;
      m_cv.notify_all();
    }
  }

  ResultsStore& m_store;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::span<const TrialRow> m_pending{};
  bool m_busy{false};
  bool m_stop{false};
  std::exception_ptr m_error{};
  std::thread m_thread;  // last: starts after every other member is initialised
};

bool parse_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty()) return false;
  const auto* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, out);
  return r.ec == std::errc{} && r.ptr == end;
}

bool parse_u64(const std::string& s, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, out);
  return r.ec == std::errc{} && r.ptr == end;
}

std::uint32_t resolve_threads(std::uint32_t t) noexcept {
  if (t != 0) return t;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1U : hc;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32] = {};
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string shard_text(const Shard& s) { return std::to_string(s.index) + "/" + std::to_string(s.count); }

// Runs rows[i] = runner.run(todo[i]) for i in [0, n) on `threads` threads.
class ParallelRunner {
 public:
  ParallelRunner(const CampaignSpec& spec, std::uint32_t threads)
      : m_spec(spec),
        m_threads(threads)
#if defined(LOCKSTEP_SIM_WITH_TBB)
        ,
        m_parallelism(make_parallelism(threads)),
        m_arena(static_cast<int>(threads)),
        m_runners([this] { return detail::make_trial_runner(m_spec); })
#endif
  {
#if !defined(LOCKSTEP_SIM_WITH_TBB)
    for (std::uint32_t i = 0; i < m_threads; ++i) m_runners.push_back(detail::make_trial_runner(m_spec));
#endif
  }

  void run(const std::uint64_t* todo, TrialRow* rows, std::size_t n) {
#if defined(LOCKSTEP_SIM_WITH_TBB)
    m_arena.execute([&] {
      oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<std::size_t>(0, n, 256),
                                [&](const oneapi::tbb::blocked_range<std::size_t>& r) {
                                  detail::TrialRunner& runner = *m_runners.local();
                                  for (std::size_t i = r.begin(); i != r.end(); ++i)
                                    rows[i] = runner.run(todo[i]);
                                });
    });
#else
    // A small pool per batch: threads pull chunks of 256 trials from a shared counter. Results
    // are indexed by trial, so the schedule never changes them.
    constexpr std::size_t kChunk = 256;
    std::atomic<std::size_t> next{0};
    auto work = [&](detail::TrialRunner& runner) {
      for (;;) {
        const std::size_t begin = next.fetch_add(kChunk, std::memory_order_relaxed);
        if (begin >= n) return;
        const std::size_t end = std::min(n, begin + kChunk);
        for (std::size_t i = begin; i < end; ++i) rows[i] = runner.run(todo[i]);
      }
    };
    std::vector<std::thread> pool;
    pool.reserve(m_threads);
    try {
      for (std::uint32_t t = 1; t < m_threads; ++t) pool.emplace_back(work, std::ref(*m_runners[t]));
    } catch (...) {
      next.store(n);
      for (std::thread& th : pool) th.join();
      throw;
    }
    work(*m_runners[0]);
    for (std::thread& th : pool) th.join();
#endif
  }

 private:
  const CampaignSpec& m_spec;
  std::uint32_t m_threads;
#if defined(LOCKSTEP_SIM_WITH_TBB)
  // TBB never runs more threads than its global limit (the cores it sees, minus none): an
  // arena of 8 on a machine (or cgroup) reporting 2 cores would otherwise still run 2. When
  // --threads asks for more, raise the limit for this campaign. (Where several limits are alive
  // the smallest wins, so this never loosens a limit another part of the program has set.)
  static std::optional<oneapi::tbb::global_control> make_parallelism(std::uint32_t threads) {
    if (static_cast<int>(threads) <= oneapi::tbb::info::default_concurrency()) return std::nullopt;
    return std::optional<oneapi::tbb::global_control>{std::in_place,
                                                      oneapi::tbb::global_control::max_allowed_parallelism,
                                                      static_cast<std::size_t>(threads)};
  }
  std::optional<oneapi::tbb::global_control> m_parallelism;
  oneapi::tbb::task_arena m_arena;
  oneapi::tbb::enumerable_thread_specific<std::unique_ptr<detail::TrialRunner>> m_runners;
#else
  std::vector<std::unique_ptr<detail::TrialRunner>> m_runners;
#endif
};

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard s;
  if (slash == std::string::npos || !parse_u32(std::string_view{text}.substr(0, slash), s.index) ||
      !parse_u32(std::string_view{text}.substr(slash + 1), s.count)) {
    raise("--shard '" + text + "': expected I/N with whole numbers, e.g. 2/8");
  }
  if (s.count == 0 || s.index == 0 || s.index > s.count) {
    raise("--shard " + text + ": I must be in 1..N and N >= 1");
  }
  return s;
}

void validate(const CampaignSpec& spec) {
  const KernelInfo* k = find_kernel(spec.kernel);
  if (k == nullptr) raise("unknown kernel '" + spec.kernel + "' (see lockstep-sim list)");
  const ExecutorInfo* e = find_executor(spec.executor);
  if (e == nullptr) raise("unknown executor '" + spec.executor + "' (see lockstep-sim list)");
  const auto f = parse_fault_model(spec.fault);
  if (!f) raise("unknown fault model '" + spec.fault + "' (see lockstep-sim list)");
  if (spec.trials == 0) raise("--trials must be at least 1 (got 0)");
  if (e->needs_versions && k->versions < 2) {
    raise("executor '" + spec.executor + "' needs a kernel with versions; '" + spec.kernel + "' has none");
  }
  if (*f == FaultModel::bitflip_state && k->state_bits == 0) {
    raise("fault 'bitflip-state' needs a stateful kernel; '" + spec.kernel + "' has no state");
  }
  if (spec.faults_per_trial == 0 || spec.faults_per_trial > e->replicas) {
    raise("--faults-per-trial must be in 1.." + std::to_string(e->replicas) + " for executor '" +
          spec.executor + "' (got " + std::to_string(spec.faults_per_trial) + ")");
  }
  if (*f == FaultModel::common_mode && e->replicas < 2) {
    raise("fault 'common-mode' needs at least 2 replicas; executor '" + spec.executor + "' has 1");
  }
  if (spec.threads > 1024) raise("--threads must be in 0..1024 (got " + std::to_string(spec.threads) + ")");
  if (spec.shard.count == 0 || spec.shard.index == 0 || spec.shard.index > spec.shard.count) {
    raise("--shard " + shard_text(spec.shard) + ": I must be in 1..N and N >= 1");
  }
  if (spec.shard.count > spec.trials) {
    raise("--shard " + shard_text(spec.shard) + ": more shards than trials (" + std::to_string(spec.trials) +
          ")");
  }
}

StoreParams store_params(const CampaignSpec& spec) {
  return StoreParams{{"kind", "kernel-campaign"},
                     {"kernel", spec.kernel},
                     {"executor", spec.executor},
                     {"fault", spec.fault},
                     {"trials", std::to_string(spec.trials)},
                     {"seed", std::to_string(spec.seed)},
                     {"faults_per_trial", std::to_string(spec.faults_per_trial)},
                     {"shard", shard_text(spec.shard)}};
}

CampaignSpec spec_from_params(const StoreParams& params) {
  auto get = [&](const char* key) -> const std::string& {
    const auto it = params.find(key);
    if (it == params.end()) raise(std::string{"results store: parameter '"} + key + "' missing");
    return it->second;
  };
  if (get("kind") != "kernel-campaign")
    raise("results store holds a '" + get("kind") + "' run, not a kernel campaign");
  CampaignSpec s;
  s.kernel = get("kernel");
  s.executor = get("executor");
  s.fault = get("fault");
  std::uint64_t fpt = 0;
  if (!parse_u64(get("trials"), s.trials) || !parse_u64(get("seed"), s.seed) ||
      !parse_u64(get("faults_per_trial"), fpt) || fpt > 16) {
    raise("results store: corrupted numeric parameter (" + describe(params) + ")");
  }
  s.faults_per_trial = static_cast<std::uint32_t>(fpt);
  s.shard = parse_shard(get("shard"));
  return s;
}

std::pair<std::uint64_t, std::uint64_t> shard_range(const CampaignSpec& spec) noexcept {
  const std::uint64_t n = spec.trials;
  const std::uint64_t i = spec.shard.index;
  const std::uint64_t c = std::max<std::uint64_t>(spec.shard.count, 1);
  // n * i / c without overflow for any n < 2^64 and c <= 2^32.
  auto cut = [&](std::uint64_t k) { return (n / c) * k + (n % c) * k / c; };
  return {cut(i - 1), cut(i)};
}

Rate rate_of(std::uint64_t count, std::uint64_t total) noexcept {
  Rate r;
  r.value = total == 0 ? 0.0 : static_cast<double>(count) / static_cast<double>(total);
  r.ci95 = wilson_interval(count, total);
  return r;
}

Rate CampaignSummary::rate(TrialOutcome o) const noexcept { return rate_of(counts[o], counts.total()); }

TrialRow run_single_trial(const CampaignSpec& spec, std::uint64_t trial) {
  validate(spec);
  if (trial >= spec.trials) raise("trial " + std::to_string(trial) + " out of range");
  return detail::make_trial_runner(spec)->run(trial);
}

CampaignSummary run_campaign(const CampaignSpec& spec, const ProgressFn& progress) {
  validate(spec);
  const auto t0 = std::chrono::steady_clock::now();
  CampaignSummary summary;
  summary.spec = spec;
  summary.threads = resolve_threads(spec.threads);
  const auto [begin, end] = shard_range(spec);
  summary.expected_trials = end - begin;

  std::optional<ResultsStore> store;
  std::vector<std::uint64_t> stored;
  if (!spec.db_path.empty()) {
    store.emplace(ResultsStore::open_for_writing(spec.db_path, store_params(spec)));
    stored = store->stored_trials(begin, end);
  }
  summary.resumed = stored.size();

  ParallelRunner runner(spec, summary.threads);
  // Two buffers: the engine fills one while the writer thread commits the other.
  std::array<std::vector<std::uint64_t>, 2> todo;
  std::array<std::vector<TrialRow>, 2> rows;
  for (std::size_t b = 0; b < 2; ++b) {
    todo[b].reserve(kBatch);
    rows[b].resize(kBatch);
  }
  std::optional<BatchWriter> writer;
  if (store) writer.emplace(*store);
  OutcomeCounts fresh;
  // Counts a committed batch (the one in buffer `b`).
  auto account = [&](std::size_t b, std::size_t n) {
    if (n == 0) return;
    for (std::size_t i = 0; i < n; ++i) fresh.add(rows[b][i].outcome);
    summary.run_now += n;
    if (progress) progress(summary.resumed + summary.run_now, summary.expected_trials);
  };
  std::size_t s = 0;  // cursor into `stored` (ascending)
  std::uint64_t next = begin;
  std::size_t cur = 0;
  if (progress) progress(summary.resumed, summary.expected_trials);
  while (next < end) {
    std::vector<std::uint64_t>& t = todo[cur];
    t.clear();
    while (next < end && t.size() < kBatch) {
      while (s < stored.size() && stored[s] < next) ++s;
      if (s < stored.size() && stored[s] == next) {
        ++next;
        continue;
      }
      t.push_back(next++);
    }
    if (t.empty()) break;
    runner.run(t.data(), rows[cur].data(), t.size());
    if (writer) {
      account(cur ^ 1U, writer->submit(std::span<const TrialRow>{rows[cur].data(), t.size()}));
    } else {
      account(cur, t.size());
    }
    cur ^= 1U;
  }
  if (writer) {
    account(cur ^ 1U, writer->wait());
    writer.reset();
  }
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - t0;
  summary.wall_seconds = wall.count();
  summary.trials_per_second =
      summary.wall_seconds > 0.0 ? static_cast<double>(summary.run_now) / summary.wall_seconds : 0.0;
  if (store) {
    summary.counts = store->count_outcomes();
    store->record_run(RunRecord{utc_now(), summary.threads, shard_text(spec.shard), summary.run_now,
                                summary.wall_seconds, summary.trials_per_second});
  } else {
    summary.counts = fresh;
  }
  return summary;
}

CampaignSummary summarize_store(const ResultsStore& store) {
  CampaignSummary summary;
  summary.spec = spec_from_params(store.params());
  const auto [begin, end] = shard_range(summary.spec);
  summary.expected_trials = end - begin;
  summary.counts = store.count_outcomes();
  summary.resumed = summary.counts.total();
  const std::vector<RunRecord> runs = store.read_runs();
  if (!runs.empty()) {
    summary.threads = runs.back().threads;
    summary.wall_seconds = runs.back().wall_seconds;
    summary.trials_per_second = runs.back().trials_per_second;
  }
  return summary;
}

namespace {

void remove_temp(const std::string& tmp) noexcept {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(tmp + suffix, ec);
}

// Measured host timings inside a sample's JSON data (keys starting with "wall_") are not
// results: they differ between two runs of the same sample, so conflicts ignore them.
bool same_result(const Sample& a, const Sample& b) {
  if (a.kind != b.kind || a.key != b.key || a.seed != b.seed || a.outcome != b.outcome) return false;
  if (std::bit_cast<std::uint64_t>(a.value) != std::bit_cast<std::uint64_t>(b.value)) return false;
  if (a.data == b.data) return true;
  auto strip = [](const std::string& text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end();) {
        it = it.key().rfind("wall_", 0) == 0 ? j.erase(it) : std::next(it);
      }
    }
    return j;
  };
  const nlohmann::json ja = strip(a.data);
  const nlohmann::json jb = strip(b.data);
  return !ja.is_discarded() && ja == jb;
}

// Merges shard stores of a sampled run (kind "plant": closed-loop Monte Carlo): equal
// parameters apart from "shard", distinct shards, samples with keys below "runs", a key stored
// in two inputs only with the same result.
void merge_sample_stores(const std::string& out, const std::vector<std::string>& inputs,
                         const std::vector<ResultsStore>& in) {
  const StoreParams& first = in.front().params();
  const std::string kind = first.at("kind");
  auto without_shard = [](StoreParams p) {
    p.erase("shard");
    return p;
  };
  std::vector<Shard> seen;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const StoreParams& p = in[i].params();
    const auto shard_it = p.find("shard");
    if (shard_it == p.end()) raise("merge: '" + inputs[i] + "' has no shard parameter (" + describe(p) + ")");
    const Shard sh = parse_shard(shard_it->second);
    if (std::find(seen.begin(), seen.end(), sh) != seen.end()) {
      raise("merge: '" + inputs[i] + "' is shard " + shard_text(sh) + " again (given twice?)");
    }
    seen.push_back(sh);
    if (without_shard(p) != without_shard(first)) {
      raise("merge: '" + inputs[i] + "' holds a different run (" + describe(p) + ") than '" + inputs.front() +
            "' (" + describe(first) + ")");
    }
  }
  std::uint64_t runs = 0;
  const auto runs_it = first.find("runs");
  if (runs_it == first.end() || !parse_u64(runs_it->second, runs) || runs == 0) {
    raise("merge: '" + inputs.front() + "' has no valid 'runs' parameter (" + describe(first) + ")");
  }
  std::vector<Sample> all;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i].trial_count() != 0)
      raise("merge: '" + inputs[i] + "' holds campaign trials in a '" + kind + "' run");
    std::vector<Sample> got = in[i].read_samples(kind);
    std::move(got.begin(), got.end(), std::back_inserter(all));
  }
  std::stable_sort(all.begin(), all.end(), [](const Sample& a, const Sample& b) { return a.key < b.key; });
  std::vector<Sample> unique;
  unique.reserve(all.size());
  for (Sample& x : all) {
    if (!unique.empty() && unique.back().key == x.key) {
      if (!same_result(unique.back(), x))
        raise("merge: " + kind + " sample " + std::to_string(x.key) + " differs between inputs");
      continue;
    }
    if (x.key >= runs)
      raise("merge: " + kind + " sample " + std::to_string(x.key) + " beyond the run's " +
            std::to_string(runs) + " runs");
    unique.push_back(std::move(x));
  }
  StoreParams merged = first;
  merged["shard"] = "1/1";
  const std::string tmp = out + ".tmp";
  remove_temp(tmp);
  try {
    {
      ResultsStore o = ResultsStore::create(tmp, merged);
      for (std::size_t i = 0; i < unique.size(); i += kBatch) {
        o.append_samples(
            std::span<const Sample>{unique}.subspan(i, std::min<std::size_t>(kBatch, unique.size() - i)));
      }
      for (const ResultsStore& s : in) {
        for (const RunRecord& r : s.read_runs()) o.record_run(r);
      }
    }
    std::filesystem::rename(tmp, out);
  } catch (...) {
    remove_temp(tmp);
    throw;
  }
}

}  // namespace

void merge_stores(const std::string& out, const std::vector<std::string>& inputs) {
  if (inputs.empty()) raise("merge: no input databases given");
  std::error_code ec;
  if (std::filesystem::exists(out, ec))
    raise("merge: output '" + out + "' already exists (refusing to modify it)");
  // Validate everything before writing anything.
  std::vector<ResultsStore> in;
  in.reserve(inputs.size());
  for (const std::string& p : inputs) in.push_back(ResultsStore::open_read_only(p));
  const auto kind_it = in.front().params().find("kind");
  const std::string kind = kind_it == in.front().params().end() ? std::string{} : kind_it->second;
  if (kind == "plant") {
    merge_sample_stores(out, inputs, in);
    return;
  }
  if (kind != "kernel-campaign") {
    raise("merge: '" + inputs.front() + "' holds a '" + kind +
          "' run; merge combines kernel campaigns and plant runs");
  }
  CampaignSpec base = spec_from_params(in.front().params());
  std::vector<Shard> seen;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto k = in[i].params().find("kind");
    if (k == in[i].params().end() || k->second != kind) {
      raise("merge: '" + inputs[i] + "' holds a different run (" + describe(in[i].params()) + ") than '" +
            inputs.front() + "' (" + describe(in.front().params()) + ")");
    }
    CampaignSpec s = spec_from_params(in[i].params());
    if (std::find(seen.begin(), seen.end(), s.shard) != seen.end()) {
      raise("merge: '" + inputs[i] + "' is shard " + shard_text(s.shard) + " again (given twice?)");
    }
    seen.push_back(s.shard);
    s.shard = base.shard;
    if (store_params(s) != store_params(base)) {
      raise("merge: '" + inputs[i] + "' holds a different campaign (" + describe(in[i].params()) +
            ") than '" + inputs.front() + "' (" + describe(in.front().params()) + ")");
    }
  }
  base.shard = Shard{1, 1};
  const std::string tmp = out + ".tmp";
  std::filesystem::remove(tmp, ec);
  std::filesystem::remove(tmp + "-wal", ec);
  std::filesystem::remove(tmp + "-shm", ec);
  try {
    std::vector<TrialRow> all;
    for (std::size_t i = 0; i < in.size(); ++i) {
      std::vector<TrialRow> rows = in[i].read_trials();
      all.insert(all.end(), rows.begin(), rows.end());
    }
    std::sort(all.begin(), all.end(), [](const TrialRow& a, const TrialRow& b) { return a.trial < b.trial; });
    std::vector<TrialRow> unique;
    unique.reserve(all.size());
    for (const TrialRow& r : all) {
      if (!unique.empty() && unique.back().trial == r.trial) {
        if (!(unique.back() == r))
          raise("merge: trial " + std::to_string(r.trial) + " differs between inputs");
        continue;
      }
      if (r.trial >= base.trials)
        raise("merge: trial " + std::to_string(r.trial) + " beyond the campaign's trials");
      unique.push_back(r);
    }
    {
      ResultsStore o = ResultsStore::create(tmp, store_params(base));
      for (std::size_t i = 0; i < unique.size(); i += kBatch) {
        o.append_trials(
            std::span<const TrialRow>{unique}.subspan(i, std::min<std::size_t>(kBatch, unique.size() - i)));
      }
      for (const ResultsStore& s : in) {
        for (const RunRecord& r : s.read_runs()) o.record_run(r);
      }
    }
    std::filesystem::rename(tmp, out);
  } catch (...) {
    std::filesystem::remove(tmp, ec);
    std::filesystem::remove(tmp + "-wal", ec);
    std::filesystem::remove(tmp + "-shm", ec);
    throw;
  }
}

}  // namespace lockstep::sim
