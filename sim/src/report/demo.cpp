// lockstep-sim demo: closed-loop study, kernel campaigns, reliability curves, report folder.

#include "lockstep/sim/report/demo.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "lockstep/core/error.hpp"
#include "lockstep/sim/campaign.hpp"
#include "lockstep/sim/reliability/reliability.hpp"
#include "lockstep/sim/seed.hpp"

namespace lockstep::sim::report {
namespace {

namespace fs = std::filesystem;
namespace pl = lockstep::sim::plant;
namespace rel = lockstep::sim::reliability;

constexpr pl::LoopExecutor kExecutors[] = {pl::LoopExecutor::simplex, pl::LoopExecutor::dmr_retry,
                                           pl::LoopExecutor::tmr, pl::LoopExecutor::nversion};

std::string fmt(double v, int prec = 3) {
  std::ostringstream os;
  os << std::setprecision(prec) << v;
  return os.str();
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) raise("demo: cannot write '" + p.string() + "'");
}

/// The gnuplot script for the three figures (pngcairo, falling back to png).
std::string gnuplot_script(const std::string& terminal, const DemoResult& r, double duration) {
  std::ostringstream g;
  g << "set terminal " << terminal << " size 1100,780 font ',10'\n"
    << "set datafile separator ','\n"
    << "set output 'pendulum_angle.png'\n"
    << "set multiplot layout 4,1 title 'Inverted pendulum: angle under each executor, same fault stream (run "
    << r.trace_run << "); red marks = faulty calls'\n"
    << "set xrange [0:" << duration << "]\nset yrange [-15:15]\nset ytics 6\nset grid\n"
    << "set key top right\n";
  for (const auto e : kExecutors) {
    const std::string name(pl::to_string(e));
    g << "set ylabel 'angle [deg]'\n"
      << (e == pl::LoopExecutor::nversion ? "set xlabel 'time [s]'\n" : "unset xlabel\n")
      << "plot 12 with lines lc rgb '#999999' dt 2 notitle, -12 with lines lc rgb '#999999' dt 2 notitle, "
      << "'trace_" << name << ".csv' every ::1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title '" << name
      << "', "
      << "'trace_" << name
      << ".csv' every ::1 using 1:($3 > 0 ? -13.5 : 1/0) with points pt 7 ps 0.5 lc rgb '#d62728' "
      << "title 'fault'\n";
  }
  g << "unset multiplot\n";

  g << "set output 'outcomes.png'\nreset\nset terminal " << terminal << " size 1100,520 font ',10'\n"
    << "set datafile separator ','\nset style data histograms\nset style histogram clustered gap 1\n"
    << "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset logscale y\nset yrange [0.8:*]\n"
    << "set grid ytics\nset key outside right\nset ylabel 'control calls + 1 (log scale)'\n"
    << "set title 'Pendulum, stuck-at faults: outcome of the control calls per executor (all runs)'\n"
    << "plot 'outcomes.csv' every ::1 using ($2+1):xtic(1) title 'masked', '' every ::1 using ($3+1) title "
       "'recovered', '' every ::1 using ($4+1) title 'detected (held)', '' every ::1 using ($5+1) title "
       "'SDC', '' "
       "every ::1 using ($6+1) title 'runs violating the envelope'\n";

  g << "set output 'reliability.png'\nreset\nset terminal " << terminal << " size 1100,600 font ',10'\n"
    << "set datafile separator ','\nset grid\nset key top right\n"
    << "set xlabel 'time  t  [1/lambda]'\nset ylabel 'reliability R(t)'\nset yrange [0:1.02]\n"
    << "set title 'Reliability R(t): analytic (lines) vs Monte Carlo with 95% intervals (points)'\n"
    << "plot 'reliability_analytic.csv' every ::1 using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'simplex "
       "e^{-{/Symbol l}t}', "
    << "'' every ::1 using 1:3 with lines lw 2 lc rgb '#2ca02c' title 'TMR 3R^2-2R^3', "
    << "'' every ::1 using 1:4 with lines lw 2 lc rgb '#d62728' title '5MR', "
    << "'reliability_points.csv' every ::1 using 1:($2 == 0 ? $3 : 1/0):4:5 with yerrorbars pt 7 lc rgb "
       "'#1f77b4' "
       "title 'simulated', "
    << "'' every ::1 using 1:($2 == 1 ? $3 : 1/0):4:5 with yerrorbars pt 7 lc rgb '#2ca02c' notitle, "
    << "'' every ::1 using 1:($2 == 2 ? $3 : 1/0):4:5 with yerrorbars pt 7 lc rgb '#d62728' notitle\n";
  return g.str();
}

bool run_quiet(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

}  // namespace

DemoResult run_demo(const DemoOptions& o, std::ostream& log) {
  const auto start = std::chrono::steady_clock::now();
  DemoResult r;
  const fs::path dir(o.out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) raise("demo: cannot create report folder '" + o.out_dir + "': " + ec.message());

  // 1. Closed loop: pendulum, four executors, the same fault streams.
  const double duration = o.quick ? 3.0 : 10.0;
  const std::uint64_t runs = o.quick ? 8 : 200;
  struct Scenario {
    pl::LoopFault fault;
    double rate;
  };
  const Scenario scenarios[] = {{pl::LoopFault::stuck_at, 5e-3}, {pl::LoopFault::bitflip_output, 1e-2}};
  log << "[1/4] pendulum: " << runs << " runs x " << duration << " s per executor and fault model\n";
  for (const auto& sc : scenarios) {
    for (const auto e : kExecutors) {
      pl::LoopSpec s;
      s.plant = pl::PlantKind::pendulum;
      s.executor = e;
      s.fault = sc.fault;
      s.fault_rate = sc.rate;
      s.duration = duration;
      s.seed = o.seed;
      PlantRow row;
      row.scenario = std::string(pl::to_string(sc.fault)) + " " + fmt(sc.rate) + "/call/replica";
      row.executor = std::string(pl::to_string(e));
      row.mc = pl::run_monte_carlo(s, runs, pl::MonteCarloOptions{.threads = o.threads});
      r.plant_rows.push_back(row);
    }
  }

  // 2. One fault stream, four executors, traced: the first run in which simplex left the envelope.
  pl::LoopSpec trace_spec;
  trace_spec.plant = pl::PlantKind::pendulum;
  trace_spec.fault = pl::LoopFault::stuck_at;
  trace_spec.fault_rate = scenarios[0].rate;
  trace_spec.duration = duration;
  trace_spec.record_trace = true;
  r.trace_run = 0;
  for (std::uint64_t i = 0; i < 400; ++i) {
    pl::LoopSpec probe = trace_spec;
    probe.record_trace = false;
    probe.executor = pl::LoopExecutor::simplex;
    probe.seed = trial_seed(o.seed, i);
    if (!pl::run_loop(probe).envelope_held) {
      r.trace_run = i;
      break;
    }
  }
  trace_spec.seed = trial_seed(o.seed, r.trace_run);
  std::vector<pl::LoopResult> traces;
  for (const auto e : kExecutors) {
    trace_spec.executor = e;
    traces.push_back(pl::run_loop(trace_spec));
    std::ostringstream csv;
    csv << "time,angle_deg,faults,sdc\n" << std::setprecision(8);
    for (const auto& p : traces.back().trace) {
      csv << p.time << ',' << p.x[2] * 180.0 / std::numbers::pi << ',' << static_cast<unsigned>(p.faults)
          << ',' << (p.sdc ? 1 : 0) << '\n';
    }
    write_file(dir / ("trace_" + std::string(pl::to_string(e)) + ".csv"), csv.str());
  }

  // 3. Kernel campaigns through the campaign engine.
  const std::uint64_t trials = o.quick ? 2000 : 50000;
  log << "[2/4] kernel campaigns: " << trials
      << " trials each, bitflip-output, one faulty replica per trial\n";
  for (const char* kernel : {"crc32", "solve6"}) {
    for (const char* exec : {"simplex", "dmr", "dmr-retry", "tmr", "nversion"}) {
      KernelRow k;
      k.kernel = kernel;
      k.executor = exec;
      k.trials = trials;
      try {
        CampaignSpec spec;
        spec.kernel = kernel;
        spec.executor = exec;
        spec.fault = "bitflip-output";
        spec.trials = trials;
        spec.seed = o.seed;
        spec.threads = o.threads;
        const CampaignSummary sum = run_campaign(spec);
        k.benign = sum.counts[TrialOutcome::benign];
        k.masked = sum.counts[TrialOutcome::masked];
        k.detected = sum.counts[TrialOutcome::detected];
        k.recovered = sum.counts[TrialOutcome::recovered];
        k.sdc = sum.counts[TrialOutcome::sdc];
        k.timeout = sum.counts[TrialOutcome::timeout];
        k.trials_per_second = sum.trials_per_second;
      } catch (const Error& err) { k.note = err.what(); }
      r.kernel_rows.push_back(k);
    }
  }

  // 4. Reliability curves: analytic lines and simulated points (lambda = 1, t in units of 1/lambda).
  const std::uint64_t rel_trials = o.quick ? 2000 : 20000;
  log << "[3/4] reliability: simplex / TMR / 5MR, " << rel_trials << " simulated lifetimes per point\n";
  std::ostringstream analytic_csv;
  analytic_csv << "t,simplex,tmr,5mr\n" << std::setprecision(8);
  const auto model_spec = [](int m, double t) {
    rel::ModelSpec s;
    s.model = m == 0 ? rel::Model::simplex : (m == 1 ? rel::Model::tmr : rel::Model::nmr);
    s.n = m == 0 ? 1U : (m == 1 ? 3U : 5U);
    s.lambda = 1.0;
    s.time = t;
    s.metric = rel::Metric::reliability;
    return s;
  };
  for (int i = 0; i <= 100; ++i) {
    const double t = 0.02 * i + 1e-9;
    analytic_csv << t << ',' << rel::analytic(model_spec(0, t)) << ',' << rel::analytic(model_spec(1, t))
                 << ',' << rel::analytic(model_spec(2, t)) << '\n';
  }
  std::ostringstream points_csv;
  points_csv << "t,model,value,lo,hi,analytic\n" << std::setprecision(8);
  const char* names[] = {"simplex", "tmr", "5mr"};
  for (int m = 0; m < 3; ++m) {
    for (int i = 0; i < 10; ++i) {
      const double t = 0.1 + 0.2 * i;
      const auto s = model_spec(m, t);
      const auto est =
          rel::simulate(s, rel_trials, o.seed + static_cast<std::uint64_t>(100 * m + i), o.threads);
      r.reliability.push_back(ReliabilityPoint{names[m], t, rel::analytic(s), est.value, est.lo, est.hi});
      points_csv << t << ',' << m << ',' << est.value << ',' << est.lo << ',' << est.hi << ','
                 << rel::analytic(s) << '\n';
    }
  }
  write_file(dir / "reliability_analytic.csv", analytic_csv.str());
  write_file(dir / "reliability_points.csv", points_csv.str());

  // Outcome bars data: stuck-at scenario.
  std::ostringstream outcomes_csv;
  outcomes_csv << "executor,masked,recovered,detected,sdc,violations\n";
  for (const auto& row : r.plant_rows) {
    if (row.scenario.rfind("stuck-at", 0) != 0) continue;
    const auto& c = row.mc.counts;
    outcomes_csv << row.executor << ',' << c.masked << ',' << c.recovered << ',' << c.detected << ',' << c.sdc
                 << ',' << row.mc.violations << '\n';
  }
  write_file(dir / "outcomes.csv", outcomes_csv.str());

  // Plots.
  log << "[4/4] report: " << fs::absolute(dir).string() << '\n';
  if (!run_quiet(o.gnuplot + " --version")) {
    r.plot_note =
        "gnuplot was not found (install it with scripts/setup, Debian package gnuplot-nox): "
        "the report has its tables but no plots";
  } else {
    const std::string terminal =
        run_quiet("cd " + fs::absolute(dir).string() + " && echo \"set terminal pngcairo\" | " + o.gnuplot)
            ? "pngcairo"
            : "png";
    write_file(dir / "plots.gp", gnuplot_script(terminal, r, duration));
    const std::string cmd =
        "cd '" + fs::absolute(dir).string() + "' && " + o.gnuplot + " plots.gp 2>gnuplot.log";
    if (std::system(cmd.c_str()) != 0) {
      r.plot_note =
          "gnuplot failed (see " + (dir / "gnuplot.log").string() + "): the report has its tables only";
    } else {
      for (const char* png : {"pendulum_angle.png", "outcomes.png", "reliability.png"})
        if (fs::exists(dir / png)) r.plots.push_back((dir / png).string());
    }
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // summary.json: every number of the report, for scripts and tests.
  nlohmann::json j;
  j["seed"] = o.seed;
  j["quick"] = o.quick;
  j["trace_run"] = r.trace_run;
  for (const auto& row : r.plant_rows) {
    const auto& c = row.mc.counts;
    j["pendulum"].push_back(
        {{"scenario", row.scenario},
         {"executor", row.executor},
         {"runs", row.mc.runs},
         {"violations", row.mc.violations},
         {"p_violation", {{"value", row.mc.p_violation}, {"ci95", {row.mc.ci_lo, row.mc.ci_hi}}}},
         {"calls", c.calls},
         {"faults", c.faults_injected},
         {"masked", c.masked},
         {"recovered", c.recovered},
         {"detected", c.detected},
         {"sdc", c.sdc},
         {"deadline_misses", c.deadline_misses},
         {"executions_per_call",
          c.calls ? static_cast<double>(c.executions) / static_cast<double>(c.calls) : 0.0},
         {"mean_ise", row.mc.mean_ise}});
  }
  for (const auto& k : r.kernel_rows) {
    j["kernels"].push_back({{"kernel", k.kernel},
                            {"executor", k.executor},
                            {"trials", k.trials},
                            {"benign", k.benign},
                            {"masked", k.masked},
                            {"detected", k.detected},
                            {"recovered", k.recovered},
                            {"sdc", k.sdc},
                            {"timeout", k.timeout},
                            {"trials_per_second", k.trials_per_second},
                            {"note", k.note}});
  }
  for (const auto& p : r.reliability) {
    j["reliability"].push_back({{"model", p.model},
                                {"t", p.t},
                                {"analytic", p.analytic},
                                {"simulated", {{"value", p.value}, {"ci95", {p.lo, p.hi}}}}});
  }
  j["plots"] = r.plots;
  j["plot_note"] = r.plot_note;
  j["wall_seconds"] = r.wall_seconds;
  write_file(dir / "summary.json", j.dump(2) + "\n");

  // index.html
  std::ostringstream h;
  h << "<!doctype html>\n<html><head><meta charset='utf-8'><title>Lockstep demo report</title>\n"
    << "<style>body{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px "
       "8px;text-align:right}"
       "th{background:#eee}td:first-child,td:nth-child(2){text-align:left}.note{color:#a00}</style></"
       "head><body>\n"
    << "<h1>Lockstep: closed-loop fault-injection study</h1>\n"
    << "<p>Seed " << o.seed << (o.quick ? " (quick mode: short runs, few trials)" : "") << ". Generated by "
    << "<code>lockstep-sim demo</code> in " << fmt(r.wall_seconds) << " s. All numbers are also in "
    << "<a href='summary.json'>summary.json</a>.</p>\n";
  if (!r.plot_note.empty()) h << "<p class='note'>" << html_escape(r.plot_note) << "</p>\n";
  h << "<h2>1. Inverted pendulum under four executors</h2>\n<p>Cart-pole (nonlinear, RK4 1 ms) at 100 Hz: "
       "noisy sensors (cart position 2 mm, angle 0.1&deg;), a Kalman estimator and LQR state feedback from "
       "kernels/ (replicated: version 0; N-version: replica <i>i</i> runs the <i>i</i>-th LQR and Kalman "
       "versions), the estimator state replica-private; "
    << "envelope |angle| &le; 12&deg; and |x| &le; 2.4 m. " << runs << " runs of " << duration
    << " s per row; run <i>i</i> has the same fault stream under every executor. P(violation) with its 95% "
       "Wilson interval; call counts summed over all runs.</p>\n"
    << "<table id='pendulum'><tr><th>faults</th><th>executor</th><th>runs</th><th>violations</th>"
       "<th>P(violation) [95% CI]</th><th>faulty calls</th><th>SDC</th><th>detected</th><th>masked</th>"
       "<th>recovered</th><th>executions/call</th><th>host ns/call</th></tr>\n";
  for (const auto& row : r.plant_rows) {
    const auto& c = row.mc.counts;
    const double epc = c.calls ? static_cast<double>(c.executions) / static_cast<double>(c.calls) : 0.0;
    h << "<tr><td>" << row.scenario << "</td><td>" << row.executor << "</td><td>" << row.mc.runs
      << "</td><td>" << row.mc.violations << "</td><td>" << fmt(row.mc.p_violation) << " ["
      << fmt(row.mc.ci_lo) << ", " << fmt(row.mc.ci_hi) << "]</td><td>" << c.faulty_calls << "</td><td>"
      << c.sdc << "</td><td>" << c.detected << "</td><td>" << c.masked << "</td><td>" << c.recovered
      << "</td><td>" << fmt(epc) << "</td><td>" << fmt(row.mc.wall_ns_per_call) << "</td></tr>\n";
  }
  h << "</table>\n";
  if (fs::exists(dir / "pendulum_angle.png"))
    h << "<p><img src='pendulum_angle.png' width='1100' alt='pendulum angle per executor'></p>\n";
  if (fs::exists(dir / "outcomes.png"))
    h << "<p><img src='outcomes.png' width='1100' alt='outcomes per executor'></p>\n";
  h << "<h2>2. Kernel campaigns (campaign engine)</h2>\n<p>" << trials
    << " trials per row, one bit flip in one replica's output per trial.</p>\n"
    << "<table id='kernels'><tr><th>kernel</th><th>executor</th><th>trials</th><th>benign</th><th>masked</th>"
       "<th>detected</th><th>recovered</th><th>SDC</th><th>timeout</th><th>trials/s</th></tr>\n";
  for (const auto& k : r.kernel_rows) {
    h << "<tr><td>" << k.kernel << "</td><td>" << k.executor << "</td>";
    if (!k.note.empty()) {
      h << "<td colspan='8' class='note'>" << html_escape(k.note) << "</td></tr>\n";
      continue;
    }
    h << "<td>" << k.trials << "</td><td>" << k.benign << "</td><td>" << k.masked << "</td><td>" << k.detected
      << "</td><td>" << k.recovered << "</td><td>" << k.sdc << "</td><td>" << k.timeout << "</td><td>"
      << fmt(k.trials_per_second, 6) << "</td></tr>\n";
  }
  h << "</table>\n<h2>3. Reliability models</h2>\n<p>R(t) of simplex, TMR (2-of-3) and 5MR (3-of-5) with "
       "exponential lifetimes, &lambda; = 1: analytic sums vs Monte Carlo ("
    << rel_trials << " lifetimes per point, 95% Wilson intervals). See docs/reliability.md.</p>\n";
  if (fs::exists(dir / "reliability.png"))
    h << "<p><img src='reliability.png' width='1100' alt='reliability curves'></p>\n";
  h << "<table id='reliability'><tr><th>model</th><th>t</th><th>analytic</th><th>simulated</th><th>95% "
       "CI</th>"
       "<th>inside</th></tr>\n";
  for (const auto& p : r.reliability) {
    h << "<tr><td>" << p.model << "</td><td>" << fmt(p.t) << "</td><td>" << fmt(p.analytic, 5) << "</td><td>"
      << fmt(p.value, 5) << "</td><td>[" << fmt(p.lo, 5) << ", " << fmt(p.hi, 5) << "]</td><td>"
      << (p.lo <= p.analytic && p.analytic <= p.hi ? "yes" : "no") << "</td></tr>\n";
  }
  h << "</table>\n</body></html>\n";
  r.index_html = (dir / "index.html").string();
  write_file(r.index_html, h.str());
  return r;
}

}  // namespace lockstep::sim::report
