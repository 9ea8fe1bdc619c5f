// Filter templates instantiated for orders 1 (first-order sections), 2 (biquads) and 4.
#include <lockstep/kernels/filter_impl.hpp>

namespace lockstep::kernels {

bool agrees(const FilterOutput& a, const FilterOutput& b, const Tolerance& tolerance) noexcept {
  if (a.status != b.status) return false;
  if (std::isnan(a.y) || std::isnan(b.y)) return false;
  return std::abs(a.y - b.y) <= tolerance.epsilon();
}

template IirAnalysis analyse<1>(const IirCoefficients<1>&, double);
template IirAnalysis analyse<2>(const IirCoefficients<2>&, double);
template IirAnalysis analyse<4>(const IirCoefficients<4>&, double);
template Tolerance iir_tolerance<1>(const IirCoefficients<1>&, double);
template Tolerance iir_tolerance<2>(const IirCoefficients<2>&, double);
template Tolerance iir_tolerance<4>(const IirCoefficients<4>&, double);
template class IirDirectForm1<1>;
template class IirDirectForm1<2>;
template class IirDirectForm1<4>;
template class IirTransposedDf2<1>;
template class IirTransposedDf2<2>;
template class IirTransposedDf2<4>;
template class IirStateSpace<1>;
template class IirStateSpace<2>;
template class IirStateSpace<4>;

}  // namespace lockstep::kernels
