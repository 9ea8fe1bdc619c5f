#include <lockstep/sim/fault.hpp>

#include <algorithm>

namespace lockstep::sim {
namespace {

void set_bit(std::span<std::byte> bytes, std::uint32_t bit, int value) noexcept {
  const std::size_t n = bytes.size() * 8U;
  const std::size_t b = bit % n;
  const auto m = static_cast<std::byte>(1U << (b % 8U));
  std::byte& byte = bytes[b / 8U];
  if (value < 0) {
    byte ^= m;
  } else if (value == 0) {
    byte &= ~m;
  } else {
    byte |= m;
  }
}

bool get_bit(std::span<const std::byte> bytes, std::uint32_t bit) noexcept {
  const std::size_t b = bit % (bytes.size() * 8U);
  return (std::to_integer<unsigned>(bytes[b / 8U]) >> (b % 8U) & 1U) != 0U;
}

std::uint32_t bits_of(FaultTarget t, const FaultSpace& s) noexcept {
  switch (t) {
    case FaultTarget::input:
      return s.input_bits;
    case FaultTarget::state:
      return s.state_bits;
    case FaultTarget::output:
    case FaultTarget::behaviour:
      return s.output_bits;
  }
  return s.output_bits;
}

// Distinct random bit positions (at most Corruption::kMaxBits), sorted.
void draw_distinct_bits(Corruption& c, std::uint32_t count, std::uint32_t space, TrialRng& rng) noexcept {
  count = std::min({count, Corruption::kMaxBits, std::max(space, 1U)});
  std::uint8_t n = 0;
  while (n < count) {
    const std::uint32_t b = rng.below(std::max(space, 1U));
    const std::uint32_t* first = c.bits.data();
    const std::uint32_t* last = first + n;
    if (std::find(first, last, b) == last) c.bits[n++] = b;
  }
  c.bit_count = n;
  std::sort(c.bits.data(), c.bits.data() + n);
}

Corruption draw_corruption(FaultModel model, const FaultSpace& space, TrialRng& rng) noexcept {
  Corruption c;
  c.target = info(model).target;
  const std::uint32_t nbits = std::max(bits_of(c.target, space), 1U);
  switch (model) {
    case FaultModel::bitflip_output:
    case FaultModel::bitflip_input:
    case FaultModel::bitflip_state:
    case FaultModel::common_mode:
      c.kind = CorruptionKind::flip;
      draw_distinct_bits(c, 1, nbits, rng);
      break;
    case FaultModel::multibit_output:
      c.kind = CorruptionKind::flip;
      draw_distinct_bits(c, 2U + rng.below(7), nbits, rng);
      break;
    case FaultModel::burst_output: {
      c.kind = CorruptionKind::flip;
      const std::uint32_t len = std::min(2U + rng.below(7), nbits);
      const std::uint32_t start = rng.below(nbits - len + 1U);
      for (std::uint32_t i = 0; i < len; ++i) c.bits[i] = start + i;
      c.bit_count = static_cast<std::uint8_t>(len);
      break;
    }
    case FaultModel::stuck_at:
      c.kind = rng.below(2) == 0U ? CorruptionKind::stuck_at_0 : CorruptionKind::stuck_at_1;
      draw_distinct_bits(c, 1, nbits, rng);
      break;
    case FaultModel::byzantine:
      c.kind = CorruptionKind::randomize;
      c.random_seed = rng.next();
      break;
    case FaultModel::exception:
      c.kind = CorruptionKind::raise;
      break;
    case FaultModel::hang:
      c.kind = CorruptionKind::hang;
      break;
    case FaultModel::delay:
      c.kind = CorruptionKind::delay;
      break;
  }
  return c;
}

}  // namespace

void Corruption::apply(std::span<std::byte> bytes) const noexcept {
  if (bytes.empty()) return;
  switch (kind) {
    case CorruptionKind::flip:
    case CorruptionKind::stuck_at_0:
    case CorruptionKind::stuck_at_1: {
      const int value = kind == CorruptionKind::flip ? -1 : (kind == CorruptionKind::stuck_at_0 ? 0 : 1);
      for (std::uint8_t i = 0; i < bit_count; ++i) set_bit(bytes, bits[i], value);
      break;
    }
    case CorruptionKind::randomize: {
      // Arbitrary bytes, but never the original value: a byzantine replica that happens to
      // emit the right value is not a fault worth counting.
      TrialRng rng{random_seed};
      bool changed = false;
      for (std::byte& b : bytes) {
        const auto nb = static_cast<std::byte>(rng.next() & 0xFFU);
        changed = changed || nb != b;
        b = nb;
      }
      if (!changed) bytes[0] ^= std::byte{1};
      break;
    }
    case CorruptionKind::none:
    case CorruptionKind::raise:
    case CorruptionKind::hang:
    case CorruptionKind::delay:
      break;
  }
}

bool Corruption::is_noop_on(std::span<const std::byte> bytes) const noexcept {
  if (bytes.empty()) return true;
  switch (kind) {
    case CorruptionKind::stuck_at_0:
    case CorruptionKind::stuck_at_1: {
      const bool want = kind == CorruptionKind::stuck_at_1;
      for (std::uint8_t i = 0; i < bit_count; ++i) {
        if (get_bit(bytes, bits[i]) != want) return false;
      }
      return true;
    }
    case CorruptionKind::none:
      return true;
    case CorruptionKind::flip:
      return bit_count == 0;
    case CorruptionKind::randomize:
    case CorruptionKind::raise:
    case CorruptionKind::hang:
    case CorruptionKind::delay:
      return false;
  }
  return false;
}

std::int32_t FaultPlan::first_bit() const noexcept {
  if (replicas.none()) return -1;
  const Corruption& c = per_replica[replicas.lowest()];
  return c.bit_count == 0 ? -1 : static_cast<std::int32_t>(c.bits[0]);
}

FaultPlan plan_fault(FaultModel model, std::uint32_t faults_per_trial, const FaultSpace& space,
                     TrialRng& rng) noexcept {
  FaultPlan plan;
  plan.model = model;
  const std::uint32_t n = std::clamp(space.replicas, 1U, kMaxReplicas);
  std::uint32_t k = std::max(faults_per_trial, 1U);
  if (model == FaultModel::common_mode) k = std::max(k, 2U);
  k = std::min(k, n);
  // Partial Fisher-Yates over replica indices: k distinct replicas, uniformly.
  std::array<std::uint32_t, kMaxReplicas> idx{};
  for (std::uint32_t i = 0; i < n; ++i) idx[i] = i;
  for (std::uint32_t i = 0; i < k; ++i) {
    const std::uint32_t j = i + rng.below(n - i);
    std::swap(idx[i], idx[j]);
    plan.replicas.set(idx[i]);
  }
  if (model == FaultModel::common_mode) {
    const Corruption shared = draw_corruption(model, space, rng);
    for (std::uint32_t i = 0; i < k; ++i) plan.per_replica[idx[i]] = shared;
  } else {
    // Drawn in ascending replica order so the plan does not depend on the shuffle order.
    for (std::uint32_t r = 0; r < n; ++r) {
      if (plan.replicas.test(r)) plan.per_replica[r] = draw_corruption(model, space, rng);
    }
  }
  return plan;
}

}  // namespace lockstep::sim
