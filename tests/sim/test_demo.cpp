// The demo report: `lockstep-sim demo --quick` writes index.html, summary.json, the data files
// and (with gnuplot) three PNGs, and the page holds the numbers the run produced. A second run
// with a missing plotting program still writes the tables and says so.

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {
std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
int demo_cli(const std::string& args, const std::string& log) {
  const std::string cmd =
      std::string(LOCKSTEP_SIM_EXE) + " demo --quick --threads 2 " + args + " >" + log + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
bool have_gnuplot() { return std::system("gnuplot --version >/dev/null 2>&1") == 0; }
}  // namespace

TEST(DemoReport, QuickRunWritesTheReportWithItsNumbers) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("demo_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string log = (dir.string() + ".log");
  ASSERT_EQ(demo_cli("--out " + dir.string(), log), 0) << read_text(log);
  const std::string out = read_text(log);
  EXPECT_NE(out.find("Report: "), std::string::npos) << out;

  ASSERT_TRUE(fs::exists(dir / "index.html"));
  ASSERT_TRUE(fs::exists(dir / "summary.json"));
  const std::string html = read_text(dir / "index.html");
  const auto j = nlohmann::json::parse(read_text(dir / "summary.json"));

  // The page says which controller ran: Kalman + LQR from kernels/, noisy sensors.
  EXPECT_NE(html.find("Kalman estimator and LQR state feedback from kernels/"), std::string::npos);
  EXPECT_NE(html.find("noisy sensors"), std::string::npos);
  // Every executor of both pendulum scenarios, with its numbers, in the page and on stdout.
  ASSERT_EQ(j.at("pendulum").size(), 8U);
  for (const auto& row : j.at("pendulum")) {
    const std::string cells = "<td>" + row.at("executor").get<std::string>() + "</td><td>" +
                              std::to_string(row.at("runs").get<std::uint64_t>()) + "</td><td>" +
                              std::to_string(row.at("violations").get<std::uint64_t>()) + "</td>";
    EXPECT_NE(html.find(cells), std::string::npos) << cells;
    EXPECT_NE(html.find("<td>" + std::to_string(row.at("sdc").get<std::uint64_t>()) + "</td>"),
              std::string::npos);
    EXPECT_EQ(row.at("runs").get<int>(), 8);
  }
  // Redundant executors never deliver a wrong command in the transient-flip scenario.
  for (const auto& row : j.at("pendulum")) {
    const bool redundant = row.at("executor") == "tmr" || row.at("executor") == "dmr-retry";
    const bool transient = row.at("scenario").get<std::string>().rfind("bitflip-output", 0) == 0;
    if (redundant && transient) { EXPECT_EQ(row.at("sdc").get<int>(), 0) << row.dump(); }
  }
  // Kernel campaign rows (the campaign engine) and reliability points.
  ASSERT_EQ(j.at("kernels").size(), 10U);  // 2 kernels x simplex, dmr, dmr-retry, tmr, nversion
  for (const auto& k : j.at("kernels")) {
    if (!k.at("note").get<std::string>().empty()) continue;
    const std::uint64_t total = k.at("benign").get<std::uint64_t>() + k.at("masked").get<std::uint64_t>() +
                                k.at("detected").get<std::uint64_t>() +
                                k.at("recovered").get<std::uint64_t>() + k.at("sdc").get<std::uint64_t>() +
                                k.at("timeout").get<std::uint64_t>();
    EXPECT_EQ(total, k.at("trials").get<std::uint64_t>()) << k.dump();
    // One faulty replica per trial: only simplex may deliver a wrong value silently.
    if (k.at("executor").get<std::string>() != "simplex") {
      EXPECT_EQ(k.at("sdc").get<std::uint64_t>(), 0U) << k.dump();
    }
    EXPECT_NE(html.find("<td>" + k.at("kernel").get<std::string>() + "</td><td>" +
                        k.at("executor").get<std::string>() + "</td><td>" + std::to_string(total) + "</td>"),
              std::string::npos);
  }
  ASSERT_EQ(j.at("reliability").size(), 30U);
  int inside = 0;
  for (const auto& p : j.at("reliability")) {
    const double a = p.at("analytic").get<double>();
    const bool in = p.at("simulated").at("ci95").at(0).get<double>() <= a &&
                    a <= p.at("simulated").at("ci95").at(1).get<double>();
    inside += in ? 1 : 0;
  }
  EXPECT_GE(inside, 25);  // 95% intervals: about 1.5 of 30 miss by chance

  // The data files behind the plots.
  for (const char* f : {"trace_simplex.csv", "trace_tmr.csv", "trace_dmr-retry.csv", "trace_nversion.csv",
                        "outcomes.csv", "reliability_analytic.csv", "reliability_points.csv"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  if (have_gnuplot()) {
    for (const char* png : {"pendulum_angle.png", "outcomes.png", "reliability.png"}) {
      ASSERT_TRUE(fs::exists(dir / png)) << png;
      const std::string bytes = read_text(dir / png);
      EXPECT_GT(bytes.size(), 5000U) << png;
      EXPECT_EQ(bytes.substr(1, 3), "PNG") << png;
      EXPECT_NE(html.find(std::string("src='") + png + "'"), std::string::npos) << png;
    }
    EXPECT_TRUE(j.at("plot_note").get<std::string>().empty());
  }
  fs::remove_all(dir);
  fs::remove(log);
}

TEST(DemoReport, WithoutGnuplotTheTablesAreStillWrittenAndTheGapIsSaid) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("demo_noplot_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string log = dir.string() + ".log";
  ASSERT_EQ(demo_cli("--out " + dir.string() + " --gnuplot /nonexistent/gnuplot", log), 0) << read_text(log);
  EXPECT_NE(read_text(log).find("gnuplot was not found"), std::string::npos);
  const std::string html = read_text(dir / "index.html");
  EXPECT_NE(html.find("gnuplot was not found"), std::string::npos);
  EXPECT_NE(html.find("<table id='pendulum'>"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "pendulum_angle.png"));
  fs::remove_all(dir);
  fs::remove(log);
}
