#pragma once
// Umbrella header of lockstep::core.
#include <lockstep/core/error.hpp>
#include <lockstep/core/replica_mask.hpp>
