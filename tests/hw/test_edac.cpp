// Requirements tested: the EDAC monitor reads a tree laid out like the kernel's, delivers new
// corrected/uncorrected counts per controller and per DIMM (with labels), handles counters that
// grow, reset or wrap, unreadable and garbage files, and reports missing EDAC as a clear,
// non-fatal status.
#include <lockstep/core/error.hpp>
#include <lockstep/hw/edac.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace {
using namespace lockstep::hw;  // NOLINT(google-build-using-namespace)
using lockstep::test::TempDir;

void lay_out_controller(const TempDir& d, const std::string& mc, int dimms) {
  d.write(mc + "/ce_count", "0\n");
  d.write(mc + "/ue_count", "0\n");
  d.write(mc + "/ce_noinfo_count", "0\n");
  d.write(mc + "/ue_noinfo_count", "0\n");
  d.write(mc + "/mc_name", "Skylake Socket#0 IMC#0\n");
  for (int i = 0; i < dimms; ++i) {
    const std::string dimm = mc + "/dimm" + std::to_string(i);
    d.write(dimm + "/dimm_ce_count", "0\n");
    d.write(dimm + "/dimm_ue_count", "0\n");
    d.write(dimm + "/dimm_label", "CPU_SrcID#0_MC#0_Chan#" + std::to_string(i) + "_DIMM#0\n");
  }
}

struct Recorder {
  std::vector<EdacEvent> events;
  void attach(EdacMonitor& m) {
    m.subscribe([this](const EdacEvent& e) { events.push_back(e); });
  }
};

TEST(EdacMonitor, MissingEdacIsAClearNonFatalStatus) {
  TempDir d;
  EdacMonitor m{{.root = d.path() / "no-such-dir", .report_initial_counts = false}};
  const EdacPoll p = m.poll();
  EXPECT_EQ(p.status, EdacStatus::not_available);
  EXPECT_EQ(p.controllers, 0U);
  EXPECT_NE(std::string(to_string(p.status)).find("not available"), std::string::npos);
}

TEST(EdacMonitor, EmptyEdacDirectoryHasNoControllers) {
  TempDir d;
  std::filesystem::create_directories(d.path() / "mc");
  d.write("mc/power/control", "auto");  // not a controller
  EdacMonitor m{{.root = d.path() / "mc", .report_initial_counts = false}};
  EXPECT_EQ(m.poll().status, EdacStatus::no_controllers);
}

TEST(EdacMonitor, DeliversGrowthPerControllerAndDimmWithLabels) {
  TempDir d;
  lay_out_controller(d, "mc0", 2);
  lay_out_controller(d, "mc1", 1);
  EdacMonitor m{{.root = d.path(), .report_initial_counts = false}};
  Recorder r;
  r.attach(m);
  EdacPoll p = m.poll();
  EXPECT_EQ(p.status, EdacStatus::ok);
  EXPECT_EQ(p.controllers, 2U);
  EXPECT_TRUE(r.events.empty());

  d.write("mc0/ce_count", "3\n");
  d.write("mc0/ce_noinfo_count", "1\n");
  d.write("mc0/dimm1/dimm_ce_count", "2\n");
  d.write("mc1/ue_count", "1\n");
  d.write("mc1/dimm0/dimm_ue_count", "1\n");
  p = m.poll();
  EXPECT_EQ(p.status, EdacStatus::ok);
  EXPECT_EQ(p.new_corrected, 3U);
  EXPECT_EQ(p.new_uncorrected, 1U);
  EXPECT_EQ(p.events, 4U);
  ASSERT_EQ(r.events.size(), 4U);
  EXPECT_EQ(r.events[0].controller, "mc0");
  EXPECT_EQ(r.events[0].severity, EdacSeverity::corrected);
  EXPECT_TRUE(r.events[0].dimm.empty());
  EXPECT_EQ(r.events[0].count, 3U);
  EXPECT_EQ(r.events[0].noinfo, 1U);
  EXPECT_EQ(r.events[1].dimm, "dimm1");
  EXPECT_EQ(r.events[1].label, "CPU_SrcID#0_MC#0_Chan#1_DIMM#0");
  EXPECT_EQ(r.events[1].count, 2U);
  EXPECT_EQ(r.events[2].controller, "mc1");
  EXPECT_EQ(r.events[2].severity, EdacSeverity::uncorrected);
  EXPECT_EQ(r.events[3].dimm, "dimm0");
  EXPECT_EQ(r.events[3].severity, EdacSeverity::uncorrected);

  r.events.clear();
  p = m.poll();  // nothing new
  EXPECT_EQ(p.events, 0U);
  EXPECT_TRUE(r.events.empty());
  d.write("mc0/ce_count", "10\n");
  p = m.poll();
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0].count, 7U) << "only the increase since the last poll";
  EXPECT_FALSE(r.events[0].counter_reset);
  EXPECT_EQ(m.total_corrected(), 10U);
  EXPECT_EQ(m.total_uncorrected(), 1U);
}

TEST(EdacMonitor, CounterResetOrWrapReportsTheNewValue) {
  TempDir d;
  lay_out_controller(d, "mc0", 0);
  d.write("mc0/ce_count", "100\n");
  EdacMonitor m{{.root = d.path(), .report_initial_counts = false}};
  Recorder r;
  r.attach(m);
  static_cast<void>(m.poll());
  d.write("mc0/ce_count", "4\n");  // reset_counters, then 4 new errors
  static_cast<void>(m.poll());
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0].count, 4U);
  EXPECT_TRUE(r.events[0].counter_reset);
  d.write("mc0/ce_count", "0\n");  // reset with no new errors: no event
  static_cast<void>(m.poll());
  EXPECT_EQ(r.events.size(), 1U);
  d.write("mc0/ce_count", "18446744073709551615\n");  // counts up to the top of uint64
  static_cast<void>(m.poll());
  ASSERT_EQ(r.events.size(), 2U);
  EXPECT_EQ(r.events[1].count, 18446744073709551615U);
}

TEST(EdacMonitor, InitialCountsAreBaselineUnlessAskedFor) {
  TempDir d;
  lay_out_controller(d, "mc0", 0);
  d.write("mc0/ue_count", "2\n");
  {
    EdacMonitor m{{.root = d.path(), .report_initial_counts = false}};
    Recorder r;
    r.attach(m);
    static_cast<void>(m.poll());
    EXPECT_TRUE(r.events.empty());
  }
  EdacMonitor m{{.root = d.path(), .report_initial_counts = true}};
  Recorder r;
  r.attach(m);
  const EdacPoll p = m.poll();
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0].severity, EdacSeverity::uncorrected);
  EXPECT_EQ(p.new_uncorrected, 2U);
}

TEST(EdacMonitor, GarbageAndUnreadableFilesDegradeButKeepTheBaseline) {
  TempDir d;
  lay_out_controller(d, "mc0", 1);
  d.write("mc0/ce_count", "5\n");
  EdacMonitor m{{.root = d.path(), .report_initial_counts = false}};
  Recorder r;
  r.attach(m);
  static_cast<void>(m.poll());
  d.write("mc0/ce_count", "five\n");
  std::filesystem::remove(d.path() / "mc0/dimm0/dimm_ce_count");
  std::filesystem::create_directories(d.path() / "mc0/dimm0/dimm_ce_count");  // unreadable as a number
  d.write("mc0/ue_count", "");                                                // empty
  EdacPoll p = m.poll();
  EXPECT_EQ(p.status, EdacStatus::degraded);
  EXPECT_EQ(p.unreadable, 3U);
  EXPECT_TRUE(r.events.empty());
  d.write("mc0/ce_count", "7\n");
  d.write("mc0/ue_count", "0\n");
  std::filesystem::remove(d.path() / "mc0/dimm0/dimm_ce_count");
  d.write("mc0/dimm0/dimm_ce_count", "0\n");
  p = m.poll();
  EXPECT_EQ(p.status, EdacStatus::ok);
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0].count, 2U) << "measured against the last good reading (5)";
}

TEST(EdacMonitor, MissingMandatoryCounterIsUnreadableMissingNoinfoIsNot) {
  TempDir d;
  lay_out_controller(d, "mc0", 0);
  std::filesystem::remove(d.path() / "mc0/ce_noinfo_count");
  std::filesystem::remove(d.path() / "mc0/ue_noinfo_count");
  EdacMonitor m{{.root = d.path(), .report_initial_counts = false}};
  EXPECT_EQ(m.poll().status, EdacStatus::ok);
  std::filesystem::remove(d.path() / "mc0/ue_count");
  EXPECT_EQ(m.poll().status, EdacStatus::degraded);
  EXPECT_EQ(m.last_poll().unreadable, 1U);
}

TEST(EdacMonitor, ControllersInNumericOrderAndRankDirectories) {
  TempDir d;
  lay_out_controller(d, "mc10", 0);
  lay_out_controller(d, "mc2", 0);
  d.write("mc2/rank3/dimm_ce_count", "0");
  d.write("mc2/rank3/dimm_ue_count", "0");
  EdacMonitor m{{.root = d.path(), .report_initial_counts = false}};
  Recorder r;
  r.attach(m);
  static_cast<void>(m.poll());
  d.write("mc10/ce_count", "1");
  d.write("mc2/ce_count", "1");
  d.write("mc2/rank3/dimm_ce_count", "1");
  static_cast<void>(m.poll());
  ASSERT_EQ(r.events.size(), 3U);
  EXPECT_EQ(r.events[0].controller, "mc2");
  EXPECT_EQ(r.events[1].dimm, "rank3");
  EXPECT_TRUE(r.events[1].label.empty());
  EXPECT_EQ(r.events[2].controller, "mc10");
}

TEST(EdacMonitor, BackgroundPollingDeliversAndStops) {
  TempDir d;
  lay_out_controller(d, "mc0", 0);
  EdacMonitor m{{.root = d.path(), .report_initial_counts = false}};
  std::atomic<int> ue{0};
  m.subscribe([&](const EdacEvent& e) {
    if (e.severity == EdacSeverity::uncorrected) ue.fetch_add(1);
  });
  EXPECT_THROW(m.subscribe({}), lockstep::Error);
  EXPECT_THROW(m.start(std::chrono::nanoseconds{0}), lockstep::Error);
  static_cast<void>(m.poll());  // baseline
  m.start(std::chrono::milliseconds{1});
  EXPECT_THROW(m.start(std::chrono::milliseconds{1}), lockstep::Error);
  d.write("mc0/ue_count", "1\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (ue.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  m.stop();
  EXPECT_EQ(ue.load(), 1);
  m.stop();
}

}  // namespace
