#include <lockstep/core/error.hpp>

#include <gtest/gtest.h>

namespace lockstep {
namespace {

TEST(Error, RaiseThrowsTheOneErrorTypeWithItsMessage) {
  try {
    raise("replicas must be in 2..7, got 9");
    FAIL() << "raise returned";
  } catch (const Error& e) { EXPECT_STREQ(e.what(), "replicas must be in 2..7, got 9"); }
}

}  // namespace
}  // namespace lockstep
