#pragma once
// Umbrella header of lockstep::voters: every voter, the result types and tolerances.
#include <lockstep/voters/majority.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>
