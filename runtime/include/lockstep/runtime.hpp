#pragma once
// Umbrella header of lockstep::runtime: the redundant executors.

#include <lockstep/runtime/call_result.hpp>
#include <lockstep/runtime/config.hpp>
#include <lockstep/runtime/duplex_retry.hpp>
#include <lockstep/runtime/fault_injection.hpp>
#include <lockstep/runtime/health.hpp>
#include <lockstep/runtime/n_modular_executor.hpp>
#include <lockstep/runtime/n_version_executor.hpp>
#include <lockstep/runtime/recovery_block.hpp>
#include <lockstep/runtime/replicated_executor.hpp>
#include <lockstep/runtime/telemetry.hpp>
#include <lockstep/runtime/temporal_executor.hpp>
