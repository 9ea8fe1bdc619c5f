#pragma once
// Umbrella header of lockstep::voters.
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>
