// The oneTBB backend: one long-running lane server per lane in a dedicated task_arena, its
// workers pinned by a task_scheduler_observer. See TbbDispatcher in detail/worker.hpp.
#include <lockstep/runtime/detail/worker.hpp>

#include <sched.h>

#include <mutex>
#include <string>
#include <utility>

#include <lockstep/core/error.hpp>

#if LOCKSTEP_RUNTIME_WITH_TBB
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_scheduler_observer.h>
#endif

namespace lockstep::detail {

#if LOCKSTEP_RUNTIME_WITH_TBB
namespace {

/// What the observer did to the calling worker thread when it entered one of our arenas; read
/// by the lane server that then runs on the same thread (no sharing between threads).
struct SlotRecord {
  const void* arena{nullptr};  ///< the Impl whose observer ran (nullptr: none)
  std::int32_t slot{-1};
  std::int32_t core{-1};
  hw::PlacementStatus status{hw::PlacementStatus::ok};
  bool restore{false};  ///< affinity was changed: restore `saved` on exit
  cpu_set_t saved{};
};
thread_local SlotRecord t_slot{};

/// Every live TBB executor's lane servers hold a TBB worker for good, so the process-wide
/// worker limit must grow by their sum. TBB applies the *smallest* live max_allowed_parallelism,
/// so one control per executor would let a small executor starve a larger one's servers (and
/// would cut the process's other TBB work down to our lane count): keep one process-wide
/// control at the default concurrency + all lanes, replaced when executors come and go.
/// Set-up and teardown only (takes a mutex, allocates).
class WorkerBudget {
 public:
  static void add(std::size_t lanes, bool grow) {
    // Never destroyed: an executor with static storage may outlive any static object here.
    static auto* const budget = new WorkerBudget;
    const std::lock_guard<std::mutex> lock(budget->m_mutex);
    const std::size_t total = grow ? budget->m_lanes + lanes : budget->m_lanes - lanes;
    if (!grow) budget->m_lanes = total;  // the count stays right even if the control below throws
    if (total == 0U) {
      budget->m_control.reset();
      return;
    }
    const auto base = static_cast<std::size_t>(tbb::info::default_concurrency());
    // The new control before the old one goes: the limit never falls back to TBB's default.
    auto next =
        std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, base + total);
    budget->m_control = std::move(next);
    budget->m_lanes = total;  // growing: counted only once the control exists (no throw after)
  }

 private:
  std::mutex m_mutex;
  std::size_t m_lanes{0};
  std::unique_ptr<tbb::global_control> m_control;
};

/// RAII share of the WorkerBudget.
class BudgetShare {
 public:
  explicit BudgetShare(std::size_t lanes) : m_lanes(lanes) { WorkerBudget::add(m_lanes, true); }
  BudgetShare(const BudgetShare&) = delete;
  BudgetShare& operator=(const BudgetShare&) = delete;
  ~BudgetShare() {
    try {
      WorkerBudget::add(m_lanes, false);
    } catch (...) {  // out of memory while shrinking the limit: keep the larger one
    }
  }

 private:
  std::size_t m_lanes;
};

}  // namespace

struct TbbDispatcher::Impl {
  /// Pins workers entering the arena to their slot's core; restores them on exit (TBB workers
  /// are shared by every arena of the process and must not stay pinned after ours).
  class PinObserver final : public tbb::task_scheduler_observer {
   public:
    PinObserver(tbb::task_arena& arena, const Impl& owner)
        : tbb::task_scheduler_observer(arena), m_owner(owner) {
      observe(true);
    }
    PinObserver(const PinObserver&) = delete;
    PinObserver& operator=(const PinObserver&) = delete;
    // observe(false) here, not in the base: it waits for callbacks in flight, which use *this.
    ~PinObserver() override { observe(false); }

    void on_scheduler_entry(bool is_worker) override {
      if (!is_worker) return;  // only our lane servers' threads are placed
      SlotRecord& r = t_slot;
      r = SlotRecord{};
      r.arena = &m_owner;
      r.slot = tbb::this_task_arena::current_thread_index();
      const auto& cores = m_owner.slot_cores;
      if (r.slot < 0 || static_cast<std::size_t>(r.slot) >= cores.size()) return;
      const std::int32_t core = cores[static_cast<std::size_t>(r.slot)];
      if (core < 0) return;
      if (sched_getaffinity(0, sizeof(r.saved), &r.saved) != 0) {
        r.status = hw::PlacementStatus::failed;
        return;
      }
      r.status = hw::pin_current_thread(static_cast<std::uint32_t>(core));
      r.core = r.status == hw::PlacementStatus::ok ? core : -1;
      r.restore = r.status == hw::PlacementStatus::ok;
    }

    void on_scheduler_exit(bool is_worker) override {
      if (!is_worker) return;
      SlotRecord& r = t_slot;
      if (r.arena == &m_owner && r.restore) (void)sched_setaffinity(0, sizeof(r.saved), &r.saved);
      r = SlotRecord{};
    }

   private:
    const Impl& m_owner;
  };

  explicit Impl(std::vector<std::int32_t> cores)
      // The default global limit on a 2-core machine is 1 TBB worker: lane servers would then
      // wait for each other. Raise the limit by one worker per lane while this executor exists.
      : slot_cores(std::move(cores)),
        budget(slot_cores.size()),
        arena(static_cast<int>(slot_cores.size()), 0) {
    arena.initialize();
  }

  std::vector<std::int32_t> slot_cores;
  BudgetShare budget;
  tbb::task_arena arena;
  // Declared last: stops observing (and waits for callbacks in flight) before the rest goes.
  PinObserver observer{arena, *this};
};

namespace {
/// The body of one lane server task: report placement, then serve the lane until stopped.
void serve_in_arena(const void* owner, const std::vector<std::int32_t>& slot_cores, LaneControl* ctl,
                    std::uint32_t spin, std::uint32_t yields) noexcept {
  const SlotRecord& r = t_slot;
  if (r.arena == owner) {
    ctl->arena_slot = r.slot;
    ctl->pinned_core = r.core;
    ctl->placement = r.status;
  } else {
    // The observer did not see this thread enter (not expected): place it here, without the
    // restore on exit, and say so through the slot's placement like the observer would.
    const std::int32_t slot = tbb::this_task_arena::current_thread_index();
    ctl->arena_slot = slot;
    if (slot >= 0 && static_cast<std::size_t>(slot) < slot_cores.size() &&
        slot_cores[static_cast<std::size_t>(slot)] >= 0) {
      const std::int32_t core = slot_cores[static_cast<std::size_t>(slot)];
      ctl->placement = hw::pin_current_thread(static_cast<std::uint32_t>(core));
      ctl->pinned_core = ctl->placement == hw::PlacementStatus::ok ? core : -1;
    }
  }
  ctl->started.store(true, std::memory_order_release);
  ctl->started.notify_all();
  serve_lane(*ctl, spin, yields);
  // Unpin here, on the way out: the worker may linger in the arena until after the observer is
  // gone (then on_scheduler_exit never runs), and TBB hands it to other arenas afterwards.
  SlotRecord& mine = t_slot;
  if (mine.arena == owner && mine.restore) {
    (void)sched_setaffinity(0, sizeof(mine.saved), &mine.saved);
    mine.restore = false;
  }
}
}  // namespace

TbbDispatcher::TbbDispatcher(std::vector<std::int32_t> slot_cores) {
  if (slot_cores.empty()) raise("Backend::tbb: no lane to serve");
  m_impl = std::make_unique<Impl>(std::move(slot_cores));
  m_lanes.reserve(m_impl->slot_cores.size());
}

TbbDispatcher::~TbbDispatcher() { stop_all(std::chrono::milliseconds{200}); }

void TbbDispatcher::start(LaneControl* ctl, std::uint32_t spin, std::uint32_t yields) {
  if (m_lanes.size() >= m_impl->slot_cores.size()) raise("Backend::tbb: more lane servers than arena slots");
  m_lanes.push_back(ctl);
  const void* owner = m_impl.get();
  try {
    // The task owns a copy of the slot table: a server TBB starts only after this dispatcher is
    // gone (its lane then leaked as detached) must not read freed memory.
    m_impl->arena.enqueue([owner, cores = m_impl->slot_cores, ctl, spin, yields] {
      serve_in_arena(owner, cores, ctl, spin, yields);
    });
  } catch (const std::exception& e) {
    m_lanes.pop_back();
    raise(std::string("Backend::tbb: cannot enqueue a lane server: ") + e.what());
  }
}

bool TbbDispatcher::wait_started(std::chrono::milliseconds timeout) noexcept {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (LaneControl* ctl : m_lanes) {
    while (!ctl->started.load(std::memory_order_acquire)) {
      if (std::chrono::steady_clock::now() >= until) return false;
      std::this_thread::sleep_for(std::chrono::microseconds{200});
    }
  }
  return true;
}

void TbbDispatcher::stop_all(std::chrono::milliseconds timeout) noexcept {
  for (LaneControl* ctl : m_lanes) {
    ctl->stop.store(true, std::memory_order_release);
    ctl->release.store(true, std::memory_order_release);
    ctl->release.notify_all();
    ctl->posted.fetch_add(1U, std::memory_order_acq_rel);
    ctl->posted.notify_all();
  }
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (LaneControl* ctl : m_lanes) {
    while (!ctl->exited.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::microseconds{100});
    }
    // Stuck in user code, or never started by TBB: the task may still run later and touch the
    // lane, so the executor must leak it.
    if (!ctl->exited.load(std::memory_order_acquire)) ctl->detached = true;
  }
  m_lanes.clear();
}

bool tbb_available() noexcept { return true; }
#else
struct TbbDispatcher::Impl {};
TbbDispatcher::TbbDispatcher(std::vector<std::int32_t> /*slot_cores*/) {
  raise("Backend::tbb requested, but Lockstep was built without oneTBB (LOCKSTEP_WITH_TBB=OFF)");
}
TbbDispatcher::~TbbDispatcher() = default;
void TbbDispatcher::start(LaneControl* /*ctl*/, std::uint32_t /*spin*/, std::uint32_t /*yields*/) {}
bool TbbDispatcher::wait_started(std::chrono::milliseconds /*timeout*/) noexcept { return false; }
void TbbDispatcher::stop_all(std::chrono::milliseconds /*timeout*/) noexcept {}
bool tbb_available() noexcept { return false; }
#endif

}  // namespace lockstep::detail
