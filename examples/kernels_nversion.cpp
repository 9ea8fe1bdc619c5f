// Diverse kernel versions voted 2-out-of-3 by hand (what the runtime's NVersionExecutor automates).
//
//            +--> solve_lu ----+
//   A, b --->+--> solve_qr ----+--> agrees(a, b) pairwise --> majority x (or "no majority")
//            +--> solve_gauss -+
//
//   r, y --->  PidDouble | PidFloat | PidFixed  --> vote on u --> voted state written back
//                                                  (set_state), so versions never drift apart
//
// Every version has the same signature, allocates nothing and never throws; each kernel's
// tolerance is derived from its numerics (docs/kernels.md).
#include <lockstep/kernels/linear_solve.hpp>
#include <lockstep/kernels/pid.hpp>

#include <cstdio>

namespace lk = lockstep::kernels;

int main() {
  // 1. A 6x6 solve, three versions, one of them corrupted by a simulated bit flip.
  lk::LinearSolveInput<6> in;
  in.a = Eigen::Matrix<double, 6, 6>::Identity() * 4.0;
  for (int i = 0; i + 1 < 6; ++i) in.a(i, i + 1) = in.a(i + 1, i) = -1.0;
  in.b = Eigen::Matrix<double, 6, 1>::Ones();
  std::array<lk::LinearSolveOutput<6>, 3> outs{};
  for (std::size_t v = 0; v < 3; ++v) outs[v] = lk::kLinearSolveVersions<6>[v](in);
  outs[1].x(2) += 1e-3;  // the fault: version 2's result is wrong
  int winner = -1;
  for (std::size_t v = 0; v < 3 && winner < 0; ++v) {
    for (std::size_t w = v + 1; w < 3; ++w) {
      if (lk::agrees(outs[v], outs[w])) {
        winner = static_cast<int>(v);
        break;
      }
    }
  }
  if (winner != 0 || outs[0].status != lk::Status::ok) return 1;
  std::printf("solve: majority from version %d, x0 = %.12f, kappa = %.2f, tolerance %.2e\n", winner,
              outs[0].x(0), outs[0].condition, lk::linear_solve_tolerance<6>().epsilon());

  // 2. A PID loop on a first-order plant, three numeric versions, state voting every step.
  const lk::PidConfig cfg{.kp = 2.0, .ki = 4.0, .kd = 0.02, .dt = 0.01, .out_min = -5.0, .out_max = 5.0};
  lk::PidDouble pd(cfg);
  lk::PidFloat pf(cfg);
  lk::PidFixed px(cfg);
  const lockstep::Tolerance tol = lk::pid_tolerance(cfg, 1);
  double y = 0.0;
  for (int k = 0; k < 500; ++k) {
    const lk::PidInput sample{1.0, y};
    const lk::PidOutput a = pd.step(sample);
    const lk::PidOutput b = pf.step(sample);
    const lk::PidOutput c = px.step(sample);
    if (!lk::agrees(a, b, tol) || !lk::agrees(a, c, tol)) {
      std::printf("PID versions disagree at step %d\n", k);
      return 1;
    }
    const lk::PidState voted = pd.state();  // all agree: adopt one state everywhere
    if (pf.set_state(voted) != lk::Status::ok || px.set_state(voted) != lk::Status::ok) return 1;
    y += cfg.dt * (-y + a.u);  // plant: y' = -y + u
  }
  std::printf("pid: y after 5 s = %.6f (setpoint 1), tolerance %.2e\n", y, tol.epsilon());
  return y > 0.99 && y < 1.01 ? 0 : 1;
}
