// Fault-injection campaign as a library call: how often does one flipped output bit get
// through simplex, DMR and TMR?
//
//   for each executor:                       trial i (seed from (campaign seed, i)):
//     run_campaign(spec) ──► N trials ──►      golden call ─┐
//                                              faulty call ─┴─► benign | masked | detected
//     counts + 95% Wilson intervals                            | recovered | sdc | timeout
//
// Expected: simplex lets every flip through (sdc), DMR detects every one, TMR masks every one.
#include <cstdio>

#include <lockstep/sim/campaign.hpp>

int main() {
  using lockstep::sim::TrialOutcome;
  for (const char* executor : {"simplex", "dmr", "tmr"}) {
    lockstep::sim::CampaignSpec spec;
    spec.kernel = "crc32";
    spec.executor = executor;
    spec.fault = "bitflip-output";
    spec.trials = 2000;
    spec.seed = 1;
    const lockstep::sim::CampaignSummary s = lockstep::sim::run_campaign(spec);
    const auto sdc = s.rate(TrialOutcome::sdc);
    std::printf("%-8s masked %5llu  detected %5llu  sdc %5llu  (sdc rate %.4f, 95%% CI [%.4f, %.4f])\n",
                executor, static_cast<unsigned long long>(s.counts[TrialOutcome::masked]),
                static_cast<unsigned long long>(s.counts[TrialOutcome::detected]),
                static_cast<unsigned long long>(s.counts[TrialOutcome::sdc]), sdc.value, sdc.ci95.lo,
                sdc.ci95.hi);
    if (executor[0] == 't' && s.counts[TrialOutcome::sdc] != 0) return 1;  // TMR must mask them all
  }
  return 0;
}
