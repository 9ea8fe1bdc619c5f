#pragma once
// Umbrella header of lockstep::hw.
#include <lockstep/hw/checkpoint.hpp>
#include <lockstep/hw/clock.hpp>
#include <lockstep/hw/placement.hpp>
