#pragma once
// Umbrella header of lockstep::voters: every voter, the result types and tolerances.
#include <lockstep/voters/history.hpp>
#include <lockstep/voters/inexact.hpp>
#include <lockstep/voters/into.hpp>
#include <lockstep/voters/majority.hpp>
#include <lockstep/voters/median.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>
#include <lockstep/voters/weighted.hpp>
