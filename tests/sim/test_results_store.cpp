// Requirements: the SQLite results store keeps parameters and trial rows, refuses unusable,
// foreign, corrupted or other-campaign files without modifying them, and commits all or nothing.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <lockstep/core/error.hpp>
#include <lockstep/sim/results_store.hpp>

#include "sim_test_util.hpp"

namespace ls = lockstep::sim;
using ls::test::file_bytes;
using ls::test::TempDir;

namespace {
const ls::StoreParams kParams{{"kind", "kernel-campaign"}, {"kernel", "crc32"}, {"trials", "10"}};

std::vector<ls::TrialRow> rows(std::uint64_t from, std::uint64_t to) {
  std::vector<ls::TrialRow> out;
  for (std::uint64_t i = from; i < to; ++i) {
    ls::TrialRow r;
    r.trial = i;
    r.seed = ~i;  // exercises the full unsigned range
    r.fault = ls::FaultModel::stuck_at;
    r.replicas = lockstep::ReplicaMask::single(static_cast<std::uint32_t>(i % 3));
    r.bit = static_cast<std::int32_t>(i % 32);
    r.outcome = static_cast<ls::TrialOutcome>(i % ls::kOutcomeCount);
    r.sim_ns = static_cast<std::int64_t>(i * 1000);
    out.push_back(r);
  }
  return out;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const lockstep::Error& e) { return e.what(); }
  return "";
}
}  // namespace

TEST(ResultsStore, RoundTripsRowsAndParameters) {
  TempDir dir;
  const std::string db = dir.file("a.db");
  {
    auto s = ls::ResultsStore::open_for_writing(db, kParams);
    s.append_trials(rows(0, 6));
    s.record_run(ls::RunRecord{"2026-01-01T00:00:00Z", 2, "1/1", 6, 0.5, 12.0});
  }
  const auto s = ls::ResultsStore::open_read_only(db);
  EXPECT_EQ(s.params(), kParams);
  EXPECT_EQ(s.read_trials(), rows(0, 6));
  EXPECT_EQ(s.trial_count(), 6U);
  EXPECT_EQ(s.stored_trials(2, 4), (std::vector<std::uint64_t>{2, 3}));
  const ls::OutcomeCounts c = s.count_outcomes();
  for (const auto o : ls::kAllOutcomes) EXPECT_EQ(c[o], 1U);
  ASSERT_EQ(s.read_runs().size(), 1U);
  EXPECT_EQ(s.read_runs()[0].trials_run, 6U);
}

TEST(ResultsStore, ResumesWithEqualParameters) {
  TempDir dir;
  const std::string db = dir.file("a.db");
  ls::ResultsStore::open_for_writing(db, kParams).append_trials(rows(0, 3));
  auto s = ls::ResultsStore::open_for_writing(db, kParams);
  s.append_trials(rows(3, 5));
  EXPECT_EQ(s.read_trials(), rows(0, 5));
}

TEST(ResultsStore, ABatchIsAllOrNothing) {
  TempDir dir;
  auto s = ls::ResultsStore::open_for_writing(dir.file("a.db"), kParams);
  s.append_trials(rows(0, 3));
  auto dup = rows(3, 6);
  dup.push_back(rows(1, 2)[0]);  // trial 1 again: the whole batch must roll back
  const std::string err = error_of([&] { s.append_trials(dup); });
  EXPECT_NE(err.find("cannot store trial 1"), std::string::npos) << err;
  EXPECT_EQ(s.read_trials(), rows(0, 3));
}

TEST(ResultsStore, RefusesOtherParametersWithoutTouchingTheFile) {
  TempDir dir;
  const std::string db = dir.file("a.db");
  ls::ResultsStore::open_for_writing(db, kParams).append_trials(rows(0, 3));
  const std::string before = file_bytes(db);
  auto other = kParams;
  other["trials"] = "11";
  const std::string err = error_of([&] { (void)ls::ResultsStore::open_for_writing(db, other); });
  EXPECT_NE(err.find("different parameters: trials is '10' there, '11' here"), std::string::npos) << err;
  EXPECT_EQ(file_bytes(db), before);
}

TEST(ResultsStore, RefusesForeignEmptyMissingAndCorruptedFiles) {
  TempDir dir;
  const std::string text = dir.file("notes.txt");
  ls::test::write_file(text, "these are not the trials you are looking for, not at all\n");
  EXPECT_NE(error_of([&] {
              (void)ls::ResultsStore::open_for_writing(text, kParams);
            }).find("not an SQLite database"),
            std::string::npos);
  EXPECT_EQ(file_bytes(text), "these are not the trials you are looking for, not at all\n");

  const std::string empty = dir.file("empty.db");
  ls::test::write_file(empty, "");
  EXPECT_NE(error_of([&] { (void)ls::ResultsStore::open_for_writing(empty, kParams); }).find("is empty"),
            std::string::npos);
  EXPECT_EQ(file_bytes(empty), "");

  EXPECT_NE(error_of([&] {
              (void)ls::ResultsStore::open_read_only(dir.file("missing.db"));
            }).find("does not exist"),
            std::string::npos);

  // Another program's SQLite database.
  const std::string foreign = dir.file("foreign.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  const std::string fbefore = file_bytes(foreign);
  EXPECT_NE(
      error_of([&] { (void)ls::ResultsStore::open_for_writing(foreign, kParams); }).find("another program"),
      std::string::npos);
  EXPECT_EQ(file_bytes(foreign), fbefore);

  // A store whose pages were damaged.
  const std::string bad = dir.file("bad.db");
  ls::ResultsStore::open_for_writing(bad, kParams).append_trials(rows(0, 2000));
  std::string bytes = file_bytes(bad);
  ASSERT_GT(bytes.size(), 3 * 4096U);
  for (std::size_t i = 4096 + 100; i < bytes.size(); i += 7) bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  ls::test::write_file(bad, bytes);
  const std::string err = error_of([&] { (void)ls::ResultsStore::open_for_writing(bad, kParams); });
  EXPECT_NE(err.find("corrupt"), std::string::npos) << err;
  EXPECT_EQ(file_bytes(bad), bytes);
}

TEST(ResultsStore, CreateRefusesAnExistingFile) {
  TempDir dir;
  const std::string db = dir.file("a.db");
  (void)ls::ResultsStore::create(db, kParams);
  EXPECT_NE(error_of([&] { (void)ls::ResultsStore::create(db, kParams); }).find("already exists"),
            std::string::npos);
}

TEST(ResultsStore, GenericSamplesForOtherRunKinds) {
  TempDir dir;
  auto s = ls::ResultsStore::open_for_writing(dir.file("p.db"), ls::StoreParams{{"kind", "plant"}});
  const std::vector<ls::Sample> a{{"plant", 0, 11, "held", 0.5, "{}"}, {"plant", 2, 13, "violated", 9.0, ""}};
  s.append_samples(a);
  EXPECT_EQ(s.stored_sample_keys("plant"), (std::vector<std::uint64_t>{0, 2}));
  EXPECT_EQ(s.read_samples("plant"), a);
  EXPECT_TRUE(s.read_samples("other").empty());
  EXPECT_NE(error_of([&] { s.append_samples(a); }).find("cannot store sample plant/0"), std::string::npos);
}

TEST(ResultsStore, LargeBatchesRoundTripAndRollBackWhole) {
  // More rows than one multi-row INSERT holds, and a count that is not a multiple of it.
  TempDir dir;
  auto s = ls::ResultsStore::open_for_writing(dir.file("a.db"), kParams);
  s.append_trials(rows(0, 1000));
  auto dup = rows(1000, 1100);
  dup[70] = rows(500, 501)[0];  // trial 500 again, inside a multi-row statement
  const std::string err = error_of([&] { s.append_trials(dup); });
  EXPECT_NE(err.find("cannot store one of trials 1064..1095"), std::string::npos) << err;
  EXPECT_EQ(s.read_trials(), rows(0, 1000));
  s.append_trials(rows(1000, 1037));
  EXPECT_EQ(s.read_trials(), rows(0, 1037));
  EXPECT_EQ(s.trial_count(), 1037U);
}
