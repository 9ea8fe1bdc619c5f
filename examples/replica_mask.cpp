// Example: the replica mask every voter and executor reports with.
//
//   replicas 0 1 2 3 4
//   present  x x . x x     -> present.count() == 4
//   dissent  . . . x .     -> the replica to look at
#include <lockstep/core.hpp>

#include <cstdio>

int main() {
  lockstep::ReplicaMask present = lockstep::ReplicaMask::first(5);
  present.reset(2);  // replica 2 was late
  const lockstep::ReplicaMask dissent = lockstep::ReplicaMask::single(3);
  std::printf("present=%u dissent lowest=%u\n", present.count(), dissent.lowest());
  return (present.count() == 4 && dissent.lowest() == 3) ? 0 : 1;
}
