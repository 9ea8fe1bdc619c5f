// Explicit instantiations of the Kalman versions for the simulator's filters: cart-pole
// (4 states, 2 measurements) and DC motor (2 states, 1 measurement).
#include <lockstep/kernels/kalman.hpp>

namespace lockstep::kernels {

template KalmanOutput<4, 2> kalman_standard<4, 2>(const KalmanInput<4, 2>&) noexcept;
template KalmanOutput<4, 2> kalman_joseph<4, 2>(const KalmanInput<4, 2>&) noexcept;
template KalmanOutput<4, 2> kalman_information<4, 2>(const KalmanInput<4, 2>&) noexcept;
template KalmanOutput<2, 1> kalman_standard<2, 1>(const KalmanInput<2, 1>&) noexcept;
template KalmanOutput<2, 1> kalman_joseph<2, 1>(const KalmanInput<2, 1>&) noexcept;
template KalmanOutput<2, 1> kalman_information<2, 1>(const KalmanInput<2, 1>&) noexcept;

}  // namespace lockstep::kernels
