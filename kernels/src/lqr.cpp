// Explicit instantiations of the LQR versions for the simulator's plants: the cart-pole
// (4 states, 1 input) and the DC motor (2 states, 1 input).
#include <lockstep/kernels/lqr.hpp>

namespace lockstep::kernels {

template LqrOutput<4, 1> lqr_riccati<4, 1>(const LqrInput<4, 1>&) noexcept;
template LqrOutput<4, 1> lqr_doubling<4, 1>(const LqrInput<4, 1>&) noexcept;
template LqrOutput<4, 1> lqr_eigenvector<4, 1>(const LqrInput<4, 1>&) noexcept;
template LqrOutput<2, 1> lqr_riccati<2, 1>(const LqrInput<2, 1>&) noexcept;
template LqrOutput<2, 1> lqr_doubling<2, 1>(const LqrInput<2, 1>&) noexcept;
template LqrOutput<2, 1> lqr_eigenvector<2, 1>(const LqrInput<2, 1>&) noexcept;

}  // namespace lockstep::kernels
