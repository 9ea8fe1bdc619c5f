// Explicit instantiations of the linear-solve versions for the canonical 6x6 size, so that
// users and tests of that size do not recompile the factorisations.
#include <lockstep/kernels/linear_solve.hpp>

namespace lockstep::kernels {

template LinearSolveOutput<6> solve_lu<6>(const LinearSolveInput<6>&) noexcept;
template LinearSolveOutput<6> solve_qr<6>(const LinearSolveInput<6>&) noexcept;
template LinearSolveOutput<6> solve_gauss<6>(const LinearSolveInput<6>&) noexcept;
template LinearSolveOutput<6> solve_ldlt<6>(const LinearSolveInput<6>&) noexcept;

}  // namespace lockstep::kernels
