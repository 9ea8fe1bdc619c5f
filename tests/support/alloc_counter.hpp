#pragma once
// Counts heap allocations made by the calling thread, to prove that a hot path allocates
// nothing. Link the test binary with lockstep_test_alloc_counter, which replaces the global
// operator new/delete (one definition per program).
//
// Usage:
//   lockstep::test::AllocationScope scope;   // starts counting on this thread
//   executor.run(input);
//   EXPECT_EQ(scope.allocations(), 0U);

#include <cstdint>

namespace lockstep::test {

/// Allocations (operator new of any form, and malloc through it) made by this thread so far.
[[nodiscard]] std::uint64_t thread_allocations() noexcept;
/// Allocations made by every thread so far.
[[nodiscard]] std::uint64_t total_allocations() noexcept;

/// Counts allocations made by the current thread (and, with `all_threads()`, by every thread)
/// between construction and the call.
class AllocationScope {
 public:
  AllocationScope() noexcept : m_thread_start(thread_allocations()), m_total_start(total_allocations()) {}
  [[nodiscard]] std::uint64_t allocations() const noexcept { return thread_allocations() - m_thread_start; }
  [[nodiscard]] std::uint64_t all_threads() const noexcept { return total_allocations() - m_total_start; }

 private:
  std::uint64_t m_thread_start;
  std::uint64_t m_total_start;
};

}  // namespace lockstep::test
