#pragma once
// Umbrella header of lockstep::hw (and lockstep::Error, which its set-up calls throw).
#include <lockstep/core/error.hpp>
#include <lockstep/hw/checkpoint.hpp>
#include <lockstep/hw/clock.hpp>
#include <lockstep/hw/edac.hpp>
#include <lockstep/hw/linux_watchdog.hpp>
#include <lockstep/hw/placement.hpp>
#include <lockstep/hw/protected.hpp>
#include <lockstep/hw/scrubber.hpp>
#include <lockstep/hw/secded.hpp>
#include <lockstep/hw/supervision.hpp>
#include <lockstep/hw/systemd_notify.hpp>
#include <lockstep/hw/topology.hpp>
#include <lockstep/hw/watchdog.hpp>
