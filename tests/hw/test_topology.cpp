// Requirements tested: topology from a sysfs-like tree (packages, big.LITTLE clusters, SMT
// siblings, online/offline, isolated cores from sysfs and isolcpus=), replica core picking,
// cpu-list parsing (incl. malformed), and the placement helpers returning a status instead of
// failing when the system does not permit them.
#include <lockstep/core/error.hpp>
#include <lockstep/hw/placement.hpp>
#include <lockstep/hw/topology.hpp>

#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace {
using namespace lockstep::hw;  // NOLINT(google-build-using-namespace)
using lockstep::test::TempDir;
using Cpus = std::vector<std::uint32_t>;

void cpu(const TempDir& d, std::uint32_t id, int package, int cluster, int core, const std::string& siblings,
         int capacity) {
  const std::string c = "cpu" + std::to_string(id);
  d.write(c + "/topology/physical_package_id", std::to_string(package) + "\n");
  if (cluster >= 0) d.write(c + "/topology/cluster_id", std::to_string(cluster) + "\n");
  d.write(c + "/topology/core_id", std::to_string(core) + "\n");
  d.write(c + "/topology/thread_siblings_list", siblings + "\n");
  if (capacity > 0) d.write(c + "/cpu_capacity", std::to_string(capacity) + "\n");
  if (id != 0) d.write(c + "/online", "1\n");
}

/// An 8-core big.LITTLE SoC: cluster 0 = cpu0-3 LITTLE (capacity 446), cluster 1 = cpu4-7
/// big (1024); cpu7 offline; cpu5,6 isolated via sysfs; cpu3 via isolcpus=.
TopologyConfig big_little(const TempDir& d) {
  for (std::uint32_t i = 0; i < 8; ++i) {
    cpu(d, i, 0, i < 4 ? 0 : 1, static_cast<int>(i % 4), std::to_string(i), i < 4 ? 446 : 1024);
  }
  d.write("cpu7/online", "0\n");
  d.write("online", "0-6\n");
  d.write("isolated", "5-6\n");
  d.write("cpufreq/policy0/dummy", "");  // not a cpuN directory
  d.write("cmdline", "BOOT_IMAGE=/vmlinuz ro isolcpus=managed_irq,domain,3 quiet\n");
  TopologyConfig c;
  c.sysfs_root = d.path();
  c.cmdline = d.path() / "cmdline";
  c.allowed = Cpus{0, 1, 2, 3, 4, 5, 6, 7};
  return c;
}

TEST(Topology, ReadsBigLittleClustersCapacitiesAndIsolation) {
  TempDir d;
  const Topology t = Topology::read(big_little(d));
  ASSERT_EQ(t.cpus().size(), 8U);
  EXPECT_EQ(t.packages(), (std::vector<std::int32_t>{0}));
  const std::vector<CpuCluster> cl = t.clusters();
  ASSERT_EQ(cl.size(), 2U);
  EXPECT_EQ(cl[0].cpus, (Cpus{0, 1, 2, 3}));
  EXPECT_EQ(cl[0].capacity, 446U);
  EXPECT_EQ(cl[1].cpus, (Cpus{4, 5, 6, 7}));
  EXPECT_EQ(cl[1].capacity, 1024U);
  EXPECT_EQ(t.isolated_cores(), (Cpus{3, 5, 6}));
  EXPECT_EQ(t.allowed_cores(), (Cpus{0, 1, 2, 3, 4, 5, 6})) << "cpu7 is offline";
  ASSERT_NE(t.find(7), nullptr);
  EXPECT_FALSE(t.find(7)->online);
  EXPECT_TRUE(t.find(0)->online) << "the boot cpu has no online file";
  EXPECT_EQ(t.find(100), nullptr);
}

TEST(Topology, PicksIsolatedBigCoresFirst) {
  TempDir d;
  const Topology t = Topology::read(big_little(d));
  EXPECT_EQ(t.pick_replica_cores(3), (Cpus{5, 6, 3})) << "isolated big, then isolated LITTLE";
  EXPECT_EQ(t.pick_replica_cores(5), (Cpus{5, 6, 3, 4, 0}));
  EXPECT_EQ(t.pick_replica_cores(20).size(), 7U) << "only what exists";
  EXPECT_TRUE(t.pick_replica_cores(0).empty());
}

TEST(Topology, SmtSiblingsAreNeverPickedTogether) {
  // 2 packages x 2 cores x 2 threads: siblings (0,4) (1,5) (2,6) (3,7); no clusters reported.
  TempDir d;
  for (std::uint32_t i = 0; i < 8; ++i) {
    const std::uint32_t phys = i % 4;
    cpu(d, i, static_cast<int>(phys / 2), -1, static_cast<int>(phys % 2),
        std::to_string(phys) + "," + std::to_string(phys + 4), 0);
  }
  TopologyConfig c;
  c.sysfs_root = d.path();
  c.cmdline.clear();
  c.allowed = Cpus{0, 1, 2, 3, 4, 5, 6, 7};
  const Topology t = Topology::read(c);
  EXPECT_EQ(t.smt_siblings(5), (Cpus{1, 5}));
  EXPECT_TRUE(t.smt_siblings(42).empty());
  EXPECT_EQ(t.packages(), (std::vector<std::int32_t>{0, 1}));
  const std::vector<CpuCluster> cl = t.clusters();
  ASSERT_EQ(cl.size(), 2U) << "without cluster_id, a package is the cluster";
  EXPECT_EQ(cl[0].cluster, -1);
  EXPECT_EQ(t.pick_replica_cores(4), (Cpus{0, 1, 2, 3}));
  EXPECT_EQ(t.pick_replica_cores(8).size(), 4U) << "4 physical cores: a 5th replica would share one";
  c.allowed = Cpus{4, 5, 0};
  EXPECT_EQ(Topology::read(c).pick_replica_cores(3), (Cpus{0, 5})) << "0 and 4 share a core";
}

TEST(Topology, MissingFilesGiveDefaultsAndNoCpusIsAnError) {
  TempDir d;
  std::filesystem::create_directories(d.path() / "cpu0");
  std::filesystem::create_directories(d.path() / "cpu1");
  TopologyConfig c;
  c.sysfs_root = d.path();
  c.cmdline = d.path() / "missing-cmdline";
  c.allowed = Cpus{1};
  const Topology t = Topology::read(c);
  ASSERT_EQ(t.cpus().size(), 2U);
  EXPECT_EQ(t.cpus()[0].package, -1);
  EXPECT_EQ(t.cpus()[0].capacity, 0U);
  EXPECT_EQ(t.cpus()[1].siblings, (Cpus{1}));
  EXPECT_EQ(t.allowed_cores(), (Cpus{1}));
  TempDir empty;
  c.sysfs_root = empty.path();
  EXPECT_THROW(static_cast<void>(Topology::read(c)), lockstep::Error);
  c.sysfs_root = empty.path() / "nope";
  EXPECT_THROW(static_cast<void>(Topology::read(c)), lockstep::Error);
}

TEST(Topology, ReadsThisMachine) {
  const Topology t = Topology::read();
  EXPECT_FALSE(t.cpus().empty());
  const Cpus allowed = t.allowed_cores();
  EXPECT_FALSE(allowed.empty());
  for (const std::uint32_t c : allowed) {
    const Cpus mask = allowed_cores();
    EXPECT_NE(std::find(mask.begin(), mask.end(), c), mask.end());
  }
}

TEST(CpuList, ParsesKernelFormat) {
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11\n"), (Cpus{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5"), (Cpus{5}));
  EXPECT_EQ(parse_cpu_list("\n"), Cpus{});
  EXPECT_EQ(parse_cpu_list("3,1,1-2"), (Cpus{1, 2, 3}));
  EXPECT_FALSE(parse_cpu_list("3-1").has_value());
  EXPECT_FALSE(parse_cpu_list("a").has_value());
  EXPECT_FALSE(parse_cpu_list("1,").has_value());
  EXPECT_FALSE(parse_cpu_list("0-4294967295").has_value()) << "absurd ranges are rejected, not expanded";
  EXPECT_FALSE(parse_cpu_list("-1").has_value());
}

TEST(Placement, PinningReportsAStatus) {
  const Cpus cores = allowed_cores();
  ASSERT_FALSE(cores.empty());
  cpu_set_t before;
  ASSERT_EQ(pthread_getaffinity_np(pthread_self(), sizeof(before), &before), 0);
  EXPECT_EQ(pin_current_thread(cores.front()), PlacementStatus::ok);
  EXPECT_EQ(sched_getcpu(), static_cast<int>(cores.front()));
  EXPECT_EQ(pin_current_thread(100000), PlacementStatus::no_such_core);
  EXPECT_EQ(pin_current_thread(CPU_SETSIZE - 1), PlacementStatus::no_such_core);
  ASSERT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(before), &before), 0);
}

TEST(Placement, AThreadThatPinnedItselfStillSeesAndReachesEveryCore) {
  // Real-time practice: the control thread pins itself before building executors; the
  // workers it then starts inherit its one-core mask and must still reach the other cores.
  const Cpus before_pin = allowed_cores();
  ASSERT_FALSE(before_pin.empty());
  cpu_set_t saved;
  ASSERT_EQ(pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved), 0);
  ASSERT_EQ(pin_current_thread(before_pin.front()), PlacementStatus::ok);
  EXPECT_EQ(allowed_cores(), before_pin) << "the answer must not depend on the caller's own mask";
  std::thread worker([&] {
    EXPECT_EQ(pin_current_thread(before_pin.back()), PlacementStatus::ok);
    EXPECT_EQ(sched_getcpu(), static_cast<int>(before_pin.back()));
  });
  worker.join();
  ASSERT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved), 0);
}

TEST(Placement, FifoPriorityReportsAStatusNotACrash) {
  EXPECT_EQ(set_fifo_priority(0), PlacementStatus::invalid);
  EXPECT_EQ(set_fifo_priority(100), PlacementStatus::invalid);
  const PlacementStatus s = set_fifo_priority(1);
  EXPECT_TRUE(s == PlacementStatus::ok || s == PlacementStatus::not_permitted) << to_string(s);
  sched_param normal{};
  static_cast<void>(pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal));
}

TEST(Placement, LockAllMemoryReportsAStatusNotACrash) {
  const PlacementStatus s = lock_all_memory();
  EXPECT_TRUE(s == PlacementStatus::ok || s == PlacementStatus::not_permitted) << to_string(s);
  if (s == PlacementStatus::ok) static_cast<void>(munlockall());
  EXPECT_EQ(to_string(PlacementStatus::not_permitted), "not permitted");
}

}  // namespace
