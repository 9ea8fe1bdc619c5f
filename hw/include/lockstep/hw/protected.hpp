#pragma once
// Protected storage for long-lived critical state (integrator states, calibration, mode
// flags): values kept with SEC-DED check bits (Protected<T>, ProtectedArray<T, N>) or in three
// voted copies (Triplicated<T>), corrected on read and repaired by a scrubber (scrubber.hpp)
// before a second upset in the same word turns a correctable error into an uncorrectable one.
//
//   store(v) --> [ word0 | word1 | ... ] + [ c0 | c1 | ... ]   (8 check bits per 64-bit word)
//   load()   <-- decode each word: clean / corrected (repaired in place) / uncorrectable
//   scrub()  --- the same decode over all words, repairing, without returning the value

#include <lockstep/hw/secded.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>
#include <type_traits>

namespace lockstep::hw {

/// What one scrub pass (or one read) found.
struct ScrubReport {
  std::uint64_t words{0};          ///< codewords (or triplicated values) examined
  std::uint64_t corrected{0};      ///< single-bit errors repaired (or one bad copy rewritten)
  std::uint64_t uncorrectable{0};  ///< double-bit errors (or three disagreeing copies) found
  ScrubReport& operator+=(const ScrubReport& o) noexcept {
    words += o.words;
    corrected += o.corrected;
    uncorrectable += o.uncorrectable;
    return *this;
  }
};

/// Anything a Scrubber can sweep.
/// Thread safety: scrub() must be safe against concurrent load/store of the same object.
/// On failure: errors are counted in the report, never thrown.
class Scrubbable {
 public:
  Scrubbable() = default;
  Scrubbable(const Scrubbable&) = delete;
  Scrubbable& operator=(const Scrubbable&) = delete;
  virtual ~Scrubbable() = default;
  [[nodiscard]] virtual ScrubReport scrub() noexcept = 0;
};

/// A value read from protected storage, with how it was obtained.
template <class T>
struct Read {
  T value{};
  EccStatus status{EccStatus::clean};
  [[nodiscard]] bool ok() const noexcept { return status != EccStatus::uncorrectable; }
};

namespace detail {

/// Test-and-test-and-set lock guarding a word group and its check bits, so a scrubber never
/// sees a half-written (data, check) pair and "corrects" a good value. Critical sections are a
/// few words long (bounded: one element's codewords; the scrubber releases between elements);
/// no allocation. A waiter spins with a pause hint, then yields the core: on a core shared
/// with the holder (more threads than cores, or a holder preempted mid-section) pure spinning
/// would burn the holder's time slice. Under SCHED_FIFO a higher-priority waiter on the
/// holder's core still waits for the holder to run again, so give the scrubber and the
/// control loop distinct cores or equal priorities (docs/hw.md).
class SpinLock {
 public:
  void lock() noexcept {
    constexpr int kSpinsBeforeYield = 64;
    for (;;) {
      if (!m_flag.exchange(true, std::memory_order_acquire)) return;
      int spins = 0;
      while (m_flag.load(std::memory_order_relaxed)) {
        if (++spins < kSpinsBeforeYield) {
          relax();
        } else {
          std::this_thread::yield();
          spins = 0;
        }
      }
    }
  }
  void unlock() noexcept { m_flag.store(false, std::memory_order_release); }

 private:
  static void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
  }

  std::atomic<bool> m_flag{false};
};

class SpinGuard {
 public:
  explicit SpinGuard(SpinLock& l) noexcept : m_lock(l) { m_lock.lock(); }
  SpinGuard(const SpinGuard&) = delete;
  SpinGuard& operator=(const SpinGuard&) = delete;
  ~SpinGuard() { m_lock.unlock(); }

 private:
  SpinLock& m_lock;
};

template <class T>
inline constexpr std::size_t kWordsOf = (sizeof(T) + 7U) / 8U;

/// Decodes `n` codewords in place; repairs single-bit errors; returns the worst status.
inline EccStatus decode_in_place(std::uint64_t* data, std::uint8_t* check, std::size_t n,
                                 ScrubReport* report) noexcept {
  EccStatus worst = EccStatus::clean;
  for (std::size_t i = 0; i < n; ++i) {
    const EccDecode d = Secded::decode(data[i], check[i]);
    if (d.status == EccStatus::corrected) {
      data[i] = d.data;
      check[i] = d.check;
      if (worst == EccStatus::clean) worst = EccStatus::corrected;
      if (report != nullptr) ++report->corrected;
    } else if (d.status == EccStatus::uncorrectable) {
      worst = EccStatus::uncorrectable;
      if (report != nullptr) ++report->uncorrectable;
    }
    if (report != nullptr) ++report->words;
  }
  return worst;
}

}  // namespace detail

/// One value of trivially copyable T with SEC-DED check bits per 64-bit word.
/// Usage:
///   hw::Protected<double> integrator{0.0};
///   integrator.store(1.5);
///   const hw::Read<double> r = integrator.load();   // r.status: clean / corrected / uncorrectable
/// Thread safety: load, store, scrub and inject_bit_flip may be called from any threads; each
///   takes a short internal spin lock. On failure: load() returns status uncorrectable (value as
///   stored, unreliable) — a fault is data for the caller; nothing throws or aborts.
template <class T>
class Protected final : public Scrubbable {
  static_assert(std::is_trivially_copyable_v<T>, "Protected<T> needs a trivially copyable T");

 public:
  static constexpr std::size_t kWords = detail::kWordsOf<T>;

  Protected() noexcept : Protected(T{}) {}
  explicit Protected(const T& value) noexcept { store(value); }

  void store(const T& value) noexcept {
    std::array<std::uint64_t, kWords> w{};
    std::memcpy(w.data(), &value, sizeof(T));
    detail::SpinGuard g(m_lock);
    for (std::size_t i = 0; i < kWords; ++i) {
      m_data[i] = w[i];
      m_check[i] = Secded::encode(w[i]);
    }
  }

  /// Decodes, repairs single-bit errors in place, and returns the (corrected) value.
  [[nodiscard]] Read<T> load() noexcept {
    Read<T> r;
    std::array<std::uint64_t, kWords> w{};
    {
      detail::SpinGuard g(m_lock);
      r.status = detail::decode_in_place(m_data.data(), m_check.data(), kWords, nullptr);
      w = m_data;
    }
    std::memcpy(&r.value, w.data(), sizeof(T));
    return r;
  }

  [[nodiscard]] ScrubReport scrub() noexcept override {
    ScrubReport rep;
    detail::SpinGuard g(m_lock);
    static_cast<void>(detail::decode_in_place(m_data.data(), m_check.data(), kWords, &rep));
    return rep;
  }

  /// Fault injection (tests, the simulator): flips codeword bit `bit` (0..63 data, 64..71
  /// check) of word `word`. Out-of-range arguments are ignored.
  void inject_bit_flip(std::size_t word, std::uint32_t bit) noexcept {
    if (word >= kWords || bit >= Secded::kCodewordBits) return;
    detail::SpinGuard g(m_lock);
    if (bit < 64U) {
      m_data[word] ^= std::uint64_t{1} << bit;
    } else {
      m_check[word] = static_cast<std::uint8_t>(m_check[word] ^ (1U << (bit - 64U)));
    }
  }

 private:
  detail::SpinLock m_lock;
  std::array<std::uint64_t, kWords> m_data{};
  std::array<std::uint8_t, kWords> m_check{};
};

/// N values of T, each SEC-DED protected; fixed capacity, no allocation.
/// Usage:
///   hw::ProtectedArray<float, 16> gains;
///   gains.store(3, 0.25F);
///   const auto g = gains.load(3);
/// Thread safety: as Protected<T>; one lock for the array, scrub() releases it between elements
///   so a background scrub never blocks the control loop for more than one element.
/// On failure: index >= N: load returns {T{}, uncorrectable}, store is ignored.
template <class T, std::size_t N>
class ProtectedArray final : public Scrubbable {
  static_assert(std::is_trivially_copyable_v<T>, "ProtectedArray<T, N> needs a trivially copyable T");

 public:
  static constexpr std::size_t kWordsPerElement = detail::kWordsOf<T>;

  ProtectedArray() noexcept {
    for (std::size_t i = 0; i < N; ++i) store(i, T{});
  }

  [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }

  void store(std::size_t index, const T& value) noexcept {
    if (index >= N) return;
    std::array<std::uint64_t, kWordsPerElement> w{};
    std::memcpy(w.data(), &value, sizeof(T));
    const std::size_t base = index * kWordsPerElement;
    detail::SpinGuard g(m_lock);
    for (std::size_t i = 0; i < kWordsPerElement; ++i) {
      m_data[base + i] = w[i];
      m_check[base + i] = Secded::encode(w[i]);
    }
  }

  [[nodiscard]] Read<T> load(std::size_t index) noexcept {
    Read<T> r;
    if (index >= N) {
      r.status = EccStatus::uncorrectable;
      return r;
    }
    std::array<std::uint64_t, kWordsPerElement> w{};
    const std::size_t base = index * kWordsPerElement;
    {
      detail::SpinGuard g(m_lock);
      r.status = detail::decode_in_place(&m_data[base], &m_check[base], kWordsPerElement, nullptr);
      for (std::size_t i = 0; i < kWordsPerElement; ++i) w[i] = m_data[base + i];
    }
    std::memcpy(&r.value, w.data(), sizeof(T));
    return r;
  }

  [[nodiscard]] ScrubReport scrub() noexcept override {
    ScrubReport rep;
    for (std::size_t e = 0; e < N; ++e) {
      detail::SpinGuard g(m_lock);
      const std::size_t base = e * kWordsPerElement;
      static_cast<void>(detail::decode_in_place(&m_data[base], &m_check[base], kWordsPerElement, &rep));
    }
    return rep;
  }

  /// Fault injection: flips codeword bit `bit` (0..71) of word `word` of element `index`.
  void inject_bit_flip(std::size_t index, std::size_t word, std::uint32_t bit) noexcept {
    if (index >= N || word >= kWordsPerElement || bit >= Secded::kCodewordBits) return;
    const std::size_t k = index * kWordsPerElement + word;
    detail::SpinGuard g(m_lock);
    if (bit < 64U) {
      m_data[k] ^= std::uint64_t{1} << bit;
    } else {
      m_check[k] = static_cast<std::uint8_t>(m_check[k] ^ (1U << (bit - 64U)));
    }
  }

 private:
  detail::SpinLock m_lock;
  std::array<std::uint64_t, N * kWordsPerElement> m_data{};
  std::array<std::uint8_t, N * kWordsPerElement> m_check{};
};

/// Three copies of T, compared byte-wise and voted on read; scrub() rewrites a copy that
/// disagrees with the other two. Cheaper to read than SEC-DED for small T and also masks
/// multi-bit upsets confined to one copy.
/// Usage:
///   hw::Triplicated<std::uint32_t> mode{2U};
///   const auto m = mode.load();   // m.status == corrected when one copy was outvoted
/// Thread safety: as Protected<T>. On failure: no two copies agree -> status uncorrectable and
///   value = bit-wise majority of the three copies (best effort; do not trust it).
template <class T>
class Triplicated final : public Scrubbable {
  static_assert(std::is_trivially_copyable_v<T>, "Triplicated<T> needs a trivially copyable T");

 public:
  Triplicated() noexcept : Triplicated(T{}) {}
  explicit Triplicated(const T& value) noexcept { store(value); }

  void store(const T& value) noexcept {
    detail::SpinGuard g(m_lock);
    for (Copy& c : m_copies) std::memcpy(c.bytes.data(), &value, sizeof(T));
  }

  [[nodiscard]] Read<T> load() noexcept {
    Read<T> r;
    std::array<unsigned char, sizeof(T)> v{};
    {
      detail::SpinGuard g(m_lock);
      r.status = vote(v);
    }
    std::memcpy(&r.value, v.data(), sizeof(T));
    return r;
  }

  [[nodiscard]] ScrubReport scrub() noexcept override {
    ScrubReport rep;
    rep.words = 1;
    detail::SpinGuard g(m_lock);
    std::array<unsigned char, sizeof(T)> v{};
    const EccStatus s = vote(v);
    if (s == EccStatus::corrected) {
      for (Copy& c : m_copies) c.bytes = v;
      ++rep.corrected;
    } else if (s == EccStatus::uncorrectable) {
      ++rep.uncorrectable;
    }
    return rep;
  }

  /// Fault injection: flips bit `bit` (0..8*sizeof(T)-1) of copy `copy` (0..2).
  void inject_bit_flip(std::size_t copy, std::size_t bit) noexcept {
    if (copy >= 3U || bit >= sizeof(T) * 8U) return;
    detail::SpinGuard g(m_lock);
    auto& b = m_copies[copy].bytes[bit / 8U];
    b = static_cast<unsigned char>(b ^ (1U << (bit % 8U)));
  }

 private:
  // Each copy on its own cache line: a multi-bit upset or a stray write that hits one line
  // corrupts at most one copy.
  struct alignas(64) Copy {
    std::array<unsigned char, sizeof(T)> bytes{};
  };

  EccStatus vote(std::array<unsigned char, sizeof(T)>& out) const noexcept {
    const auto& a = m_copies[0].bytes;
    const auto& b = m_copies[1].bytes;
    const auto& c = m_copies[2].bytes;
    const bool ab = a == b;
    const bool bc = b == c;
    const bool ac = a == c;
    if (ab && bc) {
      out = a;
      return EccStatus::clean;
    }
    if (ab || ac) {
      out = a;
      return EccStatus::corrected;
    }
    if (bc) {
      out = b;
      return EccStatus::corrected;
    }
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      out[i] = static_cast<unsigned char>((a[i] & b[i]) | (b[i] & c[i]) | (a[i] & c[i]));
    }
    return EccStatus::uncorrectable;
  }

  detail::SpinLock m_lock;
  std::array<Copy, 3> m_copies{};
};

}  // namespace lockstep::hw
