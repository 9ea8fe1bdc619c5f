#include <lockstep/runtime/detail/worker.hpp>

#include <lockstep/core/error.hpp>

#if LOCKSTEP_RUNTIME_WITH_TBB
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#endif

namespace lockstep::detail {

#if LOCKSTEP_RUNTIME_WITH_TBB
struct TbbDispatcher::Impl {
  explicit Impl(std::uint32_t concurrency)
      // The default global limit on a 2-core machine is 1 TBB worker: replicas would then run one
      // after another on it. Raise the limit for as long as this executor exists.
      : control(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(concurrency) + 1U),
        arena(static_cast<int>(concurrency), 0) {
    arena.initialize();
  }
  tbb::global_control control;
  tbb::task_arena arena;
};

TbbDispatcher::TbbDispatcher(std::uint32_t concurrency) : m_impl(std::make_unique<Impl>(concurrency)) {}
TbbDispatcher::~TbbDispatcher() = default;

bool TbbDispatcher::enqueue(LaneControl* ctl) noexcept {
  try {
    m_impl->arena.enqueue([ctl] { run_posted(*ctl); });
    return true;
  } catch (...) { return false; }
}

bool tbb_available() noexcept { return true; }
#else
struct TbbDispatcher::Impl {};
TbbDispatcher::TbbDispatcher(std::uint32_t /*concurrency*/) {
  raise("Backend::tbb requested, but Lockstep was built without oneTBB (LOCKSTEP_WITH_TBB=OFF)");
}
TbbDispatcher::~TbbDispatcher() = default;
bool TbbDispatcher::enqueue(LaneControl* /*ctl*/) noexcept { return false; }
bool tbb_available() noexcept { return false; }
#endif

}  // namespace lockstep::detail
