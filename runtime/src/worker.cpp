#include <lockstep/runtime/detail/worker.hpp>

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>

#include <array>

#include <lockstep/core/error.hpp>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace lockstep::detail {

std::int32_t current_cpu() noexcept { return static_cast<std::int32_t>(sched_getcpu()); }

std::uint32_t thread_tag() noexcept {
  static std::atomic<std::uint32_t> next{1};
  thread_local const std::uint32_t tag = next.fetch_add(1, std::memory_order_relaxed);
  return tag;
}

namespace {
constexpr std::uint32_t kLeakSlots = 256;
std::array<std::atomic<const void*>, kLeakSlots> g_leaked{};
std::atomic<std::uint32_t> g_leaked_count{0};
}  // namespace

void keep_reachable(const void* leaked) noexcept {
  const std::uint32_t i = g_leaked_count.fetch_add(1U, std::memory_order_relaxed);
  if (i < kLeakSlots) g_leaked[i].store(leaked, std::memory_order_relaxed);
}

std::uint32_t leaked_lanes() noexcept { return g_leaked_count.load(std::memory_order_relaxed); }

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

void publish_done(LaneControl& ctl, std::uint32_t seq) noexcept {
  // seq_cst store + seq_cst load here against seq_cst store of caller_waiting + load of done
  // in wait_done: either the caller sees the new value, or we see it waiting and wake it.
  ctl.done.store(seq, std::memory_order_seq_cst);
  if (ctl.caller_waiting.load(std::memory_order_seq_cst)) {
    (void)syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&ctl.done), FUTEX_WAKE_PRIVATE, 1, nullptr,
                  nullptr, 0);
  }
}

void wait_done(LaneControl& ctl, std::uint32_t seen, std::chrono::nanoseconds slice) noexcept {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                std::atomic<std::uint32_t>::is_always_lock_free);
  ctl.caller_waiting.store(true, std::memory_order_seq_cst);
  if (ctl.done.load(std::memory_order_seq_cst) == seen) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(slice.count() / 1000000000);
    ts.tv_nsec = static_cast<long>(slice.count() % 1000000000);
    (void)syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&ctl.done), FUTEX_WAIT_PRIVATE, seen, &ts,
                  nullptr, 0);
  }
  ctl.caller_waiting.store(false, std::memory_order_relaxed);
}

void run_posted(LaneControl& ctl) noexcept {
  const std::uint32_t seq = ctl.posted.load(std::memory_order_acquire);
  ctl.run(ctl.ctx);
  publish_done(ctl, seq);
}

void serve_lane(LaneControl& ctl, std::uint32_t spin, std::uint32_t yields) noexcept {
  // Start from the last *completed* job, not the last posted one: a job posted between the
  // runner publishing `started` and getting here (or before a late TBB server started) is
  // still pending and is run now instead of being missed (the lane would stay busy for good).
  // `seen` is read before `stop`: a stop_all that came first is seen here (its posted bump
  // released `stop`); one that comes later changes `posted` and wakes the wait below.
  std::uint32_t seen = ctl.done.load(std::memory_order_acquire);
  while (!ctl.stop.load(std::memory_order_acquire)) {
    std::uint32_t now = ctl.posted.load(std::memory_order_acquire);
    // Spin briefly (lowest wake-up latency), then yield (lets a replica sharing this core run),
    // then block on the futex: with more workers than cores this is what prevents livelock.
    for (std::uint32_t i = 0; now == seen && i < spin; ++i) {
      cpu_relax();
      now = ctl.posted.load(std::memory_order_acquire);
    }
    for (std::uint32_t i = 0; now == seen && i < yields; ++i) {
      std::this_thread::yield();
      now = ctl.posted.load(std::memory_order_acquire);
    }
    while (now == seen) {
      ctl.posted.wait(seen, std::memory_order_acquire);
      now = ctl.posted.load(std::memory_order_acquire);
    }
    if (ctl.stop.load(std::memory_order_acquire)) break;
    seen = now;
    ctl.run(ctl.ctx);
    publish_done(ctl, seen);
  }
  ctl.exited.store(true, std::memory_order_release);
}

namespace {
void worker_main(LaneControl* ctl, std::int32_t core, std::uint32_t spin, std::uint32_t yields) noexcept {
  if (core >= 0) {
    ctl->placement = hw::pin_current_thread(static_cast<std::uint32_t>(core));
    ctl->pinned_core = ctl->placement == hw::PlacementStatus::ok ? core : -1;
  }
  ctl->started.store(true, std::memory_order_release);
  ctl->started.notify_all();
  serve_lane(*ctl, spin, yields);
}
}  // namespace

WorkerSet::~WorkerSet() { stop_all(std::chrono::milliseconds{200}); }

void WorkerSet::start(LaneControl* ctl, std::int32_t core, std::uint32_t spin, std::uint32_t yields) {
  m_workers.reserve(m_workers.size() + 1U);
  try {
    m_workers.push_back(Worker{std::thread(worker_main, ctl, core, spin, yields), ctl});
  } catch (const std::system_error& e) {
    raise(std::string("NModularExecutor: cannot start a replica worker thread: ") + e.what());
  }
  while (!ctl->started.load(std::memory_order_acquire)) {
    ctl->started.wait(false, std::memory_order_acquire);
  }
}

void WorkerSet::stop_all(std::chrono::milliseconds timeout) noexcept {
  for (Worker& w : m_workers) {
    w.ctl->stop.store(true, std::memory_order_release);
    w.ctl->release.store(true, std::memory_order_release);
    w.ctl->release.notify_all();
    w.ctl->posted.fetch_add(1U, std::memory_order_acq_rel);
    w.ctl->posted.notify_all();
  }
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (Worker& w : m_workers) {
    if (!w.thread.joinable()) continue;
    while (!w.ctl->exited.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::microseconds{100});
    }
    if (w.ctl->exited.load(std::memory_order_acquire)) {
      w.thread.join();
    } else {
      // Stuck in user code for good: the thread cannot be cancelled safely. Detach it and let
      // the executor leak the lane so the thread never touches freed memory if it returns.
      w.ctl->detached = true;
      w.thread.detach();
    }
  }
  m_workers.clear();
}

}  // namespace lockstep::detail
